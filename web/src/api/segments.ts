// Segments: saved audiences with a rule (dynamic) or a hand-kept list (static), and the
// builder's live preview. The rule's JSON form mirrors src/segments/rule_json.cpp exactly:
// the server rejects unknown members, so these types list every member it accepts.

import { http, seg } from './client';
import type { Contact, Id, Page, Timestamp } from './types';

// ---------------------------------------------------------------------------------------
// The rule's JSON form (docs/segment-language.md)

/** A literal: text, a number (money is a decimal number in major units), a boolean, a date. */
export type RuleLiteral = string | number | boolean | { date: string };

export const FIELD_OPS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'between',
  'contains',
  'starts_with',
  'is_set',
  'is_not_set',
  'within_last',
  'within_next',
  'before_days_ago',
  'after_days_ago',
  'before',
  'after',
  'on',
] as const;
export type RuleOp = (typeof FIELD_OPS)[number];

/** Operators that compare a date (first()/last() and anniversary fields take only these). */
export const DATE_OPS: readonly RuleOp[] = [
  'within_last',
  'within_next',
  'before_days_ago',
  'after_days_ago',
  'before',
  'after',
  'on',
  'between',
];
/** Operators that compare count() and sum() results. */
export const AMOUNT_OPS: readonly RuleOp[] = ['=', '!=', '<', '<=', '>', '>=', 'between'];
/** Operators of an activity filter (channel, currency, properties.NAME). */
export const FILTER_OPS: readonly RuleOp[] = ['=', '!=', 'in'];

/** The operand an operator takes. */
export function operandOf(op: RuleOp): 'none' | 'value' | 'values' | 'days' {
  switch (op) {
    case 'in':
    case 'between':
      return 'values';
    case 'is_set':
    case 'is_not_set':
      return 'none';
    case 'within_last':
    case 'within_next':
    case 'before_days_ago':
    case 'after_days_ago':
      return 'days';
    default:
      return 'value';
  }
}

export interface RuleCondition {
  op: RuleOp;
  value?: RuleLiteral;
  values?: RuleLiteral[];
  days?: number;
}

export interface AndRule {
  and: RuleJson[];
}
export interface OrRule {
  or: RuleJson[];
}
export interface NotRule {
  not: RuleJson;
}
export interface FieldRule extends RuleCondition {
  field: string;
  anniversary?: boolean;
}
export interface TagRule {
  tag: string;
}
export interface InSegmentRule {
  in_segment: string;
}

export const AGGREGATES = ['count', 'sum', 'exists', 'first', 'last'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

export interface ActivityFilterJson extends RuleCondition {
  /** "channel", "currency" or "properties.NAME". */
  key: string;
}

/** Absent: all time. */
export type RuleWindow = { last_days: number } | { from: string; to: string };

export interface ActivityRule extends Partial<RuleCondition> {
  activity: Aggregate;
  type: string;
  /** sum(): the summed attribute, "amount". */
  attribute?: string;
  where?: ActivityFilterJson[];
  window?: RuleWindow;
}

export type RuleJson = AndRule | OrRule | NotRule | FieldRule | TagRule | InSegmentRule | ActivityRule;

// ---------------------------------------------------------------------------------------
// Segments

export type SegmentKind = 'dynamic' | 'static';

export interface Segment {
  id: Id;
  name: string;
  description: string | null;
  kind: SegmentKind;
  /** The canonical text form (dynamic segments); null for static ones. */
  rule: string | null;
  rule_json: RuleJson | null;
  member_count: number;
  evaluated_at: Timestamp | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The rule as text or as JSON; never both. */
export type RuleSource = { rule: string } | { rule_json: RuleJson };

/** No rule: a static segment, or a patch that leaves the rule alone. */
export type NoRule = { rule?: undefined; rule_json?: undefined };

export type SegmentInput = {
  name: string;
  description?: string | null;
  kind: SegmentKind;
} & (RuleSource | NoRule);

export type SegmentPatch = {
  name?: string;
  description?: string | null;
} & (RuleSource | NoRule);

/** Where a rule is wrong. Text-form errors have 1-based line and column; JSON-form errors
 * have line 0 and start with the JSON path of the bad member (`rule.and[2].op: ...`). */
export interface RuleError {
  line: number;
  column: number;
  message: string;
}

export interface PreviewResult {
  valid: boolean;
  errors: RuleError[];
  /** Matching contacts now; null when the rule is invalid. */
  count: number | null;
  /** The first members by id. */
  members: Contact[];
  /** The canonical text and JSON of the parsed rule (absent when it did not parse). */
  rule?: string;
  rule_json?: RuleJson;
}

export interface SegmentListParams {
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

export function listSegments(params: SegmentListParams = {}): Promise<Page<Segment>> {
  const { signal, ...query } = params;
  return http.get<Page<Segment>>('/segments', { query: { ...query }, signal });
}

export function getSegment(id: Id, signal?: AbortSignal): Promise<Segment> {
  return http.get<Segment>(`/segments/${seg(id)}`, { signal });
}

export function createSegment(input: SegmentInput): Promise<Segment> {
  return http.post<Segment>('/segments', input);
}

/** `version` makes it fail with 412 when someone changed the segment meanwhile. */
export function updateSegment(id: Id, patch: SegmentPatch, version?: number): Promise<Segment> {
  return http.patch<Segment>(`/segments/${seg(id)}`, patch, { ifMatch: version });
}

/** 409 while another segment's rule uses it (`in_segment`). */
export function deleteSegment(id: Id, version?: number): Promise<void> {
  return http.del(`/segments/${seg(id)}`, { ifMatch: version });
}

/** Checks and counts an unsaved rule; parse and type errors come back in `errors` (200). */
export function previewSegment(
  rule: RuleSource,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<PreviewResult> {
  const body = options.limit === undefined ? rule : { ...rule, limit: options.limit };
  return http.post<PreviewResult>('/segments/preview', body, { signal: options.signal });
}

export function segmentMembers(
  id: Id,
  cursor?: string,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<Page<Contact>> {
  return http.get<Page<Contact>>(`/segments/${seg(id)}/members`, {
    query: { cursor, limit: options.limit },
    signal: options.signal,
  });
}
