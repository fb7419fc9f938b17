import { http } from './client';
import type { Tag } from './types';

/** Every tag of the workspace, sorted by name. */
export async function listTags(): Promise<Tag[]> {
  const res = await http.get<{ data: Tag[] }>('/tags');
  return res.data;
}

export function createTag(name: string): Promise<Tag> {
  return http.post<Tag>('/tags', { name });
}

export function renameTag(id: number, name: string): Promise<Tag> {
  return http.patch<Tag>(`/tags/${id}`, { name });
}

export function deleteTag(id: number): Promise<void> {
  return http.del(`/tags/${id}`);
}
