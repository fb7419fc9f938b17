import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  buildQuery,
  collectAll,
  errorMessage,
  onUnauthorized,
  request,
  setCsrfToken,
  setWorkspaceHeader,
} from './client';
import { login, logout, me } from './auth';
import { addContactTags, createContact, listContacts, removeContactTag, updateContact } from './contacts';
import { selectWorkspace } from './workspaces';

interface Call {
  url: string;
  init: RequestInit;
  headers: Record<string, string>;
}

let calls: Call[] = [];
let responses: Response[] = [];

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type, ...headers } });
}

beforeEach(() => {
  calls = [];
  responses = [];
  setCsrfToken(null);
  setWorkspaceHeader(null);
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init, headers: { ...(init.headers as Record<string, string>) } });
      const next = responses.shift();
      if (!next) throw new Error(`unexpected request ${url}`);
      return next;
    }),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CSRF', () => {
  it('sends the token from the login response on writes, not on reads', async () => {
    responses.push(
      json(200, { user: { id: 1 }, workspaces: [], csrf_token: 'tok-123', expires_at: '2030-01-01T00:00:00Z' }),
      json(200, { data: [], next_cursor: null }),
      json(201, { id: 7 }),
      json(200, { id: 7 }),
      new Response(null, { status: 204 }),
    );
    await login('a@example.com', 'secret-password');
    expect(calls[0]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(calls[0]!.init.credentials).toBe('same-origin');

    await listContacts();
    expect(calls[1]!.init.method).toBe('GET');
    expect(calls[1]!.headers['X-CSRF-Token']).toBeUndefined();

    await createContact({ email: 'x@example.com' });
    expect(calls[2]!.init.method).toBe('POST');
    expect(calls[2]!.headers['X-CSRF-Token']).toBe('tok-123');
    expect(calls[2]!.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(calls[2]!.init.body as string)).toEqual({ email: 'x@example.com' });

    await updateContact(7, { first_name: 'Ana' }, 3);
    expect(calls[3]!.init.method).toBe('PATCH');
    expect(calls[3]!.headers['X-CSRF-Token']).toBe('tok-123');
    expect(calls[3]!.headers['If-Match']).toBe('"3"');

    await logout();
    expect(calls[4]!.headers['X-CSRF-Token']).toBe('tok-123');
    // After sign-out no token is sent any more.
    responses.push(json(201, { id: 8 }));
    await createContact({ email: 'y@example.com' });
    expect(calls[5]!.headers['X-CSRF-Token']).toBeUndefined();
  });

  it('takes the token from /auth/me and sends it on DELETE', async () => {
    responses.push(json(200, { workspace_id: 1, role: 'owner', user: { id: 1 }, csrf_token: 'from-me' }));
    await me();
    responses.push(json(200, { id: 7, tags: [] }));
    await removeContactTag(7, 'a/b c');
    expect(calls[1]!.init.method).toBe('DELETE');
    expect(calls[1]!.url).toBe('/api/v1/contacts/7/tags/a%2Fb%20c');
    expect(calls[1]!.headers['X-CSRF-Token']).toBe('from-me');
  });
});

describe('problem+json errors', () => {
  it('decodes field errors into a typed ApiError', async () => {
    setCsrfToken('t');
    responses.push(
      json(422, {
        type: 'about:blank',
        title: 'Unprocessable Entity',
        status: 422,
        detail: '2 fields are invalid',
        errors: [
          { field: 'email', message: 'is not a valid email address' },
          { field: 'custom.plan', message: 'must be one of: free, pro' },
        ],
      }),
    );
    const err = await createContact({ email: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(422);
    expect(e.title).toBe('Unprocessable Entity');
    expect(e.message).toBe('2 fields are invalid');
    expect(e.fields).toEqual({ email: 'is not a valid email address', 'custom.plan': 'must be one of: free, pro' });
    expect(e.fieldMessage('email')).toBe('is not a valid email address');
    expect(e.fieldMessage('phone')).toBeUndefined();
    expect(e.describe(['email'])).toBe('2 fields are invalid: custom.plan must be one of: free, pro');
  });

  it('keeps existing_id of a 409 and Retry-After of a 429', async () => {
    responses.push(json(409, { title: 'Conflict', status: 409, detail: 'email already used', existing_id: 42 }));
    const conflict = (await createContact({ email: 'a@b.co' }).catch((e: unknown) => e)) as ApiError;
    expect(conflict.status).toBe(409);
    expect(conflict.existingId).toBe(42);

    responses.push(json(429, { title: 'Too Many Requests', status: 429 }, { 'Retry-After': '120' }));
    const limited = (await login('a@b.co', 'x').catch((e: unknown) => e)) as ApiError;
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe(120);
  });

  it('survives a non-JSON error body and a network failure', async () => {
    responses.push(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }));
    const e = (await request('GET', '/contacts').catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(502);
    expect(e.title).toBe('Bad Gateway');
    expect(e.fieldErrors).toEqual([]);

    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const n = (await request('GET', '/contacts').catch((x: unknown) => x)) as ApiError;
    expect(n.status).toBe(0);
    expect(errorMessage(n)).toMatch(/Cannot reach the server/);
  });

  it('tells listeners about a 401 except for a failed login', async () => {
    const listener = vi.fn();
    const off = onUnauthorized(listener);
    responses.push(json(401, { title: 'Unauthorized', status: 401, detail: 'email or password is wrong' }));
    await login('a@b.co', 'wrong').catch(() => undefined);
    expect(listener).not.toHaveBeenCalled();
    responses.push(json(401, { title: 'Unauthorized', status: 401 }));
    await listContacts().catch(() => undefined);
    expect(listener).toHaveBeenCalledTimes(1);
    off();
  });
});

describe('X-Workspace', () => {
  it('is absent for the default workspace and sent once one is chosen', async () => {
    responses.push(json(200, { data: [], next_cursor: null }), json(200, { data: [], next_cursor: null }));
    await listContacts();
    expect(calls[0]!.headers['X-Workspace']).toBeUndefined();
    selectWorkspace(5);
    await listContacts();
    expect(calls[1]!.headers['X-Workspace']).toBe('5');
    selectWorkspace(null);
  });

  it('goes with writes too', async () => {
    setWorkspaceHeader('acme');
    setCsrfToken('t');
    responses.push(json(200, { id: 1, tags: ['vip'] }));
    await addContactTags(1, ['vip']);
    expect(calls[0]!.headers['X-Workspace']).toBe('acme');
    expect(calls[0]!.headers['X-CSRF-Token']).toBe('t');
  });
});

describe('cursor paging', () => {
  it('passes the cursor and the same query to the next page', async () => {
    responses.push(
      json(200, { data: [{ id: 1 }, { id: 2 }], next_cursor: 'c1' }),
      json(200, { data: [{ id: 3 }], next_cursor: 'c2' }),
      json(200, { data: [{ id: 4 }], next_cursor: null }),
    );
    const all = await collectAll((cursor) =>
      listContacts({ q: 'ali exa', sort: '-created_at', where: 'tag "vip"', limit: 2, cursor }),
    );
    expect(all.map((c) => c.id)).toEqual([1, 2, 3, 4]);
    const urls = calls.map((c) => new URL(c.url, 'http://x'));
    expect(urls[0]!.pathname).toBe('/api/v1/contacts');
    expect(urls[0]!.searchParams.get('cursor')).toBeNull();
    expect(urls[1]!.searchParams.get('cursor')).toBe('c1');
    expect(urls[2]!.searchParams.get('cursor')).toBe('c2');
    for (const u of urls) {
      expect(u.searchParams.get('q')).toBe('ali exa');
      expect(u.searchParams.get('sort')).toBe('-created_at');
      expect(u.searchParams.get('where')).toBe('tag "vip"');
      expect(u.searchParams.get('limit')).toBe('2');
    }
  });

  it('stops at the maximum', async () => {
    responses.push(json(200, { data: [{ id: 1 }, { id: 2 }], next_cursor: 'c1' }));
    const some = await collectAll((cursor) => listContacts({ cursor }), 2);
    expect(some).toHaveLength(2);
    expect(calls).toHaveLength(1);
  });
});

describe('buildQuery', () => {
  it('drops empty values and joins lists with commas', () => {
    expect(buildQuery({ a: undefined, b: null, c: '', d: 0, e: false })).toBe('?d=0&e=false');
    expect(buildQuery({ type: ['note', 'call'], channel: [] })).toBe('?type=note%2Ccall');
    expect(buildQuery({})).toBe('');
  });
});
