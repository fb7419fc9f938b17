// Types mirroring the JSON API (src/http/api/openapi.json). Ids are numbers, timestamps
// RFC 3339 strings in UTC, dates `YYYY-MM-DD`, money integer minor units + ISO 4217 code.

export type Id = number;
export type Timestamp = string;

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  existing_id?: number;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Money {
  value: number;
  currency: string;
}

export type Role = 'owner' | 'admin' | 'manager' | 'member' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'manager', 'member', 'viewer'];

export type CustomValue = string | number | boolean | null;
export type CustomValues = Record<string, CustomValue>;

// Contacts

export const LIFECYCLE_STAGES = [
  'lead',
  'subscriber',
  'customer',
  'advocate',
  'at_risk',
  'churned',
  'other',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface Contact {
  id: Id;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  birthday: string | null;
  timezone: string | null;
  lifecycle_stage: LifecycleStage;
  owner_id: Id | null;
  company_id: Id | null;
  source: string | null;
  external_id: string | null;
  custom: CustomValues;
  tags: string[];
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Fields a client may write (POST takes them, PATCH any subset; null clears). */
export interface ContactInput {
  email?: string | null;
  phone?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  birthday?: string | null;
  timezone?: string | null;
  lifecycle_stage?: LifecycleStage | null;
  owner_id?: Id | null;
  company_id?: Id | null;
  source?: string | null;
  external_id?: string | null;
  custom?: CustomValues;
  tags?: string[];
}

export const CONTACT_SORTS = [
  'id',
  'created_at',
  'updated_at',
  'email',
  'first_name',
  'last_name',
] as const;
export type ContactSortField = (typeof CONTACT_SORTS)[number];
/** A sort field, `-` prefixed for descending. */
export type Sort<F extends string> = F | `-${F}`;

// Companies

export const RELATIONSHIPS = [
  'customer',
  'prospect',
  'vendor',
  'supplier',
  'distributor',
  'partner',
  'other',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export interface Company {
  id: Id;
  name: string;
  domain: string | null;
  industry: string | null;
  size: number | null;
  country: string | null;
  relationship: Relationship;
  owner_id: Id | null;
  custom: CustomValues;
  tags: string[];
  contact_count: number;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CompanyInput {
  name?: string;
  domain?: string | null;
  industry?: string | null;
  size?: number | null;
  country?: string | null;
  relationship?: Relationship | null;
  owner_id?: Id | null;
  custom?: CustomValues;
  tags?: string[];
}

export const COMPANY_SORTS = ['id', 'name', 'created_at', 'updated_at'] as const;
export type CompanySortField = (typeof COMPANY_SORTS)[number];

// Custom fields

export type CustomFieldEntity = 'contact' | 'company';
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'boolean', 'date', 'enum'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export interface CustomField {
  id: Id;
  entity: CustomFieldEntity;
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[] | null;
  required: boolean;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomFieldInput {
  entity: CustomFieldEntity;
  key: string;
  label: string;
  type: CustomFieldType;
  options?: string[];
  required?: boolean;
}

export interface CustomFieldPatch {
  label?: string;
  required?: boolean;
  options?: string[];
}

// Tags

export interface Tag {
  id: Id;
  name: string;
  contact_count: number;
  company_count: number;
  created_at: Timestamp;
}

// Activities

export const CHANNELS = [
  'email',
  'phone',
  'sms',
  'web',
  'chat',
  'in_person',
  'social',
  'support',
  'store',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const BUILT_IN_ACTIVITY_TYPES = [
  'email_sent',
  'email_opened',
  'email_clicked',
  'email_bounced',
  'unsubscribed',
  'call',
  'meeting',
  'note',
  'web_visit',
  'chat',
  'ticket_opened',
  'ticket_closed',
  'purchase',
  'refund',
  'survey_response',
  'segment_entered',
  'segment_exited',
  'custom',
] as const;

export interface Activity {
  id: Id;
  contact_id: Id | null;
  company_id: Id | null;
  type: string;
  channel: Channel;
  occurred_at: Timestamp;
  properties: Record<string, unknown>;
  source: string | null;
  author_id: Id | null;
  client_id: string | null;
  recorded_at: Timestamp;
  amount: Money | null;
}

export interface ActivityInput {
  id?: string;
  contact_id?: Id;
  contact_email?: string;
  contact_external_id?: string;
  upsert_contact?: boolean;
  company_id?: Id;
  type: string;
  channel?: Channel;
  occurred_at?: Timestamp;
  amount?: Money;
  properties?: Record<string, unknown>;
  source?: string;
  author_id?: Id;
}

export interface ActivityType {
  id: Id;
  name: string;
  label: string;
  schema: Record<string, unknown>;
  created_at: Timestamp;
}

export interface ActivityTypeList {
  data: ActivityType[];
  built_in: string[];
  next_cursor: string | null;
}

export interface TimelineFilter {
  type?: readonly string[];
  channel?: readonly string[];
  since?: Timestamp;
  until?: Timestamp;
}

// The 360° view

export interface Revenue {
  currency: string;
  order_count: number;
  total: number;
  average_order_value: number;
  refund_count: number;
  refund_total: number;
  first_purchase_at: Timestamp | null;
  last_purchase_at: Timestamp | null;
  days_since_last_purchase: number | null;
}

export interface ActivityCounts {
  last_30_days: number;
  last_90_days: number;
  last_365_days: number;
}

export interface ContactOverview {
  contact: Contact;
  company: Company | null;
  revenue: Revenue[];
  last_touch: Partial<Record<Channel, Timestamp>>;
  activity_counts: Record<string, ActivityCounts>;
  last_activity_at: Timestamp | null;
}

export interface CompanyOverview {
  company: Company;
  revenue: Revenue[];
  last_touch: Partial<Record<Channel, Timestamp>>;
  activity_counts: Record<string, ActivityCounts>;
  last_activity_at: Timestamp | null;
}

// Users, sessions, workspaces

export interface User {
  id: Id;
  email: string;
  name: string | null;
  created_at: Timestamp;
}

export interface Member extends User {
  role: Role;
}

export interface MemberCreated extends Member {
  /** A one-time password, when the new user was created without one. */
  password?: string;
}

export interface MemberInput {
  email: string;
  role: Role;
  name?: string | null;
  password?: string | null;
}

export interface WorkspaceMembership {
  id: Id;
  name: string;
  role: Role;
}

export interface LoginResponse {
  user: User;
  workspaces: WorkspaceMembership[];
  csrf_token: string;
  expires_at: Timestamp;
}

export interface Me {
  workspace_id: Id;
  role: Role;
  user: User | null;
  workspaces?: WorkspaceMembership[];
  csrf_token?: string;
  api_key?: ApiKey | null;
}

export interface Session {
  id: Id;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  user_agent: string | null;
  ip: string | null;
  current: boolean;
}

// API keys

export interface ApiKey {
  id: Id;
  name: string;
  prefix: string;
  role: Role;
  workspace_id: Id;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ApiKeyCreated extends ApiKey {
  /** The full secret, shown once. */
  key: string;
}

// Audit

export interface AuditEntry {
  id: Id;
  at: Timestamp;
  actor: string;
  action: string;
  entity: string;
  entity_id: Id | null;
  /** Set when the entry covers a run of records one request created: entity_id through this. */
  entity_id_last: Id | null;
  changes: Record<string, unknown> | null;
  request_id: string | null;
  ip: string | null;
}
