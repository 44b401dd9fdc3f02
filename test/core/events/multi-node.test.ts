/**
 * Several dispatcher nodes on one database: a subscriber is handled by one node at a
 * time, every event reaches it, a stopped node hands its subscribers over at once, and
 * a stalled node's lease is taken over after it expires, its late progress refused.
 * Runs on every dialect with leases switched on (SQLite itself is single-process by
 * default; here two connections stand in for two nodes).
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKernel, type Kernel } from '../../../core/kernel/kernel.js';
import { definePlugin, systemActor, type PeyvandEvent } from '../../../core/index.js';
import type { DispatcherOptions } from '../../../core/events/dispatcher.js';
import { createTestDatabase } from '../../helpers/database.js';

const db = await createTestDatabase();
t.teardown(() => db.drop());
const secret = randomBytes(32).toString('hex');

/** Every delivery, and every moment two deliveries to one subscriber overlapped. */
const deliveries: Array<{ node: string; subscriber: string; eventId: string }> = [];
const inFlight = new Map<string, string>();
const overlaps: string[] = [];
let stall: Promise<void> | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counterPlugin(node: string) {
  const subscriber = (id: string, events: string[]) => ({
    id,
    events,
    async handle(event: PeyvandEvent) {
      const other = inFlight.get(id);
      if (other !== undefined) overlaps.push(`${id}: ${node} started ${event.id} while ${other} was delivering`);
      inFlight.set(id, node);
      try {
        if (stall && node === 'A') await stall;
        await sleep(Math.random() < 0.3 ? 1 : 0);
        deliveries.push({ node, subscriber: id, eventId: event.id });
      } finally {
        if (inFlight.get(id) === node) inFlight.delete(id);
      }
    },
  });
  return definePlugin({ name: 'counter', version: '1.0.0', core: '^0.1.0', subscribers: [subscriber('counter.all', ['customer.*']), subscriber('counter.created', ['customer.created'])] });
}

const boot = (node: string, dispatcher: DispatcherOptions = {}): Promise<Kernel> =>
  createKernel({
    databaseUrl: db.url,
    secret,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    plugins: [counterPlugin(node)],
    dispatch: false,
    dispatcher: { leases: true, leaseMs: 2000, nodeId: node, pollIntervalMs: 10, batchSize: 25, ...dispatcher },
  });

const a = await boot('A');
const b = await boot('B');
t.teardown(async () => {
  await a.close();
  await b.close();
});
const tenant = await a.tenants.create({ slug: 'multi', name: 'Multi', plugins: ['counter'] });
const actor = systemActor(tenant, 'test', a.registry.list().map((p) => p.name));

async function outboxIds(types: string[]): Promise<string[]> {
  const rows = await a.db.knex(a.db.table('outbox')).whereIn('type', types).orderBy('seq').select('id');
  return rows.map((r) => String(r.id));
}

async function waitFor(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(25);
  }
}

const deliveredTo = (subscriber: string) => deliveries.filter((d) => d.subscriber === subscriber).map((d) => d.eventId);

t.test('two running nodes: every event delivered, never twice, never at once', async (t) => {
  a.dispatcher.start();
  b.dispatcher.start();
  // SQLite allows one writing process: there both nodes dispatch but only A writes
  // (two processes writing one SQLite file is outside what Peyvand supports).
  const writers = (db.dialect === 'sqlite' ? [a, a, a, a] : [a, b, a, b]).map(async (kernel, w) => {
    const writer = systemActor(tenant, `writer-${w}`, kernel.registry.list().map((p) => p.name));
    for (let i = 0; i < 40; i++) {
      const c = await kernel.customers.create(writer, { kind: 'person', name: `W${w}-${i}` });
      if (i % 4 === 0) await kernel.customers.update(writer, c.id, { tags: ['t'] });
    }
  });
  await Promise.all(writers);
  const all = await outboxIds(['customer.created', 'customer.updated']);
  const created = await outboxIds(['customer.created']);
  await waitFor(async () => new Set(deliveredTo('counter.all')).size >= all.length && new Set(deliveredTo('counter.created')).size >= created.length);

  t.same([...new Set(deliveredTo('counter.all'))].sort(), [...all].sort(), 'counter.all got every customer event');
  t.same([...new Set(deliveredTo('counter.created'))].sort(), [...created].sort(), 'counter.created got every created event');
  t.equal(deliveredTo('counter.all').length, all.length, 'no event was delivered twice to counter.all');
  t.equal(deliveredTo('counter.created').length, created.length, 'nor to counter.created');
  t.same(overlaps, [], 'no two nodes ever delivered to one subscriber at the same time');
  t.equal(a.dispatcher.stats.leaseTakeovers + b.dispatcher.stats.leaseTakeovers, 0, 'no lease expired, so none was taken over');
  t.comment(`deliveries by node: A ${deliveries.filter((d) => d.node === 'A').length}, B ${deliveries.filter((d) => d.node === 'B').length}`);
});

t.test('a node that stops hands its subscribers over at once', async (t) => {
  const holder = deliveries.at(-1)?.node === 'B' ? b : a;
  const other = holder === a ? b : a;
  const otherName = holder === a ? 'B' : 'A';
  await holder.dispatcher.stop();
  const leases = await a.db.knex(a.db.table('subscriber_progress')).whereIn('subscriber_id', ['counter.all', 'counter.created']).select('lease_owner');
  t.same(leases.filter((r) => r.lease_owner === holder.dispatcher.nodeId), [], 'the stopped node gave its leases up');
  const takeovers = other.dispatcher.stats.leaseTakeovers;
  const before = deliveries.length;
  for (let i = 0; i < 10; i++) await other.customers.create(actor, { kind: 'person', name: `after-stop-${i}` });
  await waitFor(async () => deliveries.length >= before + 20, 10_000);
  t.equal(deliveries.length, before + 20, 'both subscribers got the 10 new events, once each');
  t.ok(deliveries.slice(before).every((d) => d.node === otherName), 'delivered by the node still running');
  t.equal(other.dispatcher.stats.leaseTakeovers, takeovers, 'taken as free leases, without waiting for them to expire');
  await other.dispatcher.stop();
});

t.test('a stalled node: its lease is taken over after expiry and its late progress is refused', async (t) => {
  const stalledA = await boot('A', { leaseMs: 300 });
  const b2 = await boot('B', { leaseMs: 300 });
  t.teardown(async () => {
    await stalledA.close();
    await b2.close();
  });
  const before = deliveries.length;
  await stalledA.customers.create(actor, { kind: 'person', name: 'stalled-1' });
  await stalledA.customers.create(actor, { kind: 'person', name: 'stalled-2' });
  let release!: () => void;
  stall = new Promise<void>((r) => (release = r));
  const first = stalledA.dispatcher.runOnce(); // takes both leases, then hangs in its first handler
  await sleep(600); // > leaseMs: A's lease is expired on the database clock
  await b2.dispatcher.drain();
  const byB = deliveries.slice(before).filter((d) => d.node === 'B');
  t.equal(byB.length, 4, 'B took both subscribers over and delivered both events to each');
  release();
  stall = undefined;
  await first;
  await stalledA.dispatcher.drain();
  await b2.dispatcher.drain();
  const late = deliveries.slice(before).filter((d) => d.node === 'A');
  t.equal(late.length, 1, 'A finished only the one delivery it had started');
  t.ok(byB.some((d) => d.subscriber === late[0]!.subscriber && d.eventId === late[0]!.eventId), 'it is a duplicate of a delivery B made after the takeover, not an extra event');
  t.ok(b2.dispatcher.stats.leaseTakeovers >= 1, 'B reports the takeover');
  t.ok(stalledA.dispatcher.stats.leasesLost >= 1, 'A reports the lost lease');
  const head = Number((await b2.db.knex(b2.db.table('outbox')).max({ m: 'seq' }).first())?.m);
  const progress = await b2.db.knex(b2.db.table('subscriber_progress')).whereIn('subscriber_id', ['counter.all', 'counter.created']).select('last_seq', 'lease_owner');
  t.ok(progress.every((p) => Number(p.last_seq) === head && p.lease_owner === 'B'), 'progress is B’s: at the head, under B’s lease');
  t.comment(`duplicates after lease expiry: ${late.length} (event ${late[0]!.eventId} to ${late[0]!.subscriber})`);
});
