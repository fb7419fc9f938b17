// Helpers for the API tests: start/stop the real `build/rapport serve` on a free port and a
// fresh data directory, make HTTP requests, assert problem+json errors, count rows.
//
// Authentication happens in one place: startServer() creates an owner API key for the data
// directory (`rapport apikey create --role owner`) before starting the server, and
// `defaultHeaders(srv)` / `rawRequest()` send it as `Authorization: Bearer`. Pass
// `{ auth: false }` to startServer for a server without a key, or a header
// `Authorization: undefined` to send one request without credentials.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const rapportBin = process.env.RAPPORT_BIN
  ? path.resolve(process.env.RAPPORT_BIN)
  : path.join(repoRoot, 'build', 'rapport');

export const API = '/api/v1';

const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// ---------------------------------------------------------------------------------------------
// Server lifecycle

// Starts `rapport serve` on 127.0.0.1:0. `dataDir` defaults to a fresh temporary directory.
// Resolves once the "listening" log line has been seen and GET /readyz answers 200.
export async function startServer({ dataDir, timeoutMs = 30000, env = {}, auth = true, extraArgs = [] } = {}) {
  if (!existsSync(rapportBin)) throw new Error(`server binary not found: ${rapportBin}`);
  const ownsDir = !dataDir;
  dataDir ??= mkdtempSync(path.join(tmpdir(), 'rapport-api-'));
  const apiKey = auth ? createApiKey(dataDir, 'owner') : null;
  const proc = spawn(rapportBin, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  live.add(proc);
  const srv = {
    proc,
    dataDir,
    dbPath: path.join(dataDir, 'rapport.db'),
    port: 0,
    baseUrl: '',
    stderr: '',
    stdout: '',
    exited: null, // {code, signal} once the process has exited
    ownsDir,
    apiKey, // the owner key every request sends (null with auth: false)
  };
  const exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      live.delete(proc);
      srv.exited = { code, signal };
      resolve(srv.exited);
    });
  });
  srv.exitPromise = exitPromise;
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d) => { srv.stdout += d; });
  proc.stderr.setEncoding('utf8');

  const port = await new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(
      () => reject(new Error(`no "listening" log line within ${timeoutMs} ms; stderr:\n${srv.stderr}`)),
      timeoutMs);
    proc.stderr.on('data', (d) => {
      srv.stderr += d;
      if (srv.port) return;
      pending += d;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let obj;
        try { obj = JSON.parse(line); } catch { continue; }
        if (obj && obj.message === 'listening' && obj.port) {
          clearTimeout(timer);
          srv.port = Number(obj.port);
          resolve(srv.port);
          return;
        }
      }
    });
    exitPromise.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${JSON.stringify(e)}); stderr:\n${srv.stderr}`));
    });
  });
  srv.baseUrl = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${srv.baseUrl}/readyz`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not yet */ }
    if (srv.exited) throw new Error(`server exited before ready; stderr:\n${srv.stderr}`);
    if (Date.now() > deadline) throw new Error(`/readyz not 200 within ${timeoutMs} ms; stderr:\n${srv.stderr}`);
    await sleep(50);
  }

  // Sends SIGTERM and waits for the exit; returns {code, signal}.
  srv.stop = async ({ timeoutMs: t = 15000, removeData = srv.ownsDir } = {}) => {
    if (!srv.exited) {
      proc.kill('SIGTERM');
      const res = await Promise.race([exitPromise, sleep(t).then(() => null)]);
      if (!res) {
        proc.kill('SIGKILL');
        await exitPromise;
        throw new Error(`server did not exit within ${t} ms after SIGTERM`);
      }
    }
    if (removeData && !process.env.RAPPORT_KEEP_DATA) rmSync(srv.dataDir, { recursive: true, force: true });
    return srv.exited;
  };
  // kill -9; resolves once the process is gone.
  srv.kill9 = async () => {
    if (!srv.exited) proc.kill('SIGKILL');
    return exitPromise;
  };
  srv.request = (method, p, opts) => request(srv, method, p, opts);
  return srv;
}

// Registers before/after hooks that run one server for the whole test file. Returns a holder
// whose `.srv` is set once the server is up, and an `it(name, fn)` that wraps `test` so that
// the server's log output during a failing test is attached to the failure.
export function useServer(opts) {
  const holder = { srv: null };
  before(async () => { holder.srv = await startServer(opts); });
  after(async () => {
    if (!holder.srv) return;
    const res = await holder.srv.stop();
    if (res.code !== 0) process.stderr.write(`server exit ${JSON.stringify(res)}; stderr tail:\n${tail(holder.srv.stderr)}\n`);
  });
  holder.it = (name, optsOrFn, maybeFn) => {
    const fn = typeof optsOrFn === 'function' ? optsOrFn : maybeFn;
    const topts = typeof optsOrFn === 'function' ? {} : optsOrFn;
    return test(name, topts, async (t) => {
      const mark = holder.srv ? holder.srv.stderr.length : 0;
      try {
        await fn(t, holder.srv);
      } catch (err) {
        if (holder.srv) {
          const log = holder.srv.stderr.slice(mark);
          t.diagnostic(`server stderr during this test (tail):\n${tail(log)}`);
        }
        throw err;
      }
    });
  };
  return holder;
}

export function tail(s, n = 6000) {
  return s.length > n ? `...${s.slice(-n)}` : s;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// HTTP

// Creates an API key with `rapport apikey create` (the server may be running or not);
// returns the key.
export function createApiKey(dataDir, role = 'owner', workspace = 'default') {
  const out = execFileSync(rapportBin, ['apikey', 'create', '--data', dataDir, '--role', role, '--workspace', workspace],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1].trim();
}

// Headers sent with every request: the server's owner API key.
export function defaultHeaders(srv) {
  return srv && srv.apiKey ? { Authorization: `Bearer ${srv.apiKey}` } : {};
}

// Makes one request. `body` may be an object (JSON-encoded), a string or a Buffer (sent as is).
// Returns {status, headers (a Headers), contentType, text, body (parsed JSON or null)}.
export async function request(srv, method, p, { body, headers = {}, signal } = {}) {
  const h = { ...defaultHeaders(srv), ...headers };
  for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
  let payload;
  if (body !== undefined) {
    if (Buffer.isBuffer(body) || typeof body === 'string') payload = body;
    else payload = JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  }
  const res = await fetch(srv.baseUrl + p, { method, headers: h, body: payload, signal });
  const text = await res.text();
  const contentType = res.headers.get('content-type') || '';
  let parsed = null;
  if (text.length && /json/i.test(contentType)) {
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  }
  return { status: res.status, headers: res.headers, contentType, text, body: parsed, method, path: p };
}

// Short description of a response for assertion messages.
export function describe(res) {
  return `${res.method ?? ''} ${res.path ?? ''} -> ${res.status} ${res.contentType}\n${(res.text ?? '').slice(0, 2000)}`;
}

export function expectStatus(res, status) {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  assert.ok(ok, `expected status ${status}, got: ${describe(res)}`);
  return res;
}

// Writes a raw HTTP/1.1 request on a fresh socket: `head` is the request line + headers
// (without the final blank line), `bodyChunks` an optional iterable of Buffers written after
// the head until the server answers or closes. Resolves with {status, headers, body} of the
// first response; write errors after the server has answered are ignored.
//
// `headWaitMs` waits that long after the head before sending the body, so that a server which
// rejects on the headers alone (413 from Content-Length) can answer first: Node destroys a
// socket on a write error (EPIPE after the server closed), dropping a response not yet read.
export function rawRequest(srv, head, bodyChunks = [], { timeoutMs = 60000, headWaitMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    let gotHead = null;
    const timer = setTimeout(() => finish(new Error(`raw request timed out; got ${buf.length} bytes`)), timeoutMs);
    const finish = (err, val) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve(val);
    };
    const tryParse = (closed) => {
      if (!gotHead) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (closed) finish(new Error(`connection closed without a response (${buf.length} bytes)`));
          return;
        }
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
        if (!m) return finish(new Error(`bad status line: ${lines[0]}`));
        const headers = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        gotHead = { status: Number(m[1]), headers, bodyStart: end + 4 };
      }
      const cl = gotHead.headers['content-length'];
      const rest = buf.subarray(gotHead.bodyStart);
      if (/chunked/i.test(gotHead.headers['transfer-encoding'] ?? '')) {
        const body = dechunk(rest);
        if (body !== null || closed) finish(null, { status: gotHead.status, headers: gotHead.headers, body: body ?? rest.toString('utf8') });
        return;
      }
      if ((cl !== undefined && rest.length >= Number(cl)) || closed) {
        const body = rest.subarray(0, cl !== undefined ? Number(cl) : rest.length).toString('utf8');
        finish(null, { status: gotHead.status, headers: gotHead.headers, body });
      }
    };
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); tryParse(false); });
    sock.on('end', () => tryParse(true));
    sock.on('close', () => tryParse(true));
    sock.on('error', () => { /* EPIPE/ECONNRESET: the response (if any) decides */ });
    sock.on('connect', async () => {
      const auth = srv.apiKey && !/\r\nAuthorization:/i.test(head) ? `\r\nAuthorization: Bearer ${srv.apiKey}` : '';
      sock.write(`${head}${auth}\r\n\r\n`);
      if (headWaitMs) await sleep(headWaitMs);
      for (const chunk of bodyChunks) {
        if (done || gotHead || sock.destroyed) break;
        const ok = sock.write(chunk);
        if (!ok) {
          await new Promise((r) => {
            const t = setInterval(() => { if (done || gotHead || sock.destroyed) { clearInterval(t); r(); } }, 20);
            sock.once('drain', () => { clearInterval(t); r(); });
          });
        }
      }
    });
  });
}

// Decodes a complete chunked body; null while incomplete.
function dechunk(buf) {
  const parts = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

// ---------------------------------------------------------------------------------------------
// Assertions

// Asserts an RFC 9457 problem response: status, content type, body shape, and that every
// name in `fields` appears among errors[].field. Returns the parsed body.
export function assertProblem(res, status, fields = []) {
  expectStatus(res, status);
  assert.match(res.contentType, /^application\/problem\+json\b/i, `content type of ${describe(res)}`);
  const b = res.body;
  assert.ok(b && typeof b === 'object' && !Array.isArray(b), `problem body is an object: ${describe(res)}`);
  assert.equal(b.status, res.status, `problem.status equals the HTTP status: ${describe(res)}`);
  assert.equal(typeof b.title, 'string', `problem.title: ${describe(res)}`);
  assert.ok(b.title.length > 0, `problem.title non-empty: ${describe(res)}`);
  if (b.type !== undefined) assert.equal(typeof b.type, 'string', `problem.type: ${describe(res)}`);
  if (b.detail !== undefined) assert.equal(typeof b.detail, 'string', `problem.detail: ${describe(res)}`);
  for (const f of fields) assertErrorField(b, f, res);
  return b;
}

// Asserts that a problem object names `field` in its errors[] list.
export function assertErrorField(problem, field, res) {
  const errs = problem.errors;
  assert.ok(Array.isArray(errs), `problem.errors is an array: ${res ? describe(res) : JSON.stringify(problem)}`);
  for (const e of errs) {
    assert.equal(typeof e.field, 'string', `errors[].field is a string: ${JSON.stringify(problem)}`);
    assert.equal(typeof e.message, 'string', `errors[].message is a string: ${JSON.stringify(problem)}`);
  }
  assert.ok(errs.some((e) => e.field === field),
    `errors[] should name field "${field}", got ${JSON.stringify(errs.map((e) => e.field))}: ${JSON.stringify(problem)}`);
}

// Asserts a single-record response's ETag is `"<version>"`.
export function assertEtag(res) {
  const etag = res.headers.get('etag');
  assert.ok(etag, `ETag header present: ${describe(res)}`);
  assert.equal(etag, `"${res.body.version}"`, 'ETag is the quoted version');
  return etag;
}

// RFC 3339 UTC with optional fraction.
export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

// Microseconds since the epoch of an RFC 3339 UTC timestamp, as a BigInt (exact ordering).
export function tsMicros(s) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  assert.ok(m, `timestamp ${s} is RFC 3339 UTC`);
  const secs = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  const frac = BigInt(((m[2] ?? '') + '000000').slice(0, 6));
  return secs * 1000000n + frac;
}

// ---------------------------------------------------------------------------------------------
// Data helpers

let counter = 0;
const runTag = randomBytes(3).toString('hex');
// A unique, lower-case token for emails, names, keys.
export function uniq(prefix = 'u') {
  counter += 1;
  return `${prefix}${counter}x${runTag}${randomBytes(2).toString('hex')}`;
}
export function uniqEmail(prefix = 'c') {
  return `${uniq(prefix)}@example.com`;
}

export async function createContact(srv, fields = {}, headers = {}) {
  const body = { email: uniqEmail(), ...fields };
  const res = await request(srv, 'POST', `${API}/contacts`, { body, headers });
  assert.equal(res.status, 201, `create contact: ${describe(res)}`);
  return res.body;
}

export async function createCompany(srv, fields = {}) {
  const res = await request(srv, 'POST', `${API}/companies`, { body: { name: `Co ${uniq()}`, ...fields } });
  assert.equal(res.status, 201, `create company: ${describe(res)}`);
  return res.body;
}

export async function getJson(srv, p) {
  const res = await request(srv, 'GET', p);
  assert.equal(res.status, 200, `GET ${p}: ${describe(res)}`);
  return res.body;
}

// Follows next_cursor until null; returns every row. `query` is a query string without `?`.
export async function listAll(srv, collection, query = '', { limit = 1000, maxPages = 100000 } = {}) {
  const rows = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const qs = [query, `limit=${limit}`, cursor ? `cursor=${encodeURIComponent(cursor)}` : '']
      .filter(Boolean).join('&');
    const res = await request(srv, 'GET', `${API}/${collection}?${qs}`);
    assert.equal(res.status, 200, `list ${collection}?${qs}: ${describe(res)}`);
    assert.ok(Array.isArray(res.body.data), `data is an array: ${describe(res)}`);
    assert.ok(res.body.data.length <= limit, 'page no longer than limit');
    rows.push(...res.body.data);
    cursor = res.body.next_cursor;
    if (cursor === null) return rows;
    assert.equal(typeof cursor, 'string', `next_cursor is a string or null: ${describe(res)}`);
  }
  throw new Error(`list ${collection} did not end within ${maxPages} pages`);
}

// Counts visible through the API: contacts, companies, tags, tag links, custom fields.
// Used to prove that a rejected request stored nothing.
export async function snapshot(srv) {
  const [contacts, companies, tags, fields] = await Promise.all([
    listAll(srv, 'contacts'),
    listAll(srv, 'companies'),
    getJson(srv, `${API}/tags`),
    getJson(srv, `${API}/custom-fields`),
  ]);
  return {
    contacts: contacts.length,
    companies: companies.length,
    tags: tags.data.length,
    tagLinks: tags.data.reduce((n, t) => n + t.contact_count + t.company_count, 0),
    customFields: fields.data.length,
    contactVersionSum: contacts.reduce((n, c) => n + c.version, 0),
    companyVersionSum: companies.reduce((n, c) => n + c.version, 0),
  };
}

// Runs `fn` and asserts that the API-visible counts (and the sum of versions, i.e. no record
// was modified) are the same afterwards. Returns what `fn` returned.
export async function assertNothingStored(srv, fn) {
  const beforeSnap = await snapshot(srv);
  const out = await fn();
  const afterSnap = await snapshot(srv);
  assert.deepEqual(afterSnap, beforeSnap, 'a rejected request must not change any row');
  return out;
}

// Runs sqlite3 on the database file; returns trimmed stdout.
export function sqlite(dbPath, sql, { readonly = false } = {}) {
  const args = ['-batch', '-cmd', '.timeout 10000'];
  if (readonly) args.push('-readonly');
  args.push(dbPath, sql);
  return execFileSync('sqlite3', args, { encoding: 'utf8' }).trim();
}

// Nested JSON arrays `depth` levels deep (the outer object counts as one level).
export function nested(depth) {
  return `{"first_name":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}
