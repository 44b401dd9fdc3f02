/**
 * Durable in-process events: an event exists exactly when its change committed; every
 * subscriber gets it at least once; one failing subscriber neither blocks nor replays
 * the others; failures retry with backoff and end as visible dead letters; progress
 * survives a restart; consumers replay from a cursor.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKernel, type Kernel } from '../../../core/kernel/kernel.js';
import { definePlugin, systemActor, type PeyvandEvent } from '../../../core/index.js';
import { createTestDatabase } from '../../helpers/database.js';
import { bootPeyvand } from '../../helpers/peyvand.js';

const db = await createTestDatabase();
t.teardown(() => db.drop());
const secret = randomBytes(32).toString('hex');

const received: Record<string, string[]> = { steady: [], flaky: [], doomed: [] };
let flakyFailures = 2;
const watcher = definePlugin({
  name: 'watcher',
  version: '1.0.0',
  core: '^0.1.0',
  subscribers: [
    { id: 'watcher.steady', events: ['customer.*'], async handle(e: PeyvandEvent) { received.steady!.push(e.id); } },
    {
      id: 'watcher.flaky',
      events: ['customer.created'],
      async handle(e: PeyvandEvent) {
        if (flakyFailures-- > 0) throw new Error('downstream timeout');
        received.flaky!.push(e.id);
      },
    },
    { id: 'watcher.doomed', events: ['customer.created'], async handle() { throw new Error('always broken'); } },
  ],
});

// Gaps left by the rolled-back write below are covered by commit-order.test.ts; here
// the dispatcher need not wait for them.
const boot = (): Promise<Kernel> =>
  createKernel({ databaseUrl: db.url, secret, logger: pino({ level: 'silent' }), plugins: [watcher], dispatch: false, dispatcher: { backoffBaseMs: 1, backoffMaxMs: 5, maxAttempts: 3, gapGraceMs: 0 } });

let kernel = await boot();
const tenant = await kernel.tenants.create({ slug: 'evt', name: 'Events', plugins: ['watcher'] });
const actor = systemActor(tenant, 'test', kernel.registry.list().map((p) => p.name));
const outboxCount = async () => Number((await kernel.db.knex(kernel.db.table('outbox')).count({ n: '*' }).first())?.n);

t.test('an event exists exactly when its change committed', async (t) => {
  const before = await outboxCount();
  await t.rejects(
    kernel.db.transaction(async (trx) => {
      await kernel.customers.create(actor, { kind: 'person', name: 'Rolled back' }, trx);
      throw new Error('abort after the write');
    }),
  );
  t.equal(await outboxCount(), before, 'rolled-back change → no event');
  t.same((await kernel.customers.list(actor, { limit: 10, q: 'Rolled' })).items, [], 'and no customer');
  const c = await kernel.customers.create(actor, { kind: 'person', name: 'Committed' });
  const rows = await kernel.db.knex(kernel.db.table('outbox')).where({ aggregate_id: c.id });
  t.equal(rows.length, 1);
  t.equal(rows[0].type, 'customer.created');
});

t.test('delivery: isolation, retries, dead letters', async (t) => {
  const c = await kernel.customers.create(actor, { kind: 'person', name: 'Delivered' });
  await kernel.customers.update(actor, c.id, { tags: ['x'] });
  await kernel.dispatcher.runOnce();
  t.equal(received.steady!.length, 3, 'the steady subscriber got every customer event despite the others failing');
  for (let i = 0; i < 10 && received.flaky!.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 10));
    await kernel.dispatcher.runOnce();
  }
  t.equal(received.flaky!.length, 2, 'the flaky one got both created events…');
  t.equal(flakyFailures, -2, '…after failing twice and being retried');
  t.equal(received.steady!.length, 3, 'the steady one was not replayed by the others’ retries');
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 10));
    await kernel.dispatcher.runOnce();
  }
  const failures = await kernel.db.knex(kernel.db.table('subscriber_failures')).where({ subscriber_id: 'watcher.doomed' });
  t.equal(failures.length, 2);
  t.ok(failures.every((f) => f.status === 'dead' && Number(f.attempts) === 3 && /always broken/.test(f.last_error)), 'dead after max attempts, with the reason');
  t.equal((await kernel.db.knex(kernel.db.table('subscriber_failures')).where({ subscriber_id: 'watcher.flaky' })).length, 0, 'recovered deliveries leave no failure row');
});

t.test('progress survives a restart; nothing is delivered twice to a healthy subscriber', async (t) => {
  await kernel.close();
  kernel = await boot();
  const count = received.steady!.length;
  await kernel.dispatcher.drain();
  t.equal(received.steady!.length, count, 'no replay after restart');
  await kernel.customers.create(actor, { kind: 'person', name: 'After restart' });
  await kernel.dispatcher.drain();
  t.equal(received.steady!.length, count + 1);
  t.same(new Set(received.steady).size, received.steady!.length, 'every delivery is a distinct event');
});

t.test('a started dispatcher delivers soon after commit', async (t) => {
  kernel.dispatcher.start();
  const count = received.steady!.length;
  await kernel.customers.create(actor, { kind: 'person', name: 'Live' });
  for (let i = 0; i < 100 && received.steady!.length === count; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(received.steady!.length, count + 1);
  await kernel.close();
});

t.test('replay and dead letters over HTTP', async (t) => {
  const p = await bootPeyvand(t, { plugins: [watcher], dispatcher: { backoffBaseMs: 1, maxAttempts: 1, gapGraceMs: 0 } });
  const ten = await p.tenant('replay', { plugins: ['watcher'] });
  const key = await ten.key('admin');
  const other = await (await p.tenant('quiet')).key('admin');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await p.call(key, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: `E${i}` } })).json().id);
  await p.call(key, { method: 'PATCH', url: `/api/v1/customers/${ids[0]}`, payload: { name: 'E0 renamed' } });
  await p.call(other, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'Not yours' } });

  const page1 = (await p.call(key, { method: 'GET', url: '/api/v1/events?limit=4&types=customer.*' })).json();
  t.equal(page1.items.length, 4);
  t.match(page1.items[0], { type: 'customer.created', data: { customer: { name: 'E0' } } });
  const page2 = (await p.call(key, { method: 'GET', url: `/api/v1/events?limit=4&types=customer.*&after=${page1.nextCursor}` })).json();
  t.same(page2.items.map((e: { type: string }) => e.type), ['customer.created', 'customer.updated'], 'continues in order, only this tenant');
  const end = (await p.call(key, { method: 'GET', url: `/api/v1/events?types=customer.*&after=${page2.nextCursor}` })).json();
  t.same(end.items, []);
  t.equal(end.nextCursor, page2.nextCursor, 'at the end the cursor keeps its place');
  const updates = (await p.call(key, { method: 'GET', url: '/api/v1/events?types=customer.updated' })).json();
  t.same(updates.items.map((e: { data: { changed: string[] } }) => e.data.changed), [['name']]);
  t.equal((await p.call(key, { method: 'GET', url: '/api/v1/events?types=DROP%20TABLE' })).statusCode, 400);

  await p.peyvand.kernel.dispatcher.drain();
  const dead = (await p.call(key, { method: 'GET', url: '/api/v1/events/failures?status=dead' })).json();
  t.equal(dead.items.filter((f: { subscriber: string }) => f.subscriber === 'watcher.doomed').length, 5, 'dead letters are visible to the tenant');
  t.match(dead.items[0], { status: 'dead', lastError: /always broken/, type: 'customer.created' });
  const theirs = (await p.call(other, { method: 'GET', url: '/api/v1/events/failures' })).json();
  t.same(theirs.items, [], 'another tenant does not see them (its plugin is off)');
});
