import { http } from './client';
import type { Member, MemberCreated, MemberInput, Role } from './types';

/** The members of the current workspace with their roles. */
export async function listUsers(): Promise<Member[]> {
  const res = await http.get<{ data: Member[] }>('/users');
  return res.data;
}

export function getUser(id: number): Promise<Member> {
  return http.get<Member>(`/users/${id}`);
}

/** Adds a user; without a password the response carries a one-time `password`. */
export function createUser(input: MemberInput): Promise<MemberCreated> {
  return http.post<MemberCreated>('/users', input);
}

export function changeUserRole(id: number, role: Role): Promise<Member> {
  return http.patch<Member>(`/users/${id}`, { role });
}

/** Removes the user from the workspace. */
export function removeUser(id: number): Promise<void> {
  return http.del(`/users/${id}`);
}
