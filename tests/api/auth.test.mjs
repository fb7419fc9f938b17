// Authentication and authorisation through the real server: login/logout and the session
// cookie, CSRF, failed-login rate limiting, API keys, users and roles, workspace isolation,
// the audit log, security headers, and a scan of the database file for every secret the
// test created (passwords, API keys, session tokens, CSRF tokens): none may be there.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import {
  API, useServer, request, expectStatus, assertProblem, uniqEmail, createApiKey, rapportBin, startServer,
} from './harness.mjs';

const server = useServer();
const it = server.it;
const secrets = new Set(); // every secret this file sees; none may be in the database file
const PASSWORD = 'violet-kettle-41';

const noAuth = { Authorization: undefined };

// Creates a user in the default workspace through the API (owner key); returns {id, email, password}.
async function addUser(srv, role = 'member', { password = PASSWORD } = {}) {
  const email = uniqEmail('user');
  const res = await request(srv, 'POST', `${API}/users`, { body: { email, role, password } });
  expectStatus(res, 201);
  secrets.add(password);
  return { id: res.body.id, email, password };
}

function sessionCookie(res) {
  const raw = res.headers.get('set-cookie');
  assert.ok(raw, 'Set-Cookie present');
  const m = /^(rapport_session|__Host-rapport_session)=([^;]*)/.exec(raw);
  assert.ok(m, `session cookie: ${raw}`);
  return { name: m[1], token: m[2], raw };
}

async function login(srv, email, password, headers = {}) {
  const res = await request(srv, 'POST', `${API}/auth/login`, { body: { email, password }, headers: { ...noAuth, ...headers } });
  if (res.status === 200) {
    const c = sessionCookie(res);
    secrets.add(c.token);
    secrets.add(res.body.csrf_token);
    return { res, cookie: `${c.name}=${c.token}`, csrf: res.body.csrf_token, token: c.token };
  }
  return { res };
}

// Requests as a signed-in user: cookie, plus the CSRF token on unsafe methods.
function as(srv, s) {
  return (method, p, opts = {}) => request(srv, method, p, {
    ...opts,
    headers: { ...noAuth, Cookie: s.cookie, ...(method === 'GET' ? {} : { 'X-CSRF-Token': s.csrf }), ...(opts.headers ?? {}) },
  });
}

it('security headers on every response, also 401, 404 and 405', async (t, srv) => {
  for (const [m, p, h] of [['GET', '/healthz', {}], ['GET', `${API}/contacts`, noAuth], ['GET', '/nope', {}],
    ['PUT', '/healthz', {}], ['GET', `${API}/contacts`, {}]]) {
    const res = await request(srv, m, p, { headers: h });
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/, `${m} ${p}`);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('referrer-policy'));
  }
});

it('no credentials: 401 on API routes; public routes stay public', async (t, srv) => {
  assertProblem(await request(srv, 'GET', `${API}/contacts`, { headers: noAuth }), 401);
  assertProblem(await request(srv, 'POST', `${API}/contacts`, { headers: noAuth, body: { email: uniqEmail() } }), 401);
  assertProblem(await request(srv, 'GET', `${API}/contacts`, { headers: { Authorization: 'Bearer rk_wrong_key' } }), 401);
  assertProblem(await request(srv, 'GET', `${API}/contacts`, { headers: { Authorization: 'Basic Zm9vOmJhcg==' } }), 401);
  for (const p of ['/healthz', '/readyz', '/metrics', `${API}/openapi.json`]) {
    expectStatus(await request(srv, 'GET', p, { headers: noAuth }), 200);
  }
});

it('login sets an HttpOnly SameSite=Lax cookie; me; logout ends the session', async (t, srv) => {
  const u = await addUser(srv, 'manager');
  const s = await login(srv, u.email.toUpperCase(), u.password);
  expectStatus(s.res, 200);
  const c = sessionCookie(s.res);
  assert.equal(c.name, 'rapport_session');
  assert.match(c.raw, /HttpOnly/);
  assert.match(c.raw, /SameSite=Lax/);
  assert.match(c.raw, /Path=\//);
  assert.doesNotMatch(c.raw, /Secure/);
  assert.equal(s.res.body.user.email, u.email);
  assert.deepEqual(s.res.body.workspaces.map((w) => [w.name, w.role]), [['default', 'manager']]);
  const call = as(srv, s);
  const me = expectStatus(await call('GET', `${API}/auth/me`), 200);
  assert.equal(me.body.role, 'manager');
  assert.equal(me.body.csrf_token, s.csrf);
  expectStatus(await call('GET', `${API}/contacts`), 200);
  const out = expectStatus(await call('POST', `${API}/auth/logout`), 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assertProblem(await call('GET', `${API}/contacts`), 401);
});

it('behind --trust-proxy with X-Forwarded-Proto: https the cookie is __Host- and Secure', async () => {
  const srv = await startServer();
  try {
    // Without --trust-proxy the header is ignored.
    const u = await addUser(srv, 'viewer');
    const plain = await login(srv, u.email, u.password, { 'X-Forwarded-Proto': 'https' });
    assert.equal(sessionCookie(plain.res).name, 'rapport_session');
  } finally {
    await srv.stop();
  }
  const proxied = await startServer({ env: {}, extraArgs: ['--trust-proxy'] });
  try {
    const u = await addUser(proxied, 'viewer');
    const s = await login(proxied, u.email, u.password, { 'X-Forwarded-Proto': 'https' });
    const c = sessionCookie(s.res);
    assert.equal(c.name, '__Host-rapport_session');
    assert.match(c.raw, /; Secure/);
    assert.match(c.raw, /Path=\//);
    assert.doesNotMatch(c.raw, /Domain=/);
    // Over https only the __Host- cookie is accepted.
    const me = await request(proxied, 'GET', `${API}/auth/me`, {
      headers: { ...noAuth, Cookie: `rapport_session=${c.token}`, 'X-Forwarded-Proto': 'https' } });
    assertProblem(me, 401);
    expectStatus(await request(proxied, 'GET', `${API}/auth/me`, {
      headers: { ...noAuth, Cookie: `__Host-rapport_session=${c.token}`, 'X-Forwarded-Proto': 'https' } }), 200);
  } finally {
    await proxied.stop();
  }
});

it('CSRF: cookie-authenticated unsafe requests need X-CSRF-Token; API keys do not', async (t, srv) => {
  const u = await addUser(srv, 'admin');
  const s = await login(srv, u.email, u.password);
  const body = { email: uniqEmail() };
  const base = { ...noAuth, Cookie: s.cookie };
  assertProblem(await request(srv, 'POST', `${API}/contacts`, { body, headers: base }), 403);
  assertProblem(await request(srv, 'POST', `${API}/contacts`, { body, headers: { ...base, 'X-CSRF-Token': 'x'.repeat(32) } }), 403);
  const other = await login(srv, u.email, u.password);
  assertProblem(await request(srv, 'POST', `${API}/contacts`, { body, headers: { ...base, 'X-CSRF-Token': other.csrf } }), 403);
  expectStatus(await request(srv, 'POST', `${API}/contacts`, { body, headers: { ...base, 'X-CSRF-Token': s.csrf } }), 201);
  expectStatus(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail() } }), 201); // Bearer key
});

it('failed logins: same answer for unknown emails; 429 with Retry-After per account', async (t, srv) => {
  const u = await addUser(srv, 'viewer');
  const wrong = await login(srv, u.email, 'not-the-password');
  const unknown = await login(srv, uniqEmail('ghost'), 'not-the-password');
  assertProblem(wrong.res, 401);
  assertProblem(unknown.res, 401);
  assert.equal(wrong.res.body.detail, unknown.res.body.detail);
  for (let i = 0; i < 4; i += 1) assertProblem((await login(srv, u.email, `wrong-${i}-password`)).res, 401);
  const locked = await login(srv, u.email, u.password); // even the right password now
  assertProblem(locked.res, 429);
  const retry = Number(locked.res.headers.get('retry-after'));
  assert.ok(retry > 0 && retry <= 900, `Retry-After ${retry}`);
  // An unknown email is throttled the same way, so 429 reveals nothing either.
  const ghost = uniqEmail('ghost');
  for (let i = 0; i < 5; i += 1) assertProblem((await login(srv, ghost, 'whatever-password')).res, 401);
  assertProblem((await login(srv, ghost, 'whatever-password')).res, 429);
  // Ten guesses at once cannot overrun the limit: attempts are counted before the check.
  const target = await addUser(srv, 'viewer');
  const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => login(srv, target.email, `burst-${i}-guess`)));
  const statuses = burst.map((b) => b.res.status).sort();
  assert.equal(statuses.filter((x) => x === 401).length, 5, `burst statuses ${statuses}`);
  assert.equal(statuses.filter((x) => x === 429).length, 5, `burst statuses ${statuses}`);
  // Another account is not affected.
  const v = await addUser(srv, 'viewer');
  expectStatus((await login(srv, v.email, v.password)).res, 200);
  const audit = await request(srv, 'GET', `${API}/audit?entity=session&actor=user:${u.id}`);
  expectStatus(audit, 200);
  assert.ok(audit.body.data.filter((e) => e.action === 'login_failed').length >= 5);
});

it('sessions: list own, revoke one; password change revokes the others', async (t, srv) => {
  const u = await addUser(srv, 'member');
  const s1 = await login(srv, u.email, u.password);
  const s2 = await login(srv, u.email, u.password);
  const s3 = await login(srv, u.email, u.password);
  const list = expectStatus(await as(srv, s1)('GET', `${API}/auth/sessions`), 200);
  assert.equal(list.body.data.length, 3);
  assert.equal(list.body.data.filter((x) => x.current).length, 1);
  const s2id = list.body.data.find((x) => !x.current).id;
  expectStatus(await as(srv, s1)('DELETE', `${API}/auth/sessions/${s2id}`), 204);
  const left = (await as(srv, s1)('GET', `${API}/auth/sessions`)).body.data.length;
  assert.equal(left, 2);
  // Another user's session id: 404.
  const other = await addUser(srv, 'member');
  const o = await login(srv, other.email, other.password);
  const oid = (await as(srv, o)('GET', `${API}/auth/sessions`)).body.data[0].id;
  assertProblem(await as(srv, s1)('DELETE', `${API}/auth/sessions/${oid}`), 404);
  // Change password: wrong current is 422; rules apply; others are signed out.
  assertProblem(await as(srv, s1)('POST', `${API}/auth/password`, { body: { current_password: 'nope-nope-nope', new_password: 'a-brand-new-secret' } }), 422, ['current_password']);
  assertProblem(await as(srv, s1)('POST', `${API}/auth/password`, { body: { current_password: u.password, new_password: 'password123' } }), 422, ['new_password']);
  const fresh = 'a-brand-new-secret';
  secrets.add(fresh);
  expectStatus(await as(srv, s1)('POST', `${API}/auth/password`, { body: { current_password: u.password, new_password: fresh } }), 204);
  expectStatus(await as(srv, s1)('GET', `${API}/auth/me`), 200);
  assertProblem(await as(srv, s3)('GET', `${API}/auth/me`), 401);
  assertProblem((await login(srv, u.email, u.password)).res, 401);
  expectStatus((await login(srv, u.email, fresh)).res, 200);
  // An API key cannot use the session endpoints.
  assertProblem(await request(srv, 'GET', `${API}/auth/sessions`), 403);
});

it('API keys: shown once, prefix visible, scoped role, last_used_at, immediate revocation', async (t, srv) => {
  const created = expectStatus(await request(srv, 'POST', `${API}/api-keys`, { body: { name: 'zapier', role: 'viewer' } }), 201);
  const key = created.body.key;
  secrets.add(key);
  assert.ok(key.startsWith(`${created.body.prefix}_`));
  const list = expectStatus(await request(srv, 'GET', `${API}/api-keys`), 200);
  const listed = list.body.data.find((k) => k.id === created.body.id);
  assert.equal(listed.prefix, created.body.prefix);
  assert.equal(listed.key, undefined);
  assert.ok(!list.text.includes(key));
  assert.equal(listed.last_used_at, null);
  const viewer = { Authorization: `Bearer ${key}` };
  expectStatus(await request(srv, 'GET', `${API}/contacts`, { headers: viewer }), 200);
  assertProblem(await request(srv, 'POST', `${API}/contacts`, { headers: viewer, body: { email: uniqEmail() } }), 403);
  assertProblem(await request(srv, 'GET', `${API}/api-keys`, { headers: viewer }), 403);
  const again = (await request(srv, 'GET', `${API}/api-keys/${created.body.id}`)).body;
  assert.ok(again.last_used_at, 'last_used_at set after use');
  expectStatus(await request(srv, 'DELETE', `${API}/api-keys/${created.body.id}`), 204);
  assertProblem(await request(srv, 'GET', `${API}/contacts`, { headers: viewer }), 401);
  assertProblem(await request(srv, 'DELETE', `${API}/api-keys/${created.body.id}`), 404);
  // An admin cannot mint an owner key.
  const adminKey = (await request(srv, 'POST', `${API}/api-keys`, { body: { name: 'a', role: 'admin' } })).body.key;
  secrets.add(adminKey);
  assertProblem(await request(srv, 'POST', `${API}/api-keys`, { headers: { Authorization: `Bearer ${adminKey}` }, body: { role: 'owner' } }), 403);
  assertProblem(await request(srv, 'POST', `${API}/api-keys`, { body: { role: 'root' } }), 422, ['role']);
});

it('users and roles: only owner/admin manage; role changes apply at once and are audited', async (t, srv) => {
  const res = expectStatus(await request(srv, 'POST', `${API}/users`, { body: { email: uniqEmail('gen'), role: 'member' } }), 201);
  assert.equal(typeof res.body.password, 'string', 'a one-time password for a new user without one');
  secrets.add(res.body.password);
  expectStatus((await login(srv, res.body.email, res.body.password)).res, 200);
  const m = await addUser(srv, 'member');
  const ms = await login(srv, m.email, m.password);
  assertProblem(await as(srv, ms)('POST', `${API}/users`, { body: { email: uniqEmail(), role: 'viewer' } }), 403);
  assertProblem(await as(srv, ms)('PATCH', `${API}/users/${m.id}`, { body: { role: 'admin' } }), 403);
  expectStatus(await as(srv, ms)('GET', `${API}/users`), 200);
  expectStatus(await request(srv, 'PATCH', `${API}/users/${m.id}`, { body: { role: 'viewer' } }), 200);
  // The role change applies to the live session at once.
  assertProblem(await as(srv, ms)('POST', `${API}/contacts`, { body: { email: uniqEmail() } }), 403);
  const audit = expectStatus(await request(srv, 'GET', `${API}/audit?entity=user&id=${m.id}`), 200);
  const change = audit.body.data.find((e) => e.action === 'update');
  assert.deepEqual(change.changes, { before: { role: 'member' }, after: { role: 'viewer' } });
  assert.match(change.actor, /^api_key:\d+$/);
});

it('workspace isolation: ids of another workspace are 404 with its credentials', async (t, srv) => {
  const otherKey = createApiKeyInNewWorkspace(srv, 'owner');
  secrets.add(otherKey);
  const theirs = { Authorization: `Bearer ${otherKey}` };
  const mine = expectStatus(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail() } }), 201).body;
  assertProblem(await request(srv, 'GET', `${API}/contacts/${mine.id}`, { headers: theirs }), 404);
  assertProblem(await request(srv, 'PATCH', `${API}/contacts/${mine.id}`, { headers: theirs, body: { first_name: 'x' } }), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/contacts/${mine.id}`, { headers: theirs }), 404);
  const list = expectStatus(await request(srv, 'GET', `${API}/contacts`, { headers: theirs }), 200);
  assert.ok(!list.body.data.some((c) => c.id === mine.id));
  // The same email can exist in both workspaces.
  expectStatus(await request(srv, 'POST', `${API}/contacts`, { headers: theirs, body: { email: mine.email } }), 201);
  assertProblem(await request(srv, 'GET', `${API}/contacts`, { headers: { ...theirs, 'X-Workspace': 'default' } }), 404);
});

function createApiKeyInNewWorkspace(srv, role) {
  const ws = `ws-${Date.now()}-${Math.random().toString(16).slice(2, 6)}`;
  // `user add` creates the workspace; then a key for it.
  execFileSync(rapportBin, ['user', 'add', '--data', srv.dataDir, '--email', uniqEmail('wsowner'), '--workspace', ws],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  return createApiKey(srv.dataDir, role, ws);
}

it('audit log: every write with actor, entity, before/after; filters and pages; admin only', async (t, srv) => {
  const c = expectStatus(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail(), first_name: 'Ana' } }), 201).body;
  expectStatus(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { first_name: 'Anna' } }), 200);
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${c.id}`), 204);
  const res = expectStatus(await request(srv, 'GET', `${API}/audit?entity=contact&id=${c.id}`), 200);
  assert.deepEqual(res.body.data.map((e) => e.action), ['delete', 'update', 'create']);
  assert.deepEqual(res.body.data[1].changes, { before: { first_name: 'Ana' }, after: { first_name: 'Anna' } });
  for (const e of res.body.data) assert.match(e.at, /Z$/);
  const page = expectStatus(await request(srv, 'GET', `${API}/audit?limit=1`), 200);
  assert.equal(page.body.data.length, 1);
  const next = expectStatus(await request(srv, 'GET', `${API}/audit?limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}`), 200);
  assert.ok(next.body.data[0].id < page.body.data[0].id);
  const since = expectStatus(await request(srv, 'GET', `${API}/audit?since=2999-01-01T00:00:00Z`), 200);
  assert.equal(since.body.data.length, 0);
  assertProblem(await request(srv, 'GET', `${API}/audit?actor=root`), 400, ['actor']);
  const m = await addUser(srv, 'manager');
  const ms = await login(srv, m.email, m.password);
  assertProblem(await as(srv, ms)('GET', `${API}/audit`), 403);
});

test('the database file holds none of the secrets created above', async () => {
  const srv = server.srv;
  secrets.add(srv.apiKey);
  await srv.stop({ removeData: false });
  let bytes = readFileSync(srv.dbPath);
  if (existsSync(`${srv.dbPath}-wal`)) bytes = Buffer.concat([bytes, readFileSync(`${srv.dbPath}-wal`)]);
  const text = bytes.toString('latin1');
  assert.ok(secrets.size >= 20, `collected ${secrets.size} secrets`);
  for (const s of secrets) assert.ok(!text.includes(s), `secret found in the database: ${s.slice(0, 6)}...`);
  // What is there instead: argon2id hashes and digests.
  assert.match(text, /\$argon2id\$/);
});
