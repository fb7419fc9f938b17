import { http, setCsrfToken } from './client';
import type { LoginResponse, Me, Session } from './types';

/** Signs in; the session cookie is set by the server, the CSRF token kept for writes. */
export async function login(email: string, password: string): Promise<LoginResponse> {
  const res = await http.post<LoginResponse>('/auth/login', { email, password });
  setCsrfToken(res.csrf_token);
  return res;
}

export async function logout(): Promise<void> {
  try {
    await http.post<void>('/auth/logout');
  } finally {
    setCsrfToken(null);
  }
}

/** Who is signed in, in which workspace and role; refreshes the CSRF token. */
export async function me(): Promise<Me> {
  const res = await http.get<Me>('/auth/me');
  if (res.csrf_token) setCsrfToken(res.csrf_token);
  return res;
}

export async function listSessions(): Promise<Session[]> {
  const res = await http.get<{ data: Session[] }>('/auth/sessions');
  return res.data;
}

export function revokeSession(id: number): Promise<void> {
  return http.del(`/auth/sessions/${id}`);
}

export function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  return http.post<void>('/auth/password', {
    current_password: currentPassword,
    new_password: newPassword,
  });
}
