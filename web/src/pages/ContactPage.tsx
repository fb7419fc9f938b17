import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { listActivityTypes } from '../api/activities';
import { errorMessage, isApiError } from '../api/client';
import {
  addContactTags,
  contactOverview,
  contactTimeline,
  deleteContact,
  removeContactTag,
  updateContact,
} from '../api/contacts';
import { listCustomFields } from '../api/customFields';
import { listTags } from '../api/tags';
import type { Contact, ContactInput, CustomField, CustomValues, Member } from '../api/types';
import { LIFECYCLE_STAGES } from '../api/types';
import { listUsers } from '../api/users';
import { CompanyPicker } from '../components/CompanyPicker';
import { CustomFieldInput } from '../components/CustomFieldInput';
import { SelectField, TextField } from '../components/Field';
import { KeyFigures } from '../components/KeyFigures';
import { LogActivityForm } from '../components/LogActivityForm';
import { ErrorState, Loading, Notice, RecordLoadError } from '../components/States';
import { TagEditor } from '../components/TagEditor';
import { Timeline } from '../components/Timeline';
import { useAsync } from '../hooks/useAsync';
import { useMonthlyActivity } from '../hooks/useMonthlyActivity';
import { customChanges, customFromInput, customText } from '../lib/custom';
import { contactName, formatDate, formatDateTime, humanize } from '../lib/format';
import { useSession } from '../session/SessionContext';

const TEXT_FIELDS = ['first_name', 'last_name', 'email', 'phone', 'birthday', 'timezone', 'source', 'external_id'] as const;
type TextKey = (typeof TEXT_FIELDS)[number];
const LABELS: Record<TextKey, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
  phone: 'Phone',
  birthday: 'Birthday',
  timezone: 'Time zone',
  source: 'Source',
  external_id: 'External ID',
};

export function ContactPage() {
  const { id: idParam } = useParams();
  const id = Number(idParam);
  const session = useSession();
  const navigate = useNavigate();
  const epoch = session.workspaceEpoch;
  const [timelineKey, setTimelineKey] = useState(0);

  const overview = useAsync((signal) => contactOverview(id, signal), [id, epoch, timelineKey]);
  const [contact, setContact] = useState<Contact | null>(null);
  const [companyName, setCompanyName] = useState<string | null>(null);
  // Another record (or workspace): never show the previous one while this one loads.
  useEffect(() => setContact(null), [id, epoch]);
  useEffect(() => {
    if (overview.data) {
      setContact(overview.data.contact);
      setCompanyName(overview.data.company?.name ?? null);
    }
  }, [overview.data]);

  const fields = useAsync(() => listCustomFields('contact'), [epoch]);
  const tags = useAsync(() => listTags(), [epoch]);
  const users = useAsync(() => listUsers(), [epoch]);
  const types = useAsync(() => listActivityTypes(), [epoch]);
  const monthly = useMonthlyActivity(
    (since, cursor, limit, signal) => contactTimeline(id, { since, cursor, limit, signal }),
    [id, epoch, timelineKey],
  );

  if (!Number.isInteger(id) || id <= 0) {
    return <ErrorState title="Contact not found" error={new Error('This address names no contact.')} />;
  }
  if (overview.loading && !contact) return <Loading label="Loading contact…" />;
  if (overview.error && !contact) {
    return (
      <RecordLoadError
        error={overview.error}
        noun="contact"
        backTo="/contacts"
        backLabel="Back to contacts"
        onRetry={overview.reload}
      />
    );
  }
  if (!contact || !overview.data) return <Loading label="Loading contact…" />;

  const canEdit = session.can('update', 'contact', contact);
  const canDelete = session.can('delete', 'contact', contact);
  const canLog = session.can('create', 'activity');

  async function onDelete() {
    if (!contact) return;
    if (!window.confirm(`Delete ${contactName(contact)}? Their activities stay in the log.`)) return;
    try {
      await deleteContact(contact.id, contact.version);
      navigate('/contacts', { replace: true });
    } catch (err) {
      window.alert(errorMessage(err));
    }
  }

  return (
    <div className="page page-record">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/contacts">Contacts</Link> <span aria-hidden="true">/</span> <span>{contactName(contact)}</span>
      </nav>
      <div className="page-header">
        <h1>{contactName(contact)}</h1>
        <span className={`badge stage-${contact.lifecycle_stage}`}>{humanize(contact.lifecycle_stage)}</span>
        {contact.company_id && (
          <Link className="header-link" to={`/companies/${contact.company_id}`}>
            {companyName ?? `Company #${contact.company_id}`}
          </Link>
        )}
        <div className="page-actions">
          {canDelete && (
            <button type="button" className="btn btn-danger" onClick={() => void onDelete()}>
              Delete contact
            </button>
          )}
        </div>
      </div>

      <div className="record-layout">
        <div className="record-side">
          <Profile
            contact={contact}
            companyName={companyName}
            fields={fields.data ?? []}
            users={users.data ?? []}
            editable={canEdit}
            onSaved={(c, name) => {
              setContact(c);
              setCompanyName(name);
            }}
          />
          <TagEditor
            tags={contact.tags}
            editable={canEdit}
            suggestions={(tags.data ?? []).map((t) => t.name)}
            onAdd={async (name) => setContact(await addContactTags(contact.id, [name]))}
            onRemove={async (name) => setContact(await removeContactTag(contact.id, name))}
          />
          <KeyFigures overview={overview.data} monthly={monthly} />
        </div>
        <div className="record-main">
          {canLog && (
            <LogActivityForm
              target={{ contact_id: contact.id }}
              authorId={session.userId}
              onLogged={() => setTimelineKey((n) => n + 1)}
            />
          )}
          <Timeline
            reloadKey={`${id}-${epoch}-${timelineKey}`}
            customTypes={(types.data?.data ?? []).map((t) => t.name)}
            fetchPage={(filter, cursor, limit, signal) => contactTimeline(id, { ...filter, cursor, limit, signal })}
          />
        </div>
      </div>
    </div>
  );
}

type Draft = Record<TextKey, string> & { lifecycle_stage: string; owner_id: string };

function draftOf(c: Contact): Draft {
  const d = { lifecycle_stage: c.lifecycle_stage, owner_id: c.owner_id ? String(c.owner_id) : '' } as Draft;
  for (const k of TEXT_FIELDS) d[k] = c[k] ?? '';
  return d;
}

function Profile({
  contact,
  companyName,
  fields,
  users,
  editable,
  onSaved,
}: {
  contact: Contact;
  companyName: string | null;
  fields: CustomField[];
  users: Member[];
  editable: boolean;
  onSaved: (c: Contact, companyName: string | null) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftOf(contact));
  const [company, setCompany] = useState<{ id: number | null; name: string | null }>({ id: contact.company_id, name: companyName });
  const [custom, setCustom] = useState<CustomValues>(contact.custom);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  function start() {
    setDraft(draftOf(contact));
    setCompany({ id: contact.company_id, name: companyName });
    setCustom(contact.custom);
    setErrors({});
    setFormError(null);
    setStale(false);
    setSaved(false);
    setEditing(true);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    const patch: ContactInput = {};
    for (const k of TEXT_FIELDS) {
      const before = contact[k] ?? '';
      if (draft[k] !== before) patch[k] = draft[k].trim() === '' ? null : draft[k];
    }
    if (draft.lifecycle_stage !== contact.lifecycle_stage)
      patch.lifecycle_stage = draft.lifecycle_stage as Contact['lifecycle_stage'];
    const owner = draft.owner_id ? Number(draft.owner_id) : null;
    if (owner !== contact.owner_id) patch.owner_id = owner;
    if (company.id !== contact.company_id) patch.company_id = company.id;
    const customPatch = customChanges(contact.custom, custom);
    if (customPatch) patch.custom = customPatch;
    if (Object.keys(patch).length === 0) {
      setEditing(false);
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const updated = await updateContact(contact.id, patch, contact.version);
      onSaved(updated, company.id === null ? null : company.name);
      setEditing(false);
      setSaved(true);
    } catch (err) {
      if (isApiError(err) && err.status === 412) {
        setStale(true);
      } else if (isApiError(err)) {
        setErrors(err.fields);
        const known = new Set<string>([...TEXT_FIELDS, 'lifecycle_stage', 'owner_id', 'company_id', ...fields.map((f) => `custom.${f.key}`)]);
        const shown = Object.keys(err.fields).filter((f) => known.has(f));
        if (shown.length < err.fieldErrors.length || err.fieldErrors.length === 0) setFormError(err.describe(shown));
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  const owner = users.find((u) => u.id === contact.owner_id);

  if (!editing) {
    return (
      <section className="card profile" aria-labelledby="profile-title">
        <div className="card-header">
          <h2 id="profile-title">Profile</h2>
          {editable && (
            <button type="button" className="btn" onClick={start}>
              Edit profile
            </button>
          )}
        </div>
        {saved && <Notice kind="success" onDismiss={() => setSaved(false)}>Saved.</Notice>}
        <dl className="props">
          {TEXT_FIELDS.map((k) => (
            <div key={k} className="prop">
              <dt>{LABELS[k]}</dt>
              <dd data-testid={`profile-${k}`}>{k === 'birthday' ? formatDate(contact[k]) : (contact[k] ?? '')}</dd>
            </div>
          ))}
          <div className="prop">
            <dt>Lifecycle stage</dt>
            <dd>{humanize(contact.lifecycle_stage)}</dd>
          </div>
          <div className="prop">
            <dt>Company</dt>
            <dd>
              {contact.company_id ? (
                <Link to={`/companies/${contact.company_id}`}>{companyName ?? `Company #${contact.company_id}`}</Link>
              ) : (
                ''
              )}
            </dd>
          </div>
          <div className="prop">
            <dt>Owner</dt>
            <dd>{owner ? owner.name || owner.email : contact.owner_id ? `User #${contact.owner_id}` : 'Unassigned'}</dd>
          </div>
          {fields.map((f) => (
            <div key={f.key} className="prop">
              <dt>{f.label}</dt>
              <dd>{customText(contact.custom[f.key], f)}</dd>
            </div>
          ))}
          <div className="prop">
            <dt>Created</dt>
            <dd>{formatDateTime(contact.created_at)}</dd>
          </div>
          <div className="prop">
            <dt>Updated</dt>
            <dd>{formatDateTime(contact.updated_at)}</dd>
          </div>
        </dl>
      </section>
    );
  }

  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  return (
    <section className="card profile" aria-labelledby="profile-title">
      <h2 id="profile-title">Edit profile</h2>
      <form onSubmit={(e) => void save(e)} noValidate className="form-grid">
        {stale && (
          <p className="form-error form-wide" role="alert">
            Someone else changed this contact while you were editing.{' '}
            <button type="button" className="btn-link" onClick={() => window.location.reload()}>
              Reload to see their changes
            </button>
          </p>
        )}
        {formError && (
          <p className="form-error form-wide" role="alert">
            {formError}
          </p>
        )}
        {TEXT_FIELDS.map((k) => (
          <TextField
            key={k}
            label={LABELS[k]}
            field={k}
            type={k === 'email' ? 'email' : k === 'birthday' ? 'date' : k === 'phone' ? 'tel' : 'text'}
            value={draft[k]}
            error={errors[k]}
            onChange={set(k)}
          />
        ))}
        <SelectField label="Lifecycle stage" field="lifecycle_stage" value={draft.lifecycle_stage} error={errors.lifecycle_stage} onChange={set('lifecycle_stage')}>
          {LIFECYCLE_STAGES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </SelectField>
        <SelectField label="Owner" field="owner_id" value={draft.owner_id} error={errors.owner_id} onChange={set('owner_id')}>
          <option value="">Unassigned</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name || u.email}
            </option>
          ))}
        </SelectField>
        <CompanyPicker
          value={company.id}
          valueName={company.name}
          error={errors.company_id}
          onChange={(cid, name) => setCompany({ id: cid, name })}
        />
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
