import type { Contact } from '../api/types';

/** The name to show for a contact: full name, else email, phone, external id, `#id`. */
export function contactName(c: Pick<Contact, 'id' | 'first_name' | 'last_name' | 'email' | 'phone' | 'external_id'>): string {
  const name = [c.first_name, c.last_name].filter((p) => p && p.trim()).join(' ');
  return name || c.email || c.phone || c.external_id || `Contact #${c.id}`;
}

export function formatDateTime(ts: string | null | undefined, locale?: string): string {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(ts: string | null | undefined, locale?: string): string {
  if (!ts) return '';
  // A bare date is a calendar day, not a UTC midnight to shift into the local zone.
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(ts);
  const d = new Date(bare ? `${ts}T00:00:00Z` : ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleDateString(locale, { dateStyle: 'medium', ...(bare ? { timeZone: 'UTC' } : {}) });
}

/** `email_opened` → `Email opened`. */
export function humanize(name: string): string {
  const s = name.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function formatCount(n: number, locale?: string): string {
  return n.toLocaleString(locale);
}

/** `3 minutes ago`, `in 2 days` relative to `now`. */
export function relativeTime(ts: string, now: Date = new Date(), locale?: string): string {
  const d = new Date(ts);
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), 'day');
  if (abs < 86400 * 365) return rtf.format(Math.round(seconds / (86400 * 30)), 'month');
  return rtf.format(Math.round(seconds / (86400 * 365)), 'year');
}

/** Activity per month for the last `months` months from timeline items (oldest first). */
export function monthlyCounts(
  timestamps: readonly string[],
  months: number,
  now: Date = new Date(),
): { month: string; count: number }[] {
  const out: { month: string; count: number }[] = [];
  const index = new Map<string, number>();
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    const key = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    index.set(key, out.length);
    out.push({ month: key, count: 0 });
  }
  for (const ts of timestamps) {
    const key = ts.slice(0, 7);
    const i = index.get(key);
    if (i !== undefined) out[i]!.count += 1;
  }
  return out;
}
