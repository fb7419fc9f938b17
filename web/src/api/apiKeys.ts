import { http } from './client';
import type { ApiKey, ApiKeyCreated, Role } from './types';

export async function listApiKeys(): Promise<ApiKey[]> {
  const res = await http.get<{ data: ApiKey[] }>('/api-keys');
  return res.data;
}

/** The response's `key` is the only time the secret is shown. */
export function createApiKey(name: string, role: Role): Promise<ApiKeyCreated> {
  return http.post<ApiKeyCreated>('/api-keys', { name, role });
}

export function revokeApiKey(id: number): Promise<void> {
  return http.del(`/api-keys/${id}`);
}
