// Conventions every endpoint follows: operations endpoints, problem+json errors, unknown
// routes and methods, request limits (malformed JSON, UTF-8, depth, string length, body and
// header size), X-Request-Id, Idempotency-Key, and graceful shutdown.

import assert from 'node:assert/strict';
import {
  API, useServer, startServer, request, rawRequest, describe, expectStatus, assertProblem,
  assertNothingStored, createContact, getJson, listAll, uniq, uniqEmail, nested, sleep,
} from './harness.mjs';

const S = useServer();
const it = S.it;

// ---------------------------------------------------------------------------------------------
// Operations

it('GET /healthz: 200 {"status":"ok"}', async (t, srv) => {
  const res = await request(srv, 'GET', '/healthz');
  expectStatus(res, 200);
  assert.equal(res.body.status, 'ok');
});

it('GET /readyz: 200 {"status":"ready","schema_version":N}', async (t, srv) => {
  const res = await request(srv, 'GET', '/readyz');
  expectStatus(res, 200);
  assert.equal(res.body.status, 'ready');
  assert.ok(Number.isInteger(res.body.schema_version) && res.body.schema_version >= 1, res.text);
});

it('GET /metrics: Prometheus text with the documented series', async (t, srv) => {
  await createContact(srv); // at least one write and commit
  await request(srv, 'GET', `${API}/contacts`);
  const res = await request(srv, 'GET', '/metrics');
  expectStatus(res, 200);
  assert.match(res.contentType, /^text\/plain/);
  const text = res.text;
  const line = text.split('\n').find((l) => l.startsWith('rapport_http_requests_total{'));
  assert.ok(line, 'rapport_http_requests_total series present');
  for (const label of ['route=', 'method=', 'status=']) assert.ok(line.includes(label), `label ${label} in ${line}`);
  assert.ok(text.split('\n').some((l) => /^rapport_http_requests_total\{[^}]*method="POST"[^}]*\} \d/.test(l)
    && l.includes('status="201"')), 'a POST 201 is counted');
  for (const series of ['rapport_http_request_duration_seconds_bucket', 'rapport_http_request_duration_seconds_count',
    'rapport_store_commit_seconds_bucket', 'rapport_store_writes_total', 'rapport_store_commits_total',
    'rapport_http_open_connections']) {
    assert.ok(new RegExp(`^${series}(\\{| )`, 'm').test(text), `series ${series} present`);
  }
  assert.match(text, /^# TYPE rapport_http_request_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE rapport_store_commit_seconds histogram$/m);
  const writes = Number(/^rapport_store_writes_total(?:\{[^}]*\})? (\S+)$/m.exec(text)[1]);
  assert.ok(writes >= 1, `writes counted: ${writes}`);
});

it('GET /api/v1/openapi.json: an OpenAPI 3.0 document describing the resources', async (t, srv) => {
  const res = await request(srv, 'GET', `${API}/openapi.json`);
  expectStatus(res, 200);
  assert.match(res.contentType, /json/);
  const doc = res.body;
  assert.match(String(doc.openapi), /^3\.0\./);
  assert.ok(doc.info && doc.paths, 'info and paths');
  const paths = Object.keys(doc.paths);
  for (const p of ['/contacts', '/contacts/{id}', '/contacts/batch', '/contacts/{id}/tags', '/companies',
    '/companies/{id}', '/custom-fields', '/custom-fields/{id}', '/tags', '/tags/{id}']) {
    assert.ok(paths.some((x) => x === p || x === `${API}${p}`), `path ${p} described (have: ${paths.join(', ')})`);
  }
});

// ---------------------------------------------------------------------------------------------
// Unknown routes and methods

it('unknown API routes: 404 problem+json (other paths belong to the web UI)', async (t, srv) => {
  for (const p of [`${API}/nope`, `${API}/contacts/1/nope`, '/api/v2/contacts', `${API}`, '/api']) {
    assertProblem(await request(srv, 'GET', p), 404);
  }
  // A missing file with an extension is a plain 404, never the UI's index.html.
  expectStatus(await request(srv, 'GET', '/nope.js'), 404);
  assertProblem(await request(srv, 'POST', `${API}/nope`, { body: {} }), 404);
  // A non-numeric id names no record.
  for (const p of [`${API}/contacts/abc`, `${API}/companies/-1`, `${API}/contacts/0`, `${API}/contacts/99999999999999999999999`]) {
    const res = await request(srv, 'GET', p);
    expectStatus(res, [400, 404]);
    assertProblem(res, res.status);
  }
});

it('known path, wrong method: 405 problem+json with Allow', async (t, srv) => {
  const c = await createContact(srv);
  const cases = [
    ['PUT', `${API}/contacts`, ['GET', 'POST']],
    ['DELETE', `${API}/contacts`, ['GET', 'POST']],
    ['PATCH', `${API}/contacts`, ['GET', 'POST']],
    ['PUT', `${API}/contacts/${c.id}`, ['GET', 'PATCH', 'DELETE']],
    ['POST', `${API}/contacts/${c.id}`, ['GET', 'PATCH', 'DELETE']],
    ['PUT', `${API}/companies`, ['GET', 'POST']],
    ['PUT', `${API}/custom-fields`, ['GET', 'POST']],
    ['POST', `${API}/tags/1`, ['PATCH', 'DELETE']],
    ['GET', `${API}/contacts/${c.id}/tags`, ['POST']],
    ['DELETE', `${API}/openapi.json`, ['GET']],
    ['POST', '/healthz', ['GET']],
  ];
  for (const [method, p, allowed] of cases) {
    const res = await request(srv, method, p, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
    assertProblem(res, 405);
    const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    for (const m of allowed) assert.ok(allow.includes(m), `${method} ${p}: Allow "${res.headers.get('allow')}" lists ${m}`);
    assert.ok(!allow.includes(method), `${method} ${p}: Allow does not list ${method}`);
  }
  // The 405s stored nothing and the contact is unchanged.
  assert.deepEqual(await getJson(srv, `${API}/contacts/${c.id}`), c);
});

// ---------------------------------------------------------------------------------------------
// Malformed bodies: 400 and nothing stored

const malformed = [
  ['truncated JSON', '{"email": "a@example.com"'],
  ['trailing garbage', '{"email": "b@example.com"} x'],
  ['single quotes', "{'email': 'c@example.com'}"],
  ['trailing comma', '{"email": "d@example.com",}'],
  ['bare word', 'email'],
  ['empty body', ''],
  ['array body', '[{"email": "e@example.com"}]'],
  ['string body', '"f@example.com"'],
  ['number body', '42'],
  ['null body', 'null'],
];

for (const [name, body] of malformed) {
  it(`POST /contacts with ${name}: 400 problem, nothing stored`, async (t, srv) => {
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'POST', `${API}/contacts`, { body }), 400);
    });
  });
}

const badUtf8 = [
  ['a lone 0xff byte', Buffer.from([0xff])],
  ['an overlong encoding of "/"', Buffer.from([0xc0, 0xaf])],
  ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
  ['a truncated sequence', Buffer.from([0xe2, 0x82])],
  ['a code point above U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
];

for (const [name, bytes] of badUtf8) {
  it(`invalid UTF-8 (${name}) in a string value: 400, nothing stored`, async (t, srv) => {
    await assertNothingStored(srv, async () => {
      const body = Buffer.concat([Buffer.from(`{"email":"${uniq('u8')}@example.com","first_name":"Jo`), bytes, Buffer.from('e"}')]);
      assertProblem(await request(srv, 'POST', `${API}/contacts`, { body }), 400);
    });
  });
}

it('invalid UTF-8 in an object key and in a batch item: 400, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    let body = Buffer.concat([Buffer.from(`{"email":"${uniq('u8')}@example.com","`), Buffer.from([0xfe]), Buffer.from('":1}')]);
    assertProblem(await request(srv, 'POST', `${API}/contacts`, { body }), 400);
    body = Buffer.concat([Buffer.from(`{"contacts":[{"email":"${uniq('u8')}@example.com"},{"first_name":"`),
      Buffer.from([0xc3]), Buffer.from('"}]}')]);
    assertProblem(await request(srv, 'POST', `${API}/contacts/batch`, { body }), 400);
  });
});

it('valid multi-byte UTF-8 round-trips', async (t, srv) => {
  const c = await createContact(srv, { first_name: 'Zoë 李 😀', last_name: 'Ñúñez' });
  assert.equal(c.first_name, 'Zoë 李 😀');
  assert.equal((await getJson(srv, `${API}/contacts/${c.id}`)).last_name, 'Ñúñez');
});

for (const depth of [33, 34, 100, 100000]) {
  it(`JSON nested ${depth} levels deep: 400, nothing stored`, async (t, srv) => {
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: nested(depth) }), 400);
    });
    // The server is still healthy afterwards.
    expectStatus(await request(srv, 'GET', '/healthz'), 200);
  });
}

it('JSON nested exactly 32 levels is parsed (then rejected by validation, not by the parser)', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: nested(32) }), 422, ['first_name']);
  });
});

it('a string over 64 KiB: 400; a string of 64 KiB: parsed (422 for the too-long name)', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const over = { email: uniqEmail(), source: 's'.repeat(64 * 1024 + 1) };
    assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: over }), 400);
    const key = { email: uniqEmail(), ['k'.repeat(64 * 1024 + 1)]: 1 };
    assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: key }), 400);
    const at = { email: uniqEmail(), source: 's'.repeat(64 * 1024) };
    assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: at }), 422, ['source']);
  });
});

// ---------------------------------------------------------------------------------------------
// Size limits

it('a body over 32 MiB (Content-Length): 413, nothing stored, server still serves', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const size = 33 * 1024 * 1024;
    const prefix = Buffer.from('{"contacts":[');
    const chunk = Buffer.from(`{"email":"big@example.com"},`.padEnd(1024, ' '));
    function* chunks() {
      yield prefix;
      let sent = prefix.length;
      while (sent + chunk.length < size) { yield chunk; sent += chunk.length; }
      yield Buffer.from(']}'.padStart(size - sent, ' '));
    }
    const res = await rawRequest(srv,
      `POST ${API}/contacts/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${size}`,
      chunks(), { headWaitMs: 500 });
    assert.equal(res.status, 413, `got ${res.status}: ${res.body.slice(0, 500)}`);
    assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(JSON.parse(res.body).status, 413);
  });
  expectStatus(await request(srv, 'GET', '/healthz'), 200);
});

it('a body over 32 MiB sent at once by fetch: 413, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/contacts`, { body: Buffer.alloc(33 * 1024 * 1024, 0x20) });
    assertProblem(res, 413);
  });
});

it('a chunked body over 32 MiB: 413, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const piece = Buffer.from(' '.repeat(1024 * 1024));
    function* chunks() {
      yield Buffer.from(`1\r\n{\r\n`);
      for (let i = 0; i < 34; i += 1) yield Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
      const last = Buffer.from('"email":"chunk@example.com"}');
      yield Buffer.concat([Buffer.from(`${last.length.toString(16)}\r\n`), last, Buffer.from('\r\n0\r\n\r\n')]);
    }
    const res = await rawRequest(srv,
      `POST ${API}/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`,
      chunks());
    assert.equal(res.status, 413, `got ${res.status}: ${res.body.slice(0, 500)}`);
  });
});

it('request headers too large: 431', async (t, srv) => {
  const res = await rawRequest(srv,
    `GET ${API}/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'f'.repeat(256 * 1024)}`);
  assert.equal(res.status, 431, `got ${res.status}: ${res.body.slice(0, 300)}`);
  expectStatus(await request(srv, 'GET', '/healthz'), 200);
});

// ---------------------------------------------------------------------------------------------
// X-Request-Id

function logLinesWith(srv, id) {
  return srv.stderr.split('\n').filter((l) => {
    try { JSON.parse(l); } catch { return false; }
    return l.includes(JSON.stringify(id));
  });
}

it('X-Request-Id: echoed when sane, generated otherwise, and in the request\'s log line', async (t, srv) => {
  const id = `test-${uniq('rid')}`;
  let res = await request(srv, 'GET', `${API}/contacts?limit=1`, { headers: { 'X-Request-Id': id } });
  expectStatus(res, 200);
  assert.equal(res.headers.get('x-request-id'), id, 'echoed');
  let lines = [];
  for (let i = 0; i < 40 && lines.length === 0; i += 1) { lines = logLinesWith(srv, id); if (!lines.length) await sleep(50); }
  assert.ok(lines.length >= 1, `a log line carries request id ${id}`);

  const a = await request(srv, 'GET', '/healthz');
  const b = await request(srv, 'GET', '/healthz');
  const ga = a.headers.get('x-request-id');
  const gb = b.headers.get('x-request-id');
  assert.ok(ga && gb, 'generated when absent');
  assert.notEqual(ga, gb, 'generated ids differ');

  const insane = 'x'.repeat(2000);
  res = await request(srv, 'GET', '/healthz', { headers: { 'X-Request-Id': insane } });
  const got = res.headers.get('x-request-id');
  assert.ok(got && got !== insane, 'an absurd id is replaced');
  res = await request(srv, 'GET', '/healthz', { headers: { 'X-Request-Id': 'bad id with spaces "quotes" <tags>' } });
  assert.ok(res.headers.get('x-request-id'));

  // Error responses carry it too, and the 404 is logged under it.
  const id404 = `nf-${uniq()}`;
  res = await request(srv, 'GET', `${API}/contacts/987654321`, { headers: { 'X-Request-Id': id404 } });
  assertProblem(res, 404);
  assert.equal(res.headers.get('x-request-id'), id404);
  res = await request(srv, 'POST', `${API}/contacts`, { body: '{', headers: { 'X-Request-Id': `${id404}-400` } });
  assertProblem(res, 400);
  assert.equal(res.headers.get('x-request-id'), `${id404}-400`);
});

it('the request log line is one JSON object with time, level, message and the status', async (t, srv) => {
  const id = `log-${uniq()}`;
  await request(srv, 'GET', `${API}/contacts?limit=2`, { headers: { 'X-Request-Id': id } });
  let lines = [];
  for (let i = 0; i < 40 && lines.length === 0; i += 1) { lines = logLinesWith(srv, id); if (!lines.length) await sleep(50); }
  assert.ok(lines.length >= 1);
  const obj = JSON.parse(lines.at(-1));
  for (const k of ['time', 'level', 'message']) assert.ok(k in obj, `log line has ${k}: ${lines.at(-1)}`);
  assert.match(lines.at(-1), /[:"]200\b/, `log line has the status: ${lines.at(-1)}`);
});

// ---------------------------------------------------------------------------------------------
// Idempotency-Key

it('Idempotency-Key replay: same status, body, Location, ETag, Idempotent-Replayed; one created', async (t, srv) => {
  const key = `idem-${uniq()}`;
  const body = { email: uniqEmail('idem'), first_name: 'Once', tags: ['idem'] };
  const before = (await listAll(srv, 'contacts')).length;
  const first = await request(srv, 'POST', `${API}/contacts`, { body, headers: { 'Idempotency-Key': key } });
  expectStatus(first, 201);
  assert.notEqual(first.headers.get('idempotent-replayed'), 'true', 'the first response is not a replay');
  for (let i = 0; i < 3; i += 1) {
    const again = await request(srv, 'POST', `${API}/contacts`, { body, headers: { 'Idempotency-Key': key } });
    expectStatus(again, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.equal(again.headers.get('etag'), first.headers.get('etag'));
  }
  assert.equal((await listAll(srv, 'contacts')).length, before + 1);
  assert.equal((await listAll(srv, 'contacts', `email=${encodeURIComponent(body.email)}`)).length, 1);

  // The stored response is replayed even after the record changed.
  expectStatus(await request(srv, 'PATCH', `${API}/contacts/${first.body.id}`, { body: { first_name: 'Changed' } }), 200);
  const late = await request(srv, 'POST', `${API}/contacts`, { body, headers: { 'Idempotency-Key': key } });
  expectStatus(late, 201);
  assert.deepEqual(late.body, first.body);
  assert.equal(late.headers.get('idempotent-replayed'), 'true');
});

it('Idempotency-Key reused with a different body or endpoint: 422, nothing stored', async (t, srv) => {
  const key = `idem-${uniq()}`;
  const body = { email: uniqEmail('idd') };
  expectStatus(await request(srv, 'POST', `${API}/contacts`, { body, headers: { 'Idempotency-Key': key } }), 201);
  await assertNothingStored(srv, async () => {
    const other = await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail('idd2') }, headers: { 'Idempotency-Key': key } });
    assertProblem(other, 422);
    assert.notEqual(other.headers.get('idempotent-replayed'), 'true');
    const extra = await request(srv, 'POST', `${API}/contacts`, { body: { ...body, first_name: 'More' }, headers: { 'Idempotency-Key': key } });
    assertProblem(extra, 422);
    const co = await request(srv, 'POST', `${API}/companies`, { body: { name: 'Idem Co' }, headers: { 'Idempotency-Key': key } });
    assertProblem(co, 422);
    const batch = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: [body] }, headers: { 'Idempotency-Key': key } });
    assertProblem(batch, 422);
  });
});

it('20 concurrent identical requests with one Idempotency-Key create exactly one contact', async (t, srv) => {
  const key = `conc-${uniq()}`;
  const body = { email: uniqEmail('conc'), first_name: 'Concurrent' };
  const before = (await listAll(srv, 'contacts')).length;
  const results = await Promise.all(Array.from({ length: 20 }, () =>
    request(srv, 'POST', `${API}/contacts`, { body, headers: { 'Idempotency-Key': key } })));
  for (const r of results) assert.equal(r.status, 201, describe(r));
  const ids = new Set(results.map((r) => r.body.id));
  assert.equal(ids.size, 1, `all responses name the same contact: ${[...ids]}`);
  const fresh = results.filter((r) => r.headers.get('idempotent-replayed') !== 'true');
  assert.equal(fresh.length, 1, 'exactly one response is the original, the rest are replays');
  for (const r of results) assert.deepEqual(r.body, results[0].body);
  assert.equal((await listAll(srv, 'contacts')).length, before + 1);
  assert.equal((await listAll(srv, 'contacts', `email=${encodeURIComponent(body.email)}`)).length, 1);
});

it('concurrent identical batch requests with one Idempotency-Key create the items once', async (t, srv) => {
  const key = `bconc-${uniq()}`;
  const body = { contacts: Array.from({ length: 50 }, () => ({ email: uniqEmail('bc') })) };
  const before = (await listAll(srv, 'contacts')).length;
  const results = await Promise.all(Array.from({ length: 8 }, () =>
    request(srv, 'POST', `${API}/contacts/batch`, { body, headers: { 'Idempotency-Key': key } })));
  for (const r of results) {
    assert.equal(r.status, 200, describe(r));
    assert.deepEqual(r.body, results[0].body);
  }
  assert.equal(results[0].body.created, 50);
  assert.equal((await listAll(srv, 'contacts')).length, before + 50);
});

it('Idempotency-Key on POST /tags and /companies and /custom-fields replays instead of conflicting', async (t, srv) => {
  const cases = [
    [`${API}/tags`, { name: uniq('it') }],
    [`${API}/companies`, { name: `Idem ${uniq()}`, domain: `${uniq('dm')}.example.com` }],
    [`${API}/custom-fields`, { entity: 'contact', key: uniq('ik').replace(/[^a-z0-9_]/g, '_'), label: 'L', type: 'text', required: false }],
    [`${API}/contacts/${(await createContact(srv)).id}/tags`, { tags: [uniq('ct')] }],
  ];
  for (const [p, body] of cases) {
    const key = `k-${uniq()}`;
    const first = await request(srv, 'POST', p, { body, headers: { 'Idempotency-Key': key } });
    expectStatus(first, [200, 201]);
    const snapBefore = await getJson(srv, `${API}/tags`);
    const again = await request(srv, 'POST', p, { body, headers: { 'Idempotency-Key': key } });
    assert.equal(again.status, first.status, `${p} replay: ${describe(again)}`);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await getJson(srv, `${API}/tags`), snapBefore);
  }
});

it('Idempotency-Key of 255 printable characters is accepted; longer or non-printable is rejected', async (t, srv) => {
  const k255 = `${uniq('k')}${'~'.repeat(255)}`.slice(0, 255);
  const ok = await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail() }, headers: { 'Idempotency-Key': k255 } });
  expectStatus(ok, 201);
  await assertNothingStored(srv, async () => {
    const long = await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail() }, headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    expectStatus(long, [400, 422]);
    assertProblem(long, long.status);
    const raw = await rawRequest(srv,
      `POST ${API}/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nIdempotency-Key: caf\xe9\r\nContent-Length: 2`,
      [Buffer.from('{}')]);
    assert.ok([400, 422].includes(raw.status), `non-ASCII key: ${raw.status} ${raw.body}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Graceful shutdown and restart

it('SIGTERM: exit code 0; data survives a restart on the same data directory', async () => {
  const srv = await startServer();
  let stopped = false;
  try {
    const c = await createContact(srv, { first_name: 'Durable' });
    const res = await srv.stop({ removeData: false });
    stopped = true;
    assert.deepEqual(res, { code: 0, signal: null }, `exit after SIGTERM; stderr tail:\n${srv.stderr.slice(-3000)}`);
    const again = await startServer({ dataDir: srv.dataDir });
    try {
      const got = await getJson(again, `${API}/contacts/${c.id}`);
      assert.deepEqual(got, c);
      const ready = await getJson(again, '/readyz');
      assert.equal(ready.status, 'ready');
    } finally {
      const r2 = await again.stop({ removeData: true });
      assert.equal(r2.code, 0);
    }
  } finally {
    if (!stopped) await srv.stop();
  }
});

it('SIGTERM while requests are in flight: acknowledged writes are kept, exit 0', async () => {
  const srv = await startServer();
  try {
    const acked = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const email = uniqEmail('term');
        try {
          const r = await request(srv, 'POST', `${API}/contacts`, { body: { email } });
          if (r.status === 201) acked.push({ id: r.body.id, email });
        } catch { return; }
      }
    });
    await sleep(300);
    srv.proc.kill('SIGTERM');
    const res = await srv.exitPromise;
    stop = true;
    await Promise.all(writers);
    assert.deepEqual(res, { code: 0, signal: null }, `exit after SIGTERM under load; stderr tail:\n${srv.stderr.slice(-3000)}`);
    assert.ok(acked.length > 0);
    const again = await startServer({ dataDir: srv.dataDir });
    try {
      const rows = await listAll(again, 'contacts');
      const byId = new Map(rows.map((r) => [r.id, r.email]));
      for (const a of acked) assert.equal(byId.get(a.id), a.email, `acknowledged contact ${a.id} kept`);
    } finally {
      await again.stop({ removeData: true });
    }
  } finally {
    await srv.stop();
  }
});
