// Segments over HTTP: create with text or JSON rules, live membership as data changes,
// preview with parse errors, static lists (ids, emails, CSV upload), freeze, members paging,
// ?where= on the contact list, and the CLI `rapport segment eval`.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  API, useServer, request, expectStatus, assertProblem, assertEtag, createContact, getJson,
  uniq, uniqEmail, rapportBin, sleep, createApiKey,
} from './harness.mjs';

const S = useServer();
const it = S.it;

async function createSegment(srv, body) {
  const res = await request(srv, 'POST', `${API}/segments`, { body });
  expectStatus(res, 201);
  return res.body;
}

async function memberIds(srv, id) {
  const ids = [];
  let cursor = null;
  do {
    const q = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
    const page = await getJson(srv, `${API}/segments/${id}/members${q}`);
    ids.push(...page.data.map((c) => c.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids.sort((a, b) => a - b);
}

// Membership follows writes shortly after they commit; reads of members are consistent once
// the live index has caught up (the members endpoint itself does not wait).
async function eventually(fn, { timeoutMs = 5000 } = {}) {
  const start = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() - start > timeoutMs) throw e;
      await sleep(50);
    }
  }
}

it('POST /segments with a text rule: 201 with canonical text, JSON form and members', async (t, srv) => {
  const tag = uniq('vip');
  const a = await createContact(srv, { email: uniqEmail(), tags: [tag] });
  await createContact(srv, { email: uniqEmail() });
  const seg = await createSegment(srv, { name: uniq('VIPs'), rule: `tag   "${tag}"` });
  assert.equal(seg.kind, 'dynamic');
  assert.equal(seg.rule, `tag "${tag}"`);
  assert.deepEqual(seg.rule_json, { tag });
  assert.equal(seg.member_count, 1);
  assert.deepEqual(await memberIds(srv, seg.id), [a.id]);
  const got = await request(srv, 'GET', `${API}/segments/${seg.id}`);
  expectStatus(got, 200);
  assertEtag(got);
});

it('POST /segments with rule_json gives the same segment as the text form', async (t, srv) => {
  const tag = uniq('gold');
  const c = await createContact(srv, { email: uniqEmail(), tags: [tag], lifecycle_stage: 'customer' });
  const seg = await createSegment(srv, {
    name: uniq('Gold customers'),
    rule_json: { and: [{ tag }, { field: 'lifecycle_stage', op: 'in', values: ['customer', 'advocate'] }] },
  });
  assert.equal(seg.rule, `tag "${tag}" and lifecycle_stage in ("customer", "advocate")`);
  assert.deepEqual(await memberIds(srv, seg.id), [c.id]);
});

it('membership is live: tagging, untagging and new activities move contacts in and out', async (t, srv) => {
  const tag = uniq('live');
  const c = await createContact(srv, { email: uniqEmail(), tags: [tag] });
  const seg = await createSegment(srv, {
    name: uniq('Buyers'),
    rule: `tag "${tag}" and count(purchase, last 30 days) >= 1`,
  });
  assert.deepEqual(await memberIds(srv, seg.id), []);
  expectStatus(await request(srv, 'POST', `${API}/activities`, {
    body: { contact_id: c.id, type: 'purchase', channel: 'web', occurred_at: new Date().toISOString(),
      amount: { value: 1999, currency: 'EUR' } },
  }), 201);
  await eventually(async () => assert.deepEqual(await memberIds(srv, seg.id), [c.id]));
  // The contact's timeline shows it entered.
  await eventually(async () => {
    const tl = await getJson(srv, `${API}/contacts/${c.id}/timeline?type=segment_entered`);
    assert.equal(tl.data.length, 1);
    assert.equal(tl.data[0].properties.segment_id, seg.id);
  });
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${c.id}/tags/${tag}`), [200, 204]);
  await eventually(async () => assert.deepEqual(await memberIds(srv, seg.id), []));
  await eventually(async () => {
    const tl = await getJson(srv, `${API}/contacts/${c.id}/timeline?type=segment_exited`);
    assert.equal(tl.data.length, 1);
  });
});

it('POST /segments/preview: count, sample members, canonical forms; errors with line and column', async (t, srv) => {
  const tag = uniq('pv');
  for (let i = 0; i < 3; i++) await createContact(srv, { email: uniqEmail(), tags: [tag] });
  const ok = await request(srv, 'POST', `${API}/segments/preview`, { body: { rule: `tag "${tag}"`, limit: 2 } });
  expectStatus(ok, 200);
  assert.equal(ok.body.valid, true);
  assert.equal(ok.body.count, 3);
  assert.equal(ok.body.members.length, 2);
  assert.ok(ok.body.members[0].email);
  assert.deepEqual(ok.body.errors, []);
  assert.deepEqual(ok.body.rule_json, { tag });

  const syntax = await request(srv, 'POST', `${API}/segments/preview`, { body: { rule: 'tag "x" and\n  count(purchase' } });
  expectStatus(syntax, 200);
  assert.equal(syntax.body.valid, false);
  assert.equal(syntax.body.errors[0].line, 2);
  assert.ok(syntax.body.errors[0].column > 0);
  assert.equal(typeof syntax.body.errors[0].message, 'string');

  const unknown = await request(srv, 'POST', `${API}/segments/preview`, { body: { rule: 'shoe_size > 40' } });
  expectStatus(unknown, 200);
  assert.equal(unknown.body.valid, false);
  assert.match(unknown.body.errors[0].message, /shoe_size/);
  assert.equal(unknown.body.errors[0].line, 1);
  assert.equal(unknown.body.errors[0].column, 1);

  assertProblem(await request(srv, 'POST', `${API}/segments/preview`, { body: {} }), 422, ['rule']);
});

it('bad rules and names are refused with problem+json naming the field; nothing stored', async (t, srv) => {
  const before = (await getJson(srv, `${API}/segments?limit=1000`)).data.length;
  const p = assertProblem(await request(srv, 'POST', `${API}/segments`, {
    body: { name: uniq('bad'), rule: 'tag "no-such-tag-anywhere"' },
  }), 422, ['rule']);
  assert.match(p.errors[0].message, /line 1, column 1/);
  assertProblem(await request(srv, 'POST', `${API}/segments`, { body: { rule: 'tag "x"' } }), 422, ['name']);
  assertProblem(await request(srv, 'POST', `${API}/segments`, {
    body: { name: uniq('j'), rule_json: { field: 'email', op: '~~', value: 'x' } },
  }), 422, ['rule_json']);
  assertProblem(await request(srv, 'POST', `${API}/segments`, {
    body: { name: uniq('d'), kind: 'dynamic' },
  }), 422, ['rule']);
  const name = uniq('taken');
  await createSegment(srv, { name, kind: 'static' });
  assertProblem(await request(srv, 'POST', `${API}/segments`, { body: { name, kind: 'static' } }), 409);
  assert.equal((await getJson(srv, `${API}/segments?limit=1000`)).data.length, before + 1);
});

it('static lists: add by ids, emails and CSV upload; remove; freeze a dynamic segment', async (t, srv) => {
  const a = await createContact(srv, { email: uniqEmail() });
  const b = await createContact(srv, { email: uniqEmail() });
  const c = await createContact(srv, { email: uniqEmail() });
  const list = await createSegment(srv, { name: uniq('list'), kind: 'static' });
  assert.equal(list.rule, null);
  let res = await request(srv, 'POST', `${API}/segments/${list.id}/members`, { body: { contact_ids: [a.id] } });
  expectStatus(res, 200);
  assert.equal(res.body.added, 1);
  res = await request(srv, 'POST', `${API}/segments/${list.id}/members`, { body: { emails: [b.email] } });
  assert.equal(res.body.added, 1);
  res = await request(srv, 'POST', `${API}/segments/${list.id}/members`, {
    body: `email\n${c.email}\n${a.id}\n`, headers: { 'Content-Type': 'text/csv' },
  });
  expectStatus(res, 200);
  assert.equal(res.body.added, 1);  // a was already a member
  assert.deepEqual(await memberIds(srv, list.id), [a.id, b.id, c.id].sort((x, y) => x - y));
  const bad = assertProblem(await request(srv, 'POST', `${API}/segments/${list.id}/members`, {
    body: 'email\nnot an email or id\n', headers: { 'Content-Type': 'text/csv' },
  }), 422, ['line 2']);
  assert.match(bad.errors[0].message, /not an email or id/);
  assertProblem(await request(srv, 'POST', `${API}/segments/${list.id}/members`, {
    body: { emails: ['nobody-here@example.com'] },
  }), 422, ['contacts[0]']);

  expectStatus(await request(srv, 'DELETE', `${API}/segments/${list.id}/members/${b.id}`), 204);
  res = await request(srv, 'POST', `${API}/segments/${list.id}/members/remove`, { body: { contact_ids: [c.id] } });
  assert.equal(res.body.removed, 1);
  assert.deepEqual(await memberIds(srv, list.id), [a.id]);
  assert.equal((await getJson(srv, `${API}/segments/${list.id}`)).member_count, 1);

  // A dynamic segment using the list; freezing it copies today's members.
  const dyn = await createSegment(srv, { name: uniq('on list'), rule: `in_segment("${list.name}")` });
  await eventually(async () => assert.deepEqual(await memberIds(srv, dyn.id), [a.id]));
  const frozen = await request(srv, 'POST', `${API}/segments/${dyn.id}/freeze`, { body: { name: uniq('frozen') } });
  expectStatus(frozen, 201);
  assert.equal(frozen.body.kind, 'static');
  assert.deepEqual(await memberIds(srv, frozen.body.id), [a.id]);
  // The list cannot be deleted while the dynamic segment's rule uses it.
  assertProblem(await request(srv, 'DELETE', `${API}/segments/${list.id}`), 412);
  assertProblem(await request(srv, 'POST', `${API}/segments/${dyn.id}/members`, { body: { contact_ids: [b.id] } }), 412);
});

it('PATCH /segments/{id}: rename and change the rule with If-Match; DELETE', async (t, srv) => {
  const tag = uniq('p');
  const c = await createContact(srv, { email: uniqEmail(), tags: [tag] });
  const seg = await createSegment(srv, { name: uniq('patch'), rule: `tag "${tag}"` });
  assertProblem(await request(srv, 'PATCH', `${API}/segments/${seg.id}`, {
    body: { name: 'x' }, headers: { 'If-Match': `"${seg.version + 5}"` },
  }), 412);
  const res = await request(srv, 'PATCH', `${API}/segments/${seg.id}`, {
    body: { name: `${seg.name} 2`, rule: `not tag "${tag}"` }, headers: { 'If-Match': `"${seg.version}"` },
  });
  expectStatus(res, 200);
  assert.equal(res.body.name, `${seg.name} 2`);
  assert.equal(res.body.rule, `not tag "${tag}"`);
  assert.ok(!(await memberIds(srv, seg.id)).includes(c.id));
  expectStatus(await request(srv, 'DELETE', `${API}/segments/${seg.id}`), 204);
  assertProblem(await request(srv, 'GET', `${API}/segments/${seg.id}`), 404);
});

it('GET /contacts?where=RULE filters the list; bad rules give 422 naming where', async (t, srv) => {
  const tag = uniq('w');
  const a = await createContact(srv, { email: uniqEmail(), tags: [tag], lifecycle_stage: 'customer' });
  await createContact(srv, { email: uniqEmail(), tags: [tag], lifecycle_stage: 'lead' });
  const where = encodeURIComponent(`tag "${tag}" and lifecycle_stage = "customer"`);
  const page = await getJson(srv, `${API}/contacts?where=${where}`);
  assert.deepEqual(page.data.map((c) => c.id), [a.id]);
  const bad = assertProblem(await request(srv, 'GET', `${API}/contacts?where=${encodeURIComponent('tag')}`), 422, ['where']);
  assert.match(bad.errors[0].message, /line 1, column/);
});

it('the activity rule language over HTTP: sums are exact at the boundary', async (t, srv) => {
  const tag = uniq('sum');
  const exact = await createContact(srv, { email: uniqEmail(), tags: [tag] });
  const more = await createContact(srv, { email: uniqEmail(), tags: [tag] });
  const now = new Date().toISOString();
  for (const [c, v] of [[exact, 20000], [more, 20001]]) {
    expectStatus(await request(srv, 'POST', `${API}/activities`, {
      body: { contact_id: c.id, type: 'purchase', channel: 'store', occurred_at: now, amount: { value: v, currency: 'EUR' } },
    }), 201);
  }
  const res = await request(srv, 'POST', `${API}/segments/preview`, {
    body: { rule: `tag "${tag}" and sum(purchase.amount, last 90 days) > 200.00` },
  });
  expectStatus(res, 200);
  assert.equal(res.body.count, 1);
  assert.equal(res.body.members[0].id, more.id);
});

it('rapport segment eval prints members; errors name line and column', async (t, srv) => {
  const tag = uniq('cli');
  const c = await createContact(srv, { email: uniqEmail(), tags: [tag] });
  const out = execFileSync(rapportBin, ['segment', 'eval', '--data', srv.dataDir, '--format', 'json', `tag "${tag}"`],
    { encoding: 'utf8' });
  const parsed = JSON.parse(out.trim());
  assert.deepEqual(parsed.contact_ids, [c.id]);
  assert.equal(parsed.count, 1);
  const sql = execFileSync(rapportBin, ['segment', 'eval', '--data', srv.dataDir, '--sql', `tag "${tag}"`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(sql.trim(), String(c.id));
  const bad = spawnSync(rapportBin, ['segment', 'eval', '--data', srv.dataDir, 'tag "a" and ('], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^rule:1:\d+: error: /m);
});

it('viewers read segments but cannot create them', async (t, srv) => {
  const key = createApiKey(srv.dataDir, 'viewer');
  const h = { Authorization: `Bearer ${key}` };
  expectStatus(await request(srv, 'GET', `${API}/segments`, { headers: h }), 200);
  expectStatus(await request(srv, 'POST', `${API}/segments/preview`, { body: { rule: 'tag "x"' }, headers: h }), 200);
  assertProblem(await request(srv, 'POST', `${API}/segments`, { body: { name: uniq('v'), kind: 'static' }, headers: h }), 403);
});
