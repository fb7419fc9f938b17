import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { listActivityTypes } from '../api/activities';
import { errorMessage, isApiError } from '../api/client';
import {
  addCompanyTags,
  companyOverview,
  companyTimeline,
  deleteCompany,
  removeCompanyTag,
  updateCompany,
} from '../api/companies';
import { listContacts } from '../api/contacts';
import { listCustomFields } from '../api/customFields';
import { listTags } from '../api/tags';
import type { Company, CompanyInput, CustomField, CustomValues, Relationship } from '../api/types';
import { RELATIONSHIPS } from '../api/types';
import { CustomFieldInput } from '../components/CustomFieldInput';
import { SelectField, TextField } from '../components/Field';
import { KeyFigures } from '../components/KeyFigures';
import { LogActivityForm } from '../components/LogActivityForm';
import { Empty, ErrorState, Loading, Notice, RecordLoadError } from '../components/States';
import { TagEditor } from '../components/TagEditor';
import { Timeline } from '../components/Timeline';
import { useAsync } from '../hooks/useAsync';
import { useCursorList } from '../hooks/useCursorList';
import { useMonthlyActivity } from '../hooks/useMonthlyActivity';
import { customChanges, customFromInput, customText } from '../lib/custom';
import { contactName, formatCount, formatDateTime, humanize } from '../lib/format';
import { useSession } from '../session/SessionContext';

export function CompanyPage() {
  const { id: idParam } = useParams();
  const id = Number(idParam);
  const session = useSession();
  const navigate = useNavigate();
  const epoch = session.workspaceEpoch;
  const [timelineKey, setTimelineKey] = useState(0);
  const overview = useAsync((signal) => companyOverview(id, signal), [id, epoch, timelineKey]);
  const [company, setCompany] = useState<Company | null>(null);
  // Another record (or workspace): never show the previous one while this one loads.
  useEffect(() => setCompany(null), [id, epoch]);
  useEffect(() => {
    if (overview.data) setCompany(overview.data.company);
  }, [overview.data]);
  const fields = useAsync(() => listCustomFields('company'), [epoch]);
  const tags = useAsync(() => listTags(), [epoch]);
  const types = useAsync(() => listActivityTypes(), [epoch]);
  const contacts = useCursorList(
    (cursor, signal) => listContacts({ company_id: id, limit: 25, cursor, signal, sort: 'last_name' }),
    [id, epoch],
  );
  const monthly = useMonthlyActivity(
    (since, cursor, limit, signal) => companyTimeline(id, { since, cursor, limit, signal }),
    [id, epoch, timelineKey],
  );

  if (!Number.isInteger(id) || id <= 0) {
    return <ErrorState title="Company not found" error={new Error('This address names no company.')} />;
  }
  if (overview.loading && !company) return <Loading label="Loading company…" />;
  if (overview.error && !company) {
    return (
      <RecordLoadError
        error={overview.error}
        noun="company"
        backTo="/companies"
        backLabel="Back to companies"
        onRetry={overview.reload}
      />
    );
  }
  if (!company || !overview.data) return <Loading label="Loading company…" />;

  const canEdit = session.can('update', 'company', company);

  async function onDelete() {
    if (!company) return;
    if (!window.confirm(`Delete ${company.name}? Its contacts stay, without a company.`)) return;
    try {
      await deleteCompany(company.id, company.version);
      navigate('/companies', { replace: true });
    } catch (err) {
      window.alert(errorMessage(err));
    }
  }

  return (
    <div className="page page-record">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/companies">Companies</Link> <span aria-hidden="true">/</span> <span>{company.name}</span>
      </nav>
      <div className="page-header">
        <h1>{company.name}</h1>
        <span className={`badge rel-${company.relationship}`} data-testid="company-relationship">
          {humanize(company.relationship)}
        </span>
        <div className="page-actions">
          {session.can('delete', 'company', company) && (
            <button type="button" className="btn btn-danger" onClick={() => void onDelete()}>
              Delete company
            </button>
          )}
        </div>
      </div>
      <div className="record-layout">
        <div className="record-side">
          <CompanyProfile company={company} fields={fields.data ?? []} editable={canEdit} onSaved={setCompany} />
          <TagEditor
            tags={company.tags}
            editable={canEdit}
            suggestions={(tags.data ?? []).map((t) => t.name)}
            onAdd={async (name) => setCompany(await addCompanyTags(company.id, [name]))}
            onRemove={async (name) => setCompany(await removeCompanyTag(company.id, name))}
          />
          <KeyFigures overview={overview.data} monthly={monthly} />
        </div>
        <div className="record-main">
          <section className="card" aria-labelledby="company-contacts">
            <h2 id="company-contacts">Contacts ({formatCount(company.contact_count)})</h2>
            {contacts.loading ? (
              <Loading label="Loading contacts…" />
            ) : contacts.error && contacts.items.length === 0 ? (
              <ErrorState error={contacts.error} onRetry={contacts.reload} />
            ) : contacts.items.length === 0 ? (
              <Empty title="No contacts at this company yet">
                <p>Set the company on a contact's profile to link them.</p>
              </Empty>
            ) : (
              <>
                <div className="table-scroll">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Email</th>
                        <th scope="col">Stage</th>
                      </tr>
                    </thead>
                    <tbody>
                      {contacts.items.map((c) => (
                        <tr key={c.id}>
                          <td>
                            <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
                          </td>
                          <td>{c.email ?? ''}</td>
                          <td>{humanize(c.lifecycle_stage)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {contacts.hasMore && (
                  <button type="button" className="btn-link" onClick={contacts.loadMore} disabled={contacts.loadingMore}>
                    {contacts.loadingMore ? 'Loading…' : 'Show more contacts'}
                  </button>
                )}
              </>
            )}
          </section>
          {session.can('create', 'activity') && (
            <LogActivityForm
              target={{ company_id: company.id }}
              authorId={session.userId}
              onLogged={() => setTimelineKey((n) => n + 1)}
            />
          )}
          <Timeline
            showContact
            reloadKey={`${id}-${epoch}-${timelineKey}`}
            customTypes={(types.data?.data ?? []).map((t) => t.name)}
            fetchPage={(filter, cursor, limit, signal) => companyTimeline(id, { ...filter, cursor, limit, signal })}
          />
        </div>
      </div>
    </div>
  );
}

const TEXT = ['name', 'domain', 'industry', 'size', 'country'] as const;
type TextKey = (typeof TEXT)[number];
const LABELS: Record<TextKey, string> = {
  name: 'Name',
  domain: 'Domain',
  industry: 'Industry',
  size: 'Employees',
  country: 'Country',
};

function CompanyProfile({
  company,
  fields,
  editable,
  onSaved,
}: {
  company: Company;
  fields: CustomField[];
  editable: boolean;
  onSaved: (c: Company) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Record<TextKey | 'relationship', string>>({} as Record<TextKey | 'relationship', string>);
  const [custom, setCustom] = useState<CustomValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const shown = (k: TextKey) => (company[k] === null ? '' : String(company[k]));

  function start() {
    const d = { relationship: company.relationship } as Record<TextKey | 'relationship', string>;
    for (const k of TEXT) d[k] = shown(k);
    setDraft(d);
    setCustom(company.custom);
    setErrors({});
    setFormError(null);
    setSaved(false);
    setEditing(true);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    const patch: CompanyInput = {};
    for (const k of TEXT) {
      if (draft[k] === shown(k)) continue;
      const v = draft[k].trim();
      if (k === 'name') patch.name = draft[k];
      else if (k === 'size') patch.size = v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : (v as unknown as number);
      else patch[k] = v === '' ? null : v;
    }
    if (draft.relationship !== company.relationship) patch.relationship = draft.relationship as Relationship;
    const c = customChanges(company.custom, custom);
    if (c) patch.custom = c;
    if (Object.keys(patch).length === 0) {
      setEditing(false);
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      onSaved(await updateCompany(company.id, patch, company.version));
      setEditing(false);
      setSaved(true);
    } catch (err) {
      if (isApiError(err) && err.status === 412) {
        setFormError('Someone else changed this company while you were editing. Reload the page to see their changes.');
      } else if (isApiError(err)) {
        setErrors(err.fields);
        const known = new Set<string>([...TEXT, 'relationship', ...fields.map((f) => `custom.${f.key}`)]);
        const shownFields = Object.keys(err.fields).filter((f) => known.has(f));
        if (shownFields.length < err.fieldErrors.length || err.fieldErrors.length === 0) setFormError(err.describe(shownFields));
      } else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (!editing) {
    return (
      <section className="card profile" aria-labelledby="cprofile-title">
        <div className="card-header">
          <h2 id="cprofile-title">Profile</h2>
          {editable && (
            <button type="button" className="btn" onClick={start}>
              Edit profile
            </button>
          )}
        </div>
        {saved && <Notice kind="success" onDismiss={() => setSaved(false)}>Saved.</Notice>}
        <dl className="props">
          <div className="prop">
            <dt>Relationship</dt>
            <dd>{humanize(company.relationship)}</dd>
          </div>
          {TEXT.filter((k) => k !== 'name').map((k) => (
            <div key={k} className="prop">
              <dt>{LABELS[k]}</dt>
              <dd>{shown(k)}</dd>
            </div>
          ))}
          {fields.map((f) => (
            <div key={f.key} className="prop">
              <dt>{f.label}</dt>
              <dd>{customText(company.custom[f.key], f)}</dd>
            </div>
          ))}
          <div className="prop">
            <dt>Updated</dt>
            <dd>{formatDateTime(company.updated_at)}</dd>
          </div>
        </dl>
      </section>
    );
  }

  const set = (k: TextKey | 'relationship') => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  return (
    <section className="card profile" aria-labelledby="cprofile-title">
      <h2 id="cprofile-title">Edit profile</h2>
      <form onSubmit={(e) => void save(e)} noValidate className="form-grid">
        {formError && (
          <p className="form-error form-wide" role="alert">
            {formError}
          </p>
        )}
        {TEXT.map((k) => (
          <TextField key={k} label={LABELS[k]} field={k} value={draft[k]} error={errors[k]} onChange={set(k)} />
        ))}
        <SelectField label="Relationship" field="relationship" value={draft.relationship} error={errors.relationship} onChange={set('relationship')}>
          {RELATIONSHIPS.map((r) => (
            <option key={r} value={r}>
              {humanize(r)}
            </option>
          ))}
        </SelectField>
        {fields.map((f) => (
          <CustomFieldInput
            key={f.id}
            field={f}
            value={custom[f.key]}
            error={errors[`custom.${f.key}`]}
            onChange={(v) => setCustom((c) => ({ ...c, [f.key]: customFromInput(v, f) }))}
          />
        ))}
        <div className="form-actions form-wide">
          <button type="button" className="btn" onClick={() => setEditing(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
