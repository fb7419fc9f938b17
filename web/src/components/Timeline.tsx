import { useEffect, useId, useRef, useState } from 'react';
import type { Activity, Page, TimelineFilter } from '../api/types';
import { BUILT_IN_ACTIVITY_TYPES, CHANNELS } from '../api/types';
import { errorMessage } from '../api/client';
import { useCursorList } from '../hooks/useCursorList';
import { formatMoney } from '../lib/money';
import { formatDateTime, humanize } from '../lib/format';
import { Empty, ErrorState, Loading } from './States';
import { Link } from 'react-router-dom';

const PAGE = 50;

/** Text lines that describe an activity's properties (note body, call outcome, order items). */
export function describeProperties(props: Record<string, unknown>): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === '') continue;
    let text: string;
    if (k === 'duration_seconds' && typeof v === 'number') {
      const m = Math.floor(v / 60);
      const s = v % 60;
      text = m > 0 ? `${m} min${s ? ` ${s} s` : ''}` : `${s} s`;
    } else if (k === 'items' && Array.isArray(v)) {
      text = v
        .map((it) => {
          if (it && typeof it === 'object') {
            const o = it as Record<string, unknown>;
            return `${String(o.quantity ?? 1)} × ${String(o.sku ?? o.name ?? '?')}`;
          }
          return String(it);
        })
        .join(', ');
    } else if (typeof v === 'object') {
      text = JSON.stringify(v);
    } else {
      text = String(v);
    }
    out.push({ label: k === 'body' ? '' : humanize(k === 'duration_seconds' ? 'duration' : k), text });
  }
  return out;
}

export function TimelineItem({ a, showContact }: { a: Activity; showContact?: boolean }) {
  const lines = describeProperties(a.properties ?? {});
  return (
    <li className={`timeline-item type-${a.type.replace(/[^a-z0-9_]/gi, '')}`} data-testid="timeline-item">
      <div className="timeline-head">
        <span className="timeline-type">{humanize(a.type)}</span>
        <span className="badge">{humanize(a.channel)}</span>
        {a.amount && (
          <span className={`amount${a.amount.value < 0 ? ' negative' : ''}`}>
            {formatMoney(a.amount.value, a.amount.currency)}
          </span>
        )}
        <time dateTime={a.occurred_at} className="timeline-time">
          {formatDateTime(a.occurred_at)}
        </time>
      </div>
      {lines.length > 0 && (
        <dl className="timeline-props">
          {lines.map((l, i) =>
            l.label ? (
              <div key={i} className="prop">
                <dt>{l.label}</dt>
                <dd>{l.text}</dd>
              </div>
            ) : (
              <div key={i} className="prop prop-body">
                <dt className="visually-hidden">Text</dt>
                <dd>{l.text}</dd>
              </div>
            ),
          )}
        </dl>
      )}
      <div className="timeline-meta">
        {showContact && a.contact_id && <Link to={`/contacts/${a.contact_id}`}>Contact #{a.contact_id}</Link>}
        {a.source && <span>via {a.source}</span>}
      </div>
    </li>
  );
}

/**
 * The activity log of a contact or company, newest first, with type/channel/date filters
 * and infinite scroll (the next page loads when the end of the list comes into view).
 */
export function Timeline({
  fetchPage,
  reloadKey,
  customTypes = [],
  showContact,
}: {
  fetchPage: (filter: TimelineFilter, cursor: string | undefined, limit: number, signal: AbortSignal) => Promise<Page<Activity>>;
  reloadKey: unknown;
  customTypes?: string[];
  showContact?: boolean;
}) {
  const ids = { type: useId(), channel: useId(), since: useId(), until: useId() };
  const [type, setType] = useState('');
  const [channel, setChannel] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const filter: TimelineFilter = {
    type: type ? [type] : undefined,
    channel: channel ? [channel] : undefined,
    since: since ? new Date(`${since}T00:00:00`).toISOString() : undefined,
    // `until` is exclusive: the day after the chosen date.
    until: until ? new Date(new Date(`${until}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined,
  };
  const list = useCursorList(
    (cursor, signal) => fetchPage(filter, cursor, PAGE, signal),
    [type, channel, since, until, reloadKey],
  );

  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !list.hasMore || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) list.loadMore();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [list.hasMore, list.loadMore, list.items.length]);

  const filtered = Boolean(type || channel || since || until);
  const types = [...BUILT_IN_ACTIVITY_TYPES, ...customTypes];

  return (
    <section className="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <div className="timeline-filters">
        <div className="field field-inline">
          <label htmlFor={ids.type}>Type</label>
          <select id={ids.type} value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.channel}>Channel</label>
          <select id={ids.channel} value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">All channels</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {humanize(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.since}>From</label>
          <input id={ids.since} type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </div>
        <div className="field field-inline">
          <label htmlFor={ids.until}>To</label>
          <input id={ids.until} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </div>
        {filtered && (
          <button
            type="button"
            className="btn-link"
            onClick={() => {
              setType('');
              setChannel('');
              setSince('');
              setUntil('');
            }}
          >
            Clear
          </button>
        )}
      </div>
      {list.loading ? (
        <Loading label="Loading timeline…" />
      ) : list.error && list.items.length === 0 ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load the timeline" />
      ) : list.items.length === 0 ? (
        <Empty title={filtered ? 'No activities match these filters' : 'Nothing has happened yet'}>
          {!filtered && <p>Notes, calls, meetings, emails and purchases appear here.</p>}
        </Empty>
      ) : (
        <>
          <ol className="timeline-list" data-testid="timeline">
            {list.items.map((a) => (
              <TimelineItem key={a.id} a={a} showContact={showContact} />
            ))}
          </ol>
          <div ref={sentinel} className="timeline-end">
            {list.loadingMore ? (
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
                Load older activities
              </button>
            ) : (
              <span>The beginning of the timeline</span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
