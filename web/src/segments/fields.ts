// What the builder offers in its pickers: the standard contact and company fields with their
// types, plus the workspace's custom fields. The server's checker is the authority; a field
// typed by hand that is not listed here still works when the server knows it.

import { BUILT_IN_ACTIVITY_TYPES, LIFECYCLE_STAGES, RELATIONSHIPS, type CustomField } from '../api/types';
import type { LiteralType } from './model';

export interface FieldInfo {
  path: string;
  label: string;
  type: LiteralType;
  /** Allowed values of an enum field. */
  options?: readonly string[];
}

export const STANDARD_FIELDS: readonly FieldInfo[] = [
  { path: 'email', label: 'Email', type: 'text' },
  { path: 'phone', label: 'Phone', type: 'text' },
  { path: 'first_name', label: 'First name', type: 'text' },
  { path: 'last_name', label: 'Last name', type: 'text' },
  { path: 'birthday', label: 'Birthday', type: 'date' },
  { path: 'timezone', label: 'Time zone', type: 'text' },
  { path: 'lifecycle_stage', label: 'Lifecycle stage', type: 'text', options: LIFECYCLE_STAGES },
  { path: 'source', label: 'Source', type: 'text' },
  { path: 'external_id', label: 'External id', type: 'text' },
  { path: 'owner_id', label: 'Owner id', type: 'number' },
  { path: 'company_id', label: 'Company id', type: 'number' },
  { path: 'created_at', label: 'Created', type: 'date' },
  { path: 'updated_at', label: 'Updated', type: 'date' },
  { path: 'company.name', label: 'Company name', type: 'text' },
  { path: 'company.domain', label: 'Company domain', type: 'text' },
  { path: 'company.industry', label: 'Company industry', type: 'text' },
  { path: 'company.size', label: 'Company size', type: 'number' },
  { path: 'company.country', label: 'Company country', type: 'text' },
  { path: 'company.relationship', label: 'Company relationship', type: 'text', options: RELATIONSHIPS },
];

const CUSTOM_TYPES: Record<CustomField['type'], LiteralType> = {
  text: 'text',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  enum: 'text',
};

export function fieldCatalog(custom: readonly CustomField[]): FieldInfo[] {
  const out = [...STANDARD_FIELDS];
  for (const f of custom) {
    const prefix = f.entity === 'company' ? 'company.custom.' : 'custom.';
    const who = f.entity === 'company' ? 'Company: ' : '';
    out.push({
      path: prefix + f.key,
      label: `${who}${f.label}`,
      type: CUSTOM_TYPES[f.type],
      options: f.type === 'enum' && f.options ? f.options : undefined,
    });
  }
  return out;
}

export const ACTIVITY_TYPES: readonly string[] = BUILT_IN_ACTIVITY_TYPES.filter((t) => t !== 'custom');

export const FILTER_KEYS: readonly string[] = ['channel', 'currency'];

/** Words for operators in the pickers. */
export const OP_LABELS: Record<string, string> = {
  '=': 'is',
  '!=': 'is not',
  '<': 'less than',
  '<=': 'at most',
  '>': 'more than',
  '>=': 'at least',
  in: 'is one of',
  between: 'between',
  contains: 'contains',
  starts_with: 'starts with',
  is_set: 'is set',
  is_not_set: 'is not set',
  within_last: 'within the last … days',
  within_next: 'within the next … days',
  before_days_ago: 'more than … days ago',
  after_days_ago: 'less than … days ago',
  before: 'before',
  after: 'after',
  on: 'on',
};
