// Keyset pagination over thousands of contacts: every row exactly once, in the right order,
// for each sort and with a search; also while rows are being added; and the query errors.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  API, useServer, request, describe, expectStatus, assertProblem, listAll, tsMicros,
} from './harness.mjs';

const S = useServer();
const it = S.it;

const TOTAL = 3000;
const FIRST = ['Ana', 'Bruno', 'Carla', 'Diego', 'Eva'];
const LAST = ['Silva', 'Santos', 'Ferreira', 'Pereira', 'Costa', 'Oliveira'];
const created = new Map(); // id -> contact as created

function inQuartz(i) { return i % 5 < 2; } // 40% share the searchable last name

it(`creates ${TOTAL} contacts through the batch endpoint`, async (t, srv) => {
  for (let start = 0; start < TOTAL; start += 1000) {
    const items = Array.from({ length: 1000 }, (_, j) => {
      const i = start + j;
      return {
        email: `${randomBytes(5).toString('hex')}.${i}@pg${i % 7}.example.com`,
        first_name: FIRST[i % FIRST.length],
        last_name: inQuartz(i) ? 'Quartzwood' : LAST[i % LAST.length],
        external_id: `pg-${i}`,
      };
    });
    const res = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: items } });
    expectStatus(res, 200);
    assert.equal(res.body.created, 1000, `batch at ${start}: ${res.text.slice(0, 500)}`);
    res.body.results.forEach((r, j) => created.set(r.id, { id: r.id, ...items[j] }));
  }
  assert.equal(created.size, TOTAL);
});

// Pages through with `limit` and checks each page's size and that no page is empty but the last.
async function pageAll(srv, qs, limit = 100) {
  const rows = [];
  let cursor = null;
  let pages = 0;
  for (;;) {
    const q = [qs, `limit=${limit}`, cursor && `cursor=${encodeURIComponent(cursor)}`].filter(Boolean).join('&');
    const res = await request(srv, 'GET', `${API}/contacts?${q}`);
    expectStatus(res, 200);
    const { data, next_cursor: next } = res.body;
    assert.ok(data.length <= limit, 'page size at most limit');
    pages += 1;
    rows.push(...data);
    if (next === null) break;
    assert.equal(data.length, limit, `a page followed by another is full (${q})`);
    cursor = next;
    assert.ok(pages < 10000, 'paging terminates');
  }
  return rows;
}

function assertEachOnce(rows, expectedIds, label) {
  const ids = rows.map((r) => r.id);
  const seen = new Set();
  const dups = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  assert.deepEqual(dups.slice(0, 10), [], `${label}: no row twice`);
  const missing = [...expectedIds].filter((id) => !seen.has(id));
  assert.deepEqual(missing.slice(0, 10), [], `${label}: no row missing (${missing.length} missing)`);
  const extra = ids.filter((id) => !expectedIds.has(id));
  assert.deepEqual(extra.slice(0, 10), [], `${label}: no unexpected row`);
}

const cmpStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const orders = {
  id: (a, b) => a.id - b.id,
  email: (a, b) => cmpStr(a.email, b.email),
  first_name: (a, b) => cmpStr(a.first_name, b.first_name),
  last_name: (a, b) => cmpStr(a.last_name, b.last_name),
  created_at: (a, b) => Number(tsMicros(a.created_at) - tsMicros(b.created_at)),
  updated_at: (a, b) => Number(tsMicros(a.updated_at) - tsMicros(b.updated_at)),
};

function assertSorted(rows, sort, label) {
  const desc = sort.startsWith('-');
  const key = desc ? sort.slice(1) : sort;
  for (let i = 1; i < rows.length; i += 1) {
    let c = orders[key](rows[i - 1], rows[i]);
    if (desc) c = -c;
    assert.ok(c <= 0, `${label}: rows ${i - 1} and ${i} out of order: ${JSON.stringify(rows[i - 1][key])} (id ${rows[i - 1].id}) then ${JSON.stringify(rows[i][key])} (id ${rows[i].id})`);
    // Ties are broken by id; for ascending sorts that is ascending id.
    if (c === 0 && !desc) assert.ok(rows[i - 1].id < rows[i].id, `${label}: tie at row ${i} not broken by id`);
  }
}

for (const sort of ['id', '-created_at', 'email', '-email', 'first_name', 'last_name', '-id', 'created_at', 'updated_at']) {
  it(`sort=${sort}, limit=100: every contact exactly once, in order`, async (t, srv) => {
    const rows = await pageAll(srv, `sort=${sort}`);
    const ids = new Set(created.keys());
    assertEachOnce(rows, ids, `sort=${sort}`);
    assertSorted(rows, sort, `sort=${sort}`);
  });
}

it('q search pages every match exactly once (and only matches)', async (t, srv) => {
  const expected = new Set([...created.values()].filter((c) => c.last_name === 'Quartzwood').map((c) => c.id));
  assert.equal(expected.size, TOTAL * 0.4);
  for (const q of ['quartz', 'Quartzwood', 'QUARTZW']) {
    const rows = await pageAll(srv, `q=${encodeURIComponent(q)}`);
    assertEachOnce(rows, expected, `q=${q}`);
    assertSorted(rows, 'id', `q=${q} (default sort)`);
  }
  const rows = await pageAll(srv, `q=quartz&sort=email`, 77);
  assertEachOnce(rows, expected, 'q=quartz&sort=email');
  assertSorted(rows, 'email', 'q=quartz&sort=email');
  const both = await pageAll(srv, `q=${encodeURIComponent('ana quartz')}`, 50);
  const anaQ = new Set([...created.values()].filter((c) => c.last_name === 'Quartzwood' && c.first_name === 'Ana').map((c) => c.id));
  assert.equal(anaQ.size, TOTAL / 5);
  assertEachOnce(both, anaQ, 'q=ana quartz (every word must match)');
  // No Eva is a Quartzwood: both words must match, so nothing is found.
  const none = await request(srv, 'GET', `${API}/contacts?q=${encodeURIComponent('eva quartz')}`);
  expectStatus(none, 200);
  assert.deepEqual(none.body.data, []);
  assert.equal(none.body.next_cursor, null);
});

it('filters page correctly: email domain search and external_id', async (t, srv) => {
  const expected = new Set([...created.values()].filter((c) => c.email.endsWith('@pg3.example.com')).map((c) => c.id));
  const rows = await pageAll(srv, 'q=pg3', 100);
  assertEachOnce(rows, expected, 'q=pg3');
  const one = [...created.values()][1234];
  const r = await request(srv, 'GET', `${API}/contacts?external_id=${one.external_id}`);
  expectStatus(r, 200);
  assert.deepEqual(r.body.data.map((x) => x.id), [one.id]);
  assert.equal(r.body.next_cursor, null);
});

it('limit=1000 returns 1000 rows; limit=1 pages one at a time', async (t, srv) => {
  const big = await request(srv, 'GET', `${API}/contacts?limit=1000`);
  expectStatus(big, 200);
  assert.equal(big.body.data.length, 1000);
  const r1 = await request(srv, 'GET', `${API}/contacts?limit=1&sort=email`);
  expectStatus(r1, 200);
  assert.equal(r1.body.data.length, 1);
  const r2 = await request(srv, 'GET', `${API}/contacts?limit=1&sort=email&cursor=${encodeURIComponent(r1.body.next_cursor)}`);
  expectStatus(r2, 200);
  assert.equal(r2.body.data.length, 1);
  assert.ok(r1.body.data[0].email < r2.body.data[0].email);
});

it('each row exactly once while rows are being added between pages', async (t, srv) => {
  for (const sort of ['id', 'email', '-created_at']) {
    const before = new Set((await listAll(srv, 'contacts')).map((c) => c.id));
    const rows = [];
    let cursor = null;
    let added = 0;
    for (;;) {
      const q = [`sort=${sort}`, 'limit=250', cursor && `cursor=${encodeURIComponent(cursor)}`].filter(Boolean).join('&');
      const res = await request(srv, 'GET', `${API}/contacts?${q}`);
      expectStatus(res, 200);
      rows.push(...res.body.data);
      // Add rows that sort before, after and among the ones already seen.
      const batch = await request(srv, 'POST', `${API}/contacts/batch`, {
        body: { contacts: ['0', 'm', 'z'].map((p) => ({ email: `${p}${randomBytes(6).toString('hex')}@added.example.com`, first_name: 'Added' })) },
      });
      expectStatus(batch, 200);
      added += batch.body.created;
      cursor = res.body.next_cursor;
      if (cursor === null) break;
    }
    assert.ok(added > 0);
    const ids = rows.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `sort=${sort}: no row twice while adding`);
    const seen = new Set(ids);
    const missing = [...before].filter((id) => !seen.has(id));
    assert.deepEqual(missing.slice(0, 10), [], `sort=${sort}: every pre-existing row seen (${missing.length} missing)`);
    assertSorted(rows, sort, `sort=${sort} while adding`);
  }
});

// ---------------------------------------------------------------------------------------------
// Query errors: 400 problem, never a partial answer.

function assertQueryProblem(res, param) {
  const p = assertProblem(res, 400);
  // The contract does not say query errors carry errors[]; when they do, they name the parameter.
  if (Array.isArray(p.errors) && p.errors.length) {
    assert.ok(p.errors.some((e) => e.field === param), `errors[] names "${param}": ${res.text}`);
  }
}

for (const limit of ['0', '1001', 'abc', '-1', '1.5', '10abc', '99999999999999999999']) {
  it(`limit=${JSON.stringify(limit)}: 400`, async (t, srv) => {
    for (const coll of ['contacts', 'companies']) {
      assertQueryProblem(await request(srv, 'GET', `${API}/${coll}?limit=${encodeURIComponent(limit)}`), 'limit');
    }
  });
}

it('bad cursor: 400', async (t, srv) => {
  const good = await request(srv, 'GET', `${API}/contacts?limit=10`);
  const real = good.body.next_cursor;
  assert.equal(typeof real, 'string');
  const bad = ['not-a-cursor!!', '%00%01', 'AAAA', '""', `${real}@@`, 'x'.repeat(5000)];
  if (real.length > 8) bad.push(real.slice(0, Math.floor(real.length / 2)));
  for (const c of bad) {
    const res = await request(srv, 'GET', `${API}/contacts?limit=10&cursor=${encodeURIComponent(c)}`);
    assert.equal(res.status, 400, `cursor ${JSON.stringify(c.slice(0, 40))}: ${describe(res)}`);
    assertQueryProblem(res, 'cursor');
  }
  assertQueryProblem(await request(srv, 'GET', `${API}/companies?cursor=garbage!!`), 'cursor');
});

it('bad sort or filter parameter: 400', async (t, srv) => {
  for (const qs of ['sort=nope', 'sort=phone', 'sort=--id', 'sort=id,email']) {
    const res = await request(srv, 'GET', `${API}/contacts?${qs}`);
    assertQueryProblem(res, 'sort');
  }
  assertQueryProblem(await request(srv, 'GET', `${API}/companies?sort=email`), 'sort');
  assertQueryProblem(await request(srv, 'GET', `${API}/contacts?company_id=abc`), 'company_id');
});
