/**
 * The replay cursor (`GET /api/v1/events`) tells a tenant nothing about other tenants: it
 * names the tenant's own last event, stays put while others write, and only this
 * tenant's cursors are accepted. It never skips: a tenant far behind still reaches its
 * new events past thousands of other tenants' ones, and a young gap in the outbox (a
 * transaction still committing, whoever's it is) holds the page back instead.
 */
import t from 'tap';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { encodeCursor } from '../../../core/plugin/cursor.js';
import { replayEvents } from '../../../core/events/replay.js';
import { newId } from '../../../core/plugin/ids.js';
import type { Executor } from '../../../core/db/database.js';

const GRACE_MS = 10_000;
const p = await bootPeyvand(t, { dispatcher: { gapGraceMs: GRACE_MS } });
const { kernel } = p.peyvand;
const { db, outbox } = kernel;
const acme = await p.tenant('acme');
const globex = await p.tenant('globex');
const acmeKey = await acme.key('admin');
const globexKey = await globex.key('admin');

const page = async (key: string, query = '') => {
  const res = await p.call(key, { method: 'GET', url: `/api/v1/events?limit=200${query}` });
  return { status: res.statusCode, body: res.json() as { items: Array<{ id: string; type: string; data: Record<string, unknown> }>; nextCursor: string | null; code?: string } };
};
const createCustomer = (key: string, name: string) => p.call(key, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name } });
/** Many events of a tenant at once, written the way bulk import writes them (or at a chosen time). */
async function burst(trx: Executor, tenantId: string, count: number, occurredAt?: number): Promise<void> {
  if (occurredAt === undefined) {
    await outbox.emitMany(trx, Array.from({ length: count }, (_, i) => ({ type: 'customer.updated', data: { n: i }, options: { tenantId, aggregateType: 'customer', aggregateId: newId() } })));
    return;
  }
  // Rows written at a chosen time: what the outbox holds some seconds after a burst.
  const rows = Array.from({ length: count }, (_, i) => ({ id: newId(), tenant_id: tenantId, type: 'customer.updated', aggregate_type: 'customer', aggregate_id: newId(), data: JSON.stringify({ n: i }), occurred_at: occurredAt }));
  for (let i = 0; i < rows.length; i += 500) await trx(db.table('outbox')).insert(rows.slice(i, i + 500));
}

t.test('the cursor names the tenant’s own last event and ignores other tenants’ activity', async (t) => {
  await createCustomer(acmeKey, 'Acme one');
  const first = await page(acmeKey);
  t.equal(first.status, 200, 'the tenant reads its events');
  const lastOwn = first.body.items.at(-1)!;
  t.same(JSON.parse(Buffer.from(first.body.nextCursor!, 'base64url').toString('utf8')), [lastOwn.id], 'the cursor holds the id of the last event the tenant was shown, no outbox position');

  await createCustomer(globexKey, 'Globex elsewhere');
  await db.transaction((trx) => burst(trx, globex.id, 1_200));
  t.equal((await page(acmeKey)).body.nextCursor, first.body.nextCursor, 'from the start: the same cursor after another tenant wrote 1,201 events');
  const polled = await page(acmeKey, `&after=${first.body.nextCursor}`);
  t.same(polled.body, { items: [], nextCursor: first.body.nextCursor }, 'at the end: nothing, and the same cursor');

  await createCustomer(acmeKey, 'Acme two');
  const next = await page(acmeKey, `&after=${first.body.nextCursor}`);
  t.same(next.body.items.map((e) => (e.data.customer as { name: string }).name), ['Acme two'], 'past thousands of other tenants’ events, the next own event');
  t.not(next.body.nextCursor, first.body.nextCursor, 'the cursor moves with the tenant’s own events');
});

t.test('only the tenant’s own cursors are accepted, and refused ones look alike', async (t) => {
  const theirs = (await page(globexKey)).body.nextCursor!;
  const foreign = await page(acmeKey, `&after=${theirs}`);
  const unknown = await page(acmeKey, `&after=${encodeCursor([newId()])}`);
  const position = await page(acmeKey, `&after=${encodeCursor([12])}`);
  t.same({ status: foreign.status, code: foreign.body.code }, { status: 400, code: 'BAD_CURSOR' }, 'another tenant’s cursor is refused…');
  t.same({ status: unknown.status, code: unknown.body.code }, { status: 400, code: 'BAD_CURSOR' }, '…exactly like an event id that never existed');
  t.same({ status: position.status, code: position.body.code }, { status: 400, code: 'BAD_CURSOR' }, 'an outbox position is no cursor');
});

t.test('a filtered replay still moves its cursor over the tenant’s other events', async (t) => {
  const start = (await page(acmeKey)).body.nextCursor!;
  const res = await p.call(acmeKey, { method: 'PUT', url: '/api/v1/settings/custom-fields', payload: { schema: { type: 'object' } } });
  t.equal(res.statusCode, 200, 'the tenant changed a setting');
  const filtered = await page(acmeKey, `&types=customer.*&after=${start}`);
  t.same(filtered.body.items, [], 'no customer event…');
  t.not(filtered.body.nextCursor, start, '…but the tenant’s settings event was examined, so polling does not scan it again');
});

if (db.dialect === 'sqlite') {
  t.test('SQLite commits in sequence order: no gap to wait for', async (t) => {
    t.equal(db.knex.client.pool.max, 1, 'one writer connection');
  });
} else {
  t.test('a young gap left by another tenant’s transaction holds the page back; nothing is skipped', async (t) => {
    const from = (await page(acmeKey)).body.nextCursor!;
    let commit!: () => void;
    const open = new Promise<void>((started) => {
      void db.transaction(async (trx) => {
        await burst(trx, globex.id, 1); // takes the next position and stays uncommitted
        started();
        await new Promise<void>((r) => (commit = r));
      });
    });
    await open;
    await createCustomer(acmeKey, 'After the gap');
    const held = await page(acmeKey, `&after=${from}`);
    t.same(held.body, { items: [], nextCursor: from }, 'held back while the earlier transaction may still commit');
    commit();
    for (let i = 0; i < 100 && (await page(acmeKey, `&after=${from}`)).body.items.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const released = await page(acmeKey, `&after=${from}`);
    t.same(released.body.items.map((e) => e.type), ['customer.created'], 'delivered once the gap closed');
  });

  t.test('a tail too busy to walk: own events that are old enough come now, young ones later', async (t) => {
    const from = (await page(acmeKey)).body.nextCursor!;
    const now = Date.now();
    const old = now - 3 * GRACE_MS;
    const seqOf = async (id: string) => Number((await db.knex(db.table('outbox')).where({ id }).first('seq')).seq);
    await db.transaction((trx) => burst(trx, acme.id, 2, old));
    await db.transaction((trx) => burst(trx, globex.id, 10_500, now)); // more young rows than one page walks
    await db.transaction((trx) => burst(trx, acme.id, 1, now));
    const replayed = await replayEvents(db, acme.id, from, ['*'], 100, GRACE_MS);
    t.equal(replayed.items.length, 2, 'the two old events are returned');
    t.ok(replayed.items.every((e) => Date.parse(e.occurredAt) === old), 'and only those');
    const youngId = (await db.knex(db.table('outbox')).where({ tenant_id: acme.id }).orderBy('seq', 'desc').first('id')).id as string;
    t.ok((await seqOf(replayed.items[1]!.id)) < (await seqOf(youngId)), 'the cursor stops before the young one…');
    await db.knex(db.table('outbox')).where('occurred_at', now).update({ occurred_at: old });
    const later = await replayEvents(db, acme.id, replayed.nextCursor!, ['*'], 100, GRACE_MS);
    t.same(later.items.map((e) => e.id), [youngId], '…which comes once the tail has aged');
  });
}
