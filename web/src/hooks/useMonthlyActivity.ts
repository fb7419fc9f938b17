import { useEffect, useState } from 'react';
import type { Activity, Page } from '../api/types';
import { monthlyCounts } from '../lib/format';

const MONTHS = 12;
const PAGE = 1000;
const MAX_ROWS = 5000;

/**
 * Activities per month over the last year, counted from the timeline (there is no monthly
 * aggregate endpoint). Stops after MAX_ROWS activities: enough for a chart's shape.
 */
export function useMonthlyActivity(
  fetchPage: (since: string, cursor: string | undefined, limit: number, signal: AbortSignal) => Promise<Page<Activity>>,
  deps: unknown[],
): { month: string; count: number }[] | null {
  const [data, setData] = useState<{ month: string; count: number }[] | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    setData(null);
    const now = new Date();
    const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (MONTHS - 1), 1)).toISOString();
    (async () => {
      const stamps: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await fetchPage(since, cursor, PAGE, ctrl.signal);
        for (const a of page.data) stamps.push(a.occurred_at);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && stamps.length < MAX_ROWS);
      if (!ctrl.signal.aborted) setData(monthlyCounts(stamps, MONTHS, now));
    })().catch(() => {
      if (!ctrl.signal.aborted) setData(monthlyCounts([], MONTHS, now));
    });
    return () => ctrl.abort();
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  return data;
}
