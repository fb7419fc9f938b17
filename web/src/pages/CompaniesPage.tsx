import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { errorMessage, isApiError } from '../api/client';
import { createCompany, listCompanies } from '../api/companies';
import type { Company, CompanyInput, CompanySortField, Relationship, Sort } from '../api/types';
import { RELATIONSHIPS } from '../api/types';
import { Dialog } from '../components/Dialog';
import { SelectField, TextField } from '../components/Field';
import { Empty, ErrorState, Loading } from '../components/States';
import { VirtualGrid } from '../components/VirtualGrid';
import type { GridColumn } from '../components/VirtualGrid';
import { useCursorList } from '../hooks/useCursorList';
import { useDebounced } from '../hooks/useDebounced';
import { formatCount, formatDate, humanize } from '../lib/format';
import { useSession } from '../session/SessionContext';

const ROW_HEIGHT = 44;

export function CompaniesPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const ids = { search: useId(), rel: useId() };
  const q = params.get('q') ?? '';
  const relationship = params.get('relationship') ?? '';
  const sortParam = (params.get('sort') ?? 'name') as Sort<CompanySortField>;
  const [search, setSearch] = useState(q);
  const debounced = useDebounced(search, 250);
  const [creating, setCreating] = useState(false);

  function update(changes: Record<string, string | null>) {
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
  }
  useEffect(() => {
    if (debounced.trim() !== q) update({ q: debounced.trim() || null });
  }, [debounced]); // eslint-disable-line react-hooks/exhaustive-deps

  const list = useCursorList(
    (cursor, signal) =>
      listCompanies({
        q: q || undefined,
        relationship: (relationship || undefined) as Relationship | undefined,
        sort: sortParam,
        limit: 200,
        cursor,
        signal,
      }),
    [q, relationship, sortParam, session.workspaceEpoch],
  );

  const sort = sortParam.startsWith('-')
    ? { field: sortParam.slice(1), descending: true }
    : { field: sortParam, descending: false };

  const columns: GridColumn<Company>[] = [
    {
      key: 'name',
      header: 'Name',
      className: 'col-lg col-sticky',
      sortField: 'name',
      render: (c) => (
        <Link to={`/companies/${c.id}`} className="cell-link">
          {c.name}
        </Link>
      ),
    },
    {
      key: 'relationship',
      header: 'Relationship',
      className: 'col-sm',
      render: (c) => <span className={`badge rel-${c.relationship}`}>{humanize(c.relationship)}</span>,
    },
    { key: 'domain', header: 'Domain', className: 'col-md', render: (c) => c.domain ?? '' },
    { key: 'industry', header: 'Industry', className: 'col-md', render: (c) => c.industry ?? '' },
    { key: 'country', header: 'Country', className: 'col-xs', render: (c) => c.country ?? '' },
    { key: 'contacts', header: 'Contacts', className: 'col-xs num', render: (c) => formatCount(c.contact_count) },
    {
      key: 'tags',
      header: 'Tags',
      className: 'col-md',
      render: (c) => (
        <span className="tag-list">
          {c.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </span>
      ),
    },
    { key: 'created_at', header: 'Created', className: 'col-sm', sortField: 'created_at', render: (c) => formatDate(c.created_at) },
  ];

  const filtered = Boolean(q || relationship);
  return (
    <div className="page page-companies">
      <div className="page-header">
        <h1>Companies</h1>
        <p className="count" data-testid="companies-count">
          {list.loading ? 'Loading…' : `${formatCount(list.items.length)}${list.hasMore ? '+' : ''} companies`}
        </p>
        <div className="page-actions">
          {session.can('create', 'company') && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New company
            </button>
          )}
        </div>
      </div>
      <div className="toolbar" role="search">
        <div className="field field-inline field-grow">
          <label htmlFor={ids.search}>Search companies</label>
          <input id={ids.search} type="search" placeholder="Name or domain" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.rel}>Relationship</label>
          <select id={ids.rel} value={relationship} onChange={(e) => update({ relationship: e.target.value || null })}>
            <option value="">Any relationship</option>
            {RELATIONSHIPS.map((r) => (
              <option key={r} value={r}>
                {humanize(r)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {list.loading ? (
        <Loading label="Loading companies…" />
      ) : list.error && list.items.length === 0 ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load companies" />
      ) : list.items.length === 0 ? (
        <Empty title={filtered ? 'No companies match' : 'No companies yet'}>
          <p>{filtered ? 'Try another search.' : 'Customers, vendors, suppliers, distributors and partners appear here.'}</p>
        </Empty>
      ) : (
        <VirtualGrid
          label="Companies"
          rows={list.items}
          rowKey={(c) => c.id}
          columns={columns}
          rowHeight={ROW_HEIGHT}
          totalRows={list.hasMore ? undefined : list.items.length}
          sort={sort}
          onSort={(field) => update({ sort: sort.field === field && !sort.descending ? `-${field}` : field })}
          onNearEnd={list.hasMore ? list.loadMore : undefined}
          footer={
            list.loadingMore ? (
              <span role="status">Loading more…</span>
            ) : list.error ? (
              <span role="alert">{errorMessage(list.error)}</span>
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
      <NewCompanyDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          navigate(`/companies/${c.id}`);
        }}
      />
    </div>
  );
}

const EMPTY = { name: '', domain: '', industry: '', size: '', country: '', relationship: 'prospect' };

export function companyInputFrom(form: typeof EMPTY): CompanyInput {
  const input: CompanyInput = { name: form.name, relationship: form.relationship as Relationship };
  if (form.domain.trim()) input.domain = form.domain.trim();
  if (form.industry.trim()) input.industry = form.industry.trim();
  if (form.country.trim()) input.country = form.country.trim();
  if (form.size.trim()) {
    const n = Number(form.size);
    // Text that is not a number goes as is, so the server's message names the field.
    input.size = Number.isFinite(n) ? n : (form.size as unknown as number);
  }
  return input;
}

function NewCompanyDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (c: Company) => void;
}) {
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  function close() {
    setForm(EMPTY);
    setErrors({});
    setFormError(null);
    onClose();
  }
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const c = await createCompany(companyInputFrom(form));
      setForm(EMPTY);
      onCreated(c);
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fields);
        const shown = Object.keys(err.fields).filter((f) => f in EMPTY);
        if (shown.length < err.fieldErrors.length || err.fieldErrors.length === 0) setFormError(err.describe(shown));
      } else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <Dialog open={open} title="New company" onClose={close}>
      <form onSubmit={(e) => void submit(e)} noValidate className="form-grid">
        {formError && (
          <p className="form-error form-wide" role="alert">
            {formError}
          </p>
        )}
        <TextField label="Name" field="name" value={form.name} error={errors.name} onChange={set('name')} required autoFocus />
        <SelectField label="Relationship" field="relationship" value={form.relationship} error={errors.relationship} onChange={set('relationship')}>
          {RELATIONSHIPS.map((r) => (
            <option key={r} value={r}>
              {humanize(r)}
            </option>
          ))}
        </SelectField>
        <TextField label="Domain" field="domain" placeholder="example.com" value={form.domain} error={errors.domain} onChange={set('domain')} />
        <TextField label="Industry" field="industry" value={form.industry} error={errors.industry} onChange={set('industry')} />
        <TextField label="Employees" field="size" inputMode="numeric" value={form.size} error={errors.size} onChange={set('size')} />
        <TextField label="Country" field="country" placeholder="NZ" maxLength={2} value={form.country} error={errors.country} onChange={set('country')} />
        <div className="form-actions form-wide">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
