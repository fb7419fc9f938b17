import { http, seg } from './client';
import type { TimelineParams } from './contacts';
import type {
  Activity,
  Company,
  CompanyInput,
  CompanyOverview,
  CompanySortField,
  Page,
  Relationship,
  Sort,
} from './types';

export interface CompanyListParams {
  limit?: number;
  cursor?: string;
  sort?: Sort<CompanySortField>;
  /** Search over name and domain. */
  q?: string;
  relationship?: Relationship;
  tag?: string;
  country?: string;
  signal?: AbortSignal;
}

export function listCompanies(params: CompanyListParams = {}): Promise<Page<Company>> {
  const { signal, ...query } = params;
  return http.get<Page<Company>>('/companies', { query: { ...query }, signal });
}

export function getCompany(id: number, signal?: AbortSignal): Promise<Company> {
  return http.get<Company>(`/companies/${id}`, { signal });
}

export function createCompany(input: CompanyInput): Promise<Company> {
  return http.post<Company>('/companies', input);
}

export function updateCompany(id: number, patch: CompanyInput, version?: number): Promise<Company> {
  return http.patch<Company>(`/companies/${id}`, patch, { ifMatch: version });
}

export function deleteCompany(id: number, version?: number): Promise<void> {
  return http.del(`/companies/${id}`, { ifMatch: version });
}

export function addCompanyTags(id: number, tags: string[]): Promise<Company> {
  return http.post<Company>(`/companies/${id}/tags`, { tags });
}

export function removeCompanyTag(id: number, tag: string): Promise<Company> {
  return http.del<Company>(`/companies/${id}/tags/${seg(tag)}`);
}

export function companyOverview(id: number, signal?: AbortSignal): Promise<CompanyOverview> {
  return http.get<CompanyOverview>(`/companies/${id}/overview`, { signal });
}

/** The company's own activities and its contacts', newest first. */
export function companyTimeline(id: number, params: TimelineParams = {}): Promise<Page<Activity>> {
  const { signal, ...query } = params;
  return http.get<Page<Activity>>(`/companies/${id}/timeline`, { query: { ...query }, signal });
}
