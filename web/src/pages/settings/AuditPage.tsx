import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage } from '../../api/client';
import { listAudit } from '../../api/audit';
import type { AuditEntry } from '../../api/types';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useCursorList } from '../../hooks/useCursorList';
import { formatDateTime, humanize } from '../../lib/format';
import { useSession } from '../../session/SessionContext';
import { AdminOnly } from './SettingsLayout';

interface Filters {
  entity: string;
  id: string;
  actor: string;
  since: string;
}
const EMPTY: Filters = { entity: '', id: '', actor: '', since: '' };

export function AuditPage() {
  const session = useSession();
  const ids = { entity: useId(), id: useId(), actor: useId(), since: useId() };
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const allowed = session.can('read', 'audit');
  const list = useCursorList(
    (cursor, signal) =>
      allowed
        ? listAudit({
            entity: filters.entity.trim() || undefined,
            id: filters.id.trim() ? Number(filters.id) : undefined,
            actor: filters.actor.trim() || undefined,
            since: filters.since ? new Date(`${filters.since}T00:00:00`).toISOString() : undefined,
            limit: 100,
            cursor,
            signal,
          })
        : Promise.resolve({ data: [], next_cursor: null }),
    [JSON.stringify(filters), session.workspaceEpoch, allowed],
  );
  if (!allowed) return <AdminOnly what="read the audit log" />;

  function apply(e: FormEvent) {
    e.preventDefault();
    setFilters(draft);
  }
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const filtered = Object.values(filters).some(Boolean);

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <form className="toolbar" onSubmit={apply} aria-label="Filter the audit log">
        <div className="field field-inline">
          <label htmlFor={ids.entity}>Entity</label>
          <input id={ids.entity} placeholder="contact" value={draft.entity} onChange={set('entity')} />
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.id}>Record ID</label>
          <input id={ids.id} inputMode="numeric" value={draft.id} onChange={set('id')} />
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.actor}>Actor</label>
          <input id={ids.actor} placeholder="user:3" value={draft.actor} onChange={set('actor')} />
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.since}>Since</label>
          <input id={ids.since} type="date" value={draft.since} onChange={set('since')} />
        </div>
        <button type="submit" className="btn">
          Filter
        </button>
        {filtered && (
          <button
            type="button"
            className="btn-link"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
        )}
      </form>
      {list.loading ? (
        <Loading label="Loading the audit log…" />
      ) : list.error && list.items.length === 0 ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : list.items.length === 0 ? (
        <Empty title={filtered ? 'No entries match' : 'The audit log is empty'} />
      ) : (
        <>
          <ol className="audit-list">
            {list.items.map((e) => (
              <AuditRow key={e.id} entry={e} />
            ))}
          </ol>
          {list.hasMore && (
            <button type="button" className="btn" onClick={list.loadMore} disabled={list.loadingMore}>
              {list.loadingMore ? 'Loading…' : 'Load older entries'}
            </button>
          )}
          {list.error != null && <p role="alert">{errorMessage(list.error)}</p>}
        </>
      )}
    </section>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  return (
    <li className="audit-entry">
      <div className="audit-head">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
        <span className="mono">{entry.actor}</span>
        <span className="badge">{humanize(entry.action)}</span>
        <span>
          {entry.entity}
          {entry.entity_id !== null && ` #${entry.entity_id}`}
          {entry.entity_id_last !== null && `–#${entry.entity_id_last}`}
        </span>
        {entry.ip && <span className="muted">{entry.ip}</span>}
      </div>
      {entry.changes && (
        <details>
          <summary>Changes</summary>
          <pre className="audit-changes">{JSON.stringify(entry.changes, null, 2)}</pre>
        </details>
      )}
    </li>
  );
}
