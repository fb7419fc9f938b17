import type { CustomField, CustomValue, CustomValues } from '../api/types';
import { formatDate } from './format';

/** A custom value as display text, by the field's type. */
export function customText(value: CustomValue | undefined, field?: CustomField): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (field?.type === 'date' && typeof value === 'string') return formatDate(value);
  if (typeof value === 'number') return value.toLocaleString();
  return String(value);
}

/** What an input shows for a custom value. */
export function customInputValue(value: CustomValue | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

/**
 * The JSON value for what the user typed: numbers for `number` fields (text that is not a
 * number is sent as is so the server names the error), null for an empty input.
 */
export function customFromInput(text: string | boolean, field: CustomField): CustomValue {
  if (typeof text === 'boolean') return text;
  const t = text.trim();
  if (t === '') return null;
  if (field.type === 'number') {
    const n = Number(t);
    return Number.isFinite(n) ? n : t;
  }
  if (field.type === 'text') return text;
  return t;
}

/** The changed keys of `next` against `old` (for a merge patch of `custom`). */
export function customChanges(old: CustomValues, next: CustomValues): CustomValues | undefined {
  const out: CustomValues = {};
  let any = false;
  for (const [k, v] of Object.entries(next)) {
    const before = old[k] ?? null;
    if (before !== v) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}
