// CSV export of what the user sees (RFC 4180: CRLF line ends, fields quoted when needed).

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

/** Characters a spreadsheet would run as a formula at the start of a cell. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field as text. Values that a spreadsheet would evaluate as a formula get a leading
 * apostrophe so an exported contact named `=HYPERLINK(...)` stays text when opened.
 */
export function csvField(value: unknown): string {
  let s: string;
  if (value === null || value === undefined) s = '';
  else if (Array.isArray(value)) s = value.map((v) => String(v)).join('; ');
  else if (typeof value === 'object') s = JSON.stringify(value);
  else s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: Iterable<T>): string {
  const lines = [csvRow(columns.map((c) => c.header))];
  for (const row of rows) lines.push(csvRow(columns.map((c) => c.value(row))));
  return lines.join('\r\n') + '\r\n';
}

/** Offers `text` as a file download (a UTF-8 BOM so spreadsheets read the encoding). */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const blob = new Blob(['\ufeff', text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
