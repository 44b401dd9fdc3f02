/**
 * Outbox rows can commit out of sequence order under concurrent writers. Neither the
 * dispatcher nor the replay API may move past an event that is still being committed.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { committedPrefix } from '../../../core/events/outbox.js';
import { createKernel } from '../../../core/kernel/kernel.js';
import { definePlugin, systemActor } from '../../../core/index.js';
import { replayEvents } from '../../../core/events/replay.js';
import { createTestDatabase } from '../../helpers/database.js';

t.test('committedPrefix stops at a young gap, passes an old one', async (t) => {
  const now = 1_000_000;
  const row = (seq: number, age: number) => ({ seq, occurred_at: now - age });
  t.same(committedPrefix([row(1, 0), row(2, 0)], 0, 5000, now).map((r) => r.seq), [1, 2], 'contiguous');
  t.same(committedPrefix([row(1, 0), row(3, 10), row(4, 0)], 0, 5000, now).map((r) => r.seq), [1], 'young gap before 3');
  t.same(committedPrefix([row(1, 0), row(3, 9000), row(4, 0)], 0, 5000, now).map((r) => r.seq), [1, 3, 4], 'an old gap is a rollback');
  t.same(committedPrefix([row(7, 0)], 5, 5000, now), [], 'a gap right after the cursor');
  t.same(committedPrefix(['5', '6'].map((s) => ({ seq: s, occurred_at: String(now) })), 4, 5000, now).map((r) => r.seq), ['5', '6'], 'bigint strings from drivers');
});

t.test('a late commit is delivered and replayed, not skipped', async (t) => {
  const db = await createTestDatabase();
  const seen: string[] = [];
  const watcher = definePlugin({ name: 'watch', version: '1.0.0', core: '^0.1.0', subscribers: [{ id: 'watch.all', events: ['customer.*'], async handle(e) { seen.push((e.data as { customer: { name: string } }).customer.name); } }] });
  const kernel = await createKernel({ databaseUrl: db.url, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [watcher] });
  t.teardown(async () => {
    await kernel.close();
    await db.drop();
  });
  const tenant = await kernel.tenants.create({ slug: 'order', name: 'Order', plugins: ['watch'] });
  const actor = systemActor(tenant, 'test', kernel.registry.list().map((p) => p.name));
  if (db.dialect === 'sqlite') {
    // One connection: transactions are serialized, so commit order is sequence order.
    t.equal(kernel.db.knex.client.pool.max, 1, 'SQLite runs a single writer connection');
    return;
  }
  let releaseSlow!: () => void;
  const slowStarted = new Promise<void>((started) => {
    void kernel.db.transaction(async (trx) => {
      await kernel.customers.create(actor, { kind: 'person', name: 'slow' }, trx); // takes the lower seq
      started();
      await new Promise<void>((r) => (releaseSlow = r));
    });
  });
  await slowStarted;
  await kernel.customers.create(actor, { kind: 'person', name: 'fast' }); // higher seq, commits first
  await kernel.dispatcher.runOnce();
  t.same(seen, [], 'the dispatcher waits at the gap instead of skipping it');
  const before = await replayEvents(kernel.db, tenant.id, undefined, ['customer.*'], 10);
  t.notOk(before.items.some((e) => (e.data as { customer: { name: string } }).customer.name === 'fast'), 'replay waits too');

  releaseSlow();
  await new Promise((r) => setTimeout(r, 50));
  await kernel.dispatcher.drain();
  t.same(seen, ['slow', 'fast'], 'both delivered, in sequence order');
  const after = await replayEvents(kernel.db, tenant.id, before.nextCursor ?? undefined, ['customer.*'], 10);
  t.same(after.items.map((e) => (e.data as { customer: { name: string } }).customer.name), ['slow', 'fast'], 'a consumer continuing from its cursor gets both');
});
