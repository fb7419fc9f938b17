import { Suspense, lazy } from 'react';
import type { ActivityCounts, Channel, Revenue, Timestamp } from '../api/types';
import { formatCount, formatDate, formatDateTime, humanize, relativeTime } from '../lib/format';
import { formatMoney } from '../lib/money';
import { Loading } from './States';

const ActivityChart = lazy(() => import('./ActivityChart'));

export interface KeyFiguresData {
  revenue: Revenue[];
  last_touch: Partial<Record<Channel, Timestamp>>;
  activity_counts: Record<string, ActivityCounts>;
  last_activity_at: Timestamp | null;
}

/** Orders, spend, last purchase, last touch per channel, activity counts and a monthly chart. */
export function KeyFigures({
  overview,
  monthly,
}: {
  overview: KeyFiguresData;
  monthly: { month: string; count: number }[] | null;
}) {
  const touches = Object.entries(overview.last_touch).filter(([, t]) => t) as [Channel, string][];
  touches.sort((a, b) => b[1].localeCompare(a[1]));
  const counts = Object.entries(overview.activity_counts).sort((a, b) => b[1].last_365_days - a[1].last_365_days);
  return (
    <section className="card key-figures" aria-labelledby="kf-title">
      <h2 id="kf-title">Key figures</h2>
      {overview.revenue.length === 0 ? (
        <dl className="figures">
          <div className="figure">
            <dt>Orders</dt>
            <dd data-testid="kf-orders">0</dd>
          </div>
          <div className="figure">
            <dt>Total spend</dt>
            <dd>—</dd>
          </div>
          <div className="figure">
            <dt>Last purchase</dt>
            <dd>Never</dd>
          </div>
        </dl>
      ) : (
        overview.revenue.map((r) => (
          <dl className="figures" key={r.currency}>
            <div className="figure">
              <dt>Orders{overview.revenue.length > 1 ? ` (${r.currency})` : ''}</dt>
              <dd data-testid="kf-orders">{formatCount(r.order_count)}</dd>
            </div>
            <div className="figure">
              <dt>Total spend</dt>
              <dd data-testid="kf-total">{formatMoney(r.total, r.currency)}</dd>
            </div>
            <div className="figure">
              <dt>Average order</dt>
              <dd>{formatMoney(r.average_order_value, r.currency)}</dd>
            </div>
            <div className="figure">
              <dt>Last purchase</dt>
              <dd>
                {r.last_purchase_at ? formatDate(r.last_purchase_at) : 'Never'}
                {r.days_since_last_purchase !== null && (
                  <span className="muted"> ({r.days_since_last_purchase} days ago)</span>
                )}
              </dd>
            </div>
            {r.refund_count > 0 && (
              <div className="figure">
                <dt>Refunds</dt>
                <dd>
                  {formatCount(r.refund_count)} · {formatMoney(r.refund_total, r.currency)}
                </dd>
              </div>
            )}
          </dl>
        ))
      )}

      <h3>Last touch</h3>
      {touches.length === 0 ? (
        <p className="muted">No touchpoints yet.</p>
      ) : (
        <dl className="touches">
          {touches.map(([channel, at]) => (
            <div key={channel} className="touch">
              <dt>{humanize(channel)}</dt>
              <dd>
                <time dateTime={at} title={formatDateTime(at)}>
                  {relativeTime(at)}
                </time>
              </dd>
            </div>
          ))}
        </dl>
      )}

      {counts.length > 0 && (
        <>
          <h3>Activity</h3>
          <div className="table-scroll">
            <table className="table compact">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">30 days</th>
                  <th scope="col">90 days</th>
                  <th scope="col">365 days</th>
                </tr>
              </thead>
              <tbody>
                {counts.map(([type, c]) => (
                  <tr key={type}>
                    <th scope="row">{humanize(type)}</th>
                    <td>{formatCount(c.last_30_days)}</td>
                    <td>{formatCount(c.last_90_days)}</td>
                    <td>{formatCount(c.last_365_days)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      <h3>Activity per month</h3>
      {monthly === null ? (
        <Loading label="Loading chart…" />
      ) : monthly.every((m) => m.count === 0) ? (
        <p className="muted">No activity in the last 12 months.</p>
      ) : (
        <Suspense fallback={<Loading label="Loading chart…" />}>
          <ActivityChart data={monthly} label="Activities per month, last 12 months" />
        </Suspense>
      )}
    </section>
  );
}
