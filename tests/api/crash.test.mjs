// Crash safety: under a concurrent write load the server is killed with SIGKILL; every write
// that was acknowledged must be in the database (checked on disk with sqlite3 and through the
// API after a restart), PRAGMA integrity_check must say ok, and retrying the requests that
// were in flight with their Idempotency-Key must leave each contact exactly once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API, startServer, request, describe, listAll, uniq, uniqEmail, sleep, sqlite, tail,
} from './harness.mjs';

const WRITERS = 4;
const LOAD_MS = 2000;
const BATCH = 20;

// Runs WRITERS concurrent loops posting single contacts and batches (each with an
// Idempotency-Key) until the server dies. Returns {acked, inflight}: acked maps email -> id
// for every 201 (or 201 batch item); inflight lists requests that got no answer.
function startLoad(srv, tagPrefix) {
  const acked = new Map();
  const ackedRequests = [];
  const inflight = [];
  let n = 0;
  const loops = Array.from({ length: WRITERS }, async (_, w) => {
    for (;;) {
      n += 1;
      const key = `crash-${tagPrefix}-${w}-${n}-${uniq()}`;
      const batch = n % 3 === 0;
      const p = batch ? `${API}/contacts/batch` : `${API}/contacts`;
      const body = batch
        ? { contacts: Array.from({ length: BATCH }, (_, i) => ({ email: uniqEmail(`cb${w}`), first_name: `B${i}`, tags: ['crash'] })) }
        : { email: uniqEmail(`cs${w}`), first_name: 'Single', phone: '+351912345678' };
      const req = { key, path: p, body, batch };
      let res;
      try {
        res = await request(srv, 'POST', p, { body, headers: { 'Idempotency-Key': key } });
      } catch {
        inflight.push(req); // no answer: the server died during this request
        return;
      }
      if (!batch && res.status === 201) {
        acked.set(body.email, res.body.id);
        ackedRequests.push({ ...req, response: res.body });
      } else if (batch && res.status === 200) {
        res.body.results.forEach((r, i) => {
          assert.equal(r.status, 201, `batch item ${i}: ${JSON.stringify(r)}`);
          acked.set(body.contacts[i].email, r.id);
        });
        ackedRequests.push({ ...req, response: res.body });
      } else if (res.status === 503) {
        inflight.push(req); // shutting down / unavailable: not acknowledged
      } else {
        throw new Error(`unexpected answer under load: ${describe(res)}`);
      }
    }
  });
  return { acked, ackedRequests, inflight, done: Promise.all(loops) };
}

function dbContacts(dbPath) {
  const out = sqlite(dbPath, 'select id, email from contacts');
  const m = new Map();
  for (const line of out.split('\n').filter(Boolean)) {
    const [id, email] = line.split('|');
    m.set(email, Number(id));
  }
  return m;
}

test('kill -9 under write load: acknowledged writes survive, integrity ok, retries create nothing twice', { timeout: 180000 }, async (t) => {
  let srv = await startServer();
  const dataDir = srv.dataDir;
  const allAcked = new Map();
  try {
    for (let round = 1; round <= 2; round += 1) {
      const load = startLoad(srv, `r${round}`);
      await sleep(LOAD_MS);
      assert.ok(load.acked.size > 0, `round ${round}: some writes were acknowledged before the kill`);
      await srv.kill9();
      await load.done;
      t.diagnostic(`round ${round}: ${load.acked.size} contacts acknowledged, ${load.inflight.length} requests in flight at the kill`);

      // On disk, before any restart.
      assert.equal(sqlite(srv.dbPath, 'PRAGMA integrity_check'), 'ok', 'integrity_check after kill -9');
      const onDisk = dbContacts(srv.dbPath);
      const lost = [...load.acked].filter(([email, id]) => onDisk.get(email) !== id);
      assert.deepEqual(lost.slice(0, 10), [], `round ${round}: acknowledged contacts missing on disk (${lost.length} of ${load.acked.size})`);
      for (const [e, id] of load.acked) allAcked.set(e, id);

      // Through the API after a restart on the same data directory.
      srv = await startServer({ dataDir });
      const rows = await listAll(srv, 'contacts');
      const byEmail = new Map(rows.map((r) => [r.email, r.id]));
      for (const [email, id] of allAcked) assert.equal(byEmail.get(email), id, `acknowledged ${email} listed after restart`);
      const sample = [...load.acked].filter((_, i) => i % Math.max(1, Math.floor(load.acked.size / 100)) === 0);
      await Promise.all(sample.map(async ([email, id]) => {
        const r = await request(srv, 'GET', `${API}/contacts/${id}`);
        assert.equal(r.status, 200, describe(r));
        assert.equal(r.body.email, email);
      }));

      // Replaying acknowledged requests returns the stored response and creates nothing.
      for (const req of load.ackedRequests.slice(0, 20)) {
        const r = await request(srv, 'POST', req.path, { body: req.body, headers: { 'Idempotency-Key': req.key } });
        assert.equal(r.headers.get('idempotent-replayed'), 'true', `replay of ${req.key}: ${describe(r)}`);
        assert.deepEqual(r.body, req.response, `replay of ${req.key} returns the stored response`);
      }

      // Retrying what was in flight: created now or replayed, never twice.
      for (const req of load.inflight) {
        const r = await request(srv, 'POST', req.path, { body: req.body, headers: { 'Idempotency-Key': req.key } });
        assert.ok(r.status === (req.batch ? 200 : 201), `retry of in-flight ${req.key}: ${describe(r)}`);
        if (req.batch) {
          for (const [i, item] of r.body.results.entries()) {
            assert.equal(item.status, 201, `retried batch item ${i}: ${JSON.stringify(item)}`);
            allAcked.set(req.body.contacts[i].email, item.id);
          }
        } else {
          allAcked.set(req.body.email, r.body.id);
        }
      }
      const after = await listAll(srv, 'contacts');
      const counts = new Map();
      for (const r of after) counts.set(r.email, (counts.get(r.email) ?? 0) + 1);
      const twice = [...counts].filter(([, c]) => c > 1);
      assert.deepEqual(twice.slice(0, 10), [], 'no contact exists twice');
      assert.equal(after.length, allAcked.size, 'exactly the acknowledged and retried contacts exist');
    }
    const res = await srv.stop({ removeData: false });
    assert.deepEqual(res, { code: 0, signal: null }, 'clean exit after SIGTERM');
    assert.equal(sqlite(srv.dbPath, 'PRAGMA integrity_check'), 'ok', 'integrity_check after clean shutdown');
    const final = dbContacts(srv.dbPath);
    assert.equal(final.size, allAcked.size);
  } catch (err) {
    t.diagnostic(`server stderr tail:\n${tail(srv.stderr)}`);
    process.stderr.write(`\n--- crash test server stderr ---\n${tail(srv.stderr)}\n`);
    throw err;
  } finally {
    await srv.stop({ removeData: true });
  }
});
