// Products and orders: the catalogue (unique skus, paging, search, If-Match), placing orders
// (totals, discounts, currencies, client ids), validation that names every bad field and
// stores nothing, refunds and cancellations, and the contact's revenue in the 360° view.

import assert from 'node:assert/strict';
import {
  API, useServer, request, describe, expectStatus, assertProblem, assertEtag, createContact,
  getJson, listAll, uniq, RFC3339_UTC,
} from './harness.mjs';

const S = useServer();
const it = S.it;

const PRODUCT_KEYS = ['id', 'sku', 'name', 'category', 'price', 'version', 'created_at', 'updated_at'];
const ORDER_KEYS = [
  'id', 'client_id', 'contact_id', 'status', 'placed_at', 'channel', 'currency', 'items', 'subtotal',
  'discount', 'total', 'purchase_activity_id', 'refund_activity_id', 'version', 'created_at',
  'updated_at',
];

async function createProduct(srv, fields = {}) {
  const body = { sku: uniq('SKU-'), name: `Product ${uniq()}`, price: { value: 1999, currency: 'EUR' }, ...fields };
  const res = await request(srv, 'POST', `${API}/products`, { body });
  assert.equal(res.status, 201, `create product: ${describe(res)}`);
  return res.body;
}

async function placeOrder(srv, body, status = 201) {
  const res = await request(srv, 'POST', `${API}/orders`, { body });
  assert.equal(res.status, status, `place order: ${describe(res)}`);
  return res.body;
}

async function ordersOf(srv, contactId) {
  return listAll(srv, 'orders', `contact_id=${contactId}`);
}

async function revenueOf(srv, contactId, currency = 'EUR') {
  const overview = await getJson(srv, `${API}/contacts/${contactId}/overview`);
  return overview.revenue.find((r) => r.currency === currency);
}

// ---------------------------------------------------------------------------------------------
// Products

it('POST /products: 201, Location, ETag, shape; GET returns the same', async (t, srv) => {
  const sku = uniq('TEE-');
  const res = await request(srv, 'POST', `${API}/products`, {
    body: { sku: ` ${sku} `, name: ' T-shirt ', category: 'apparel', price: { value: 1999, currency: 'EUR' } },
  });
  expectStatus(res, 201);
  const p = res.body;
  assert.deepEqual(Object.keys(p).sort(), [...PRODUCT_KEYS].sort());
  assert.equal(res.headers.get('location'), `${API}/products/${p.id}`);
  assert.equal(assertEtag(res), '"1"');
  assert.equal(p.sku, sku, 'sku trimmed');
  assert.equal(p.name, 'T-shirt');
  assert.equal(p.category, 'apparel');
  assert.deepEqual(p.price, { value: 1999, currency: 'EUR' });
  assert.match(p.created_at, RFC3339_UTC);
  const got = await request(srv, 'GET', `${API}/products/${p.id}`);
  expectStatus(got, 200);
  assert.deepEqual(got.body, p);
});

it('POST /products: a taken sku is 409 with existing_id; bad fields are 422 naming each', async (t, srv) => {
  const p = await createProduct(srv);
  const dup = await request(srv, 'POST', `${API}/products`, {
    body: { sku: p.sku, name: 'Other', price: { value: 1, currency: 'EUR' } },
  });
  const problem = assertProblem(dup, 409);
  assert.equal(problem.existing_id, p.id);

  const bad = await request(srv, 'POST', `${API}/products`, {
    body: { sku: '', price: { value: -5, currency: 'euro' }, colour: 'red' },
  });
  assertProblem(bad, 422, ['sku', 'name', 'price.value', 'price.currency', 'colour']);
  const typed = await request(srv, 'POST', `${API}/products`, {
    body: { sku: 12, name: 'x', price: 100 },
  });
  assertProblem(typed, 422, ['sku', 'price']);
  const missing = await request(srv, 'GET', `${API}/products/99999999`);
  assertProblem(missing, 404);
});

it('PATCH /products/{id}: merge patch with If-Match; stale version 412; taken sku 409', async (t, srv) => {
  const a = await createProduct(srv);
  const b = await createProduct(srv);
  const res = await request(srv, 'PATCH', `${API}/products/${a.id}`, {
    body: { name: 'Renamed', price: { value: 2500, currency: 'USD' }, category: null },
    headers: { 'If-Match': '"1"' },
  });
  expectStatus(res, 200);
  assert.equal(res.body.name, 'Renamed');
  assert.deepEqual(res.body.price, { value: 2500, currency: 'USD' });
  assert.equal(res.body.sku, a.sku);
  assert.equal(res.body.version, 2);
  assert.equal(assertEtag(res), '"2"');
  const stale = await request(srv, 'PATCH', `${API}/products/${a.id}`, {
    body: { name: 'Again' }, headers: { 'If-Match': '"1"' },
  });
  assertProblem(stale, 412);
  const taken = await request(srv, 'PATCH', `${API}/products/${a.id}`, { body: { sku: b.sku } });
  assert.equal(assertProblem(taken, 409).existing_id, b.id);
  const nulled = await request(srv, 'PATCH', `${API}/products/${a.id}`, { body: { name: null } });
  assertProblem(nulled, 422, ['name']);
  assertProblem(await request(srv, 'PATCH', `${API}/products/99999999`, { body: { name: 'x' } }), 404);
});

it('GET /products: paginated by id with a cursor; q matches sku or name', async (t, srv) => {
  const tag = uniq('kw');
  const made = [];
  for (let i = 0; i < 5; i += 1) made.push(await createProduct(srv, { name: `Lamp ${tag} ${i}` }));
  const bySku = await createProduct(srv, { sku: `${tag}-SKU` });
  const rows = await listAll(srv, 'products', `q=${tag}`, { limit: 2 });
  assert.deepEqual(rows.map((p) => p.id), [...made.map((p) => p.id), bySku.id]);
  const all = await listAll(srv, 'products', '', { limit: 3 });
  const ids = all.map((p) => p.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'ascending ids');
  assert.equal(new Set(ids).size, ids.length, 'each product once');
  assertProblem(await request(srv, 'GET', `${API}/products?cursor=nonsense`), 400);
  assertProblem(await request(srv, 'GET', `${API}/products?limit=0`), 400);
});

// ---------------------------------------------------------------------------------------------
// Orders

it('POST /orders: totals with default and given prices and discounts; GET returns the same', async (t, srv) => {
  const c = await createContact(srv);
  const tee = await createProduct(srv, { price: { value: 1999, currency: 'EUR' } });
  const mug = await createProduct(srv, { price: { value: 850, currency: 'EUR' } });
  const res = await request(srv, 'POST', `${API}/orders`, {
    body: {
      contact_id: c.id,
      placed_at: '2026-10-01T10:00:00Z',
      items: [
        { product_id: tee.id, quantity: 3, discount: 500 },
        { product_id: mug.id, quantity: 2, unit_price: 700 },
      ],
    },
  });
  expectStatus(res, 201);
  const o = res.body;
  assert.deepEqual(Object.keys(o).sort(), [...ORDER_KEYS].sort());
  assert.equal(res.headers.get('location'), `${API}/orders/${o.id}`);
  assert.equal(o.total, 3 * 1999 - 500 + 2 * 700);
  assert.equal(o.subtotal, 3 * 1999 + 2 * 700);
  assert.equal(o.discount, 500);
  assert.equal(o.currency, 'EUR');
  assert.equal(o.status, 'paid');
  assert.equal(o.channel, 'store');
  assert.equal(o.placed_at, '2026-10-01T10:00:00Z');
  assert.equal(o.contact_id, c.id);
  assert.equal(o.client_id, null);
  assert.equal(o.items.length, 2);
  assert.deepEqual(o.items[0], {
    line: 1, product_id: tee.id, sku: tee.sku, name: tee.name, quantity: 3, unit_price: 1999,
    discount: 500, total: 5497,
  });
  assert.equal(o.items[1].unit_price, 700);
  assert.ok(Number.isInteger(o.purchase_activity_id));
  assert.equal(o.refund_activity_id, null);
  const got = await request(srv, 'GET', `${API}/orders/${o.id}`);
  expectStatus(got, 200);
  assert.deepEqual(got.body, o);
  assert.equal(assertEtag(got), '"1"');
  assertProblem(await request(srv, 'GET', `${API}/orders/99999999`), 404);
  assertProblem(await request(srv, 'GET', `${API}/orders/abc`), 404);
});

it('a paid order records a purchase activity; the overview shows the revenue; a refund the refund', async (t, srv) => {
  const c = await createContact(srv);
  const p = await createProduct(srv, { price: { value: 1250, currency: 'EUR' } });
  const o = await placeOrder(srv, {
    contact_email: c.email, channel: 'web', items: [{ product_id: p.id, quantity: 4 }],
  });
  assert.equal(o.total, 5000);
  const purchase = await getJson(srv, `${API}/activities/${o.purchase_activity_id}`);
  assert.equal(purchase.type, 'purchase');
  assert.equal(purchase.channel, 'web');
  assert.equal(purchase.contact_id, c.id);
  assert.deepEqual(purchase.amount, { value: 5000, currency: 'EUR' });
  assert.equal(purchase.occurred_at, o.placed_at);
  assert.deepEqual(purchase.properties, { order_id: o.id, items: [{ sku: p.sku, quantity: 4 }] });

  let rev = await revenueOf(srv, c.id);
  assert.equal(rev.order_count, 1);
  assert.equal(rev.total, 5000);
  assert.equal(rev.refund_count, 0);
  assert.equal(rev.refund_total, 0);

  const refunded = await request(srv, 'POST', `${API}/orders/${o.id}/refund`);
  expectStatus(refunded, 200);
  assert.equal(refunded.body.status, 'refunded');
  assert.equal(refunded.body.version, 2);
  const refund = await getJson(srv, `${API}/activities/${refunded.body.refund_activity_id}`);
  assert.equal(refund.type, 'refund');
  assert.deepEqual(refund.amount, { value: -5000, currency: 'EUR' });
  rev = await revenueOf(srv, c.id);
  assert.equal(rev.order_count, 1);
  assert.equal(rev.total, 5000);
  assert.equal(rev.refund_count, 1);
  assert.equal(rev.refund_total, 5000);

  const again = await request(srv, 'POST', `${API}/orders/${o.id}/refund`);
  assertProblem(again, 422, ['status']);
  const timeline = await getJson(srv, `${API}/contacts/${c.id}/timeline?type=purchase,refund`);
  assert.deepEqual(timeline.data.map((a) => a.type).sort(), ['purchase', 'refund']);
  assertProblem(await request(srv, 'POST', `${API}/orders/99999999/refund`), 404);
});

it('PATCH /orders/{id}: paid→refunded refunds; cancelling a paid order is 422; other fields are immutable', async (t, srv) => {
  const c = await createContact(srv);
  const p = await createProduct(srv, { price: { value: 300, currency: 'EUR' } });
  const o = await placeOrder(srv, { contact_id: c.id, items: [{ product_id: p.id, quantity: 1 }] });
  assertProblem(await request(srv, 'PATCH', `${API}/orders/${o.id}`, { body: { status: 'cancelled' } }), 422, ['status']);
  assertProblem(await request(srv, 'PATCH', `${API}/orders/${o.id}`, { body: { status: 'shipped' } }), 422, ['status']);
  assertProblem(await request(srv, 'PATCH', `${API}/orders/${o.id}`, { body: { total: 1 } }), 422, ['total']);
  assertProblem(await request(srv, 'PATCH', `${API}/orders/${o.id}`, {
    body: { status: 'refunded' }, headers: { 'If-Match': '"9"' },
  }), 412);
  const res = await request(srv, 'PATCH', `${API}/orders/${o.id}`, {
    body: { status: 'refunded' }, headers: { 'If-Match': '"1"' },
  });
  expectStatus(res, 200);
  assert.equal(res.body.status, 'refunded');
  assert.ok(Number.isInteger(res.body.refund_activity_id));
  const rev = await revenueOf(srv, c.id);
  assert.equal(rev.refund_total, 300);
  assertProblem(await request(srv, 'PATCH', `${API}/orders/${o.id}`, { body: { status: 'paid' } }), 422, ['status']);
  assertProblem(await request(srv, 'PATCH', `${API}/orders/99999999`, { body: { status: 'refunded' } }), 404);
});

it('a cancelled order records no activity and no revenue', async (t, srv) => {
  const c = await createContact(srv);
  const p = await createProduct(srv);
  const o = await placeOrder(srv, { contact_id: c.id, status: 'cancelled', items: [{ product_id: p.id, quantity: 1 }] });
  assert.equal(o.status, 'cancelled');
  assert.equal(o.purchase_activity_id, null);
  const overview = await getJson(srv, `${API}/contacts/${c.id}/overview`);
  assert.deepEqual(overview.revenue, []);
  const timeline = await getJson(srv, `${API}/contacts/${c.id}/timeline`);
  assert.equal(timeline.data.length, 0);
  assertProblem(await request(srv, 'POST', `${API}/orders/${o.id}/refund`), 422, ['status']);
});

it('the same client id twice stores one order (200 with the stored order)', async (t, srv) => {
  const c = await createContact(srv);
  const p = await createProduct(srv, { price: { value: 1000, currency: 'EUR' } });
  const id = uniq('shop-');
  const body = { id, contact_id: c.id, items: [{ product_id: p.id, quantity: 1 }] };
  const first = await placeOrder(srv, body, 201);
  const second = await placeOrder(srv, body, 200);
  assert.deepEqual(second, first);
  assert.equal(first.client_id, id);
  assert.equal((await ordersOf(srv, c.id)).length, 1);
  assert.equal((await revenueOf(srv, c.id)).order_count, 1);
});

it('bad orders are 422 naming every bad field and store nothing', async (t, srv) => {
  const c = await createContact(srv);
  const eur = await createProduct(srv, { price: { value: 1000, currency: 'EUR' } });
  const usd = await createProduct(srv, { price: { value: 1000, currency: 'USD' } });
  const cases = [
    [{ contact_id: c.id, items: [{ product_id: eur.id, quantity: 1 }, { product_id: 99999999, quantity: 1 },
      { product_id: eur.id, quantity: 0 }] }, ['items[1].product_id', 'items[2].quantity']],
    [{ contact_id: c.id, items: [{ product_id: eur.id, quantity: 1 }, { product_id: usd.id, quantity: 1 }] },
      ['items[1].product_id']],
    [{ contact_id: c.id, currency: 'USD', items: [{ product_id: eur.id, quantity: 1 }] }, ['items[0].product_id']],
    [{ contact_id: c.id, items: [{ product_id: eur.id, quantity: 1, discount: 1001 }] }, ['items[0].discount', 'total']],
    [{ contact_id: c.id, items: [{ product_id: eur.id, quantity: 1000000000, unit_price: 1000000000000000 }] },
      ['items[0].quantity', 'total']],
    [{ contact_id: c.id, items: [{ product_id: eur.id, quantity: 1, unit_price: -1, discount: -1 }] },
      ['items[0].unit_price', 'items[0].discount']],
    [{ contact_id: c.id, items: [{ product_id: eur.id, quantity: 1.5, colour: 'red' }, 'x'] },
      ['items[0].quantity', 'items[0].colour', 'items[1]']],
    [{ contact_id: c.id, items: [] }, ['items']],
    [{ items: [{ product_id: eur.id, quantity: 1 }] }, ['contact_id']],
    [{ contact_email: 'nobody@example.com', items: [{ product_id: eur.id, quantity: 1 }] }, ['contact_email']],
    [{ contact_id: c.id, status: 'shipped', channel: 'fax', placed_at: '2999-01-01T00:00:00Z', currency: 'euro',
      id: '', extra: 1, items: [{ product_id: eur.id, quantity: 1 }] },
      ['status', 'channel', 'placed_at', 'currency', 'id', 'extra']],
    [{ contact_id: c.id, placed_at: 'yesterday', items: [{ product_id: eur.id, quantity: 1 }] }, ['placed_at']],
  ];
  for (const [body, fields] of cases) {
    const res = await request(srv, 'POST', `${API}/orders`, { body });
    assertProblem(res, 422, fields);
  }
  assert.equal((await ordersOf(srv, c.id)).length, 0, 'no order stored');
  const overview = await getJson(srv, `${API}/contacts/${c.id}/overview`);
  assert.deepEqual(overview.revenue, [], 'no revenue recorded');
  assert.equal(overview.last_activity_at, null, 'no activity recorded');
  assertProblem(await request(srv, 'POST', `${API}/orders`, { body: '{"items": [' }), 400);
});

it('GET /orders?contact_id= pages newest first; unknown contact 404; bad contact_id 400', async (t, srv) => {
  const c = await createContact(srv);
  const other = await createContact(srv);
  const p = await createProduct(srv);
  const placedAt = ['2026-01-05T00:00:00Z', '2026-03-01T12:00:00Z', '2026-02-10T08:00:00Z'];
  const ids = [];
  for (const at of placedAt) {
    ids.push((await placeOrder(srv, { contact_id: c.id, placed_at: at, items: [{ product_id: p.id, quantity: 1 }] })).id);
  }
  await placeOrder(srv, { contact_id: other.id, items: [{ product_id: p.id, quantity: 1 }] });
  const first = await request(srv, 'GET', `${API}/orders?contact_id=${c.id}&limit=2`);
  expectStatus(first, 200);
  assert.deepEqual(first.body.data.map((o) => o.id), [ids[1], ids[2]]);
  assert.equal(typeof first.body.next_cursor, 'string');
  const second = await getJson(srv, `${API}/orders?contact_id=${c.id}&limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`);
  assert.deepEqual(second.data.map((o) => o.id), [ids[0]]);
  assert.equal(second.next_cursor, null);
  assertProblem(await request(srv, 'GET', `${API}/orders?contact_id=99999999`), 404);
  assertProblem(await request(srv, 'GET', `${API}/orders?contact_id=abc`), 400, ['contact_id']);
  assertProblem(await request(srv, 'GET', `${API}/orders?status=lost`), 400, ['status']);
});

it('an order may name its contact by external id, or create it with upsert_contact', async (t, srv) => {
  const ext = uniq('ext-');
  const c = await createContact(srv, { external_id: ext });
  const p = await createProduct(srv);
  const o = await placeOrder(srv, { contact_external_id: ext, items: [{ product_id: p.id, quantity: 1 }] });
  assert.equal(o.contact_id, c.id);
  const email = `${uniq('new')}@example.com`;
  const created = await placeOrder(srv, { contact_email: email, upsert_contact: true, items: [{ product_id: p.id, quantity: 2 }] });
  const contact = await getJson(srv, `${API}/contacts/${created.contact_id}`);
  assert.equal(contact.email, email);
  assert.equal((await revenueOf(srv, created.contact_id)).total, 2 * 1999);
});
