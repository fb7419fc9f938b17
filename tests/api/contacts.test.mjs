// Contacts: create/read/update/delete, validation (each error names its field and stores
// nothing), uniqueness conflicts, filters, search, contact tags and the batch endpoint.

import assert from 'node:assert/strict';
import {
  API, useServer, request, describe, expectStatus, assertProblem, assertErrorField, assertEtag,
  assertNothingStored, snapshot, createContact, createCompany, getJson, listAll, uniq, uniqEmail,
  RFC3339_UTC, tsMicros, sleep,
} from './harness.mjs';

const S = useServer();
const it = S.it;

const CONTACT_KEYS = [
  'id', 'email', 'phone', 'first_name', 'last_name', 'birthday', 'timezone', 'lifecycle_stage',
  'owner_id', 'company_id', 'source', 'external_id', 'custom', 'tags', 'version', 'created_at',
  'updated_at',
];

async function getContact(srv, id) {
  const res = await request(srv, 'GET', `${API}/contacts/${id}`);
  assert.equal(res.status, 200, describe(res));
  return res;
}

async function tagCounts(srv) {
  const tags = await getJson(srv, `${API}/tags`);
  return Object.fromEntries(tags.data.map((t) => [t.name, t.contact_count]));
}

// ---------------------------------------------------------------------------------------------
// Create and read

it('POST /contacts with only an email: 201, Location, ETag, full shape with defaults', async (t, srv) => {
  const email = uniqEmail();
  const res = await request(srv, 'POST', `${API}/contacts`, { body: { email } });
  expectStatus(res, 201);
  assert.match(res.contentType, /^application\/json/);
  const c = res.body;
  assert.deepEqual(Object.keys(c).sort(), [...CONTACT_KEYS].sort(), `response keys: ${res.text}`);
  assert.ok(Number.isInteger(c.id) && c.id > 0, 'id is a positive integer');
  assert.equal(res.headers.get('location'), `${API}/contacts/${c.id}`);
  assert.equal(assertEtag(res), '"1"');
  assert.equal(c.version, 1);
  assert.equal(c.email, email);
  for (const k of ['phone', 'first_name', 'last_name', 'birthday', 'timezone', 'owner_id',
    'company_id', 'source', 'external_id']) {
    assert.equal(c[k], null, `absent optional field ${k} is null`);
  }
  assert.equal(c.lifecycle_stage, 'lead', 'lifecycle_stage defaults to lead');
  assert.deepEqual(c.custom, {});
  assert.deepEqual(c.tags, []);
  assert.match(c.created_at, RFC3339_UTC);
  assert.match(c.updated_at, RFC3339_UTC);
  const now = BigInt(Date.now()) * 1000n;
  const created = tsMicros(c.created_at);
  assert.ok(created <= now + 5_000_000n && created >= now - 60_000_000n, `created_at ${c.created_at} is about now`);

  const got = await getContact(srv, c.id);
  assert.deepEqual(got.body, c, 'GET returns the same shape and values as POST');
  assert.equal(got.headers.get('etag'), '"1"');
});

it('POST /contacts with every field: values normalised and echoed; GET returns the same', async (t, srv) => {
  const company = await createCompany(srv);
  const local = uniq('ana');
  const ext = uniq('crm-');
  const res = await request(srv, 'POST', `${API}/contacts`, {
    body: {
      email: `  ${local.toUpperCase()}@Example.COM `,
      phone: '+49 (151) 123-45.678',
      first_name: '  Ana ',
      last_name: ' Silva  ',
      birthday: '1990-04-01',
      timezone: 'Europe/Lisbon',
      lifecycle_stage: 'customer',
      company_id: company.id,
      source: 'import',
      external_id: ext,
      custom: {},
      tags: ['VIP', ' newsletter '],
    },
  });
  expectStatus(res, 201);
  const c = res.body;
  assert.equal(c.email, `${local}@example.com`, 'email trimmed and lower-cased');
  assert.equal(c.phone, '+4915112345678', 'phone normalised');
  assert.equal(c.first_name, 'Ana');
  assert.equal(c.last_name, 'Silva');
  assert.equal(c.birthday, '1990-04-01');
  assert.equal(c.timezone, 'Europe/Lisbon');
  assert.equal(c.lifecycle_stage, 'customer');
  assert.equal(c.company_id, company.id);
  assert.equal(c.source, 'import');
  assert.equal(c.external_id, ext);
  assert.equal(c.owner_id, null);
  assert.deepEqual(c.tags, ['newsletter', 'vip'], 'tags trimmed, lower-cased, sorted by name');
  const got = await getContact(srv, c.id);
  assert.deepEqual(got.body, c);
});

it('phone normalisation: spaces, dots, dashes, parentheses removed; leading 00 becomes +', async (t, srv) => {
  const cases = [
    ['0049 151 1234 5678', '+4915112345678'],
    ['+1 (415) 555.0100', '+14155550100'],
    ['+44-20-7946-0958', '+442079460958'],
    ['+1234567', '+1234567'], // 7 digits: the minimum
    ['+123456789012345', '+123456789012345'], // 15 digits: the maximum
  ];
  for (const [input, want] of cases) {
    const c = await createContact(srv, { phone: input });
    assert.equal(c.phone, want, `phone ${JSON.stringify(input)}`);
  }
});

it('all lifecycle stages are accepted', async (t, srv) => {
  for (const stage of ['lead', 'subscriber', 'customer', 'advocate', 'at_risk', 'churned', 'other']) {
    const c = await createContact(srv, { lifecycle_stage: stage });
    assert.equal(c.lifecycle_stage, stage);
  }
});

it('a contact may be identified by phone, first_name, last_name or external_id alone', async (t, srv) => {
  for (const body of [{ phone: '+3512345678' }, { first_name: 'Only' }, { last_name: 'Lastname' },
    { external_id: uniq('ext') }]) {
    const res = await request(srv, 'POST', `${API}/contacts`, { body });
    expectStatus(res, 201);
    assert.equal(res.body.email, null);
  }
});

it('timezone UTC, a leap-day birthday and yesterday\'s date are accepted', async (t, srv) => {
  const c1 = await createContact(srv, { timezone: 'UTC', birthday: '2000-02-29' });
  assert.equal(c1.timezone, 'UTC');
  assert.equal(c1.birthday, '2000-02-29');
  const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  const c2 = await createContact(srv, { timezone: 'America/Argentina/Buenos_Aires', birthday: yesterday });
  assert.equal(c2.birthday, yesterday);
});

it('GET /contacts/{id} of an unknown id: 404 problem', async (t, srv) => {
  assertProblem(await request(srv, 'GET', `${API}/contacts/987654321`), 404);
  assertProblem(await request(srv, 'PATCH', `${API}/contacts/987654321`, { body: { first_name: 'x' } }), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/contacts/987654321`), 404);
  assertProblem(await request(srv, 'POST', `${API}/contacts/987654321/tags`, { body: { tags: ['x'] } }), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/contacts/987654321/tags/x`), 404);
});

// ---------------------------------------------------------------------------------------------
// Validation: 422 naming the field; nothing stored

const nextYear = new Date().getUTCFullYear() + 1;
const invalid = [
  ['email without @', { email: 'not-an-email' }, 'email'],
  ['email without tld', { email: 'ana@localhost' }, 'email'],
  ['email without local part', { email: '@example.com' }, 'email'],
  ['email with a space', { email: 'ana silva@example.com' }, 'email'],
  ['email over 254 chars', { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com` }, 'email'],
  ['email not a string', { email: 12345 }, 'email'],
  ['phone with 6 digits', { email: uniqEmail(), phone: '+123456' }, 'phone'],
  ['phone with 16 digits', { email: uniqEmail(), phone: '+1234567890123456' }, 'phone'],
  ['phone with letters', { email: uniqEmail(), phone: '+49 151 CALL ME' }, 'phone'],
  ['phone not a string', { email: uniqEmail(), phone: 4915112345678 }, 'phone'],
  ['first_name over 200 chars', { email: uniqEmail(), first_name: 'x'.repeat(201) }, 'first_name'],
  ['last_name over 200 chars', { email: uniqEmail(), last_name: 'y'.repeat(201) }, 'last_name'],
  ['first_name not a string', { email: uniqEmail(), first_name: ['Ana'] }, 'first_name'],
  ['birthday Feb 30', { email: uniqEmail(), birthday: '1990-02-30' }, 'birthday'],
  ['birthday Feb 29 of a non-leap year', { email: uniqEmail(), birthday: '2023-02-29' }, 'birthday'],
  ['birthday month 13', { email: uniqEmail(), birthday: '1990-13-01' }, 'birthday'],
  ['birthday not a date', { email: uniqEmail(), birthday: 'yesterday' }, 'birthday'],
  ['birthday with a time', { email: uniqEmail(), birthday: '1990-04-01T00:00:00Z' }, 'birthday'],
  ['birthday in the future', { email: uniqEmail(), birthday: `${nextYear}-01-01` }, 'birthday'],
  ['birthday a number', { email: uniqEmail(), birthday: 19900401 }, 'birthday'],
  ['timezone unknown', { email: uniqEmail(), timezone: 'Mars/Olympus_Mons' }, 'timezone'],
  ['timezone misspelt', { email: uniqEmail(), timezone: 'Europe/Berln' }, 'timezone'],
  ['lifecycle_stage unknown', { email: uniqEmail(), lifecycle_stage: 'vip' }, 'lifecycle_stage'],
  ['owner_id not a member', { email: uniqEmail(), owner_id: 424242 }, 'owner_id'],
  ['owner_id not an integer', { email: uniqEmail(), owner_id: 'boss' }, 'owner_id'],
  ['company_id nonexistent', { email: uniqEmail(), company_id: 999999 }, 'company_id'],
  ['company_id not an integer', { email: uniqEmail(), company_id: 'acme' }, 'company_id'],
  ['source over 200 chars', { email: uniqEmail(), source: 's'.repeat(201) }, 'source'],
  ['external_id over 255 chars', { email: uniqEmail(), external_id: 'e'.repeat(256) }, 'external_id'],
  ['custom not an object', { email: uniqEmail(), custom: 'plan=pro' }, 'custom'],
  ['unknown custom field', { email: uniqEmail(), custom: { no_such_field: 1 } }, 'custom.no_such_field'],
  ['tags not an array', { email: uniqEmail(), tags: 'vip' }, 'tags'],
  ['empty tag name', { email: uniqEmail(), tags: ['ok', ''] }, 'tags[1]'],
  ['blank tag name', { email: uniqEmail(), tags: ['ok', 'fine', '   '] }, 'tags[2]'],
  ['tag over 64 chars', { email: uniqEmail(), tags: ['ok', 't'.repeat(65)] }, 'tags[1]'],
  ['tag with a control character', { email: uniqEmail(), tags: ['ok', 'bad\u0001tag'] }, 'tags[1]'],
  ['tag not a string', { email: uniqEmail(), tags: [5] }, 'tags[0]'],
];

for (const [name, body, field] of invalid) {
  it(`POST /contacts rejects ${name}: 422 naming "${field}", nothing stored`, async (t, srv) => {
    await assertNothingStored(srv, async () => {
      const res = await request(srv, 'POST', `${API}/contacts`, { body });
      assertProblem(res, 422, [field]);
    });
  });
}

it('POST /contacts with an unknown top-level field: 422 {field: "nickname", message: "unknown field"}', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail(), nickname: 'Annie' } });
    const p = assertProblem(res, 422, ['nickname']);
    const e = p.errors.find((x) => x.field === 'nickname');
    assert.equal(e.message, 'unknown field');
  });
});

it('POST /contacts names every bad field at once', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/contacts`, {
      body: { email: 'bad', phone: '1', timezone: 'Nowhere/Nothing', lifecycle_stage: 'x', nickname: 'y' },
    });
    assertProblem(res, 422, ['email', 'phone', 'timezone', 'lifecycle_stage', 'nickname']);
  });
});

it('POST /contacts without any identifying field: 422, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    for (const body of [{}, { source: 'web_form' }, { lifecycle_stage: 'customer', tags: ['x'] },
      { email: null, phone: null }]) {
      assertProblem(await request(srv, 'POST', `${API}/contacts`, { body }), 422);
    }
  });
});

it('tags named in a rejected contact are not created', async (t, srv) => {
  const tag = uniq('ghost');
  const res = await request(srv, 'POST', `${API}/contacts`, { body: { email: 'bad', tags: [tag] } });
  assertProblem(res, 422, ['email']);
  const tags = await getJson(srv, `${API}/tags`);
  assert.ok(!tags.data.some((x) => x.name === tag), 'the tag of a rejected contact must not exist');
});

// ---------------------------------------------------------------------------------------------
// Uniqueness

it('duplicate email: 409 with existing_id, also after normalisation; nothing stored', async (t, srv) => {
  const email = uniqEmail('dup');
  const first = await createContact(srv, { email });
  await assertNothingStored(srv, async () => {
    for (const again of [email, `  ${email.toUpperCase()} `]) {
      const res = await request(srv, 'POST', `${API}/contacts`, { body: { email: again, first_name: 'Other' } });
      const p = assertProblem(res, 409);
      assert.equal(p.existing_id, first.id, `existing_id names the contact: ${res.text}`);
      if (p.errors !== undefined) assertErrorField(p, 'email', res);
    }
  });
});

it('duplicate external_id: 409 with existing_id; nothing stored', async (t, srv) => {
  const ext = uniq('ext-');
  const first = await createContact(srv, { external_id: ext });
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail(), external_id: ext } });
    const p = assertProblem(res, 409);
    assert.equal(p.existing_id, first.id, `existing_id names the contact: ${res.text}`);
    if (p.errors !== undefined) assertErrorField(p, 'external_id', res);
  });
});

it('contacts without email or external_id do not conflict with each other', async (t, srv) => {
  await createContact(srv, { email: undefined, first_name: 'NoMail' });
  await createContact(srv, { email: undefined, first_name: 'NoMail' });
});

it('a deleted contact\'s email can be used again', async (t, srv) => {
  const c = await createContact(srv);
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${c.id}`), 204);
  const again = await createContact(srv, { email: c.email });
  assert.notEqual(again.id, c.id);
});

// ---------------------------------------------------------------------------------------------
// Lists, filters, search

it('GET /contacts: default limit 50, shape {data, next_cursor}', async (t, srv) => {
  const res = await request(srv, 'POST', `${API}/contacts/batch`, {
    body: { contacts: Array.from({ length: 60 }, () => ({ email: uniqEmail('lst') })) },
  });
  expectStatus(res, 200);
  const list = await request(srv, 'GET', `${API}/contacts`);
  expectStatus(list, 200);
  assert.match(list.contentType, /^application\/json/);
  assert.deepEqual(Object.keys(list.body).sort(), ['data', 'next_cursor']);
  assert.equal(list.body.data.length, 50, 'default limit is 50');
  assert.equal(typeof list.body.next_cursor, 'string');
  for (const c of list.body.data) assert.deepEqual(Object.keys(c).sort(), [...CONTACT_KEYS].sort());
  const ids = list.body.data.map((c) => c.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'default sort is id ascending');
});

it('GET /contacts filters: company_id, tag, lifecycle_stage, email, external_id', async (t, srv) => {
  const co = await createCompany(srv);
  const tag = uniq('flt');
  const ext = uniq('fext');
  const a = await createContact(srv, { company_id: co.id, tags: [tag], lifecycle_stage: 'churned' });
  const b = await createContact(srv, { company_id: co.id, lifecycle_stage: 'churned', external_id: ext });
  const c = await createContact(srv, { tags: [tag] });

  const ids = async (qs) => (await listAll(srv, 'contacts', qs)).map((x) => x.id).sort((x, y) => x - y);
  assert.deepEqual(await ids(`company_id=${co.id}`), [a.id, b.id]);
  assert.deepEqual(await ids(`tag=${tag}`), [a.id, c.id]);
  assert.deepEqual(await ids(`email=${encodeURIComponent(b.email)}`), [b.id]);
  assert.deepEqual(await ids(`external_id=${ext}`), [b.id]);
  const churned = await listAll(srv, 'contacts', 'lifecycle_stage=churned');
  assert.ok(churned.every((x) => x.lifecycle_stage === 'churned'));
  assert.ok(churned.some((x) => x.id === a.id) && churned.some((x) => x.id === b.id));
  assert.ok(!churned.some((x) => x.id === c.id));
  assert.deepEqual(await ids(`company_id=${co.id}&tag=${tag}`), [a.id], 'filters combine');
  assert.deepEqual(await ids('email=nobody-at-all%40example.com'), []);
});

it('GET /contacts?q= searches names, email and company name by word prefix', async (t, srv) => {
  const word = `zq${uniq('').replace(/[^a-z0-9]/g, '')}`;
  const co = await createCompany(srv, { name: `Quillfeather ${word}corp` });
  const alice = await createContact(srv, { first_name: 'Alicia', last_name: `${word}son`, email: `${uniq('al')}@example.com` });
  const linked = await createContact(srv, { first_name: 'Bob', company_id: co.id });
  const byMail = await createContact(srv, { email: `${word}mail@example.org` });

  const ids = async (q) => (await listAll(srv, 'contacts', `q=${encodeURIComponent(q)}`)).map((x) => x.id).sort((x, y) => x - y);
  assert.deepEqual(await ids(`ali ${word.slice(0, 6)}`), [alice.id], 'first and last name prefixes');
  assert.ok((await ids('ali exa')).includes(alice.id), 'q=ali exa finds Alice at example.com');
  assert.deepEqual(await ids(`${word}corp`), [linked.id], 'company name');
  assert.deepEqual(await ids(`${word}mai`), [byMail.id], 'email prefix');
  assert.deepEqual(await ids(`${word}`), [alice.id, linked.id, byMail.id].sort((x, y) => x - y));

  // The index follows changes: a renamed contact and a renamed company.
  let res = await request(srv, 'PATCH', `${API}/contacts/${alice.id}`, { body: { last_name: 'Otherwise' } });
  expectStatus(res, 200);
  assert.deepEqual(await ids(`ali ${word.slice(0, 6)}`), [], 'old last name no longer matches');
  res = await request(srv, 'PATCH', `${API}/companies/${co.id}`, { body: { name: `Renamed ${word}newco` } });
  expectStatus(res, 200);
  assert.deepEqual(await ids(`${word}newco`), [linked.id], 'contact found by the new company name');
  // A deleted contact is not found.
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${byMail.id}`), 204);
  assert.deepEqual(await ids(`${word}mai`), []);
});

// ---------------------------------------------------------------------------------------------
// PATCH

it('PATCH merges: absent fields unchanged, version and ETag advance, updated_at moves', async (t, srv) => {
  const c = await createContact(srv, { first_name: 'Ana', last_name: 'Silva', phone: '+351912345678', source: 'web' });
  await sleep(5);
  const res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { first_name: 'Anabela' } });
  expectStatus(res, 200);
  const p = res.body;
  assert.equal(p.first_name, 'Anabela');
  for (const k of ['email', 'phone', 'last_name', 'source', 'lifecycle_stage', 'created_at', 'id']) {
    assert.deepEqual(p[k], c[k], `${k} unchanged`);
  }
  assert.equal(p.version, c.version + 1);
  assert.equal(assertEtag(res), `"${c.version + 1}"`);
  assert.ok(tsMicros(p.updated_at) > tsMicros(c.updated_at), 'updated_at advances');
  const got = await getContact(srv, c.id);
  assert.deepEqual(got.body, p);
  assert.equal(got.headers.get('etag'), `"${p.version}"`);
});

it('PATCH null clears fields', async (t, srv) => {
  const co = await createCompany(srv);
  const c = await createContact(srv, {
    phone: '+351912345678', birthday: '1980-01-01', timezone: 'UTC', company_id: co.id, source: 'x',
    external_id: uniq('e'),
  });
  const res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, {
    body: { phone: null, birthday: null, timezone: null, company_id: null, source: null, external_id: null },
  });
  expectStatus(res, 200);
  for (const k of ['phone', 'birthday', 'timezone', 'company_id', 'source', 'external_id']) {
    assert.equal(res.body[k], null, `${k} cleared`);
  }
  assert.equal(res.body.email, c.email);
});

it('PATCH normalises like POST', async (t, srv) => {
  const c = await createContact(srv);
  const email = uniqEmail('pn');
  const res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, {
    body: { email: `  ${email.toUpperCase()}  `, phone: '0044 20 7946 0958', first_name: '  Zed ' },
  });
  expectStatus(res, 200);
  assert.equal(res.body.email, email);
  assert.equal(res.body.phone, '+442079460958');
  assert.equal(res.body.first_name, 'Zed');
});

it('PATCH tags replaces the whole tag set; other fields keep their tags', async (t, srv) => {
  const t1 = uniq('ta'); const t2 = uniq('tb'); const t3 = uniq('tc');
  const c = await createContact(srv, { tags: [t1, t2] });
  assert.deepEqual(c.tags, [t1, t2].sort());
  let res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { tags: [t3.toUpperCase(), t2] } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.tags, [t2, t3].sort());
  res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { first_name: 'Keep' } });
  assert.deepEqual(res.body.tags, [t2, t3].sort(), 'tags absent from the patch are unchanged');
  res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { tags: [] } });
  assert.deepEqual(res.body.tags, []);
  const counts = await tagCounts(srv);
  assert.equal(counts[t1] ?? 0, 0);
  assert.equal(counts[t2] ?? 0, 0);
});

it('PATCH with a stale If-Match: 412 and nothing changes; a current If-Match succeeds', async (t, srv) => {
  const c = await createContact(srv, { first_name: 'V1' });
  const r1 = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, {
    body: { first_name: 'V2' }, headers: { 'If-Match': '"1"' },
  });
  expectStatus(r1, 200);
  const etag2 = r1.headers.get('etag');
  assert.equal(etag2, '"2"');
  const before = (await getContact(srv, c.id)).body;

  const stale = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, {
    body: { first_name: 'V3', tags: ['stale'] }, headers: { 'If-Match': '"1"' },
  });
  assertProblem(stale, 412);
  const after = (await getContact(srv, c.id)).body;
  assert.deepEqual(after, before, 'a 412 changes nothing');
  const tags = await getJson(srv, `${API}/tags`);
  assert.ok(!tags.data.some((x) => x.name === 'stale' && x.contact_count > 0));

  const r3 = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, {
    body: { first_name: 'V3' }, headers: { 'If-Match': etag2 },
  });
  expectStatus(r3, 200);
  assert.equal(r3.body.first_name, 'V3');
  assert.equal(r3.headers.get('etag'), '"3"');
  assertProblem(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, {
    body: { first_name: 'V4' }, headers: { 'If-Match': '"999"' },
  }), 412);
  assert.equal((await getContact(srv, c.id)).body.first_name, 'V3');
});

it('PATCH with invalid values: 422 naming the fields and nothing changes', async (t, srv) => {
  const c = await createContact(srv, { first_name: 'Stay', phone: '+351912345678' });
  const cases = [
    [{ email: 'nope' }, 'email'],
    [{ phone: '12' }, 'phone'],
    [{ birthday: '2001-02-29' }, 'birthday'],
    [{ timezone: 'Atlantis/Capital' }, 'timezone'],
    [{ lifecycle_stage: 'prospect' }, 'lifecycle_stage'],
    [{ company_id: 999999 }, 'company_id'],
    [{ nickname: 'x' }, 'nickname'],
    [{ custom: { ghost: 1 } }, 'custom.ghost'],
    [{ tags: ['ok', ''] }, 'tags[1]'],
    [{ first_name: 'Changed', email: 'bad@' }, 'email'],
  ];
  for (const [body, field] of cases) {
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body }), 422, [field]);
    });
  }
  const got = (await getContact(srv, c.id)).body;
  assert.deepEqual(got, c, 'the contact is exactly as created');
});

it('PATCH email or external_id to one already used: 409 with existing_id, nothing changes', async (t, srv) => {
  const a = await createContact(srv, { external_id: uniq('xa') });
  const b = await createContact(srv);
  let res = await request(srv, 'PATCH', `${API}/contacts/${b.id}`, { body: { email: a.email.toUpperCase() } });
  assert.equal(assertProblem(res, 409).existing_id, a.id, res.text);
  res = await request(srv, 'PATCH', `${API}/contacts/${b.id}`, { body: { external_id: a.external_id } });
  assert.equal(assertProblem(res, 409).existing_id, a.id, res.text);
  assert.deepEqual((await getContact(srv, b.id)).body, b);
  // Setting a contact's email to its own email is not a conflict.
  res = await request(srv, 'PATCH', `${API}/contacts/${a.id}`, { body: { email: a.email } });
  expectStatus(res, 200);
});

it('PATCH with malformed JSON or a non-object body: 400, nothing changes', async (t, srv) => {
  const c = await createContact(srv);
  for (const body of ['{"first_name": ', '[{"first_name":"x"}]', '"x"', 'null', '']) {
    assertProblem(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body }), 400);
  }
  assert.deepEqual((await getContact(srv, c.id)).body, c);
});

// ---------------------------------------------------------------------------------------------
// DELETE

it('DELETE /contacts/{id}: 204, then 404; its tag links go with it', async (t, srv) => {
  const tag = uniq('del');
  const keep = await createContact(srv, { tags: [tag] });
  const c = await createContact(srv, { tags: [tag] });
  assert.equal((await tagCounts(srv))[tag], 2);
  const res = await request(srv, 'DELETE', `${API}/contacts/${c.id}`);
  expectStatus(res, 204);
  assert.equal(res.text, '', '204 has no body');
  assertProblem(await request(srv, 'GET', `${API}/contacts/${c.id}`), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/contacts/${c.id}`), 404);
  assert.equal((await tagCounts(srv))[tag], 1, 'tag count drops with the deleted contact');
  assert.deepEqual((await listAll(srv, 'contacts', `tag=${tag}`)).map((x) => x.id), [keep.id]);
});

it('DELETE with a stale If-Match: 412 and the contact stays; current If-Match deletes', async (t, srv) => {
  const c = await createContact(srv);
  expectStatus(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { first_name: 'x' } }), 200);
  assertProblem(await request(srv, 'DELETE', `${API}/contacts/${c.id}`, { headers: { 'If-Match': '"1"' } }), 412);
  const still = await getContact(srv, c.id);
  assert.equal(still.body.version, 2);
  expectStatus(await request(srv, 'DELETE', `${API}/contacts/${c.id}`, { headers: { 'If-Match': '"2"' } }), 204);
  assertProblem(await request(srv, 'GET', `${API}/contacts/${c.id}`), 404);
});

// ---------------------------------------------------------------------------------------------
// Contact tags

it('POST /contacts/{id}/tags adds tags (normalised, merged, sorted); DELETE removes one', async (t, srv) => {
  const a = uniq('ka'); const b = uniq('kb'); const c0 = uniq('kc');
  const c = await createContact(srv, { tags: [b] });
  let res = await request(srv, 'POST', `${API}/contacts/${c.id}/tags`, { body: { tags: [` ${a.toUpperCase()} `, c0, b] } });
  expectStatus(res, 200);
  assert.equal(res.body.id, c.id);
  assert.deepEqual(res.body.tags, [a, b, c0].sort(), 'added to the existing set, no duplicates');
  assert.deepEqual((await getContact(srv, c.id)).body.tags, [a, b, c0].sort());

  res = await request(srv, 'DELETE', `${API}/contacts/${c.id}/tags/${encodeURIComponent(b)}`);
  expectStatus(res, 200);
  assert.deepEqual(res.body.tags, [a, c0].sort());
  assertProblem(await request(srv, 'DELETE', `${API}/contacts/${c.id}/tags/${encodeURIComponent(b)}`), 404,
    []);
  assertProblem(await request(srv, 'DELETE', `${API}/contacts/${c.id}/tags/never-existed-${uniq()}`), 404);
  const counts = await tagCounts(srv);
  assert.equal(counts[a], 1);
  assert.equal(counts[b] ?? 0, 0);
});

it('POST /contacts/{id}/tags with bad input: 422/400 naming the field, nothing changes', async (t, srv) => {
  const c = await createContact(srv, { tags: ['keepme'] });
  const cases = [
    [{ tags: ['fine', ''] }, 422, 'tags[1]'],
    [{ tags: ['x'.repeat(65)] }, 422, 'tags[0]'],
    [{ tags: 'vip' }, 422, 'tags'],
    [{ tags: ['ok', 7] }, 422, 'tags[1]'],
  ];
  for (const [body, status, field] of cases) {
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'POST', `${API}/contacts/${c.id}/tags`, { body }), status, [field]);
    });
  }
  await assertNothingStored(srv, async () => {
    assertProblem(await request(srv, 'POST', `${API}/contacts/${c.id}/tags`, { body: '{"tags": [' }), 400);
    const r = await request(srv, 'POST', `${API}/contacts/${c.id}/tags`, { body: {} });
    expectStatus(r, [400, 422]);
    assertProblem(r, r.status);
  });
  assert.deepEqual((await getContact(srv, c.id)).body, c);
});

// ---------------------------------------------------------------------------------------------
// Batch

it('POST /contacts/batch: per-item results; only good items are stored', async (t, srv) => {
  const dupEmail = uniqEmail('bd');
  const existing = await createContact(srv);
  const items = [
    { email: dupEmail, first_name: 'Good0' },
    { email: 'broken', first_name: 'Bad1' },
    { email: uniqEmail('bg'), tags: ['batchtag'] },
    { email: dupEmail }, // duplicate of item 0
    { email: uniqEmail('bb'), timezone: 'No/Where', phone: '1' },
    { email: existing.email }, // duplicate of a stored contact
    { first_name: 'Good6', nickname: 'x' },
    { phone: '+351 91 234 5678' },
  ];
  const before = await snapshot(srv);
  const res = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: items } });
  expectStatus(res, 200);
  const { results, created, failed } = res.body;
  assert.equal(results.length, items.length);
  results.forEach((r, i) => assert.equal(r.index, i, `results[${i}].index`));
  const okIdx = [0, 2, 7];
  for (const i of okIdx) {
    assert.equal(results[i].status, 201, `item ${i}: ${JSON.stringify(results[i])}`);
    assert.ok(Number.isInteger(results[i].id));
  }
  const checkErr = (i, status, field) => {
    const r = results[i];
    assert.equal(r.status, status, `item ${i}: ${JSON.stringify(r)}`);
    assert.ok(r.error && typeof r.error === 'object', `item ${i} has an error problem`);
    assert.equal(r.error.status, status);
    assert.equal(typeof r.error.title, 'string');
    if (field) assertErrorField(r.error, field);
    assert.equal(r.id, undefined, `failed item ${i} has no id`);
  };
  checkErr(1, 422, 'contacts[1].email');
  checkErr(3, 409);
  assert.equal(results[3].error.existing_id, results[0].id, 'in-batch duplicate names the first item');
  checkErr(4, 422, 'contacts[4].timezone');
  assertErrorField(results[4].error, 'contacts[4].phone');
  checkErr(5, 409);
  assert.equal(results[5].error.existing_id, existing.id);
  checkErr(6, 422, 'contacts[6].nickname');
  assert.equal(created, 3);
  assert.equal(failed, 5);

  const after = await snapshot(srv);
  assert.equal(after.contacts, before.contacts + 3, 'exactly the good items are stored');
  for (const i of okIdx) {
    const got = await getContact(srv, results[i].id);
    if (items[i].email) assert.equal(got.body.email, items[i].email);
  }
  assert.equal((await listAll(srv, 'contacts', 'email=broken')).length, 0);
  assert.deepEqual((await getContact(srv, results[2].id)).body.tags, ['batchtag']);
  // Every created item is audited with the record exactly as GET returns it.
  for (const i of okIdx) {
    const audit = await request(srv, 'GET', `${API}/audit?entity=contact&id=${results[i].id}`);
    assert.equal(audit.status, 200);
    assert.equal(audit.body.data.length, 1);
    assert.equal(audit.body.data[0].action, 'create');
    assert.deepEqual(audit.body.data[0].changes.after, (await getContact(srv, results[i].id)).body);
  }
  // An item with a mistyped field and a bad email names both within the item.
  const mixed = await request(srv, 'POST', `${API}/contacts/batch`,
    { body: { contacts: [{ first_name: 'Ok' }, { email: 'not-an-email', phone: 5 }] } });
  expectStatus(mixed, 200);
  assertErrorField(mixed.body.results[1].error, 'contacts[1].phone');
  assertErrorField(mixed.body.results[1].error, 'contacts[1].email');
  for (const e of mixed.body.results[1].error.errors) {
    assert.ok(e.field.startsWith('contacts[1].'), `field ${e.field} is named within its item`);
  }
});

it('POST /contacts/batch with 1000 items creates them all', async (t, srv) => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ email: uniqEmail('k'), first_name: `N${i}` }));
  const before = await snapshot(srv);
  const res = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: items } });
  expectStatus(res, 200);
  assert.equal(res.body.created, 1000);
  assert.equal(res.body.failed, 0);
  assert.equal(new Set(res.body.results.map((r) => r.id)).size, 1000, 'distinct ids');
  assert.equal((await snapshot(srv)).contacts, before.contacts + 1000);
});

it('POST /contacts/batch whole-request errors: 1001 items, missing or non-array contacts; nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const many = Array.from({ length: 1001 }, () => ({ email: uniqEmail('x') }));
    let res = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: many } });
    expectStatus(res, [400, 422]);
    assertProblem(res, res.status);
    for (const body of [{}, { contacts: 'x' }, { contacts: { email: uniqEmail() } }, { contacts: null }]) {
      res = await request(srv, 'POST', `${API}/contacts/batch`, { body });
      expectStatus(res, [400, 422]);
      assertProblem(res, res.status);
    }
    assertProblem(await request(srv, 'POST', `${API}/contacts/batch`, { body: '{"contacts": [' }), 400);
    assertProblem(await request(srv, 'POST', `${API}/contacts/batch`, { body: '[]' }), 400);
  });
});

it('POST /contacts/batch with an empty array: 200, nothing created', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: [] } });
    expectStatus(res, 200);
    assert.deepEqual(res.body.results, []);
    assert.equal(res.body.created, 0);
    assert.equal(res.body.failed, 0);
  });
});

it('POST /contacts/batch items that are not objects fail individually', async (t, srv) => {
  const good = uniqEmail('bn');
  const res = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: [{ email: good }, 'x', 5, null] } });
  expectStatus(res, 200);
  assert.equal(res.body.results[0].status, 201);
  for (const i of [1, 2, 3]) {
    assert.ok([400, 422].includes(res.body.results[i].status), JSON.stringify(res.body.results[i]));
  }
  assert.equal(res.body.created, 1);
  assert.equal(res.body.failed, 3);
});
