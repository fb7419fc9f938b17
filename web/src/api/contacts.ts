import { http, seg } from './client';
import type {
  Activity,
  Contact,
  ContactInput,
  ContactOverview,
  ContactSortField,
  LifecycleStage,
  Page,
  Sort,
  TimelineFilter,
} from './types';

export interface ContactListParams {
  limit?: number;
  cursor?: string;
  sort?: Sort<ContactSortField>;
  /** Full-text search: names, email, company name (prefix per word). */
  q?: string;
  /** A segment rule in text form: only the contacts it matches. */
  where?: string;
  company_id?: number;
  tag?: string;
  lifecycle_stage?: LifecycleStage;
  email?: string;
  external_id?: string;
  signal?: AbortSignal;
}

export function listContacts(params: ContactListParams = {}): Promise<Page<Contact>> {
  const { signal, ...query } = params;
  return http.get<Page<Contact>>('/contacts', { query: { ...query }, signal });
}

export function getContact(id: number, signal?: AbortSignal): Promise<Contact> {
  return http.get<Contact>(`/contacts/${id}`, { signal });
}

export function createContact(input: ContactInput): Promise<Contact> {
  return http.post<Contact>('/contacts', input);
}

/** Merge patch; `version` makes it fail with 412 when someone changed the contact meanwhile. */
export function updateContact(id: number, patch: ContactInput, version?: number): Promise<Contact> {
  return http.patch<Contact>(`/contacts/${id}`, patch, { ifMatch: version });
}

export function deleteContact(id: number, version?: number): Promise<void> {
  return http.del(`/contacts/${id}`, { ifMatch: version });
}

export function addContactTags(id: number, tags: string[]): Promise<Contact> {
  return http.post<Contact>(`/contacts/${id}/tags`, { tags });
}

export function removeContactTag(id: number, tag: string): Promise<Contact> {
  return http.del<Contact>(`/contacts/${id}/tags/${seg(tag)}`);
}

export function contactOverview(id: number, signal?: AbortSignal): Promise<ContactOverview> {
  return http.get<ContactOverview>(`/contacts/${id}/overview`, { signal });
}

export interface TimelineParams extends TimelineFilter {
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

export function contactTimeline(id: number, params: TimelineParams = {}): Promise<Page<Activity>> {
  const { signal, ...query } = params;
  return http.get<Page<Activity>>(`/contacts/${id}/timeline`, { query: { ...query }, signal });
}
