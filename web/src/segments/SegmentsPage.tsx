// Segments: the list at /segments, the builder at /segments/new and /segments/:id.
// The path decides the view, so this works both under one "/segments/*" route and under
// separate "/segments" and "/segments/:id" routes.

import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';

import { listActivityTypes } from '../api/activities';
import { errorMessage, isApiError } from '../api/client';
import { listCustomFields } from '../api/customFields';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  segmentMembers,
  updateSegment,
  type Segment,
  type SegmentKind,
} from '../api/segments';
import { listTags } from '../api/tags';
import type { Contact, CustomField } from '../api/types';
import { Empty, ErrorState, Loading, Notice } from '../components/States';
import { useAsync } from '../hooks/useAsync';
import { contactName, formatCount, formatDateTime } from '../lib/format';
import { useSession } from '../session/SessionContext';
import { fieldCatalog } from './fields';
import { RuleBuilder } from './RuleBuilder';
import { RuleText } from './RuleText';
import { useRuleSync } from './useRuleSync';
import './segments.css';

export default function SegmentsPage() {
  const { pathname } = useLocation();
  const rest = pathname.replace(/^\/segments\/?/, '').split('/')[0] ?? '';
  if (rest === '') return <SegmentList />;
  if (rest === 'new') return <SegmentEditor key="new" id={null} />;
  const id = Number(rest);
  if (!Number.isInteger(id) || id <= 0) {
    return <ErrorState title="No such segment" error={new Error(`"${rest}" is not a segment id.`)} />;
  }
  return <SegmentEditor key={id} id={id} />;
}

// ---------------------------------------------------------------------------------------
// The list

function SegmentList() {
  const session = useSession();
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [rows, setRows] = useState<Segment[]>([]);
  const page = useAsync((signal) => listSegments({ limit: 100, cursor, signal }), [cursor, session.workspaceEpoch]);
  useEffect(() => {
    if (!page.data) return;
    setRows((old) => (cursor ? [...old, ...page.data!.data] : page.data!.data));
  }, [page.data, cursor]);
  const canCreate = session.can('create', 'segment');

  return (
    <section className="page seg-page" aria-labelledby="segments-title">
      <header className="page-header">
        <h1 id="segments-title">Segments</h1>
        {canCreate && (
          <Link className="btn btn-primary" to="/segments/new">
            New segment
          </Link>
        )}
      </header>
      {page.error !== undefined && rows.length === 0 ? (
        <ErrorState error={page.error} onRetry={page.reload} />
      ) : page.loading && rows.length === 0 ? (
        <Loading label="Loading segments…" />
      ) : rows.length === 0 ? (
        <Empty title="No segments yet">
          <p>
            A segment is a live audience: a rule such as <code>tag &quot;vip&quot; and count(purchase,
            last 365 days) &gt;= 3</code>, re-evaluated on every change.
          </p>
          {canCreate && (
            <Link className="btn btn-primary" to="/segments/new">
              Build the first segment
            </Link>
          )}
        </Empty>
      ) : (
        <>
          <table className="table seg-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Members
                </th>
                <th scope="col">Rule</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/segments/${s.id}`}>{s.name}</Link>
                    {s.description && <div className="muted">{s.description}</div>}
                  </td>
                  <td>{s.kind}</td>
                  <td className="num">{formatCount(s.member_count)}</td>
                  <td>
                    <code className="seg-rule-snippet">{s.rule ?? '—'}</code>
                  </td>
                  <td>{formatDateTime(s.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.data?.next_cursor && (
            <button
              type="button"
              className="btn"
              disabled={page.loading}
              onClick={() => setCursor(page.data?.next_cursor ?? undefined)}
            >
              Load more
            </button>
          )}
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------
// The builder

interface Catalogs {
  fields: CustomField[];
  tags: string[];
  segments: string[];
  activityTypes: string[];
}

async function loadCatalogs(): Promise<Catalogs> {
  // The pickers are a convenience: a failed list leaves it empty, typing still works.
  const [fields, tags, segments, types] = await Promise.all([
    listCustomFields().catch(() => [] as CustomField[]),
    listTags().catch(() => []),
    listSegments({ limit: 1000 }).catch(() => ({ data: [] as Segment[], next_cursor: null })),
    listActivityTypes().catch(() => ({ data: [], built_in: [], next_cursor: null })),
  ]);
  return {
    fields,
    tags: tags.map((t) => t.name),
    segments: segments.data.map((s) => s.name),
    activityTypes: [...types.built_in, ...types.data.map((t) => t.name)],
  };
}

function SegmentEditor({ id }: { id: number | null }) {
  const session = useSession();
  const navigate = useNavigate();
  const loaded = useAsync(
    (signal) => (id === null ? Promise.resolve(null) : getSegment(id, signal)),
    [id, session.workspaceEpoch],
  );
  const catalogs = useAsync(() => loadCatalogs(), [session.workspaceEpoch]);
  const [segment, setSegment] = useState<Segment | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<SegmentKind>('dynamic');
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const sync = useRuleSync();
  const { reset } = sync;

  useEffect(() => {
    const s = loaded.data;
    if (!s) return;
    setSegment(s);
    setName(s.name);
    setDescription(s.description ?? '');
    setKind(s.kind);
    reset(s.rule ?? '', s.rule_json);
  }, [loaded.data, reset]);

  const canWrite = id === null ? session.can('create', 'segment') : session.can('update', 'segment');
  const canDelete = id !== null && session.can('delete', 'segment');
  const readOnly = !canWrite;
  const fields = useMemo(() => fieldCatalog(catalogs.data?.fields ?? []), [catalogs.data]);

  if (id !== null && loaded.error !== undefined) {
    const missing = isApiError(loaded.error) && loaded.error.status === 404;
    return (
      <ErrorState
        title={missing ? 'This segment does not exist' : 'Cannot load the segment'}
        error={loaded.error}
        onRetry={missing ? undefined : loaded.reload}
      />
    );
  }
  if (id !== null && !segment) return <Loading label="Loading segment…" />;

  async function save(e: FormEvent) {
    e.preventDefault();
    setNotice(null);
    setNameError(undefined);
    if (!name.trim()) {
      setNameError('is required');
      return;
    }
    const rule = kind === 'dynamic' ? sync.source : null;
    if (kind === 'dynamic' && !rule) {
      setNotice({ kind: 'error', text: 'Add at least one condition (or type a rule) before saving.' });
      return;
    }
    setSaving(true);
    try {
      const body = { name: name.trim(), description: description.trim() || null, ...(rule ?? {}) };
      const saved =
        id === null
          ? await createSegment({ ...body, kind })
          : await updateSegment(id, body, segment?.version);
      setSegment(saved);
      reset(saved.rule ?? '', saved.rule_json);
      setNotice({ kind: 'success', text: `Saved “${saved.name}”.` });
      if (id === null) navigate(`/segments/${saved.id}`, { replace: true });
    } catch (err) {
      if (isApiError(err)) setNameError(err.fieldMessage('name'));
      const stale = isApiError(err) && err.status === 412;
      setNotice({
        kind: 'error',
        text: stale
          ? 'Someone changed this segment meanwhile. Reload to see their version.'
          : errorMessage(err),
      });
    } finally {
      setSaving(false);
    }
  }

  async function remove() {
    if (id === null) return;
    setSaving(true);
    try {
      await deleteSegment(id, segment?.version);
      navigate('/segments', { replace: true });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
      setConfirmDelete(false);
    } finally {
      setSaving(false);
    }
  }

  const count = sync.preview?.count;
  const title = id === null ? 'New segment' : (segment?.name ?? 'Segment');
  return (
    <section className="page seg-page" aria-labelledby="segment-title">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/segments">Segments</Link> <span aria-hidden="true">/</span> {title}
      </nav>
      <header className="page-header">
        <h1 id="segment-title">{title}</h1>
        {segment && (
          <p className="muted">
            {segment.kind === 'dynamic' ? 'Dynamic' : 'Static list'} · {formatCount(segment.member_count)}{' '}
            members · updated {formatDateTime(segment.updated_at)}
          </p>
        )}
      </header>
      {notice && (
        <Notice kind={notice.kind} onDismiss={() => setNotice(null)}>
          {notice.text}
        </Notice>
      )}
      <form className="seg-form" onSubmit={(e) => void save(e)} noValidate>
        <div className="seg-meta">
          <div className="field">
            <label htmlFor="segment-name">Segment name</label>
            <input
              id="segment-name"
              name="name"
              value={name}
              readOnly={readOnly}
              required
              maxLength={200}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? 'segment-name-error' : undefined}
              onChange={(e) => setName(e.target.value)}
            />
            {nameError && (
              <p className="field-error" id="segment-name-error" data-testid="field-error-name">
                {nameError}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="segment-description">Description</label>
            <input
              id="segment-description"
              name="description"
              value={description}
              readOnly={readOnly}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          {id === null && (
            <div className="field">
              <label htmlFor="segment-kind">Kind</label>
              <select
                id="segment-kind"
                value={kind}
                onChange={(e) => setKind(e.target.value as SegmentKind)}
              >
                <option value="dynamic">Dynamic (a rule, always current)</option>
                <option value="static">Static list (members added by hand)</option>
              </select>
            </div>
          )}
        </div>

        {kind === 'dynamic' && (
          <div className="seg-editor">
            <div className="seg-editor-main">
              <h2 className="seg-h2">Rule</h2>
              <RuleBuilder
                root={sync.root}
                onChange={sync.setRoot}
                ctx={{
                  fields,
                  tags: catalogs.data?.tags ?? [],
                  segments: (catalogs.data?.segments ?? []).filter((s) => s !== segment?.name),
                  activityTypes: catalogs.data?.activityTypes ?? [],
                  readOnly,
                  errors: sync.nodeErrors,
                }}
              />
              <RuleText value={sync.text} onChange={sync.setText} errors={sync.textErrors} readOnly={readOnly} />
              {sync.otherErrors.length > 0 && (
                <ul className="seg-other-errors" role="alert">
                  {sync.otherErrors.map((m) => (
                    <li key={m} className="field-error">
                      {m}
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <aside className="seg-preview" aria-label="Preview">
              <h2 className="seg-h2">Matching now</h2>
              <p className="seg-count" role="status" aria-live="polite" aria-label="Matching contacts" data-testid="segment-count">
                {sync.preview?.valid && count !== null && count !== undefined
                  ? `${formatCount(count)} ${count === 1 ? 'contact' : 'contacts'}`
                  : sync.source
                    ? sync.previewing
                      ? 'Counting…'
                      : 'Fix the rule to see a count'
                    : 'No conditions yet'}
              </p>
              {sync.previewError !== undefined && !isApiError(sync.previewError) && (
                <p className="field-error">{errorMessage(sync.previewError)}</p>
              )}
              {sync.preview?.valid && (sync.preview.members.length > 0 ? (
                <>
                  <h3 className="seg-h3">First members</h3>
                  <MemberList contacts={sync.preview.members} label="Sample members" />
                </>
              ) : (
                <p className="muted">Nobody matches yet.</p>
              ))}
            </aside>
          </div>
        )}

        {!readOnly && (
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save segment'}
            </button>
            {canDelete &&
              (confirmDelete ? (
                <span className="seg-confirm" role="group" aria-label="Confirm delete">
                  <span>Delete “{segment?.name}”? Its members stay; only the segment goes.</span>
                  <button type="button" className="btn btn-danger" disabled={saving} onClick={() => void remove()}>
                    Yes, delete
                  </button>
                  <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
                    Cancel
                  </button>
                </span>
              ) : (
                <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>
                  Delete segment
                </button>
              ))}
          </div>
        )}
      </form>

      {segment && <SavedMembers segment={segment} />}
    </section>
  );
}

function MemberList({ contacts, label }: { contacts: readonly Contact[]; label: string }) {
  return (
    <ul className="seg-members" aria-label={label}>
      {contacts.map((c) => (
        <li key={c.id}>
          <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
          {c.email && <span className="muted"> {c.email}</span>}
        </li>
      ))}
    </ul>
  );
}

function SavedMembers({ segment }: { segment: Segment }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [rows, setRows] = useState<Contact[]>([]);
  const page = useAsync(
    (signal) => segmentMembers(segment.id, cursor, { limit: 50, signal }),
    [segment.id, segment.version, cursor],
  );
  useEffect(() => {
    if (!page.data) return;
    setRows((old) => (cursor ? [...old, ...page.data!.data] : page.data!.data));
  }, [page.data, cursor]);
  useEffect(() => setCursor(undefined), [segment.version]);

  return (
    <section className="seg-saved-members" aria-labelledby="members-title">
      <header className="section-header">
        <h2 id="members-title" className="seg-h2">
          Members ({formatCount(segment.member_count)})
        </h2>
        <Link to={`/contacts?segment=${segment.id}`}>Open in the contacts table</Link>
      </header>
      {page.error !== undefined && rows.length === 0 ? (
        <ErrorState error={page.error} onRetry={page.reload} />
      ) : page.loading && rows.length === 0 ? (
        <Loading label="Loading members…" />
      ) : rows.length === 0 ? (
        <Empty title="No members" />
      ) : (
        <>
          <MemberList contacts={rows} label="Segment members" />
          {page.data?.next_cursor && (
            <button
              type="button"
              className="btn"
              disabled={page.loading}
              onClick={() => setCursor(page.data?.next_cursor ?? undefined)}
            >
              Load more members
            </button>
          )}
        </>
      )}
    </section>
  );
}
