import { http } from './client';
import type { AuditEntry, Page } from './types';

export interface AuditParams {
  entity?: string;
  id?: number;
  /** `user:3`, `api_key:5`, `system` or `anonymous`. */
  actor?: string;
  /** RFC 3339. */
  since?: string;
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

/** The audit log, newest first (owner and admin only). */
export function listAudit(params: AuditParams = {}): Promise<Page<AuditEntry>> {
  const { signal, ...query } = params;
  return http.get<Page<AuditEntry>>('/audit', { query: { ...query }, signal });
}
