// Companies: CRUD, normalisation, validation, domain uniqueness, contact_count, deleting
// unlinks contacts, filters, search, sorting, paging and company tags.

import assert from 'node:assert/strict';
import {
  API, useServer, request, describe, expectStatus, assertProblem, assertEtag,
  assertNothingStored, createContact, createCompany, getJson, listAll, uniq, RFC3339_UTC, tsMicros,
} from './harness.mjs';

const S = useServer();
const it = S.it;

const COMPANY_KEYS = [
  'id', 'name', 'domain', 'industry', 'size', 'country', 'relationship', 'owner_id', 'custom',
  'tags', 'version', 'contact_count', 'created_at', 'updated_at',
];

const uniqDomain = () => `${uniq('d')}.example.com`;

async function getCompany(srv, id) {
  const res = await request(srv, 'GET', `${API}/companies/${id}`);
  assert.equal(res.status, 200, describe(res));
  return res;
}

it('POST /companies with only a name: 201, Location, ETag, defaults', async (t, srv) => {
  const name = `Acme ${uniq()}`;
  const res = await request(srv, 'POST', `${API}/companies`, { body: { name } });
  expectStatus(res, 201);
  assert.match(res.contentType, /^application\/json/);
  const c = res.body;
  assert.deepEqual(Object.keys(c).sort(), [...COMPANY_KEYS].sort(), res.text);
  assert.ok(Number.isInteger(c.id) && c.id > 0);
  assert.equal(res.headers.get('location'), `${API}/companies/${c.id}`);
  assert.equal(assertEtag(res), '"1"');
  assert.equal(c.name, name);
  for (const k of ['domain', 'industry', 'size', 'country', 'owner_id']) assert.equal(c[k], null, k);
  assert.equal(c.relationship, 'prospect', 'relationship defaults to prospect');
  assert.equal(c.contact_count, 0);
  assert.deepEqual(c.custom, {});
  assert.deepEqual(c.tags, []);
  assert.equal(c.version, 1);
  assert.match(c.created_at, RFC3339_UTC);
  assert.match(c.updated_at, RFC3339_UTC);
  const got = await getCompany(srv, c.id);
  assert.deepEqual(got.body, c);
  assert.equal(got.headers.get('etag'), '"1"');
});

it('POST /companies with every field: trimmed, domain lower-cased, country upper-cased, tags sorted', async (t, srv) => {
  const host = uniq('acme');
  const res = await request(srv, 'POST', `${API}/companies`, {
    body: {
      name: '  Acme Corp  ', domain: `${host.toUpperCase()}.Example.COM`, industry: 'Manufacturing',
      size: 250, country: 'de', relationship: 'vendor', custom: {}, tags: ['Supplier', 'b2b'],
    },
  });
  expectStatus(res, 201);
  const c = res.body;
  assert.equal(c.name, 'Acme Corp');
  assert.equal(c.domain, `${host}.example.com`);
  assert.equal(c.industry, 'Manufacturing');
  assert.equal(c.size, 250);
  assert.equal(c.country, 'DE');
  assert.equal(c.relationship, 'vendor');
  assert.deepEqual(c.tags, ['b2b', 'supplier']);
  assert.deepEqual((await getCompany(srv, c.id)).body, c);
});

it('every relationship value and size 0 are accepted', async (t, srv) => {
  for (const rel of ['customer', 'prospect', 'vendor', 'supplier', 'distributor', 'partner', 'other']) {
    const c = await createCompany(srv, { relationship: rel, size: 0, country: 'nz' });
    assert.equal(c.relationship, rel);
    assert.equal(c.size, 0);
    assert.equal(c.country, 'NZ');
  }
});

const invalid = [
  ['name missing', { domain: 'x.example.org' }, 'name'],
  ['name empty', { name: '' }, 'name'],
  ['name blank', { name: '   ' }, 'name'],
  ['name over 200 chars', { name: 'n'.repeat(201) }, 'name'],
  ['name not a string', { name: 42 }, 'name'],
  ['name null', { name: null }, 'name'],
  ['domain with a scheme', { name: 'X', domain: 'https://example.org' }, 'domain'],
  ['domain with a path', { name: 'X', domain: 'example.org/about' }, 'domain'],
  ['domain with a space', { name: 'X', domain: 'exa mple.org' }, 'domain'],
  ['domain not a string', { name: 'X', domain: 7 }, 'domain'],
  ['industry over 100 chars', { name: 'X', industry: 'i'.repeat(101) }, 'industry'],
  ['size negative', { name: 'X', size: -1 }, 'size'],
  ['size fractional', { name: 'X', size: 1.5 }, 'size'],
  ['size a string', { name: 'X', size: 'ten' }, 'size'],
  ['country a name', { name: 'X', country: 'Germany' }, 'country'],
  ['country alpha-3', { name: 'X', country: 'DEU' }, 'country'],
  ['country with a digit', { name: 'X', country: 'D1' }, 'country'],
  ['relationship unknown', { name: 'X', relationship: 'enemy' }, 'relationship'],
  ['relationship of a contact', { name: 'X', relationship: 'lead' }, 'relationship'],
  ['owner_id not a member', { name: 'X', owner_id: 31337 }, 'owner_id'],
  ['custom not an object', { name: 'X', custom: [1] }, 'custom'],
  ['unknown custom field', { name: 'X', custom: { nope: true } }, 'custom.nope'],
  ['tags not an array', { name: 'X', tags: 'b2b' }, 'tags'],
  ['empty tag', { name: 'X', tags: ['a', 'b', ''] }, 'tags[2]'],
  ['unknown field', { name: 'X', website: 'https://x.org' }, 'website'],
];

for (const [name, body, field] of invalid) {
  it(`POST /companies rejects ${name}: 422 naming "${field}", nothing stored`, async (t, srv) => {
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'POST', `${API}/companies`, { body }), 422, [field]);
    });
  });
}

it('POST /companies names every bad field at once', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/companies`, {
      body: { name: '', size: -5, country: 'Nowhere', relationship: 'foe' },
    });
    assertProblem(res, 422, ['name', 'size', 'country', 'relationship']);
  });
});

it('POST /companies with malformed JSON or a non-object body: 400, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    for (const body of ['{"name": "x"', '["x"]', '42', 'true']) {
      assertProblem(await request(srv, 'POST', `${API}/companies`, { body }), 400);
    }
  });
});

it('domain is unique per workspace (case-insensitively): 409, nothing stored', async (t, srv) => {
  const domain = uniqDomain();
  const first = await createCompany(srv, { domain });
  await assertNothingStored(srv, async () => {
    for (const d of [domain, domain.toUpperCase()]) {
      const res = await request(srv, 'POST', `${API}/companies`, { body: { name: 'Clone', domain: d } });
      const p = assertProblem(res, 409);
      if (p.existing_id !== undefined) assert.equal(p.existing_id, first.id);
    }
  });
  const other = await createCompany(srv);
  const res = await request(srv, 'PATCH', `${API}/companies/${other.id}`, { body: { domain } });
  assertProblem(res, 409);
  assert.equal((await getCompany(srv, other.id)).body.domain, null);
  // Companies without a domain never conflict.
  await createCompany(srv);
  await createCompany(srv);
});

it('GET /companies/{id} of an unknown id: 404', async (t, srv) => {
  assertProblem(await request(srv, 'GET', `${API}/companies/987654321`), 404);
  assertProblem(await request(srv, 'PATCH', `${API}/companies/987654321`, { body: { name: 'x' } }), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/companies/987654321`), 404);
  assertProblem(await request(srv, 'POST', `${API}/companies/987654321/tags`, { body: { tags: ['x'] } }), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/companies/987654321/tags/x`), 404);
});

it('contact_count follows linked contacts', async (t, srv) => {
  const co = await createCompany(srv);
  const a = await createContact(srv, { company_id: co.id });
  await createContact(srv, { company_id: co.id });
  await createContact(srv, { company_id: co.id });
  assert.equal((await getCompany(srv, co.id)).body.contact_count, 3);
  expectStatus(await request(srv, 'PATCH', `${API}/contacts/${a.id}`, { body: { company_id: null } }), 200);
  assert.equal((await getCompany(srv, co.id)).body.contact_count, 2);
  const listed = (await listAll(srv, 'companies')).find((x) => x.id === co.id);
  assert.equal(listed.contact_count, 2, 'list rows carry contact_count too');
});

it('DELETE /companies/{id}: 204, contacts stay with company_id null', async (t, srv) => {
  const co = await createCompany(srv, { tags: [uniq('cdel')] });
  const a = await createContact(srv, { company_id: co.id });
  const b = await createContact(srv, { company_id: co.id });
  const res = await request(srv, 'DELETE', `${API}/companies/${co.id}`);
  expectStatus(res, 204);
  assertProblem(await request(srv, 'GET', `${API}/companies/${co.id}`), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/companies/${co.id}`), 404);
  for (const c of [a, b]) {
    const got = await request(srv, 'GET', `${API}/contacts/${c.id}`);
    expectStatus(got, 200);
    assert.equal(got.body.company_id, null, 'contact unlinked, not deleted');
    assert.equal(got.body.email, c.email);
  }
  assert.equal((await listAll(srv, 'contacts', `company_id=${co.id}`)).length, 0);
});

it('PATCH /companies: merge, null clears, country normalised, version/ETag advance', async (t, srv) => {
  const co = await createCompany(srv, { domain: uniqDomain(), industry: 'Retail', size: 10, country: 'PT' });
  const res = await request(srv, 'PATCH', `${API}/companies/${co.id}`, {
    body: { country: 'br', domain: null, industry: null },
  });
  expectStatus(res, 200);
  assert.equal(res.body.country, 'BR');
  assert.equal(res.body.domain, null);
  assert.equal(res.body.industry, null);
  assert.equal(res.body.size, 10, 'absent field unchanged');
  assert.equal(res.body.name, co.name);
  assert.equal(res.body.version, 2);
  assert.equal(assertEtag(res), '"2"');
  assert.ok(tsMicros(res.body.updated_at) >= tsMicros(co.updated_at));
  assert.deepEqual((await getCompany(srv, co.id)).body, res.body);
});

it('PATCH /companies with invalid input: 422 naming the field, nothing changes', async (t, srv) => {
  const co = await createCompany(srv, { size: 3 });
  for (const [body, field] of [[{ name: null }, 'name'], [{ name: '' }, 'name'], [{ size: -1 }, 'size'],
    [{ country: 'Portugal' }, 'country'], [{ relationship: 'x' }, 'relationship'],
    [{ homepage: 'x' }, 'homepage'], [{ custom: { zzz: 1 } }, 'custom.zzz'], [{ tags: [''] }, 'tags[0]']]) {
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'PATCH', `${API}/companies/${co.id}`, { body }), 422, [field]);
    });
  }
  assert.deepEqual((await getCompany(srv, co.id)).body, co);
});

it('PATCH /companies with a stale If-Match: 412, nothing changes', async (t, srv) => {
  const co = await createCompany(srv, { industry: 'A' });
  const ok = await request(srv, 'PATCH', `${API}/companies/${co.id}`, {
    body: { industry: 'B' }, headers: { 'If-Match': '"1"' },
  });
  expectStatus(ok, 200);
  const before = (await getCompany(srv, co.id)).body;
  assertProblem(await request(srv, 'PATCH', `${API}/companies/${co.id}`, {
    body: { industry: 'C', tags: ['stale-co'] }, headers: { 'If-Match': '"1"' },
  }), 412);
  assert.deepEqual((await getCompany(srv, co.id)).body, before);
  assertProblem(await request(srv, 'DELETE', `${API}/companies/${co.id}`, { headers: { 'If-Match': '"1"' } }), 412);
  expectStatus(await request(srv, 'GET', `${API}/companies/${co.id}`), 200);
  expectStatus(await request(srv, 'DELETE', `${API}/companies/${co.id}`, { headers: { 'If-Match': '"2"' } }), 204);
});

it('PATCH /companies tags replaces the set; tag endpoints add and remove', async (t, srv) => {
  const [a, b, c] = [uniq('ca'), uniq('cb'), uniq('cc')];
  const co = await createCompany(srv, { tags: [a] });
  let res = await request(srv, 'PATCH', `${API}/companies/${co.id}`, { body: { tags: [b, c] } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.tags, [b, c].sort());
  res = await request(srv, 'POST', `${API}/companies/${co.id}/tags`, { body: { tags: [a.toUpperCase(), b] } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.tags, [a, b, c].sort());
  res = await request(srv, 'DELETE', `${API}/companies/${co.id}/tags/${encodeURIComponent(c)}`);
  expectStatus(res, 200);
  assert.deepEqual(res.body.tags, [a, b].sort());
  assertProblem(await request(srv, 'DELETE', `${API}/companies/${co.id}/tags/${encodeURIComponent(c)}`), 404);
  await assertNothingStored(srv, async () => {
    assertProblem(await request(srv, 'POST', `${API}/companies/${co.id}/tags`, { body: { tags: ['ok', ''] } }),
      422, ['tags[1]']);
  });
  const tags = await getJson(srv, `${API}/tags`);
  const byName = Object.fromEntries(tags.data.map((x) => [x.name, x]));
  assert.equal(byName[a].company_count, 1);
  assert.equal(byName[b].company_count, 1);
  assert.equal(byName[c]?.company_count ?? 0, 0);
});

it('GET /companies filters (relationship, tag, country) and q (name and domain)', async (t, srv) => {
  const word = `qq${uniq('').replace(/[^a-z0-9]/g, '')}`;
  const tag = uniq('cf');
  const a = await createCompany(srv, { name: `${word}alpha Industries`, relationship: 'partner', country: 'fr', tags: [tag] });
  const b = await createCompany(srv, { name: 'Plain Name Ltd', domain: `${word}beta.example.net`, relationship: 'partner' });
  const c = await createCompany(srv, { name: `Gamma ${word}gamma`, country: 'FR', tags: [tag] });
  const ids = async (qs) => (await listAll(srv, 'companies', qs)).map((x) => x.id).sort((x, y) => x - y);
  const partners = await listAll(srv, 'companies', 'relationship=partner');
  assert.ok(partners.every((x) => x.relationship === 'partner'));
  assert.ok(partners.some((x) => x.id === a.id) && partners.some((x) => x.id === b.id));
  assert.deepEqual(await ids(`tag=${tag}`), [a.id, c.id]);
  const fr = await listAll(srv, 'companies', 'country=FR');
  assert.ok(fr.every((x) => x.country === 'FR'));
  assert.ok(fr.some((x) => x.id === a.id) && fr.some((x) => x.id === c.id));
  assert.deepEqual(await ids(`q=${word}alp`), [a.id], 'name prefix');
  assert.deepEqual(await ids(`q=${word}bet`), [b.id], 'domain prefix');
  assert.deepEqual(await ids(`q=${word}`), [a.id, b.id, c.id].sort((x, y) => x - y));
  assert.deepEqual(await ids(`q=${word}&relationship=partner`), [a.id, b.id].sort((x, y) => x - y));
});

it('GET /companies pages every company exactly once for each sort', async (t, srv) => {
  const names = ['Delta', 'alpha', 'Charlie', 'bravo', 'Echo', 'Delta', 'Delta'];
  const made = [];
  for (let i = 0; i < 70; i += 10) {
    made.push(...await Promise.all(Array.from({ length: 10 }, (_, j) => createCompany(srv, {
      name: `${names[(i + j) % names.length]} ${String((i + j) % 5)}`,
    }))));
  }
  const all = await listAll(srv, 'companies');
  const total = all.length;
  assert.ok(total >= 70);
  // The contract does not fix a collation for names: accept byte order or case-insensitive order.
  const orderedBy = (rows, key, desc, fold) => {
    for (let i = 1; i < rows.length; i += 1) {
      const [p, q] = [rows[i - 1], rows[i]];
      let cmp;
      if (key === 'id') cmp = p.id - q.id;
      else if (key === 'name') {
        const [x, y] = fold ? [p.name.toLowerCase(), q.name.toLowerCase()] : [p.name, q.name];
        cmp = x < y ? -1 : x > y ? 1 : 0;
      } else cmp = Number(tsMicros(p[key]) - tsMicros(q[key]));
      if (desc) cmp = -cmp;
      if (cmp > 0) return `row ${i - 1} (${JSON.stringify(p[key])}, id ${p.id}) before row ${i} (${JSON.stringify(q[key])}, id ${q.id})`;
      if (cmp === 0 && !desc && p.id > q.id) return `tie at row ${i} not broken by id`;
    }
    return null;
  };
  for (const sort of ['id', '-id', 'name', '-name', 'created_at', '-created_at', 'updated_at', '-updated_at']) {
    const rows = await listAll(srv, 'companies', `sort=${sort}`, { limit: 7 });
    const ids = rows.map((r) => r.id);
    assert.equal(ids.length, total, `sort=${sort}: row count`);
    assert.equal(new Set(ids).size, total, `sort=${sort}: each row exactly once`);
    const desc = sort.startsWith('-');
    const key = sort.replace('-', '');
    const err = orderedBy(rows, key, desc, false);
    if (err && key === 'name') {
      const err2 = orderedBy(rows, key, desc, true);
      assert.equal(err2, null, `sort=${sort}: neither byte order (${err}) nor case-insensitive order`);
    } else {
      assert.equal(err, null, `sort=${sort}`);
    }
  }
});

it('company custom values are independent from contact custom fields', async (t, srv) => {
  // No company custom field is defined in this file: any key is unknown.
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/companies`, { body: { name: 'Custom Co', custom: { tier: 'gold' } } });
    assertProblem(res, 422, ['custom.tier']);
  });
});
