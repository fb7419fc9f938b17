// Money arrives as integer minor units plus an ISO 4217 code; the number of minor digits
// depends on the currency (EUR 2, JPY 0, BHD 3), which Intl knows.

function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** `{value: 123456, currency: 'EUR'}` → `€1,234.56` (in `locale`). */
export function formatMoney(value: number, currency: string, locale?: string): string {
  const digits = minorDigits(currency);
  // Exact for any |value| ≤ 10^15: split into major and minor parts with integer maths.
  const negative = value < 0;
  const abs = Math.abs(value);
  const scale = 10 ** digits;
  const major = Math.floor(abs / scale);
  const minor = abs - major * scale;
  const amount = Number(`${negative ? '-' : ''}${major}.${String(minor).padStart(digits, '0')}`);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(digits === 0 ? (negative ? -major : major) : amount);
  } catch {
    return `${(value / scale).toFixed(digits)} ${currency}`;
  }
}

/** Parses what a user typed (`19.99`, `1,000`) into minor units; null when it is not a number. */
export function parseMoney(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const cleaned = text.trim().replace(/[\s,_]/g, '');
  const m = /^(-)?(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!m) return null;
  const frac = m[3] ?? '';
  if (frac.length > digits) return null;
  const value = Number(m[2]) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  return m[1] ? -value : value;
}
