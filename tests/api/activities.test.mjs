// Activities: single and batch ingest (per-item results; bad items never block good ones and
// store nothing), idempotent retries by client id (also concurrent), contact upsert, past-dated
// imports, refunds, the 360° overview checked against values computed here from what was sent
// (seeded random data), timeline pagination and filters, company roll-ups, custom types.

import assert from 'node:assert/strict';
import {
  API, useServer, request, describe, expectStatus, assertProblem, assertErrorField,
  createContact, createCompany, getJson, uniq, uniqEmail, sqlite, tsMicros, RFC3339_UTC,
} from './harness.mjs';

const S = useServer();
const it = S.it;

const DAY = 86400000;
const ACTIVITY_KEYS = [
  'id', 'contact_id', 'company_id', 'type', 'channel', 'occurred_at', 'amount', 'properties',
  'source', 'author_id', 'client_id', 'recorded_at',
];
const TYPES = [
  'email_sent', 'email_opened', 'email_clicked', 'email_bounced', 'unsubscribed', 'call',
  'meeting', 'note', 'web_visit', 'chat', 'ticket_opened', 'ticket_closed', 'purchase', 'refund',
  'survey_response', 'segment_entered', 'segment_exited', 'custom',
];
const CHANNELS = ['email', 'phone', 'sms', 'web', 'chat', 'in_person', 'social', 'support', 'store', 'other'];

// ---------------------------------------------------------------------------------------------
// Helpers

// mulberry32: a small seeded PRNG so that a failure can be reproduced.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  next.pick = (xs) => xs[Math.floor(next() * xs.length)];
  return next;
}
const SEED = Number(process.env.ACTIVITY_TEST_SEED ?? 20261123);

const iso = (ms) => new Date(ms).toISOString();
const micros = (ms) => BigInt(ms) * 1000n;
const dayOf = (ms) => Math.floor(ms / DAY);

function post(srv, body, headers) {
  return request(srv, 'POST', `${API}/activities`, { body, headers });
}
function postBatch(srv, activities) {
  return request(srv, 'POST', `${API}/activities/batch`, { body: { activities } });
}
// Posts in chunks of 1000; returns the results in order. Every item must be 201 or 200.
async function ingest(srv, items) {
  const results = [];
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    const res = await postBatch(srv, chunk);
    expectStatus(res, 200);
    for (const r of res.body.results) {
      assert.ok(r.status === 201 || r.status === 200, `item ${i + r.index}: ${JSON.stringify(r)} for ${JSON.stringify(chunk[r.index])}`);
      results.push(r);
    }
  }
  return results;
}
function countRows(srv, where = '1') {
  return Number(sqlite(srv.dbPath, `SELECT count(*) FROM activities WHERE ${where}`, { readonly: true }));
}
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

// Asserts a batch per-item result that failed, naming `field` (already prefixed).
function assertItemError(r, index, field, status = 422) {
  assert.equal(r.index, index, `results[${index}].index`);
  assert.equal(r.status, status, `results[${index}].status: ${JSON.stringify(r)}`);
  assert.ok(r.error && typeof r.error === 'object', `results[${index}].error: ${JSON.stringify(r)}`);
  assert.equal(r.error.status, status);
  assert.equal(r.id, undefined, 'a failed item has no id');
  if (field) assertErrorField(r.error, field);
}

// Pages through a timeline; checks page sizes; returns every row.
async function timelineAll(srv, base, qs = '', limit = 50) {
  const rows = [];
  let cursor = null;
  for (let pages = 0; ; pages += 1) {
    assert.ok(pages < 10000, 'paging terminates');
    const query = [qs, `limit=${limit}`, cursor && `cursor=${encodeURIComponent(cursor)}`].filter(Boolean).join('&');
    const res = await request(srv, 'GET', `${base}/timeline?${query}`);
    expectStatus(res, 200);
    const { data, next_cursor: next } = res.body;
    assert.ok(Array.isArray(data), describe(res));
    assert.ok(data.length <= limit, 'page at most limit');
    rows.push(...data);
    if (next === null) return rows;
    assert.equal(typeof next, 'string');
    assert.equal(data.length, limit, `a page followed by another is full (${query})`);
    cursor = next;
  }
}

// Newest first; ties by id, newest id first.
function assertNewestFirst(rows, label) {
  for (let i = 1; i < rows.length; i += 1) {
    const a = tsMicros(rows[i - 1].occurred_at);
    const b = tsMicros(rows[i].occurred_at);
    assert.ok(a > b || (a === b && rows[i - 1].id > rows[i].id),
      `${label}: row ${i} (${rows[i].occurred_at} #${rows[i].id}) after (${rows[i - 1].occurred_at} #${rows[i - 1].id})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The overview computed from what was sent.

// `acts` are {type, channel (resolved), occurredMs, amount?}. Returns the expected aggregates.
function expectedAggregates(acts, nowMs) {
  const today = dayOf(nowMs);
  const revenue = new Map();
  const touch = new Map();
  const counts = new Map();
  let last = null;
  for (const a of acts) {
    const cur = a.amount && (a.type === 'purchase' || a.type === 'refund') ? a.amount.currency : null;
    if (cur) {
      if (!revenue.has(cur)) {
        revenue.set(cur, { currency: cur, order_count: 0, total: 0, refund_count: 0, refund_total: 0, first: null, last: null });
      }
      const r = revenue.get(cur);
      if (a.type === 'purchase') {
        r.order_count += 1;
        r.total += a.amount.value;
        r.first = r.first === null ? a.occurredMs : Math.min(r.first, a.occurredMs);
        r.last = r.last === null ? a.occurredMs : Math.max(r.last, a.occurredMs);
      } else {
        r.refund_count += 1;
        r.refund_total += Math.abs(a.amount.value);
      }
    }
    touch.set(a.channel, Math.max(touch.get(a.channel) ?? -Infinity, a.occurredMs));
    const d = dayOf(a.occurredMs);
    if (!counts.has(a.type)) counts.set(a.type, [0, 0, 0]);
    const c = counts.get(a.type);
    if (d >= today - 29) c[0] += 1;
    if (d >= today - 89) c[1] += 1;
    if (d >= today - 364) c[2] += 1;
    last = last === null ? a.occurredMs : Math.max(last, a.occurredMs);
  }
  return { revenue, touch, counts, last };
}

// Compares an overview response with expectedAggregates(); `before`/`after` bracket the
// request time (days_since_last_purchase depends on the server's clock).
function assertOverview(body, exp, before, after, label) {
  const ms = (s) => Number(tsMicros(s) / 1000n);
  // revenue, by currency
  const got = new Map(body.revenue.map((r) => [r.currency, r]));
  assert.deepEqual([...got.keys()].sort(), [...exp.revenue.keys()].sort(), `${label}: revenue currencies`);
  for (const [cur, e] of exp.revenue) {
    const g = got.get(cur);
    const l = `${label}: revenue ${cur}`;
    assert.equal(g.order_count, e.order_count, `${l} order_count`);
    assert.equal(g.total, e.total, `${l} total`);
    assert.equal(g.average_order_value, e.order_count ? Math.trunc(e.total / e.order_count) : 0, `${l} average_order_value`);
    assert.equal(g.refund_count, e.refund_count, `${l} refund_count`);
    assert.equal(g.refund_total, e.refund_total, `${l} refund_total (positive)`);
    if (e.first === null) {
      assert.equal(g.first_purchase_at, null, `${l} first_purchase_at`);
      assert.equal(g.last_purchase_at, null, `${l} last_purchase_at`);
      assert.equal(g.days_since_last_purchase, null, `${l} days_since_last_purchase`);
    } else {
      assert.equal(ms(g.first_purchase_at), e.first, `${l} first_purchase_at ${g.first_purchase_at}`);
      assert.equal(ms(g.last_purchase_at), e.last, `${l} last_purchase_at ${g.last_purchase_at}`);
      const lo = Math.floor((before - e.last) / DAY);
      const hi = Math.floor((after - e.last) / DAY);
      assert.ok(g.days_since_last_purchase >= lo && g.days_since_last_purchase <= hi,
        `${l} days_since_last_purchase ${g.days_since_last_purchase} in [${lo}, ${hi}]`);
    }
  }
  // last touch per channel
  const touch = Object.fromEntries(Object.entries(body.last_touch).map(([k, v]) => [k, ms(v)]));
  assert.deepEqual(touch, Object.fromEntries(exp.touch), `${label}: last_touch`);
  // counts by type; a type with nothing in the last 365 days may be absent or all zeros
  const nonZero = (entries) => Object.fromEntries(entries.filter(([, c]) => c.some((x) => x !== 0)));
  const gotCounts = nonZero(Object.entries(body.activity_counts).map(([k, c]) => [k, [c.last_30_days, c.last_90_days, c.last_365_days]]));
  assert.deepEqual(gotCounts, nonZero([...exp.counts]), `${label}: activity_counts`);
  // last activity
  if (exp.last === null) assert.equal(body.last_activity_at, null, `${label}: last_activity_at`);
  else assert.equal(ms(body.last_activity_at), exp.last, `${label}: last_activity_at ${body.last_activity_at}`);
}

async function overview(srv, path) {
  const before = Date.now();
  const res = await request(srv, 'GET', `${path}/overview`);
  const after = Date.now();
  expectStatus(res, 200);
  return { body: res.body, before, after };
}

// ---------------------------------------------------------------------------------------------
// Single activities

it('POST /activities: 201, Location, full shape; GET /activities/{id} returns the same', async (t, srv) => {
  const c = await createContact(srv);
  const when = Date.now() - 3 * DAY;
  const res = await post(srv, {
    contact_id: c.id, type: 'call', occurred_at: iso(when), source: 'api', author_id: 7,
    properties: { duration_seconds: 125, outcome: 'interested', next_step: 'send quote' },
  });
  expectStatus(res, 201);
  const a = res.body;
  assert.deepEqual(Object.keys(a).sort(), [...ACTIVITY_KEYS].sort(), res.text);
  assert.ok(Number.isInteger(a.id) && a.id > 0);
  assert.equal(res.headers.get('location'), `${API}/activities/${a.id}`);
  assert.equal(a.contact_id, c.id);
  assert.equal(a.company_id, null);
  assert.equal(a.type, 'call');
  assert.equal(a.channel, 'phone', 'a call defaults to the phone channel');
  assert.equal(tsMicros(a.occurred_at), micros(when));
  assert.deepEqual(a.properties, { duration_seconds: 125, outcome: 'interested', next_step: 'send quote' });
  assert.equal(a.source, 'api');
  assert.equal(a.author_id, 7);
  assert.equal(a.client_id, null);
  assert.equal(a.amount, null);
  assert.match(a.recorded_at, RFC3339_UTC);
  const rec = Number(tsMicros(a.recorded_at) / 1000n);
  assert.ok(Math.abs(rec - Date.now()) < 60000, 'recorded_at is about now');
  assert.deepEqual(await getJson(srv, `${API}/activities/${a.id}`), a);
});

it('channel defaults by type; an explicit channel wins; occurred_at defaults to now and is stored as UTC', async (t, srv) => {
  const c = await createContact(srv);
  const defaults = {
    email_sent: 'email', email_opened: 'email', email_clicked: 'email', email_bounced: 'email',
    unsubscribed: 'email', call: 'phone', meeting: 'in_person', web_visit: 'web', chat: 'chat',
    ticket_opened: 'support', ticket_closed: 'support',
  };
  for (const [type, channel] of Object.entries(defaults)) {
    const res = await post(srv, { contact_id: c.id, type });
    expectStatus(res, 201);
    assert.equal(res.body.channel, channel, `default channel of ${type}`);
  }
  for (const channel of CHANNELS) {
    const res = await post(srv, { contact_id: c.id, type: 'chat', channel });
    expectStatus(res, 201);
    assert.equal(res.body.channel, channel);
  }
  const t0 = Date.now();
  const now = await post(srv, { contact_id: c.id, type: 'web_visit' });
  const at = Number(tsMicros(now.body.occurred_at) / 1000n);
  assert.ok(at >= t0 - 2000 && at <= Date.now() + 2000, `occurred_at ${now.body.occurred_at} defaults to now`);
  const off = await post(srv, { contact_id: c.id, type: 'note', occurred_at: '2021-06-01T12:30:00+02:00', properties: { body: 'hi' } });
  expectStatus(off, 201);
  assert.equal(off.body.occurred_at, '2021-06-01T10:30:00Z', 'offset converted to UTC');
});

it('every built-in type is accepted (with the properties/amount it needs)', async (t, srv) => {
  const c = await createContact(srv);
  for (const type of TYPES) {
    const body = { contact_id: c.id, type };
    if (type === 'note') body.properties = { body: 'text' };
    if (type === 'purchase' || type === 'refund') body.amount = { value: 100, currency: 'EUR' };
    const res = await post(srv, body);
    expectStatus(res, 201);
    assert.equal(res.body.type, type);
  }
  const types = await getJson(srv, `${API}/activity-types`);
  assert.deepEqual([...types.built_in].sort(), [...TYPES].sort(), 'built_in lists the built-in types');
});

it('contact by email or external id; company_id only; GET of an unknown activity is 404; activities are immutable', async (t, srv) => {
  const ext = uniq('ext');
  const c = await createContact(srv, { external_id: ext });
  const byEmail = await post(srv, { contact_email: c.email.toUpperCase(), type: 'email_sent' });
  expectStatus(byEmail, 201);
  assert.equal(byEmail.body.contact_id, c.id, 'contact_email is matched case-insensitively');
  const byExt = await post(srv, { contact_external_id: ext, type: 'email_sent' });
  expectStatus(byExt, 201);
  assert.equal(byExt.body.contact_id, c.id);
  const co = await createCompany(srv);
  const coOnly = await post(srv, { company_id: co.id, type: 'meeting' });
  expectStatus(coOnly, 201);
  assert.equal(coOnly.body.contact_id, null);
  assert.equal(coOnly.body.company_id, co.id);
  assertProblem(await request(srv, 'GET', `${API}/activities/987654321`), 404);
  const patch = await request(srv, 'PATCH', `${API}/activities/${byExt.body.id}`, { body: { type: 'note' } });
  const del = await request(srv, 'DELETE', `${API}/activities/${byExt.body.id}`);
  assert.ok([404, 405].includes(patch.status), `PATCH an activity: ${describe(patch)}`);
  assert.ok([404, 405].includes(del.status), `DELETE an activity: ${describe(del)}`);
  assert.equal((await getJson(srv, `${API}/activities/${byExt.body.id}`)).type, 'email_sent', 'unchanged');
});

// ---------------------------------------------------------------------------------------------
// Bad input: a clear per-item error and nothing stored

const FUTURE_10_MIN = () => iso(Date.now() + 10 * 60 * 1000);
// [name, item (contact_id is filled in), field, raw JSON text of the item or null]
const BAD = [
  ['unknown type', { type: 'telepathy' }, 'type'],
  ['missing type', {}, 'type'],
  ['empty type', { type: '' }, 'type'],
  ['type not a string', { type: 5 }, 'type'],
  ['unknown channel', { type: 'chat', channel: 'pigeon' }, 'channel'],
  ['bad currency code', { type: 'purchase', amount: { value: 100, currency: 'XYZ' } }, 'amount.currency'],
  ['currency of four letters', { type: 'purchase', amount: { value: 100, currency: 'EURO' } }, 'amount.currency'],
  ['currency not a string', { type: 'purchase', amount: { value: 100, currency: 978 } }, 'amount.currency'],
  ['amount over 1e15 minor units', { type: 'purchase', amount: { value: 1e15 + 1, currency: 'EUR' } }, 'amount.value'],
  ['amount under -1e15 (refund)', { type: 'refund', amount: { value: -1e15 - 1, currency: 'EUR' } }, 'amount.value'],
  ['amount beyond int64', { type: 'purchase' }, 'amount.value', '"amount":{"value":9223372036854775808,"currency":"EUR"}'],
  ['amount 1e30', { type: 'purchase' }, 'amount.value', '"amount":{"value":1e30,"currency":"EUR"}'],
  ['amount not an integer', { type: 'purchase', amount: { value: 12.5, currency: 'EUR' } }, 'amount.value'],
  ['amount a string', { type: 'purchase', amount: { value: '100', currency: 'EUR' } }, 'amount.value'],
  ['amount not an object', { type: 'purchase', amount: 100 }, 'amount'],
  ['amount with an extra key', { type: 'purchase', amount: { value: 1, currency: 'EUR', tax: 1 } }, 'amount'],
  ['purchase without amount', { type: 'purchase' }, 'amount'],
  ['refund without amount', { type: 'refund' }, 'amount'],
  ['negative purchase', { type: 'purchase', amount: { value: -5, currency: 'EUR' } }, 'amount.value'],
  ['properties over 16 KiB', { type: 'web_visit', properties: { blob: 'x'.repeat(16 * 1024) } }, 'properties'],
  ['properties an array', { type: 'web_visit', properties: ['a'] }, 'properties'],
  ['properties a string', { type: 'web_visit', properties: '{"a":1}' }, 'properties'],
  ['properties a number', { type: 'web_visit', properties: 5 }, 'properties'],
  ['occurred_at 10 minutes in the future', { type: 'web_visit', occurred_at: FUTURE_10_MIN }, 'occurred_at'],
  ['occurred_at next year', { type: 'web_visit', occurred_at: () => iso(Date.now() + 400 * DAY) }, 'occurred_at'],
  ['occurred_at not a timestamp', { type: 'web_visit', occurred_at: 'yesterday' }, 'occurred_at'],
  ['occurred_at a date only', { type: 'web_visit', occurred_at: '2024-01-01' }, 'occurred_at'],
  ['note without body', { type: 'note', properties: { text: 'hi' } }, 'properties.body'],
  ['note without properties', { type: 'note' }, 'properties.body'],
  ['note with an empty body', { type: 'note', properties: { body: '' } }, 'properties.body'],
  ['call with negative duration', { type: 'call', properties: { duration_seconds: -1 } }, 'properties.duration_seconds'],
  ['call with fractional duration', { type: 'call', properties: { duration_seconds: 1.5 } }, 'properties.duration_seconds'],
  ['meeting with a string duration', { type: 'meeting', properties: { duration_seconds: '60' } }, 'properties.duration_seconds'],
  ['call with a numeric outcome', { type: 'call', properties: { outcome: 3 } }, 'properties.outcome'],
  ['unknown contact_id', { type: 'chat', contact_id: 987654321 }, 'contact_id'],
  ['unknown contact_email', { type: 'chat', contact_id: undefined, contact_email: 'nobody-here@example.com' }, 'contact_email'],
  ['unknown contact_external_id', { type: 'chat', contact_id: undefined, contact_external_id: 'no-such-ext' }, 'contact_external_id'],
  ['no contact and no company', { type: 'chat', contact_id: undefined }, 'contact_id'],
  ['unknown company_id', { type: 'chat', company_id: 987654321 }, 'company_id'],
  ['unknown field', { type: 'chat', colour: 'red' }, 'colour'],
  ['empty client id', { type: 'chat', id: '' }, 'id'],
  ['client id over 255 chars', { type: 'chat', id: 'i'.repeat(256) }, 'id'],
  ['upsert with an invalid email', { type: 'chat', contact_id: undefined, contact_email: 'not an email', upsert_contact: true }, 'contact_email'],
];

// The JSON text of a BAD item for contact `cid`.
function badJson(item, cid, raw) {
  const o = { contact_id: cid };
  for (const [k, v] of Object.entries(item)) o[k] = typeof v === 'function' ? v() : v;
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  const text = JSON.stringify(o);
  return raw ? `${text.slice(0, -1)},${raw}}` : text;
}

for (const [name, item, field, raw] of BAD) {
  it(`rejects ${name}: 422 naming "${field}" (single) and "activities[i].${field}" (batch); nothing stored`, async (t, srv) => {
    const c = await createContact(srv);
    const contactsBefore = Number(sqlite(srv.dbPath, 'SELECT count(*) FROM contacts', { readonly: true }));
    const before = countRows(srv);
    const single = await post(srv, badJson(item, c.id, raw));
    assertProblem(single, 422, [field]);
    assert.equal(countRows(srv), before, 'a rejected activity stores nothing');

    // In a batch between two good items: the good ones are stored, the bad one is not.
    const good = (n) => JSON.stringify({ contact_id: c.id, type: 'web_visit', properties: { n } });
    const text = `{"activities":[${good(1)},${badJson(item, c.id, raw)},${good(2)}]}`;
    const res = await request(srv, 'POST', `${API}/activities/batch`, { body: text });
    expectStatus(res, 200);
    const b = res.body;
    assert.equal(b.results.length, 3);
    assert.equal(b.results[0].status, 201);
    assert.equal(b.results[2].status, 201);
    assertItemError(b.results[1], 1, `activities[1].${field}`);
    assert.equal(b.created, 2);
    assert.equal(b.failed, 1);
    assert.equal(b.duplicates, 0);
    assert.equal(countRows(srv), before + 2, 'only the good items are stored');
    assert.equal(countRows(srv, `contact_id = ${c.id} AND type <> 'web_visit'`), 0);
    assert.equal(Number(sqlite(srv.dbPath, 'SELECT count(*) FROM contacts', { readonly: true })), contactsBefore,
      'no contact was created');
    const ov = await overview(srv, `${API}/contacts/${c.id}`);
    assert.deepEqual(Object.keys(ov.body.activity_counts), ['web_visit'], 'the bad item did not touch the aggregates');
    assert.equal(ov.body.activity_counts.web_visit.last_30_days, 2);
  });
}

it('boundaries that are accepted: 1e15 minor units, 1 minute in the future, properties just under 16 KiB, 1990', async (t, srv) => {
  const c = await createContact(srv);
  const ok = [
    { type: 'purchase', amount: { value: 1e15, currency: 'EUR' } },
    { type: 'refund', amount: { value: 1e15, currency: 'JPY' } },
    { type: 'purchase', amount: { value: 0, currency: 'USD' } },
    { type: 'web_visit', occurred_at: iso(Date.now() + 60 * 1000) },
    { type: 'web_visit', properties: { blob: 'x'.repeat(16 * 1024 - 20) } },
    { type: 'web_visit', occurred_at: '1990-01-01T00:00:00Z' },
    { type: 'call', properties: { duration_seconds: 0 } },
    { type: 'note', properties: { body: 'b', extra: { nested: [1, 2] } } },
  ];
  for (const item of ok) {
    const res = await post(srv, { contact_id: c.id, ...item });
    expectStatus(res, 201);
  }
  assert.equal(countRows(srv, `contact_id = ${c.id}`), ok.length);
});

it('batch envelope errors reject the whole request and store nothing', async (t, srv) => {
  const c = await createContact(srv);
  const before = countRows(srv);
  const one = { contact_id: c.id, type: 'chat' };
  assertProblem(await request(srv, 'POST', `${API}/activities/batch`, { body: {} }), 422, ['activities']);
  assertProblem(await request(srv, 'POST', `${API}/activities/batch`, { body: { activities: one } }), 422, ['activities']);
  assertProblem(await request(srv, 'POST', `${API}/activities/batch`, { body: { activities: [one], extra: 1 } }), 422, ['extra']);
  const tooMany = await postBatch(srv, Array.from({ length: 10001 }, () => one));
  assert.ok([400, 413, 422].includes(tooMany.status), describe(tooMany));
  assertProblem(tooMany, tooMany.status);
  assertProblem(await request(srv, 'POST', `${API}/activities/batch`, { body: '{"activities": [' }), 400);
  assert.equal(countRows(srv), before);
  // A non-object item fails alone.
  const res = await postBatch(srv, [one, 5, null, 'x', one]);
  expectStatus(res, 200);
  assert.equal(res.body.created, 2);
  assert.equal(res.body.failed, 3);
  for (const i of [1, 2, 3]) assertItemError(res.body.results[i], i, `activities[${i}]`);
  assert.equal(countRows(srv), before + 2);
});

it('batch with mixed good and bad items: results in order, only the good stored, errors name activities[i].field', async (t, srv) => {
  const r = rng(SEED + 1);
  const c = await createContact(srv);
  const before = countRows(srv);
  const items = [];
  const expectBad = new Map(); // index -> field
  for (let i = 0; i < 500; i += 1) {
    const roll = r();
    if (roll < 0.1) {
      items.push({ contact_id: c.id, type: 'no_such_type' });
      expectBad.set(i, `activities[${i}].type`);
    } else if (roll < 0.15) {
      items.push({ contact_id: c.id, type: 'purchase', amount: { value: 100, currency: 'ZZZ' } });
      expectBad.set(i, `activities[${i}].amount.currency`);
    } else if (roll < 0.2) {
      items.push({ contact_id: c.id, type: 'note', properties: {} });
      expectBad.set(i, `activities[${i}].properties.body`);
    } else if (roll < 0.25) {
      items.push({ contact_id: c.id, type: 'web_visit', occurred_at: FUTURE_10_MIN() });
      expectBad.set(i, `activities[${i}].occurred_at`);
    } else {
      items.push({ contact_id: c.id, type: 'email_opened', occurred_at: iso(Date.now() - r.int(0, 1000) * DAY), properties: { i } });
    }
  }
  const res = await postBatch(srv, items);
  expectStatus(res, 200);
  const b = res.body;
  assert.equal(b.results.length, items.length);
  assert.equal(b.failed, expectBad.size);
  assert.equal(b.created, items.length - expectBad.size);
  assert.equal(b.duplicates, 0);
  const ids = new Set();
  b.results.forEach((x, i) => {
    assert.equal(x.index, i, 'results are in input order');
    if (expectBad.has(i)) {
      assertItemError(x, i, expectBad.get(i));
    } else {
      assert.equal(x.status, 201, JSON.stringify(x));
      assert.equal(x.duplicate, false);
      assert.ok(Number.isInteger(x.id));
      ids.add(x.id);
    }
  });
  assert.equal(ids.size, b.created, 'distinct ids');
  assert.equal(countRows(srv), before + b.created);
  // Each stored row is the item that was sent at that index.
  const stored = sqlite(srv.dbPath, `SELECT id, json_extract(properties, '$.i') FROM activities WHERE contact_id = ${c.id}`, { readonly: true })
    .split('\n').map((l) => l.split('|').map(Number));
  const byId = new Map(stored);
  b.results.forEach((x, i) => { if (x.id) assert.equal(byId.get(x.id), i, `activity ${x.id} holds item ${i}`); });
  assert.equal(countRows(srv, `contact_id = ${c.id} AND type <> 'email_opened'`), 0);
});

// ---------------------------------------------------------------------------------------------
// Idempotency by client id

it('the same client id twice stores one activity: 201 then 200 with the stored activity', async (t, srv) => {
  const c = await createContact(srv);
  const id = uniq('act-');
  const body = { id, contact_id: c.id, type: 'purchase', amount: { value: 4200, currency: 'EUR' }, occurred_at: iso(Date.now() - DAY) };
  const first = await post(srv, body);
  expectStatus(first, 201);
  assert.equal(first.body.client_id, id);
  const again = await post(srv, body);
  expectStatus(again, 200);
  assert.deepEqual(again.body, first.body, 'a retry returns the stored activity');
  // A retry with a different body still returns the first one and changes nothing.
  const changed = await post(srv, { ...body, amount: { value: 1, currency: 'USD' } });
  expectStatus(changed, 200);
  assert.deepEqual(changed.body, first.body);
  assert.equal(countRows(srv, `client_id = ${q(id)}`), 1);
  const ov = await overview(srv, `${API}/contacts/${c.id}`);
  assert.equal(ov.body.revenue.length, 1);
  assert.equal(ov.body.revenue[0].order_count, 1, 'aggregates counted once');
  assert.equal(ov.body.revenue[0].total, 4200);
  // In a batch the same client id is a duplicate too.
  const res = await postBatch(srv, [body, { ...body, id: `${id}-b` }, { ...body, id: `${id}-b` }]);
  expectStatus(res, 200);
  assert.deepEqual(res.body.results[0], { index: 0, status: 200, id: first.body.id, duplicate: true });
  assert.equal(res.body.results[1].status, 201);
  assert.deepEqual(res.body.results[2], { index: 2, status: 200, id: res.body.results[1].id, duplicate: true },
    'the same id twice in one batch');
  assert.equal(res.body.created, 1);
  assert.equal(res.body.duplicates, 2);
  assert.equal(res.body.failed, 0);
  assert.equal(countRows(srv, `contact_id = ${c.id}`), 2);
  // Audited once per activity created, by reference (activities are immutable): the
  // single create and the batch's one new item; the duplicates created nothing.
  for (const created of [first.body.id, res.body.results[1].id]) {
    const audit = expectStatus(await request(srv, 'GET', `${API}/audit?entity=activity&id=${created}`), 200);
    assert.equal(audit.body.data.length, 1);
    assert.equal(audit.body.data[0].action, 'create');
    assert.equal(audit.body.data[0].changes, null);
  }
});

it('a batch is audited and fed to the change feed as one entry per run of new ids', async (t, srv) => {
  const c = await createContact(srv);
  const items = Array.from({ length: 40 }, (_, i) => ({ contact_id: c.id, type: 'web_visit', properties: { i } }));
  items[17] = { contact_id: c.id, type: 'nonsense' };  // rejected: writes nothing, breaks no run
  const res = await postBatch(srv, items);
  expectStatus(res, 200);
  assert.equal(res.body.created, 39);
  const ids = res.body.results.filter((r) => r.status === 201).map((r) => r.id);
  const [first, last] = [ids[0], ids[ids.length - 1]];
  assert.equal(last - first, 38, 'the new ids are consecutive');
  for (const id of [first, ids[20], last]) {
    const audit = expectStatus(await request(srv, 'GET', `${API}/audit?entity=activity&id=${id}`), 200);
    assert.equal(audit.body.data.length, 1, `one entry covers activity ${id}`);
    const e = audit.body.data[0];
    assert.equal(e.action, 'create');
    assert.equal(e.entity_id, first);
    assert.equal(e.entity_id_last, last);
    assert.equal(e.changes, null);
  }
  const outside = expectStatus(await request(srv, 'GET', `${API}/audit?entity=activity&id=${last + 1}`), 200);
  assert.equal(outside.body.data.length, 0);
  const feed = sqlite(srv.dbPath, `SELECT entity_id, entity_id_last FROM change_feed WHERE entity = 'activity' AND entity_id >= ${first}`, { readonly: true });
  assert.deepEqual(feed.trim(), `${first}|${last}`);
});

it('client ids are per workspace-unique across single and batch, and a rejected item does not reserve its id', async (t, srv) => {
  const c = await createContact(srv);
  const id = uniq('act-');
  const bad = await post(srv, { id, contact_id: c.id, type: 'nope' });
  assertProblem(bad, 422, ['type']);
  assert.equal(countRows(srv, `client_id = ${q(id)}`), 0);
  const ok = await post(srv, { id, contact_id: c.id, type: 'chat' });
  expectStatus(ok, 201);
  const viaBatch = await postBatch(srv, [{ id, contact_id: c.id, type: 'chat' }]);
  assert.deepEqual(viaBatch.body.results[0], { index: 0, status: 200, id: ok.body.id, duplicate: true });
});

it('concurrent retries of one single POST store exactly one activity', async (t, srv) => {
  const c = await createContact(srv);
  const id = uniq('conc-');
  const body = { id, contact_id: c.id, type: 'purchase', amount: { value: 999, currency: 'GBP' } };
  const all = await Promise.all(Array.from({ length: 24 }, () => post(srv, body)));
  const statuses = all.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, `one 201: ${statuses}`);
  assert.equal(statuses.filter((s) => s === 200).length, 23, `the rest 200: ${statuses}`);
  assert.equal(new Set(all.map((r) => r.body.id)).size, 1, 'all answers name the same activity');
  assert.equal(countRows(srv, `client_id = ${q(id)}`), 1);
  const ov = await overview(srv, `${API}/contacts/${c.id}`);
  assert.equal(ov.body.revenue[0].order_count, 1);
  assert.equal(ov.body.activity_counts.purchase.last_30_days, 1);
});

it('concurrent retries of one batch store each activity once; aggregates count each once', async (t, srv) => {
  const c = await createContact(srv);
  const prefix = uniq('cb-');
  const items = Array.from({ length: 300 }, (_, i) => ({
    id: `${prefix}-${i}`, contact_id: c.id, type: i % 3 ? 'email_sent' : 'purchase',
    ...(i % 3 ? {} : { amount: { value: 100 + i, currency: 'EUR' } }),
    occurred_at: iso(Date.now() - (i % 50) * DAY),
  }));
  const answers = await Promise.all(Array.from({ length: 5 }, () => postBatch(srv, items)));
  for (const a of answers) expectStatus(a, 200);
  const created = answers.reduce((n, a) => n + a.body.created, 0);
  const dups = answers.reduce((n, a) => n + a.body.duplicates, 0);
  assert.equal(created, 300, 'each item created once over all answers');
  assert.equal(dups, 4 * 300);
  for (let i = 0; i < items.length; i += 1) {
    const ids = new Set(answers.map((a) => a.body.results[i].id));
    assert.equal(ids.size, 1, `item ${i}: every answer names the same activity`);
  }
  assert.equal(countRows(srv, `contact_id = ${c.id}`), 300);
  const ov = await overview(srv, `${API}/contacts/${c.id}`);
  assert.equal(ov.body.activity_counts.purchase.last_365_days, 100);
  assert.equal(ov.body.activity_counts.email_sent.last_365_days, 200);
  const total = items.filter((x) => x.amount).reduce((n, x) => n + x.amount.value, 0);
  assert.equal(ov.body.revenue[0].total, total);
  // A sequential retry: all duplicates, nothing new.
  const retry = await postBatch(srv, items);
  assert.equal(retry.body.duplicates, 300);
  assert.equal(retry.body.created, 0);
  assert.equal(countRows(srv, `contact_id = ${c.id}`), 300);
});

it('Idempotency-Key on POST /activities replays the stored response', async (t, srv) => {
  const c = await createContact(srv);
  const key = uniq('key-');
  const body = { contact_id: c.id, type: 'chat' };
  const a = await post(srv, body, { 'Idempotency-Key': key });
  expectStatus(a, 201);
  const b = await post(srv, body, { 'Idempotency-Key': key });
  expectStatus(b, 201);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.equal(b.body.id, a.body.id);
  assert.equal(countRows(srv, `contact_id = ${c.id}`), 1);
});

// ---------------------------------------------------------------------------------------------
// Contact upsert

it('upsert_contact creates an unknown contact from the email, once', async (t, srv) => {
  const email = uniqEmail('up');
  const ext = uniq('upx');
  const res = await post(srv, { contact_email: email.toUpperCase(), contact_external_id: ext, upsert_contact: true, type: 'web_visit', source: 'shop' });
  expectStatus(res, 201);
  const cid = res.body.contact_id;
  assert.ok(Number.isInteger(cid));
  const contact = await getJson(srv, `${API}/contacts/${cid}`);
  assert.equal(contact.email, email, 'email normalised');
  assert.equal(contact.external_id, ext);
  // Known now: resolved without upsert, by email or external id.
  const again = await post(srv, { contact_email: email, type: 'web_visit' });
  assert.equal(again.body.contact_id, cid);
  const byExt = await post(srv, { contact_external_id: ext, type: 'web_visit' });
  assert.equal(byExt.body.contact_id, cid);
  // Several items in one batch with the same new email: one contact.
  const email2 = uniqEmail('up');
  const b = await postBatch(srv, Array.from({ length: 5 }, () => ({ contact_email: email2, upsert_contact: true, type: 'email_opened' })));
  assert.equal(b.body.created, 5, JSON.stringify(b.body));
  const list = await getJson(srv, `${API}/contacts?email=${encodeURIComponent(email2)}`);
  assert.equal(list.data.length, 1, 'one contact for the email');
  assert.equal(countRows(srv, `contact_id = ${list.data[0].id}`), 5);
  // Without upsert an unknown email is an error and creates nothing.
  const email3 = uniqEmail('up');
  const no = await post(srv, { contact_email: email3, type: 'chat' });
  assertProblem(no, 422, ['contact_email']);
  assert.equal((await getJson(srv, `${API}/contacts?email=${encodeURIComponent(email3)}`)).data.length, 0);
  // upsert_contact with only an external id cannot create (needs an email).
  const noEmail = await post(srv, { contact_external_id: uniq('zz'), upsert_contact: true, type: 'chat' });
  assertProblem(noEmail, 422, ['contact_external_id']);
});

it('a failing upsert item in a batch leaves no contact behind', async (t, srv) => {
  const email = uniqEmail('up');
  const contactsBefore = Number(sqlite(srv.dbPath, 'SELECT count(*) FROM contacts', { readonly: true }));
  // Valid email, but the activity fails after the contact would be created (unknown company).
  const res = await postBatch(srv, [{ contact_email: email, upsert_contact: true, type: 'chat', company_id: 987654321 }]);
  expectStatus(res, 200);
  assertItemError(res.body.results[0], 0, 'activities[0].company_id');
  assert.equal(Number(sqlite(srv.dbPath, 'SELECT count(*) FROM contacts', { readonly: true })), contactsBefore,
    'the upserted contact is rolled back with its item');
  assert.equal((await getJson(srv, `${API}/contacts?email=${encodeURIComponent(email)}`)).data.length, 0);
});

// ---------------------------------------------------------------------------------------------
// Past-dated imports, refunds

it('past-dated imports (years ago) count in the right 30/90/365-day windows and never move last touch back', async (t, srv) => {
  const c = await createContact(srv);
  const now = Date.now();
  const ago = [1, 10, 45, 80, 200, 300, 400, 2 * 365, 6 * 365, 20 * 365];
  // Newest first, so every later import is older than what is stored.
  const results = await ingest(srv, ago.map((d) => ({ contact_id: c.id, type: 'web_visit', occurred_at: iso(now - d * DAY - 3600000) })));
  assert.equal(results.length, ago.length);
  await ingest(srv, [{ contact_id: c.id, type: 'purchase', amount: { value: 5000, currency: 'EUR' }, occurred_at: iso(now - 3 * 365 * DAY) }]);
  const ov = await overview(srv, `${API}/contacts/${c.id}`);
  assert.deepEqual(ov.body.activity_counts.web_visit, { last_30_days: 2, last_90_days: 4, last_365_days: 6 });
  assert.equal(ov.body.activity_counts.purchase, undefined, 'a purchase 3 years ago is outside every window');
  assert.equal(Number(tsMicros(ov.body.last_touch.web) / 1000n), now - DAY - 3600000);
  assert.equal(Number(tsMicros(ov.body.last_activity_at) / 1000n), now - DAY - 3600000);
  const rev = ov.body.revenue[0];
  assert.equal(rev.order_count, 1);
  assert.equal(Number(tsMicros(rev.last_purchase_at) / 1000n), now - 3 * 365 * DAY);
  assert.ok(Math.abs(rev.days_since_last_purchase - 3 * 365) <= 1, `days_since_last_purchase ${rev.days_since_last_purchase}`);
  // An old purchase imported after a recent one moves first_purchase_at, not last_purchase_at.
  await ingest(srv, [{ contact_id: c.id, type: 'purchase', amount: { value: 100, currency: 'EUR' }, occurred_at: iso(now - 2 * DAY) }]);
  await ingest(srv, [{ contact_id: c.id, type: 'purchase', amount: { value: 100, currency: 'EUR' }, occurred_at: '2012-03-04T05:06:07Z' }]);
  const ov2 = await overview(srv, `${API}/contacts/${c.id}`);
  assert.equal(ov2.body.revenue[0].first_purchase_at, '2012-03-04T05:06:07Z');
  assert.equal(Number(tsMicros(ov2.body.revenue[0].last_purchase_at) / 1000n), now - 2 * DAY);
  assert.equal(ov2.body.revenue[0].days_since_last_purchase, 2);
  assert.equal(ov2.body.activity_counts.purchase.last_30_days, 1);
});

it('refunds are stored negative and counted in refund_count/refund_total, per currency', async (t, srv) => {
  const c = await createContact(srv);
  const now = Date.now();
  const p = await post(srv, { contact_id: c.id, type: 'purchase', amount: { value: 10000, currency: 'EUR' }, occurred_at: iso(now - 10 * DAY) });
  expectStatus(p, 201);
  assert.deepEqual(p.body.amount, { value: 10000, currency: 'EUR' });
  const r1 = await post(srv, { contact_id: c.id, type: 'refund', amount: { value: 2500, currency: 'EUR' }, occurred_at: iso(now - 5 * DAY), properties: { refers_to: p.body.id } });
  expectStatus(r1, 201);
  assert.deepEqual(r1.body.amount, { value: -2500, currency: 'EUR' }, 'a positive refund is stored negative');
  assert.deepEqual((await getJson(srv, `${API}/activities/${r1.body.id}`)).amount, { value: -2500, currency: 'EUR' });
  assert.equal(sqlite(srv.dbPath, `SELECT amount FROM activities WHERE id = ${r1.body.id}`, { readonly: true }), '-2500');
  const r2 = await post(srv, { contact_id: c.id, type: 'refund', amount: { value: -1000, currency: 'EUR' } });
  assert.deepEqual(r2.body.amount, { value: -1000, currency: 'EUR' }, 'a negative refund stays negative');
  const r3 = await post(srv, { contact_id: c.id, type: 'refund', amount: { value: 700, currency: 'USD' } });
  expectStatus(r3, 201);
  const ov = await overview(srv, `${API}/contacts/${c.id}`);
  const byCur = Object.fromEntries(ov.body.revenue.map((r) => [r.currency, r]));
  assert.deepEqual(Object.keys(byCur).sort(), ['EUR', 'USD']);
  const eur = byCur.EUR;
  assert.equal(eur.order_count, 1);
  assert.equal(eur.total, 10000, 'total is purchases only');
  assert.equal(eur.average_order_value, 10000);
  assert.equal(eur.refund_count, 2);
  assert.equal(eur.refund_total, 3500, 'refund_total is the positive amount refunded');
  assert.equal(eur.days_since_last_purchase, 10);
  const usd = byCur.USD;
  assert.equal(usd.order_count, 0);
  assert.equal(usd.total, 0);
  assert.equal(usd.average_order_value, 0);
  assert.equal(usd.refund_count, 1);
  assert.equal(usd.refund_total, 700);
  assert.equal(usd.first_purchase_at, null);
  assert.equal(usd.last_purchase_at, null);
  assert.equal(usd.days_since_last_purchase, null);
  assert.equal(ov.body.activity_counts.refund.last_30_days, 3);
});

// ---------------------------------------------------------------------------------------------
// The overview against values computed from what was sent (seeded random data)

// A realistic random activity for a contact (or null contact when companyOnly).
function randomActivity(r, now, ref) {
  const type = r.pick(['purchase', 'purchase', 'refund', 'email_sent', 'email_opened', 'email_clicked',
    'web_visit', 'web_visit', 'ticket_opened', 'ticket_closed', 'call', 'meeting', 'note', 'chat', 'survey_response']);
  // Mostly recent, some old (history import): up to 5 years back, millisecond precision.
  const back = r() < 0.5 ? r.int(0, 400 * DAY) : r.int(0, 5 * 365 * DAY);
  const a = { ...ref, type, occurred_at: iso(now - back) };
  if (type === 'purchase' || type === 'refund') {
    a.amount = { value: Math.round(Math.exp(r() * 10)) * (type === 'refund' && r() < 0.5 ? -1 : 1), currency: r.pick(['EUR', 'EUR', 'USD', 'JPY']) };
  }
  if (type === 'note') a.properties = { body: `note ${r.int(0, 1e6)}` };
  if (type === 'call' || type === 'meeting') a.properties = { duration_seconds: r.int(0, 3600), outcome: 'ok' };
  if (r() < 0.2) a.channel = r.pick(CHANNELS);
  return a;
}
const DEFAULT_CHANNEL = {
  email_sent: 'email', email_opened: 'email', email_clicked: 'email', call: 'phone', meeting: 'in_person',
  web_visit: 'web', chat: 'chat', ticket_opened: 'support', ticket_closed: 'support',
};
const sent = (a) => ({
  type: a.type, channel: a.channel ?? DEFAULT_CHANNEL[a.type] ?? 'other',
  occurredMs: Date.parse(a.occurred_at), amount: a.amount,
});

let companyCounts = null; // set by the next test

it('contact and company overviews equal the aggregates computed from the sent activities (random, seeded)', async (t, srv) => {
  const r = rng(SEED + 2);
  const now = Date.now() - 60000;
  const co = await createCompany(srv);
  const members = [];
  for (let i = 0; i < 4; i += 1) members.push(await createContact(srv, { company_id: co.id }));
  const outsider = await createContact(srv);
  const everyone = [...members, outsider];
  const items = [];
  const perContact = new Map(everyone.map((c) => [c.id, []]));
  for (let i = 0; i < 1500; i += 1) {
    const c = r.pick(everyone);
    const a = randomActivity(r, now, r() < 0.5 ? { contact_id: c.id } : { contact_email: c.email });
    items.push(a);
    perContact.get(c.id).push(sent(a));
    if (r() < 0.05) items.push({ contact_id: c.id, type: 'purchase', amount: { value: 1, currency: 'ABC' } }); // bad: must not count
    if (r() < 0.03) items.push({ ...a, occurred_at: FUTURE_10_MIN() }); // bad: future
  }
  // Activities logged on the company itself (no contact).
  const companyOnly = [];
  for (let i = 0; i < 20; i += 1) {
    const a = randomActivity(r, now, { company_id: co.id });
    if (a.type === 'purchase' || a.type === 'refund') continue;
    items.push(a);
    companyOnly.push(sent(a));
  }
  let created = 0;
  let failed = 0;
  for (let i = 0; i < items.length; i += 700) {
    const res = await postBatch(srv, items.slice(i, i + 700));
    expectStatus(res, 200);
    created += res.body.created;
    failed += res.body.failed;
  }
  const expectedCreated = [...perContact.values()].reduce((n, xs) => n + xs.length, 0) + companyOnly.length;
  assert.equal(created, expectedCreated);
  assert.equal(failed, items.length - expectedCreated);

  for (const c of everyone) {
    const ov = await overview(srv, `${API}/contacts/${c.id}`);
    const exp = expectedAggregates(perContact.get(c.id), ov.before);
    assertOverview(ov.body, exp, ov.before, ov.after, `contact ${c.id}`);
    assert.equal(ov.body.contact.id, c.id);
    if (c.company_id) assert.equal(ov.body.company.id, co.id);
    else assert.equal(ov.body.company, null);
  }

  // The company: its contacts' aggregates summed; its own activities count as touches.
  const ov = await overview(srv, `${API}/companies/${co.id}`);
  const memberActs = members.flatMap((c) => perContact.get(c.id));
  const exp = expectedAggregates(memberActs, ov.before);
  const own = expectedAggregates(companyOnly, ov.before);
  for (const [ch, at] of own.touch) exp.touch.set(ch, Math.max(exp.touch.get(ch) ?? -Infinity, at));
  exp.last = Math.max(exp.last, own.last);
  assert.equal(ov.body.company.id, co.id);
  // Revenue and touches always roll up; activity_counts: contacts' activities (the company's
  // own activities are checked separately below so that a failure says which part differs).
  const gotCounts = ov.body.activity_counts;
  assertOverview({ ...ov.body, activity_counts: {} }, { ...exp, counts: new Map() }, ov.before, ov.after, `company ${co.id}`);
  const withOwn = expectedAggregates([...memberActs, ...companyOnly], ov.before).counts;
  const norm = (m) => Object.fromEntries([...m].filter(([, c]) => c.some(Boolean)));
  const got = Object.fromEntries(Object.entries(gotCounts).map(([k, c]) => [k, [c.last_30_days, c.last_90_days, c.last_365_days]])
    .filter(([, c]) => c.some(Boolean)));
  companyCounts = { got, withOwn: norm(withOwn), contactsOnly: norm(exp.counts) };
  // At least every type's count covers its contacts' activities.
  for (const [type, c] of Object.entries(companyCounts.contactsOnly)) {
    assert.ok(got[type] && got[type].every((x, i) => x >= c[i]), `company counts of ${type}: ${JSON.stringify(got[type])} >= ${JSON.stringify(c)}`);
  }
});

it('company activity_counts also count the activities logged on the company itself (as its timeline and last_touch do)', () => {
  assert.ok(companyCounts, 'the previous test ran');
  assert.deepEqual(companyCounts.got, companyCounts.withOwn,
    `company activity_counts should include its own activities; contacts only would be ${JSON.stringify(companyCounts.contactsOnly)}`);
});

it('aggregates equal a recomputation from the raw activity rows (sqlite)', async (t, srv) => {
  // Every contact with activities so far in this run: the maintained tables against the log,
  // once the server has folded every activity into them (it does at the first pause).
  const check = (sql) => sqlite(srv.dbPath, sql, { readonly: true });
  for (let i = 0; check('SELECT count(*) FROM activities_unfolded') !== '0'; i++) {
    assert.ok(i < 200, 'the server folds every activity within 20 s of the last write');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const revDiff = check(`
    WITH raw AS (
      SELECT contact_id, currency,
             SUM(type = 'purchase') AS pc, SUM(CASE WHEN type = 'purchase' THEN amount ELSE 0 END) AS pt,
             SUM(type = 'refund') AS rc, SUM(CASE WHEN type = 'refund' THEN -amount ELSE 0 END) AS rt,
             MIN(CASE WHEN type = 'purchase' THEN occurred_at END) AS f,
             MAX(CASE WHEN type = 'purchase' THEN occurred_at END) AS l
      FROM activities WHERE contact_id IS NOT NULL AND type IN ('purchase', 'refund') AND amount IS NOT NULL
      GROUP BY contact_id, currency)
    SELECT count(*) FROM raw FULL OUTER JOIN contact_revenue m USING (contact_id, currency)
    WHERE m.purchase_count IS NOT raw.pc OR m.purchase_total IS NOT raw.pt OR m.refund_count IS NOT raw.rc
       OR m.refund_total IS NOT raw.rt OR m.first_purchase_at IS NOT raw.f OR m.last_purchase_at IS NOT raw.l`);
  assert.equal(revDiff, '0', 'contact_revenue equals the recomputation');
  const touchDiff = check(`
    WITH raw AS (SELECT contact_id, channel, MAX(occurred_at) AS l FROM activities WHERE contact_id IS NOT NULL GROUP BY 1, 2)
    SELECT count(*) FROM raw FULL OUTER JOIN contact_channel_touch m USING (contact_id, channel) WHERE m.last_at IS NOT raw.l`);
  assert.equal(touchDiff, '0', 'contact_channel_touch equals the recomputation');
  // Day buckets exist for the activities within 365 + 31 days of the day they were
  // recorded: older ones can never enter a window again.
  const dayDiff = check(`
    WITH days AS (SELECT contact_id, type,
                         (occurred_at - ((occurred_at % 86400000000) + 86400000000) % 86400000000) / 86400000000 AS day,
                         recorded_at / 86400000000 AS recorded_day
                  FROM activities WHERE contact_id IS NOT NULL),
         raw AS (SELECT contact_id, type, day, count(*) AS n FROM days
                 WHERE day >= recorded_day - 395 GROUP BY 1, 2, 3)
    SELECT count(*) FROM raw FULL OUTER JOIN contact_activity_days m USING (contact_id, type, day) WHERE m.count IS NOT raw.n`);
  assert.equal(dayDiff, '0', 'contact_activity_days equals the recomputation');
});

// ---------------------------------------------------------------------------------------------
// Timelines

it('timeline pagination: each activity exactly once, newest first, ties broken by id, across page sizes', async (t, srv) => {
  const r = rng(SEED + 3);
  const c = await createContact(srv);
  const base = Date.now() - 1000 * DAY;
  const items = [];
  for (let i = 0; i < 420; i += 1) {
    // Groups of identical timestamps (ties) and scattered ones, inserted in random order.
    const at = r() < 0.5 ? base + r.int(0, 20) * DAY : base + r.int(0, 900 * DAY);
    items.push({ id: `tl-${c.id}-${i}`, contact_id: c.id, type: r.pick(['email_sent', 'web_visit', 'chat']), occurred_at: iso(at) });
  }
  const results = await ingest(srv, items);
  const expected = results.map((x, i) => ({ id: x.id, at: Date.parse(items[i].occurred_at) }))
    .sort((a, b) => b.at - a.at || b.id - a.id).map((x) => x.id);
  for (const limit of [1, 7, 50, 419, 420, 1000]) {
    const rows = await timelineAll(srv, `${API}/contacts/${c.id}`, '', limit);
    assert.deepEqual(rows.map((x) => x.id), expected, `limit ${limit}: every activity once, newest first, ties by id desc`);
  }
  const rows = await timelineAll(srv, `${API}/contacts/${c.id}`, '', 100);
  assertNewestFirst(rows, 'timeline');
  for (const row of rows) assert.deepEqual(Object.keys(row).sort(), [...ACTIVITY_KEYS].sort());
  // Default page size 50.
  const first = await getJson(srv, `${API}/contacts/${c.id}/timeline`);
  assert.equal(first.data.length, 50);
  assert.deepEqual(first.data.map((x) => x.id), expected.slice(0, 50));
});

it('timeline paging while activities are added: every original row once', async (t, srv) => {
  const c = await createContact(srv);
  const now = Date.now();
  const results = await ingest(srv, Array.from({ length: 120 }, (_, i) => ({ contact_id: c.id, type: 'chat', occurred_at: iso(now - (i % 40) * 3600000 - 10000) })));
  const ids = new Set(results.map((x) => x.id));
  const seen = [];
  let cursor = null;
  for (let page = 0; ; page += 1) {
    const qs = `limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await getJson(srv, `${API}/contacts/${c.id}/timeline?${qs}`);
    seen.push(...res.data.map((x) => x.id));
    // Newer and older ones arrive while paging.
    await ingest(srv, [{ contact_id: c.id, type: 'chat', occurred_at: iso(now) }, { contact_id: c.id, type: 'chat', occurred_at: iso(now - 100 * DAY) }]);
    if (!res.next_cursor) break;
    cursor = res.next_cursor;
  }
  const orig = seen.filter((id) => ids.has(id));
  assert.equal(orig.length, ids.size, 'every original row once');
  assert.equal(new Set(seen).size, seen.length, 'no row twice');
});

it('timeline filters: type list, channel, since/until, combined with paging', async (t, srv) => {
  const r = rng(SEED + 4);
  const c = await createContact(srv);
  const now = Date.now() - 60000;
  const items = Array.from({ length: 300 }, () => randomActivity(r, now, { contact_id: c.id }));
  const results = await ingest(srv, items);
  const all = results.map((x, i) => ({ id: x.id, ...sent(items[i]) }))
    .sort((a, b) => b.occurredMs - a.occurredMs || b.id - a.id);
  const base = `${API}/contacts/${c.id}`;
  const check = async (qs, pred, label) => {
    const want = all.filter(pred).map((x) => x.id);
    const got = await timelineAll(srv, base, qs, 17);
    assert.deepEqual(got.map((x) => x.id), want, `${label} (${qs})`);
    return got;
  };
  await check('type=purchase', (x) => x.type === 'purchase', 'one type');
  await check('type=purchase,refund,note', (x) => ['purchase', 'refund', 'note'].includes(x.type), 'a comma list');
  await check('type=purchase&type=web_visit', (x) => ['purchase', 'web_visit'].includes(x.type), 'a repeated parameter');
  await check('channel=email', (x) => x.channel === 'email', 'channel');
  await check('channel=support,web', (x) => ['support', 'web'].includes(x.channel), 'channel list');
  const since = now - 200 * DAY;
  const until = now - 20 * DAY;
  await check(`since=${iso(since)}`, (x) => x.occurredMs >= since, 'since');
  await check(`until=${iso(until)}`, (x) => x.occurredMs < until, 'until');
  await check(`since=${iso(since)}&until=${iso(until)}&type=email_sent,web_visit&channel=email`,
    (x) => x.occurredMs >= since && x.occurredMs < until && ['email_sent', 'web_visit'].includes(x.type) && x.channel === 'email', 'all filters');
  await check('type=segment_exited', () => false, 'a type with no activities');
  // Offsets in since/until.
  await check(`since=${encodeURIComponent('2030-01-01T00:00:00+14:00')}`, (x) => x.occurredMs >= Date.parse('2029-12-31T10:00:00Z'), 'since with an offset');
  // Bad parameters: 400.
  for (const qs of ['since=yesterday', 'until=2024-13-01T00:00:00Z', 'limit=0', 'limit=1001', 'limit=abc', 'cursor=garbage']) {
    assertProblem(await request(srv, 'GET', `${base}/timeline?${qs}`), 400);
  }
});

it('since is inclusive and until exclusive (half-open range), at microsecond precision', async (t, srv) => {
  const c = await createContact(srv);
  const ts = ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000001Z', '2024-05-01T11:00:00Z', '2024-05-01T11:59:59.999999Z', '2024-05-01T12:00:00Z'];
  const res = await ingest(srv, ts.map((x) => ({ contact_id: c.id, type: 'chat', occurred_at: x })));
  const ids = res.map((x) => x.id);
  const rows = await timelineAll(srv, `${API}/contacts/${c.id}`, 'since=2024-05-01T10:00:00Z&until=2024-05-01T12:00:00Z');
  assert.deepEqual(rows.map((x) => x.id), [ids[3], ids[2], ids[1], ids[0]]);
  assert.equal(rows[0].occurred_at, '2024-05-01T11:59:59.999999Z');
  assert.equal(rows[2].occurred_at, '2024-05-01T10:00:00.000001Z');
});

it('company timeline rolls up its contacts\' activities and its own; not other companies\'', async (t, srv) => {
  const co = await createCompany(srv);
  const other = await createCompany(srv);
  const a = await createContact(srv, { company_id: co.id });
  const b = await createContact(srv, { company_id: co.id });
  const x = await createContact(srv, { company_id: other.id });
  const now = Date.now();
  const items = [];
  for (let i = 0; i < 40; i += 1) {
    items.push({ contact_id: [a.id, b.id, x.id][i % 3], type: i % 2 ? 'email_sent' : 'call', occurred_at: iso(now - i * 3600000) });
  }
  items.push({ company_id: co.id, type: 'meeting', occurred_at: iso(now - 5 * DAY) });
  items.push({ company_id: other.id, type: 'meeting', occurred_at: iso(now - 5 * DAY) });
  const res = await ingest(srv, items);
  const want = res.map((r, i) => ({ id: r.id, at: Date.parse(items[i].occurred_at), it: items[i] }))
    .filter((e) => e.it.contact_id === a.id || e.it.contact_id === b.id || e.it.company_id === co.id)
    .sort((p, q2) => q2.at - p.at || q2.id - p.id).map((e) => e.id);
  const rows = await timelineAll(srv, `${API}/companies/${co.id}`, '', 9);
  assert.deepEqual(rows.map((r) => r.id), want);
  const calls = await timelineAll(srv, `${API}/companies/${co.id}`, 'type=call&channel=phone', 5);
  assert.deepEqual(calls.map((r) => r.id), rows.filter((r) => r.type === 'call').map((r) => r.id));
  // A contact's timeline is only its own activities.
  const onlyA = await timelineAll(srv, `${API}/contacts/${a.id}`);
  assert.ok(onlyA.every((r) => r.contact_id === a.id));
  assert.equal(onlyA.length, items.filter((i) => i.contact_id === a.id).length);
  // The company overview counts the contacts' activities.
  const ov = await overview(srv, `${API}/companies/${co.id}`);
  const mine = items.filter((i) => i.contact_id === a.id || i.contact_id === b.id);
  assert.equal(ov.body.activity_counts.call.last_30_days, mine.filter((i) => i.type === 'call').length);
  assert.equal(ov.body.activity_counts.email_sent.last_30_days, mine.filter((i) => i.type === 'email_sent').length);
  assert.equal(Number(tsMicros(ov.body.last_touch.in_person) / 1000n), now - 5 * DAY, 'own meeting is a touch');
});

it('overview and timeline of an unknown contact or company: 404; an empty record: 200 with empty aggregates', async (t, srv) => {
  for (const p of ['contacts', 'companies']) {
    for (const what of ['overview', 'timeline']) {
      assertProblem(await request(srv, 'GET', `${API}/${p}/987654321/${what}`), 404);
    }
    const badId = await request(srv, 'GET', `${API}/${p}/abc/overview`);
    assert.ok([400, 404].includes(badId.status), describe(badId));
    assertProblem(badId, badId.status);
  }
  const gone = await createContact(srv);
  await post(srv, { contact_id: gone.id, type: 'chat' });
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${gone.id}`), 204);
  assertProblem(await request(srv, 'GET', `${API}/contacts/${gone.id}/overview`), 404);
  assertProblem(await request(srv, 'GET', `${API}/contacts/${gone.id}/timeline`), 404);
  const c = await createContact(srv);
  const ov = await getJson(srv, `${API}/contacts/${c.id}/overview`);
  assert.deepEqual(ov.revenue, []);
  assert.deepEqual(ov.last_touch, {});
  assert.deepEqual(ov.activity_counts, {});
  assert.equal(ov.last_activity_at, null);
  assert.equal(ov.contact.id, c.id);
  assert.equal(ov.company, null);
  assert.deepEqual(await getJson(srv, `${API}/contacts/${c.id}/timeline`), { data: [], next_cursor: null });
  const co = await createCompany(srv);
  const cov = await getJson(srv, `${API}/companies/${co.id}/overview`);
  assert.deepEqual(cov.revenue, []);
  assert.equal(cov.last_activity_at, null);
  assert.deepEqual(await getJson(srv, `${API}/companies/${co.id}/timeline`), { data: [], next_cursor: null });
});

// ---------------------------------------------------------------------------------------------
// Custom activity types

it('custom activity types: create, list, 409 duplicate, 422 on bad definitions', async (t, srv) => {
  const name = `webinar_${uniq('w')}`;
  const def = { name, label: 'Webinar attended', schema: { properties: { title: 'string', minutes: 'number', live: 'boolean', held_on: 'date' }, required: ['title'] } };
  const res = await request(srv, 'POST', `${API}/activity-types`, { body: def });
  expectStatus(res, 201);
  assert.equal(res.body.name, name);
  assert.equal(res.body.label, 'Webinar attended');
  assert.deepEqual(res.body.schema, def.schema);
  assert.ok(Number.isInteger(res.body.id));
  const list = await getJson(srv, `${API}/activity-types`);
  assert.ok(list.data.some((x) => x.name === name && x.id === res.body.id));
  assertProblem(await request(srv, 'POST', `${API}/activity-types`, { body: def }), 409);
  assertProblem(await request(srv, 'POST', `${API}/activity-types`, { body: { ...def, label: 'Other' } }), 409);
  const typesBefore = sqlite(srv.dbPath, 'SELECT count(*) FROM activity_types', { readonly: true });
  const bad = [
    [{ label: 'x' }, 'name'],
    [{ name: 'purchase' }, 'name'],
    [{ name: 'Has Space' }, 'name'],
    [{ name: '9lives' }, 'name'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: uniq('t'), schema: { properties: { a: 'integer' } } }, 'schema.properties.a'],
    [{ name: uniq('t'), schema: { properties: { a: 5 } } }, 'schema.properties.a'],
    [{ name: uniq('t'), schema: { properties: { a: 'string' }, required: ['b'] } }, 'schema.required'],
    [{ name: uniq('t'), schema: { properties: { a: 'string' }, required: 'a' } }, 'schema.required'],
    [{ name: uniq('t'), schema: [] }, 'schema'],
    [{ name: uniq('t'), colour: 'x' }, 'colour'],
  ];
  for (const [body, field] of bad) {
    assertProblem(await request(srv, 'POST', `${API}/activity-types`, { body }), 422, [field]);
  }
  assert.equal(sqlite(srv.dbPath, 'SELECT count(*) FROM activity_types', { readonly: true }), typesBefore, 'nothing stored');
});

it('activities of a custom type: properties validated against its schema; counted in the overview', async (t, srv) => {
  const name = `trial_${uniq('t')}`;
  expectStatus(await request(srv, 'POST', `${API}/activity-types`, {
    body: { name, schema: { properties: { plan: 'string', seats: 'number', paid: 'boolean', ends_on: 'date' }, required: ['plan', 'seats'] } },
  }), 201);
  const c = await createContact(srv);
  const before = countRows(srv);
  const ok = await post(srv, { contact_id: c.id, type: name, properties: { plan: 'pro', seats: 5, paid: true, ends_on: '2026-12-31', extra: 'kept' } });
  expectStatus(ok, 201);
  assert.equal(ok.body.type, name);
  assert.equal(ok.body.channel, 'other');
  const bad = [
    [{ seats: 5 }, 'properties.plan'],
    [{ plan: 'pro' }, 'properties.seats'],
    [{ plan: 5, seats: 5 }, 'properties.plan'],
    [{ plan: 'pro', seats: '5' }, 'properties.seats'],
    [{ plan: 'pro', seats: 5, paid: 'yes' }, 'properties.paid'],
    [{ plan: 'pro', seats: 5, ends_on: '2026-02-30' }, 'properties.ends_on'],
    [{ plan: 'pro', seats: 5, ends_on: 20261231 }, 'properties.ends_on'],
  ];
  for (const [props, field] of bad) {
    assertProblem(await post(srv, { contact_id: c.id, type: name, properties: props }), 422, [field]);
  }
  const batch = await postBatch(srv, [
    { contact_id: c.id, type: name, properties: { plan: 'team', seats: 12 } },
    ...bad.map(([props]) => ({ contact_id: c.id, type: name, properties: props })),
  ]);
  assert.equal(batch.body.created, 1);
  bad.forEach(([, field], i) => assertItemError(batch.body.results[i + 1], i + 1, `activities[${i + 1}].${field}`));
  assert.equal(countRows(srv), before + 2);
  const ov = await getJson(srv, `${API}/contacts/${c.id}/overview`);
  assert.deepEqual(ov.activity_counts[name], { last_30_days: 2, last_90_days: 2, last_365_days: 2 });
  const tl = await getJson(srv, `${API}/contacts/${c.id}/timeline?type=${name}`);
  assert.equal(tl.data.length, 2);
  // A type registered after a batch started is not needed: types are looked up per request.
  assertProblem(await post(srv, { contact_id: c.id, type: `${name}_unregistered` }), 422, ['type']);
});
