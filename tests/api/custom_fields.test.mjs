// Custom fields: definitions (CRUD, key/entity/type immutability, enum options), and the
// validation of values on contacts and companies for every type.

import assert from 'node:assert/strict';
import {
  API, useServer, request, describe, expectStatus, assertProblem, assertErrorField,
  assertNothingStored, createContact, createCompany, getJson, uniq, uniqEmail,
} from './harness.mjs';

const S = useServer();
const it = S.it;

// A fresh valid key: [a-z][a-z0-9_]{0,62}.
const key = (p = 'f') => uniq(p).replace(/[^a-z0-9_]/g, '_');

async function defineField(srv, body) {
  const res = await request(srv, 'POST', `${API}/custom-fields`, { body: { label: 'Label', required: false, ...body } });
  assert.equal(res.status, 201, `define field: ${describe(res)}`);
  return res.body;
}

async function getContact(srv, id) {
  return getJson(srv, `${API}/contacts/${id}`);
}

// One field of each type for contacts, defined once for the file.
const F = {};
it('defines one contact custom field of each type: 201 echoing the definition', async (t, srv) => {
  const defs = {
    text: { entity: 'contact', key: key('txt'), label: 'Notes', type: 'text' },
    number: { entity: 'contact', key: key('num'), label: 'Score', type: 'number' },
    boolean: { entity: 'contact', key: key('bool'), label: 'VIP', type: 'boolean' },
    date: { entity: 'contact', key: key('date'), label: 'Renewal', type: 'date' },
    enum: { entity: 'contact', key: key('plan'), label: 'Plan', type: 'enum', options: ['free', 'pro', 'team'] },
  };
  for (const [type, def] of Object.entries(defs)) {
    const res = await request(srv, 'POST', `${API}/custom-fields`, { body: { ...def, required: false } });
    expectStatus(res, 201);
    const f = res.body;
    assert.ok(Number.isInteger(f.id) && f.id > 0);
    assert.equal(f.entity, def.entity);
    assert.equal(f.key, def.key);
    assert.equal(f.label, def.label);
    assert.equal(f.type, def.type);
    assert.equal(f.required, false);
    if (type === 'enum') assert.deepEqual(f.options, def.options);
    F[type] = f;
  }
  const list = await getJson(srv, `${API}/custom-fields?entity=contact`);
  assert.ok(Array.isArray(list.data));
  for (const f of Object.values(F)) {
    const listed = list.data.find((x) => x.id === f.id);
    assert.ok(listed, `field ${f.key} listed`);
    assert.deepEqual(listed, f);
  }
  const companies = await getJson(srv, `${API}/custom-fields?entity=company`);
  assert.ok(companies.data.every((x) => x.entity === 'company'), 'entity filter');
  const all = await getJson(srv, `${API}/custom-fields`);
  assert.ok(Object.values(F).every((f) => all.data.some((x) => x.id === f.id)));
  const one = await request(srv, 'GET', `${API}/custom-fields/${F.enum.id}`);
  expectStatus(one, 200);
  assert.deepEqual(one.body, F.enum);
});

it('GET /custom-fields/{id} carries ETag "<version>"', async (t, srv) => {
  const res = await request(srv, 'GET', `${API}/custom-fields/${F.text.id}`);
  expectStatus(res, 200);
  assert.ok(Number.isInteger(res.body.version), `version in body: ${res.text}`);
  assert.equal(res.headers.get('etag'), `"${res.body.version}"`);
});

it('contacts accept valid values of every type and echo them in custom', async (t, srv) => {
  const custom = {
    [F.text.key]: 'likes tea',
    [F.number.key]: 3.5,
    [F.boolean.key]: false,
    [F.date.key]: '2024-02-29',
    [F.enum.key]: 'pro',
  };
  const c = await createContact(srv, { custom });
  assert.deepEqual(c.custom, custom);
  assert.deepEqual((await getContact(srv, c.id)).custom, custom);
  for (const v of [0, -2, 1e6, 12345678901]) {
    const x = await createContact(srv, { custom: { [F.number.key]: v } });
    assert.equal(x.custom[F.number.key], v);
  }
  const long = await createContact(srv, { custom: { [F.text.key]: 't'.repeat(10000) } });
  assert.equal(long.custom[F.text.key].length, 10000, 'text of exactly 10,000 chars is allowed');
});

const wrongValues = () => [
  ['text', 5], ['text', true], ['text', { a: 1 }], ['text', ['a']], ['text', 't'.repeat(10001)],
  ['number', '5'], ['number', true], ['number', [1]],
  ['boolean', 'true'], ['boolean', 1], ['boolean', 'yes'],
  ['date', '2024-02-30'], ['date', '2023-02-29'], ['date', '2024/01/01'], ['date', '01-02-2024'],
  ['date', 20240101], ['date', '2024-01-01T10:00:00Z'], ['date', 'tomorrow'],
  ['enum', 'gold'], ['enum', ''], ['enum', 1], ['enum', ['pro']],
];

it('contacts reject a wrong value for each custom field type: 422 custom.<key>, nothing stored', async (t, srv) => {
  for (const [type, value] of wrongValues()) {
    const k = F[type].key;
    await assertNothingStored(srv, async () => {
      const res = await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail('cv'), custom: { [k]: value } } });
      assert.equal(res.status, 422, `${type} value ${JSON.stringify(value).slice(0, 40)}: ${describe(res)}`);
      assertProblem(res, 422, [`custom.${k}`]);
    });
  }
});

it('an unknown custom key is 422 custom.<key>, never dropped; every bad key is named', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/contacts`, {
      body: { email: uniqEmail(), custom: { [F.text.key]: 'ok', mystery: 1, [F.enum.key]: 'nope' } },
    });
    assertProblem(res, 422, ['custom.mystery', `custom.${F.enum.key}`]);
  });
});

it('batch items with bad custom values fail individually with contacts[i].custom.<key>', async (t, srv) => {
  const res = await request(srv, 'POST', `${API}/contacts/batch`, {
    body: {
      contacts: [
        { email: uniqEmail(), custom: { [F.number.key]: 'x' } },
        { email: uniqEmail(), custom: { [F.number.key]: 7 } },
      ],
    },
  });
  expectStatus(res, 200);
  assert.equal(res.body.results[0].status, 422);
  assertErrorField(res.body.results[0].error, `contacts[0].custom.${F.number.key}`);
  assert.equal(res.body.results[1].status, 201);
  assert.equal(res.body.created, 1);
});

it('PATCH custom merges keys; null removes a key; bad values are 422 and change nothing', async (t, srv) => {
  const c = await createContact(srv, { custom: { [F.text.key]: 'a', [F.number.key]: 1 } });
  let res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { custom: { [F.enum.key]: 'team' } } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.custom, { [F.text.key]: 'a', [F.number.key]: 1, [F.enum.key]: 'team' });
  res = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { custom: { [F.number.key]: null, [F.text.key]: 'b' } } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.custom, { [F.text.key]: 'b', [F.enum.key]: 'team' });
  const before = await getContact(srv, c.id);
  for (const [type, value] of wrongValues()) {
    const k = F[type].key;
    const r = await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { custom: { [k]: value } } });
    assertProblem(r, 422, [`custom.${k}`]);
  }
  assertProblem(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { custom: { ghost: 'x' } } }), 422, ['custom.ghost']);
  assertProblem(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { custom: 'x' } }), 422, ['custom']);
  assert.deepEqual(await getContact(srv, c.id), before, 'rejected patches changed nothing');
});

it('company custom fields apply to companies only', async (t, srv) => {
  const k = key('tier');
  const f = await defineField(srv, { entity: 'company', key: k, type: 'enum', options: ['gold', 'silver'] });
  assert.equal(f.entity, 'company');
  const co = await createCompany(srv, { custom: { [k]: 'gold' } });
  assert.deepEqual(co.custom, { [k]: 'gold' });
  await assertNothingStored(srv, async () => {
    assertProblem(await request(srv, 'POST', `${API}/companies`, { body: { name: 'X', custom: { [k]: 'bronze' } } }), 422, [`custom.${k}`]);
    assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail(), custom: { [k]: 'gold' } } }), 422, [`custom.${k}`]);
    assertProblem(await request(srv, 'POST', `${API}/companies`, { body: { name: 'X', custom: { [F.text.key]: 'x' } } }), 422, [`custom.${F.text.key}`]);
  });
  const res = await request(srv, 'PATCH', `${API}/companies/${co.id}`, { body: { custom: { [k]: 'silver' } } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.custom, { [k]: 'silver' });
  // The same key may exist for both entities.
  const twin = await defineField(srv, { entity: 'contact', key: k, type: 'text' });
  assert.equal(twin.key, k);
});

// ---------------------------------------------------------------------------------------------
// Definition validation

const badDefs = () => [
  ['key with upper case', { entity: 'contact', key: 'Plan', type: 'text' }, 'key'],
  ['key starting with a digit', { entity: 'contact', key: '1plan', type: 'text' }, 'key'],
  ['key with a dash', { entity: 'contact', key: 'plan-x', type: 'text' }, 'key'],
  ['key empty', { entity: 'contact', key: '', type: 'text' }, 'key'],
  ['key of 64 chars', { entity: 'contact', key: `k${'x'.repeat(63)}`, type: 'text' }, 'key'],
  ['key missing', { entity: 'contact', type: 'text' }, 'key'],
  ['entity unknown', { entity: 'deal', key: key(), type: 'text' }, 'entity'],
  ['entity missing', { key: key(), type: 'text' }, 'entity'],
  ['type unknown', { entity: 'contact', key: key(), type: 'color' }, 'type'],
  ['type missing', { entity: 'contact', key: key() }, 'type'],
  ['enum without options', { entity: 'contact', key: key(), type: 'enum' }, 'options'],
  ['enum with no options', { entity: 'contact', key: key(), type: 'enum', options: [] }, 'options'],
  ['enum with duplicate options', { entity: 'contact', key: key(), type: 'enum', options: ['a', 'a'] }, 'options'],
  ['enum with an empty option', { entity: 'contact', key: key(), type: 'enum', options: ['a', ''] }, 'options'],
  ['enum with a non-string option', { entity: 'contact', key: key(), type: 'enum', options: ['a', 2] }, 'options'],
  ['enum with 201 options', { entity: 'contact', key: key(), type: 'enum', options: Array.from({ length: 201 }, (_, i) => `o${i}`) }, 'options'],
  ['required not a boolean', { entity: 'contact', key: key(), type: 'text', required: 'yes' }, 'required'],
];

for (const [name, body, field] of badDefs()) {
  it(`POST /custom-fields rejects ${name}: 422 naming "${field}", nothing stored`, async (t, srv) => {
    await assertNothingStored(srv, async () => {
      const res = await request(srv, 'POST', `${API}/custom-fields`, { body: { label: 'L', ...body } });
      const p = assertProblem(res, 422);
      const fields = (p.errors ?? []).map((e) => e.field);
      // An enum option may be named by its index (options[1]); accept either form.
      assert.ok(fields.some((f) => f === field || f.startsWith(`${field}[`)),
        `errors[] should name "${field}": ${res.text}`);
    });
  });
}

it('key of 63 chars and enum with 200 options are accepted', async (t, srv) => {
  const k63 = `k${key('').replace(/_/g, 'a')}`.padEnd(63, 'z').slice(0, 63);
  const f = await defineField(srv, { entity: 'contact', key: k63, type: 'text' });
  assert.equal(f.key, k63);
  const opts = Array.from({ length: 200 }, (_, i) => `o${i}`);
  const e = await defineField(srv, { entity: 'company', key: key('e'), type: 'enum', options: opts });
  assert.deepEqual(e.options, opts);
});

it('a key taken for the same entity: 409, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    const res = await request(srv, 'POST', `${API}/custom-fields`, {
      body: { entity: 'contact', key: F.text.key, label: 'Again', type: 'number', required: false },
    });
    assertProblem(res, 409);
  });
});

it('PATCH /custom-fields may change label and required; key, entity and type cannot change', async (t, srv) => {
  const f = await defineField(srv, { entity: 'contact', key: key('pl'), type: 'text', label: 'Before' });
  let res = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body: { label: 'After' } });
  expectStatus(res, 200);
  assert.equal(res.body.label, 'After');
  assert.equal(res.body.key, f.key);
  const current = (await getJson(srv, `${API}/custom-fields/${f.id}`));
  for (const [body, field] of [[{ key: key('other') }, 'key'], [{ entity: 'company' }, 'entity'], [{ type: 'number' }, 'type']]) {
    res = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body });
    assertProblem(res, 422, [field]);
    assert.deepEqual(await getJson(srv, `${API}/custom-fields/${f.id}`), current, `rejected change of ${field} stored nothing`);
  }
  // Setting an unchangeable attribute to its current value is not a change... but not
  // specified either, so it is not tested.
});

it('PATCH /custom-fields with a stale If-Match: 412, nothing changes', async (t, srv) => {
  const f = await defineField(srv, { entity: 'contact', key: key('im'), type: 'text', label: 'One' });
  const ok = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, {
    body: { label: 'Two' }, headers: { 'If-Match': `"${f.version}"` },
  });
  expectStatus(ok, 200);
  const before = await getJson(srv, `${API}/custom-fields/${f.id}`);
  assertProblem(await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, {
    body: { label: 'Three' }, headers: { 'If-Match': `"${f.version}"` },
  }), 412);
  assertProblem(await request(srv, 'DELETE', `${API}/custom-fields/${f.id}`, { headers: { 'If-Match': `"${f.version}"` } }), 412);
  assert.deepEqual(await getJson(srv, `${API}/custom-fields/${f.id}`), before);
});

it('enum options: adding and removing unused options works; removing a used option is 422', async (t, srv) => {
  const f = await defineField(srv, { entity: 'contact', key: key('en'), type: 'enum', options: ['red', 'green', 'blue'] });
  const c = await createContact(srv, { custom: { [f.key]: 'green' } });
  let res = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body: { options: ['red', 'green', 'blue', 'black'] } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.options, ['red', 'green', 'blue', 'black']);
  res = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body: { options: ['green', 'black'] } });
  expectStatus(res, 200);
  assert.deepEqual(res.body.options, ['green', 'black']);
  assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail(), custom: { [f.key]: 'red' } } }), 422,
    [`custom.${f.key}`]);
  const before = await getJson(srv, `${API}/custom-fields/${f.id}`);
  res = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body: { options: ['black'] } });
  assertProblem(res, 422, ['options']);
  assert.deepEqual(await getJson(srv, `${API}/custom-fields/${f.id}`), before, 'options unchanged');
  assert.equal((await getContact(srv, c.id)).custom[f.key], 'green');
  for (const options of [[], ['green', 'green'], ['green', '']]) {
    assertProblem(await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body: { options } }), 422);
  }
  assert.deepEqual(await getJson(srv, `${API}/custom-fields/${f.id}`), before);
  // Once no record uses it, the option can go.
  expectStatus(await request(srv, 'PATCH', `${API}/contacts/${c.id}`, { body: { custom: { [f.key]: 'black' } } }), 200);
  res = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body: { options: ['black'] } });
  expectStatus(res, 200);
});

it('DELETE /custom-fields/{id}: 204; the values disappear from every record', async (t, srv) => {
  const f = await defineField(srv, { entity: 'contact', key: key('gone'), type: 'number' });
  const a = await createContact(srv, { custom: { [f.key]: 1, [F.text.key]: 'stays' } });
  const b = await createContact(srv, { custom: { [f.key]: 2 } });
  const res = await request(srv, 'DELETE', `${API}/custom-fields/${f.id}`);
  expectStatus(res, 204);
  assertProblem(await request(srv, 'GET', `${API}/custom-fields/${f.id}`), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/custom-fields/${f.id}`), 404);
  assert.deepEqual((await getContact(srv, a.id)).custom, { [F.text.key]: 'stays' });
  assert.deepEqual((await getContact(srv, b.id)).custom, {});
  const list = await getJson(srv, `${API}/custom-fields`);
  assert.ok(!list.data.some((x) => x.id === f.id));
  // The key is unknown now...
  assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail(), custom: { [f.key]: 3 } } }), 422,
    [`custom.${f.key}`]);
  // ...and defining it again does not bring old values back.
  await defineField(srv, { entity: 'contact', key: f.key, type: 'number' });
  assert.deepEqual((await getContact(srv, b.id)).custom, {});
});

it('custom-field ids that do not exist: 404', async (t, srv) => {
  assertProblem(await request(srv, 'GET', `${API}/custom-fields/987654321`), 404);
  assertProblem(await request(srv, 'PATCH', `${API}/custom-fields/987654321`, { body: { label: 'x' } }), 404);
  assertProblem(await request(srv, 'DELETE', `${API}/custom-fields/987654321`), 404);
});

it('POST /custom-fields with malformed JSON: 400, nothing stored', async (t, srv) => {
  await assertNothingStored(srv, async () => {
    assertProblem(await request(srv, 'POST', `${API}/custom-fields`, { body: '{"key":' }), 400);
    assertProblem(await request(srv, 'POST', `${API}/custom-fields`, { body: '[]' }), 400);
  });
});

// Runs last in the file: a required field affects every later contact create.
it('required field: creating without it is 422 custom.<key>; existing records are untouched', async (t, srv) => {
  const existing = await createContact(srv);
  const f = await defineField(srv, { entity: 'contact', key: key('req'), type: 'text', required: true });
  try {
    assert.equal(f.required, true);
    await assertNothingStored(srv, async () => {
      assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail() } }), 422, [`custom.${f.key}`]);
      assertProblem(await request(srv, 'POST', `${API}/contacts`, { body: { email: uniqEmail(), custom: { [F.text.key]: 'x' } } }), 422,
        [`custom.${f.key}`]);
      const batch = await request(srv, 'POST', `${API}/contacts/batch`, { body: { contacts: [{ email: uniqEmail() }] } });
      expectStatus(batch, 200);
      assert.equal(batch.body.results[0].status, 422);
      assertErrorField(batch.body.results[0].error, `contacts[0].custom.${f.key}`);
    });
    const ok = await createContact(srv, { custom: { [f.key]: 'present' } });
    assert.equal(ok.custom[f.key], 'present');
    const old = await getContact(srv, existing.id);
    assert.deepEqual(old, existing, 'existing records are not rewritten');
    // Companies are not affected by a contact field.
    await createCompany(srv);
  } finally {
    const res = await request(srv, 'PATCH', `${API}/custom-fields/${f.id}`, { body: { required: false } });
    expectStatus(res, 200);
    assert.equal(res.body.required, false);
  }
  await createContact(srv);
});
