// The one place that talks HTTP to the Rapport server. Every resource module
// (contacts.ts, companies.ts, ...) goes through `request`, which
// - sends the session cookie (same origin) and, on unsafe methods, the CSRF token;
// - sends `X-Workspace` for the workspace the user picked;
// - turns `application/problem+json` answers into an `ApiError` with per-field messages.

import type { FieldError, Page, Problem } from './types';

export const API_BASE = '/api/v1';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A failed request: the server's problem details, or status 0 when the network failed. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly fieldErrors: readonly FieldError[];
  readonly existingId: number | undefined;
  /** Seconds from `Retry-After` (429). */
  readonly retryAfter: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    status: number,
    problem: Partial<Problem>,
    extra: { retryAfter?: number; requestId?: string } = {},
  ) {
    const title = problem.title ?? (status === 0 ? 'Network error' : `HTTP ${status}`);
    super(problem.detail ?? title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = problem.detail;
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
    this.existingId = problem.existing_id;
    this.retryAfter = extra.retryAfter;
    this.requestId = extra.requestId;
  }

  /** The first message for each field path (`email`, `custom.plan`, `tags[2]`). */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.fieldErrors) {
      if (!(e.field in out)) out[e.field] = e.message;
    }
    return out;
  }

  /** The message for `field`, if the server named it. */
  fieldMessage(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }

  /** A sentence for a banner: the detail plus the errors not shown at a field. */
  describe(shownAtFields: readonly string[] = []): string {
    const rest = this.fieldErrors.filter((e) => !shownAtFields.includes(e.field));
    const parts = rest.map((e) => `${e.field} ${e.message}`);
    if (rest.length > 0 && rest.length === this.fieldErrors.length) return parts.join('; ');
    if (parts.length > 0) return `${this.message}: ${parts.join('; ')}`;
    return this.message;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A message for any thrown value, for error states. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return 'Cannot reach the server. Check your connection and try again.';
    if (e.status === 403) return e.detail ?? 'You are not allowed to do this.';
    return e.describe();
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

type QueryValue = string | number | boolean | null | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** The record version for optimistic concurrency (`If-Match: "<version>"`). */
  ifMatch?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

interface ClientState {
  csrfToken: string | null;
  workspace: string | null;
  fetchImpl: typeof fetch | null;
  unauthorized: Set<() => void>;
}

const state: ClientState = {
  csrfToken: null,
  workspace: null,
  fetchImpl: null,
  unauthorized: new Set(),
};

/** The CSRF token from the login response or `/auth/me`; null after sign-out. */
export function setCsrfToken(token: string | null): void {
  state.csrfToken = token;
}

export function csrfToken(): string | null {
  return state.csrfToken;
}

/** The workspace (id or name) sent as `X-Workspace`; null for the user's default. */
export function setWorkspaceHeader(workspace: string | number | null): void {
  state.workspace = workspace === null ? null : String(workspace);
}

export function workspaceHeader(): string | null {
  return state.workspace;
}

/** Replaces `fetch` (tests); null restores the global one. */
export function setFetch(impl: typeof fetch | null): void {
  state.fetchImpl = impl;
}

/** Called when a request answers 401 (the session ended): the app shows the sign-in page. */
export function onUnauthorized(listener: () => void): () => void {
  state.unauthorized.add(listener);
  return () => state.unauthorized.delete(listener);
}

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Encodes one path segment (tag names may hold any character). */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}

async function readProblem(res: Response): Promise<Partial<Problem>> {
  try {
    if (isJson(res.headers.get('Content-Type'))) {
      const body: unknown = await res.json();
      if (body && typeof body === 'object') return body as Partial<Problem>;
    }
  } catch {
    // A body that is not JSON still yields an error with the status.
  }
  return { title: res.statusText || undefined };
}

export async function request<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const upper = method.toUpperCase();
  if (UNSAFE.has(upper) && state.csrfToken) headers['X-CSRF-Token'] = state.csrfToken;
  if (state.workspace) headers['X-Workspace'] = state.workspace;
  if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const url = `${API_BASE}${path}${buildQuery(options.query)}`;
  const doFetch = state.fetchImpl ?? globalThis.fetch.bind(globalThis);
  let res: Response;
  try {
    res = await doFetch(url, {
      method: upper,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, { detail: e instanceof Error ? e.message : String(e) });
  }
  if (!res.ok) {
    const problem = await readProblem(res);
    const retry = Number(res.headers.get('Retry-After'));
    const error = new ApiError(res.status, problem, {
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : undefined,
      requestId: res.headers.get('X-Request-Id') ?? undefined,
    });
    if (res.status === 401 && path !== '/auth/login') {
      for (const listener of [...state.unauthorized]) listener();
    }
    throw error;
  }
  if (res.status === 204 || !isJson(res.headers.get('Content-Type'))) {
    return undefined as T;
  }
  return (await res.json()) as T;
}

export const http = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body }),
  del: <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

/** Walks a cursor-paged collection page by page, `limit` rows at a time, up to `max` rows. */
export async function* pages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T[], void, undefined> {
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield page.data;
    if (!page.next_cursor) return;
    cursor = page.next_cursor;
  }
}

/** Every row of a cursor-paged collection (stops after `max` rows). */
export async function collectAll<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  max = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const out: T[] = [];
  if (max <= 0) return out;
  for await (const rows of pages(fetchPage)) {
    for (const row of rows) {
      out.push(row);
      if (out.length >= max) return out;
    }
  }
  return out;
}
