import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { collectAll, errorMessage, isApiError } from '../api/client';
import { getCompany } from '../api/companies';
import { addContactTags, listContacts, removeContactTag } from '../api/contacts';
import type { ContactListParams } from '../api/contacts';
import { listCustomFields } from '../api/customFields';
import { listSegments, previewSegment } from '../api/segments';
import { listTags } from '../api/tags';
import type { Contact, ContactSortField, CustomField, Sort } from '../api/types';
import { LIFECYCLE_STAGES } from '../api/types';
import { FieldError } from '../components/Field';
import { NewContactDialog } from '../components/NewContactDialog';
import { Empty, ErrorState, Loading, Notice } from '../components/States';
import { VirtualGrid } from '../components/VirtualGrid';
import type { GridColumn, GridSort } from '../components/VirtualGrid';
import { useAsync } from '../hooks/useAsync';
import { useCursorList } from '../hooks/useCursorList';
import { useDebounced } from '../hooks/useDebounced';
import { useLookup } from '../hooks/useLookup';
import { runBulk } from '../lib/bulk';
import { downloadText, toCsv } from '../lib/csv';
import type { CsvColumn } from '../lib/csv';
import { contactName, formatCount, formatDate, humanize } from '../lib/format';
import { inSegmentRule, segmentChoices } from '../lib/segmentFilter';
import { useSession } from '../session/SessionContext';
import { customText } from '../lib/custom';

const ROW_HEIGHT = 44;
const PAGE_SIZE = 200;
const EXPORT_PAGE = 1000;
const EXPORT_MAX = 200_000;
const COLUMNS_KEY = 'rapport.contacts.columns';
const DEFAULT_COLUMNS = ['name', 'email', 'phone', 'lifecycle_stage', 'company', 'tags', 'created_at'];

interface ColumnDef {
  key: string;
  header: string;
  className: string;
  sortField?: ContactSortField;
  /** Plain value for CSV export. */
  value: (c: Contact) => unknown;
}

function baseColumns(companyName: (id: number) => string | undefined): ColumnDef[] {
  return [
    { key: 'id', header: 'ID', className: 'col-xs', sortField: 'id', value: (c) => c.id },
    { key: 'name', header: 'Name', className: 'col-lg col-sticky', sortField: 'last_name', value: contactName },
    { key: 'first_name', header: 'First name', className: 'col-md', sortField: 'first_name', value: (c) => c.first_name },
    { key: 'last_name', header: 'Last name', className: 'col-md', sortField: 'last_name', value: (c) => c.last_name },
    { key: 'email', header: 'Email', className: 'col-lg', sortField: 'email', value: (c) => c.email },
    { key: 'phone', header: 'Phone', className: 'col-md', value: (c) => c.phone },
    { key: 'lifecycle_stage', header: 'Stage', className: 'col-sm', value: (c) => c.lifecycle_stage },
    {
      key: 'company',
      header: 'Company',
      className: 'col-md',
      value: (c) => (c.company_id ? (companyName(c.company_id) ?? c.company_id) : ''),
    },
    { key: 'tags', header: 'Tags', className: 'col-lg', value: (c) => c.tags },
    { key: 'source', header: 'Source', className: 'col-sm', value: (c) => c.source },
    { key: 'external_id', header: 'External ID', className: 'col-sm', value: (c) => c.external_id },
    { key: 'birthday', header: 'Birthday', className: 'col-sm', value: (c) => c.birthday },
    { key: 'timezone', header: 'Time zone', className: 'col-sm', value: (c) => c.timezone },
    { key: 'created_at', header: 'Created', className: 'col-sm', sortField: 'created_at', value: (c) => c.created_at },
    { key: 'updated_at', header: 'Updated', className: 'col-sm', sortField: 'updated_at', value: (c) => c.updated_at },
  ];
}

function loadColumns(): string[] {
  try {
    const saved = localStorage.getItem(COLUMNS_KEY);
    const parsed: unknown = saved ? JSON.parse(saved) : null;
    if (Array.isArray(parsed) && parsed.every((k) => typeof k === 'string')) return parsed as string[];
  } catch {
    // Unreadable preferences fall back to the defaults.
  }
  return DEFAULT_COLUMNS;
}

type Filter =
  | { kind: 'none' }
  | { kind: 'segment'; id: number; name: string; count?: number }
  | { kind: 'rule'; text: string };

export function ContactsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const ids = { search: useId(), segment: useId(), rule: useId(), tag: useId(), stage: useId(), bulkTag: useId() };

  // The view lives in the URL so it survives reloads and can be shared.
  const q = params.get('q') ?? '';
  const sortParam = (params.get('sort') ?? 'id') as Sort<ContactSortField>;
  const tag = params.get('tag') ?? '';
  const stage = params.get('stage') ?? '';
  const where = params.get('where') ?? '';
  const segmentId = Number(params.get('segment') ?? '') || null;

  const [search, setSearch] = useState(q);
  const debouncedSearch = useDebounced(search, 250);
  const [ruleDraft, setRuleDraft] = useState(where);
  const [columns, setColumns] = useState<string[]>(loadColumns);
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [bulkTag, setBulkTag] = useState('');
  const [bulkState, setBulkState] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [exporting, setExporting] = useState<{ rows: number } | null>(null);
  const exportAbort = useRef<AbortController | null>(null);
  const [creating, setCreating] = useState(false);
  const [columnsOpen, setColumnsOpen] = useState(false);

  const update = useCallback(
    (changes: Record<string, string | null>) => {
      setParams(
        (old) => {
          const next = new URLSearchParams(old);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === '') next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  useEffect(() => {
    if (debouncedSearch.trim() !== q) update({ q: debouncedSearch.trim() || null });
  }, [debouncedSearch]); // eslint-disable-line react-hooks/exhaustive-deps

  const epoch = session.workspaceEpoch;
  const fields = useAsync(() => listCustomFields('contact'), [epoch]);
  const tags = useAsync(() => listTags(), [epoch]);
  const segments = useAsync(
    (signal) => collectAll((cursor) => listSegments({ limit: 200, cursor, signal })).then(segmentChoices),
    [epoch],
  );

  const filter: Filter = useMemo(() => {
    if (segmentId) {
      const s = segments.data?.find((x) => x.id === segmentId);
      return s ? { kind: 'segment', id: s.id, name: s.name, count: s.member_count } : { kind: 'segment', id: segmentId, name: '' };
    }
    if (where) return { kind: 'rule', text: where };
    return { kind: 'none' };
  }, [segmentId, where, segments.data]);

  const listParams: ContactListParams = useMemo(() => {
    let rule: string | undefined;
    if (filter.kind === 'segment' && filter.name) rule = inSegmentRule(filter.name);
    if (filter.kind === 'rule') rule = filter.text;
    return {
      q: q || undefined,
      sort: sortParam,
      tag: tag || undefined,
      lifecycle_stage: (stage || undefined) as ContactListParams['lifecycle_stage'],
      where: rule,
    };
  }, [q, sortParam, tag, stage, filter]);
  const waitingForSegment = filter.kind === 'segment' && !filter.name && segments.loading;

  const list = useCursorList(
    (cursor, signal) =>
      waitingForSegment
        ? Promise.resolve({ data: [], next_cursor: null })
        : listContacts({ ...listParams, limit: PAGE_SIZE, cursor, signal }),
    [JSON.stringify(listParams), epoch, waitingForSegment],
  );

  useEffect(() => setSelected(new Set()), [JSON.stringify(listParams), epoch]); // eslint-disable-line react-hooks/exhaustive-deps

  const companies = useLookup((id) => getCompany(id).then((c) => c.name), epoch);
  const allColumns = useMemo(() => {
    const base = baseColumns((id) => companies.get(id) ?? undefined);
    const custom: ColumnDef[] = (fields.data ?? []).map((f: CustomField) => ({
      key: `custom.${f.key}`,
      header: f.label || f.key,
      className: 'col-md',
      value: (c: Contact) => c.custom[f.key] ?? null,
    }));
    return [...base, ...custom];
  }, [fields.data, companies]);
  const fieldByKey = useMemo(() => new Map((fields.data ?? []).map((f) => [f.key, f])), [fields.data]);
  const shown = allColumns.filter((c) => columns.includes(c.key));

  function toggleColumn(key: string) {
    setColumns((old) => {
      const next = old.includes(key) ? old.filter((k) => k !== key) : [...old, key];
      try {
        localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
      } catch {
        // Preferences are a convenience; a full storage is not an error for the user.
      }
      return next;
    });
  }

  const gridColumns: GridColumn<Contact>[] = shown.map((c) => ({
    key: c.key,
    header: c.header,
    className: c.className,
    sortField: c.sortField,
    render: (row: Contact) => renderCell(c.key, row),
  }));

  function renderCell(key: string, row: Contact) {
    switch (key) {
      case 'name':
        return (
          <Link to={`/contacts/${row.id}`} className="cell-link">
            {contactName(row)}
          </Link>
        );
      case 'lifecycle_stage':
        return <span className={`badge stage-${row.lifecycle_stage}`}>{humanize(row.lifecycle_stage)}</span>;
      case 'company':
        if (!row.company_id) return null;
        return (
          <Link to={`/companies/${row.company_id}`} className="cell-link">
            {companies.get(row.company_id) ?? `Company #${row.company_id}`}
          </Link>
        );
      case 'tags':
        return (
          <span className="tag-list">
            {row.tags.map((t) => (
              <span className="tag" key={t}>
                {t}
              </span>
            ))}
          </span>
        );
      case 'created_at':
      case 'updated_at':
      case 'birthday':
        return formatDate(row[key]);
      default:
        if (key.startsWith('custom.')) {
          const k = key.slice(7);
          return customText(row.custom[k], fieldByKey.get(k));
        }
        return String(allColumns.find((c) => c.key === key)?.value(row) ?? '');
    }
  }

  // Company names for the rows in the table.
  useEffect(() => {
    if (!columns.includes('company')) return;
    const wanted = new Set<number>();
    for (const c of list.items.slice(0, 2000)) if (c.company_id) wanted.add(c.company_id);
    companies.request(wanted);
  }, [list.items, columns, companies]);

  const sort: GridSort = sortParam.startsWith('-')
    ? { field: sortParam.slice(1), descending: true }
    : { field: sortParam, descending: false };
  function onSort(field: string) {
    const next = sort.field === field && !sort.descending ? `-${field}` : field;
    update({ sort: next === 'id' ? null : next });
  }

  const canEdit = session.can('update', 'contact');
  const canCreate = session.can('create', 'contact');
  const allLoadedSelected = list.items.length > 0 && list.items.every((c) => selected.has(c.id));

  function toggle(id: number) {
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  async function bulk(kind: 'add' | 'remove', e?: FormEvent) {
    e?.preventDefault();
    const name = bulkTag.trim().toLowerCase();
    if (!name || selected.size === 0) return;
    const targets = [...selected];
    setNotice(null);
    setBulkState(`${kind === 'add' ? 'Tagging' : 'Untagging'} 0 of ${targets.length}…`);
    const { ok, failed } = await runBulk(
      targets,
      async (id) => {
        try {
          return kind === 'add' ? await addContactTags(id, [name]) : await removeContactTag(id, name);
        } catch (err) {
          // Untagging a contact that lacks the tag is already done.
          if (kind === 'remove' && isApiError(err) && err.status === 404) return null;
          throw err;
        }
      },
      {
        concurrency: 4,
        onProgress: (done, total) =>
          setBulkState(`${kind === 'add' ? 'Tagging' : 'Untagging'} ${done} of ${total}…`),
      },
    );
    const changed = new Map(ok.filter((c): c is Contact => c !== null).map((c) => [c.id, c]));
    list.update((items) => items.map((c) => changed.get(c.id) ?? c));
    setBulkState(null);
    if (failed.length > 0) {
      setNotice({
        kind: 'error',
        text: `${failed.length} of ${targets.length} contacts could not be changed: ${errorMessage(failed[0]?.error)}`,
      });
    } else {
      setNotice({
        kind: 'success',
        text: `${kind === 'add' ? 'Added' : 'Removed'} tag “${name}” ${kind === 'add' ? 'to' : 'from'} ${targets.length} contact${targets.length === 1 ? '' : 's'}.`,
      });
    }
    if (kind === 'add') tags.reload();
  }

  async function exportCsv() {
    const ctrl = new AbortController();
    exportAbort.current = ctrl;
    setExporting({ rows: 0 });
    setNotice(null);
    const rows: Contact[] = [];
    try {
      let cursor: string | undefined;
      do {
        const page = await listContacts({ ...listParams, limit: EXPORT_PAGE, cursor, signal: ctrl.signal });
        rows.push(...page.data);
        setExporting({ rows: rows.length });
        cursor = page.next_cursor ?? undefined;
      } while (cursor && rows.length < EXPORT_MAX);
      const missing = new Set<number>();
      for (const c of rows) if (c.company_id && companies.get(c.company_id) === undefined) missing.add(c.company_id);
      if (columns.includes('company') && missing.size <= 200) {
        await Promise.all(
          [...missing].map((id) =>
            getCompany(id).then((co) => companies.put(id, co.name)).catch(() => undefined),
          ),
        );
      }
      const csvColumns: CsvColumn<Contact>[] = shown.map((c) => ({ header: c.header, value: c.value }));
      const stamp = new Date().toISOString().slice(0, 10);
      downloadText(`contacts-${stamp}.csv`, toCsv(csvColumns, rows));
      setNotice({
        kind: 'success',
        text:
          rows.length >= EXPORT_MAX && cursor
            ? `Exported the first ${formatCount(EXPORT_MAX)} contacts. Use “rapport export” on the server for the rest.`
            : `Exported ${formatCount(rows.length)} contacts.`,
      });
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) {
        setNotice({ kind: 'error', text: `Export failed: ${errorMessage(err)}` });
      }
    } finally {
      setExporting(null);
      exportAbort.current = null;
    }
  }

  function applyRule(e: FormEvent) {
    e.preventDefault();
    update({ where: ruleDraft.trim() || null, segment: null });
  }

  const whereError =
    filter.kind === 'rule' && isApiError(list.error) && list.error.status === 422
      ? (list.error.fieldMessage('where') ?? list.error.describe())
      : undefined;

  // The exact size of a rule's result comes from the segment preview (the list has no total).
  const ruleCount = useAsync(
    (signal) =>
      filter.kind === 'rule'
        ? previewSegment({ rule: filter.text }, { limit: 1, signal }).then((r) => r.count)
        : Promise.resolve(null),
    [filter.kind === 'rule' ? filter.text : '', epoch],
  );

  const knownTotal =
    !list.hasMore && !list.loading
      ? list.items.length
      : filter.kind === 'segment' && filter.count !== undefined && !q && !tag && !stage
        ? filter.count
        : filter.kind === 'rule' && typeof ruleCount.data === 'number' && !q && !tag && !stage
          ? ruleCount.data
          : filter.kind === 'none' && tag && !q && !stage
            ? tags.data?.find((t) => t.name === tag)?.contact_count
            : undefined;
  const countText = list.loading
    ? 'Loading contacts…'
    : knownTotal !== undefined
      ? `${formatCount(knownTotal)} contact${knownTotal === 1 ? '' : 's'}`
      : `${formatCount(list.items.length)}+ contacts`;

  const filtersActive = Boolean(q || tag || stage || where || segmentId);

  return (
    <div className="page page-contacts">
      <div className="page-header">
        <h1>Contacts</h1>
        <p className="count" data-testid="contacts-count" aria-live="polite">
          {countText}
        </p>
        <div className="page-actions">
          <button type="button" className="btn" onClick={() => void exportCsv()} disabled={exporting !== null || list.loading}>
            Export CSV
          </button>
          {canCreate && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New contact
            </button>
          )}
        </div>
      </div>

      <div className="toolbar" role="search">
        <div className="field field-inline field-grow">
          <label htmlFor={ids.search}>Search contacts</label>
          <input
            id={ids.search}
            type="search"
            placeholder="Name, email or company"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.segment}>Segment</label>
          <select
            id={ids.segment}
            value={segmentId ?? ''}
            onChange={(e) => update({ segment: e.target.value || null, where: null })}
          >
            <option value="">All contacts</option>
            {(segments.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.tag}>Tag</label>
          <select id={ids.tag} value={tag} onChange={(e) => update({ tag: e.target.value || null })}>
            <option value="">Any tag</option>
            {(tags.data ?? []).map((t) => (
              <option key={t.id} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.stage}>Lifecycle stage</label>
          <select id={ids.stage} value={stage} onChange={(e) => update({ stage: e.target.value || null })}>
            <option value="">Any stage</option>
            {LIFECYCLE_STAGES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </div>
        <details className="columns-menu" open={columnsOpen} onToggle={(e) => setColumnsOpen(e.currentTarget.open)}>
          <summary className="btn">Columns</summary>
          {/* Only while open, so its checkboxes' labels do not shadow form fields of the same name. */}
          {columnsOpen && (
          <fieldset>
            <legend>Show columns</legend>
            {allColumns.map((c) => (
              <label key={c.key} className="check">
                <input type="checkbox" checked={columns.includes(c.key)} onChange={() => toggleColumn(c.key)} />
                {c.header}
              </label>
            ))}
          </fieldset>
          )}
        </details>
      </div>

      <form className="rule-bar" onSubmit={applyRule}>
        <div className="field field-inline field-grow">
          <label htmlFor={ids.rule}>Filter rule</label>
          <input
            id={ids.rule}
            className="mono"
            placeholder='e.g. tag "vip" and count(purchase, last 365 days) >= 3'
            value={ruleDraft}
            aria-invalid={whereError ? true : undefined}
            aria-describedby={whereError ? `${ids.rule}-err` : undefined}
            onChange={(e) => setRuleDraft(e.target.value)}
          />
          <FieldError field="where" message={whereError} id={`${ids.rule}-err`} />
        </div>
        <button type="submit" className="btn">
          Apply rule
        </button>
        {filtersActive && (
          <button
            type="button"
            className="btn-link"
            onClick={() => {
              setSearch('');
              setRuleDraft('');
              update({ q: null, tag: null, stage: null, where: null, segment: null });
            }}
          >
            Clear filters
          </button>
        )}
      </form>

      {notice && (
        <Notice kind={notice.kind} onDismiss={() => setNotice(null)}>
          {notice.text}
        </Notice>
      )}
      {exporting && (
        <Notice kind="info">
          Exporting… {formatCount(exporting.rows)} rows{' '}
          <button type="button" className="btn-link" onClick={() => exportAbort.current?.abort()}>
            Cancel export
          </button>
        </Notice>
      )}

      {canEdit && selected.size > 0 && (
        <form className="bulk-bar" onSubmit={(e) => void bulk('add', e)} aria-label="Bulk actions">
          <span className="bulk-count">{formatCount(selected.size)} selected</span>
          <div className="field field-inline">
            <label htmlFor={ids.bulkTag}>Tag name</label>
            <input
              id={ids.bulkTag}
              list={`${ids.bulkTag}-list`}
              value={bulkTag}
              onChange={(e) => setBulkTag(e.target.value)}
              disabled={bulkState !== null}
            />
            <datalist id={`${ids.bulkTag}-list`}>
              {(tags.data ?? []).map((t) => (
                <option key={t.id} value={t.name} />
              ))}
            </datalist>
          </div>
          <button type="submit" className="btn btn-primary" disabled={!bulkTag.trim() || bulkState !== null}>
            Apply tag
          </button>
          <button
            type="button"
            className="btn"
            disabled={!bulkTag.trim() || bulkState !== null}
            onClick={() => void bulk('remove')}
          >
            Remove tag from selected
          </button>
          <button type="button" className="btn-link" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
          {bulkState && (
            <span role="status" className="bulk-progress">
              {bulkState}
            </span>
          )}
        </form>
      )}

      {list.loading || waitingForSegment ? (
        <Loading label="Loading contacts…" />
      ) : list.error && list.items.length === 0 ? (
        whereError ? (
          <Empty title="The rule has an error">
            <p>Fix the rule above and apply it again.</p>
          </Empty>
        ) : (
          <ErrorState error={list.error} onRetry={list.reload} title="Could not load contacts" />
        )
      ) : list.items.length === 0 ? (
        filtersActive ? (
          <Empty title="No contacts match">
            <p>Try another search or clear the filters.</p>
          </Empty>
        ) : (
          <Empty title="No contacts yet">
            <p>
              {canCreate
                ? 'Add your first contact with “New contact”, or import them through the API.'
                : 'Contacts appear here once someone adds them.'}
            </p>
          </Empty>
        )
      ) : (
        <VirtualGrid
          label="Contacts"
          className="contacts-grid"
          rows={list.items}
          rowKey={(c) => c.id}
          columns={gridColumns}
          rowHeight={ROW_HEIGHT}
          totalRows={knownTotal}
          sort={sort}
          onSort={onSort}
          onNearEnd={list.hasMore ? list.loadMore : undefined}
          selected={canEdit ? (c) => selected.has(c.id) : undefined}
          leadHeader={
            canEdit ? (
              <input
                type="checkbox"
                aria-label="Select all loaded contacts"
                checked={allLoadedSelected}
                onChange={() =>
                  setSelected(allLoadedSelected ? new Set() : new Set(list.items.map((c) => c.id)))
                }
              />
            ) : undefined
          }
          lead={
            canEdit
              ? (c) => (
                  <input
                    type="checkbox"
                    aria-label={`Select ${contactName(c)}`}
                    checked={selected.has(c.id)}
                    onChange={() => toggle(c.id)}
                  />
                )
              : undefined
          }
          footer={
            list.loadingMore ? (
              <span role="status">Loading more…</span>
            ) : list.error ? (
              <span role="alert">
                {errorMessage(list.error)}{' '}
                <button type="button" className="btn-link" onClick={list.loadMore}>
                  Try again
                </button>
              </span>
            ) : list.hasMore ? (
              <button type="button" className="btn-link" onClick={list.loadMore}>
                Load more
              </button>
            ) : (
              <span>End of list</span>
            )
          }
        />
      )}

      <NewContactDialog
        open={creating}
        fields={fields.data ?? []}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          navigate(`/contacts/${c.id}`);
        }}
      />
    </div>
  );
}
