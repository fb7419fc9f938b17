import { http } from './client';
import type { CustomField, CustomFieldEntity, CustomFieldInput, CustomFieldPatch } from './types';

export async function listCustomFields(entity?: CustomFieldEntity): Promise<CustomField[]> {
  const res = await http.get<{ data: CustomField[] }>('/custom-fields', { query: { entity } });
  return res.data;
}

export function createCustomField(input: CustomFieldInput): Promise<CustomField> {
  return http.post<CustomField>('/custom-fields', input);
}

export function updateCustomField(
  id: number,
  patch: CustomFieldPatch,
  version?: number,
): Promise<CustomField> {
  return http.patch<CustomField>(`/custom-fields/${id}`, patch, { ifMatch: version });
}

/** Removes the definition and its values from every record. */
export function deleteCustomField(id: number): Promise<void> {
  return http.del(`/custom-fields/${id}`);
}
