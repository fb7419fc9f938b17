// Tags: create, list with counts (sorted by name), rename everywhere, delete everywhere, name rules.

import assert from 'node:assert/strict';
import {
  API, useServer, request, expectStatus, assertProblem, assertNothingStored,
  createContact, createCompany, getJson, listAll, uniq, RFC3339_UTC,
} from './harness.mjs';

const S = useServer();
const it = S.it;

async function tags(srv) {
  const body = await getJson(srv, `${API}/tags`);
  assert.ok(Array.isArray(body.data));
  return body.data;
}
async function tagByName(srv, name) {
  return (await tags(srv)).find((x) => x.name === name);
}

it('POST /tags: 201 with a trimmed, lower-cased name; listed with zero counts', async (t, srv) => {
  const name = uniq('vip');
  const res = await request(srv, 'POST', `${API}/tags`, { body: { name: `  ${name.toUpperCase()} ` } });
  expectStatus(res, 201);
  assert.match(res.contentType, /^application\/json/);
  assert.equal(res.body.name, name);
  assert.ok(Number.isInteger(res.body.id));
  const listed = await tagByName(srv, name);
  assert.ok(listed, 'listed');
  assert.deepEqual(Object.keys(listed).sort(), ['company_count', 'contact_count', 'created_at', 'id', 'name']);
  assert.equal(listed.id, res.body.id);
  assert.equal(listed.contact_count, 0);
  assert.equal(listed.company_count, 0);
  assert.match(listed.created_at, RFC3339_UTC);
});

it('POST /tags with a name that exists (in any case): 409, nothing stored', async (t, srv) => {
  const name = uniq('dup');
  expectStatus(await request(srv, 'POST', `${API}/tags`, { body: { name } }), 201);
  await assertNothingStored(srv, async () => {
    assertProblem(await request(srv, 'POST', `${API}/tags`, { body: { name } }), 409);
    assertProblem(await request(srv, 'POST', `${API}/tags`, { body: { name: ` ${name.toUpperCase()}` } }), 409);
  });
});

for (const [what, body] of [
  ['empty name', { name: '' }],
  ['blank name', { name: '   ' }],
  ['name of 65 chars', { name: 'x'.repeat(65) }],
  ['name with a control character', { name: 'a\tb' }],
  ['name with a NUL', { name: 'a\u0000b' }],
  ['name not a string', { name: 7 }],
  ['name missing', {}],
]) {
  it(`POST /tags rejects ${what}: 422 naming "name", nothing stored`, async (t, srv) => {
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'POST', `${API}/tags`, { body }), 422, ['name']);
    });
  });
}

it('a tag name of 64 characters is accepted', async (t, srv) => {
  const name = `${uniq('l')}${'x'.repeat(64)}`.slice(0, 64);
  const res = await request(srv, 'POST', `${API}/tags`, { body: { name } });
  expectStatus(res, 201);
  assert.equal(res.body.name, name);
});

it('POST /tags malformed JSON or non-object: 400, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    assertProblem(await request(srv, 'POST', `${API}/tags`, { body: '{"name":"x"' }), 400);
    assertProblem(await request(srv, 'POST', `${API}/tags`, { body: '"vip"' }), 400);
  });
});

it('GET /tags is sorted by name and counts contacts and companies', async (t, srv) => {
  const base = uniq('cnt');
  const [a, b] = [`${base}-a`, `${base}-b`];
  await createContact(srv, { tags: [b, a] });
  await createContact(srv, { tags: [a] });
  await createContact(srv, { tags: [a] });
  await createCompany(srv, { tags: [a, b] });
  await createCompany(srv, { tags: [b] });
  const list = await tags(srv);
  const names = list.map((x) => x.name);
  assert.deepEqual(names, [...names].sort(), 'sorted by name');
  assert.equal(new Set(names).size, names.length, 'names unique');
  const ta = list.find((x) => x.name === a);
  const tb = list.find((x) => x.name === b);
  assert.equal(ta.contact_count, 3);
  assert.equal(ta.company_count, 1);
  assert.equal(tb.contact_count, 1);
  assert.equal(tb.company_count, 2);
});

it('tagging an existing tag by name reuses it (no duplicate tag)', async (t, srv) => {
  const name = uniq('reuse');
  const made = await request(srv, 'POST', `${API}/tags`, { body: { name } });
  expectStatus(made, 201);
  await createContact(srv, { tags: [name.toUpperCase()] });
  const list = await tags(srv);
  const matches = list.filter((x) => x.name === name);
  assert.equal(matches.length, 1);
  assert.equal(matches[0].id, made.body.id);
  assert.equal(matches[0].contact_count, 1);
});

it('PATCH /tags/{id} renames everywhere', async (t, srv) => {
  const old = uniq('old');
  const neu = uniq('new');
  const c = await createContact(srv, { tags: [old, 'zz-other'] });
  const co = await createCompany(srv, { tags: [old] });
  const tag = await tagByName(srv, old);
  const res = await request(srv, 'PATCH', `${API}/tags/${tag.id}`, { body: { name: ` ${neu.toUpperCase()} ` } });
  expectStatus(res, 200);
  assert.equal(res.body.name, neu);
  assert.equal(res.body.id, tag.id);
  assert.deepEqual((await getJson(srv, `${API}/contacts/${c.id}`)).tags, [neu, 'zz-other'].sort());
  assert.deepEqual((await getJson(srv, `${API}/companies/${co.id}`)).tags, [neu]);
  assert.equal(await tagByName(srv, old), undefined);
  const renamed = await tagByName(srv, neu);
  assert.equal(renamed.contact_count, 1);
  assert.equal(renamed.company_count, 1);
  assert.deepEqual((await listAll(srv, 'contacts', `tag=${neu}`)).map((x) => x.id), [c.id]);
  assert.deepEqual(await listAll(srv, 'contacts', `tag=${old}`), []);
});

it('PATCH /tags/{id} to a taken name: 409 and nothing changes; bad names 422', async (t, srv) => {
  const a = uniq('ta');
  const b = uniq('tb');
  await createContact(srv, { tags: [a, b] });
  const ta = await tagByName(srv, a);
  const before = await tags(srv);
  assertProblem(await request(srv, 'PATCH', `${API}/tags/${ta.id}`, { body: { name: b } }), 409);
  assertProblem(await request(srv, 'PATCH', `${API}/tags/${ta.id}`, { body: { name: b.toUpperCase() } }), 409);
  assertProblem(await request(srv, 'PATCH', `${API}/tags/${ta.id}`, { body: { name: '' } }), 422, ['name']);
  assertProblem(await request(srv, 'PATCH', `${API}/tags/${ta.id}`, { body: { name: 'y'.repeat(65) } }), 422, ['name']);
  assertProblem(await request(srv, 'PATCH', `${API}/tags/${ta.id}`, { body: { name: 'bad\u0007' } }), 422, ['name']);
  assertProblem(await request(srv, 'PATCH', `${API}/tags/${ta.id}`, { body: '{"name":' }), 400);
  assert.deepEqual(await tags(srv), before);
});

it('DELETE /tags/{id}: 204, removed from every contact and company', async (t, srv) => {
  const name = uniq('gone');
  const c = await createContact(srv, { tags: [name, 'keep-tag'] });
  const co = await createCompany(srv, { tags: [name] });
  const tag = await tagByName(srv, name);
  const res = await request(srv, 'DELETE', `${API}/tags/${tag.id}`);
  expectStatus(res, 204);
  assert.equal(await tagByName(srv, name), undefined);
  assert.deepEqual((await getJson(srv, `${API}/contacts/${c.id}`)).tags, ['keep-tag']);
  assert.deepEqual((await getJson(srv, `${API}/companies/${co.id}`)).tags, []);
  assert.deepEqual(await listAll(srv, 'contacts', `tag=${name}`), []);
  assertProblem(await request(srv, 'DELETE', `${API}/tags/${tag.id}`), 404);
  assertProblem(await request(srv, 'PATCH', `${API}/tags/${tag.id}`, { body: { name: 'x' } }), 404);
  // Deleting does not delete the tagged records.
  expectStatus(await request(srv, 'GET', `${API}/contacts/${c.id}`), 200);
  expectStatus(await request(srv, 'GET', `${API}/companies/${co.id}`), 200);
});

it('tag counts follow contact and company deletes and untagging', async (t, srv) => {
  const name = uniq('fol');
  const c1 = await createContact(srv, { tags: [name] });
  const c2 = await createContact(srv, { tags: [name] });
  const co = await createCompany(srv, { tags: [name] });
  let tg = await tagByName(srv, name);
  assert.deepEqual([tg.contact_count, tg.company_count], [2, 1]);
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${c1.id}`), 204);
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${c2.id}/tags/${name}`), 200);
  expectStatus(await request(srv, 'DELETE', `${API}/companies/${co.id}`), 204);
  tg = await tagByName(srv, name);
  // The tag itself may or may not survive with zero uses; if it does, its counts are zero.
  if (tg) assert.deepEqual([tg.contact_count, tg.company_count], [0, 0], JSON.stringify(tg));
});

it('unknown tag ids: 404', async (t, srv) => {
  assertProblem(await request(srv, 'PATCH', `${API}/tags/987654321`, { body: { name: 'x' } }), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/tags/987654321`), 404);
});
