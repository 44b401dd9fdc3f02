/**
 * External transports against the real Redis and NATS JetStream on the machine: outbox
 * events go out as `<prefix>.<tenant>.<type>`; events of other services come in once
 * (de-duplicated by id), validated against the schema a plugin declares, refused ones
 * recorded with the reason and listed by the API; entries a dead consumer left behind
 * are claimed again; an outage holds the outbound progress instead of losing events.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { createKernel, definePlugin, type PeyvandEvent } from '../../../core/index.js';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { createTestDatabase } from '../../helpers/database.js';
import { reachable, testBroker, type BrokerKind, type TestBroker } from '../../helpers/brokers.js';
import { TRANSPORT_OUT_SUBSCRIBER } from '../../../core/events/transports/event-bridge.js';

const received: PeyvandEvent[] = [];
const loyalty = definePlugin({
  name: 'loyalty-test',
  version: '1.0.0',
  core: '^0.1.0',
  inboundEvents: {
    'erp.order.paid': { type: 'object', additionalProperties: false, required: ['orderId', 'amount'], properties: { orderId: { type: 'string' }, amount: { type: 'integer', minimum: 0 }, currency: { type: 'string' } } },
  },
  subscribers: [{ id: 'loyalty-test.points', events: ['erp.order.paid'], async handle(e: PeyvandEvent) { received.push(e); } }],
});

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

async function broker(t: Test, kind: BrokerKind): Promise<TestBroker | undefined> {
  const problem = await reachable(kind);
  if (problem) {
    // In CI the broker is part of the machine: its absence is a failure, not a skip.
    if (process.env.CI === 'true') t.fail(problem);
    else t.plan(0, problem);
    return undefined;
  }
  const b = await testBroker(kind);
  t.teardown(() => b.cleanup());
  return b;
}

for (const kind of ['redis', 'nats'] as const) {
  t.test(`${kind}: outbox events are published as <prefix>.<tenant>.<type>`, async (t) => {
    const b = await broker(t, kind);
    if (!b) return;
    const p = await bootPeyvand(t, { eventsUrl: b.url(), dispatcher: { gapGraceMs: 0 } });
    const acme = await p.tenant('acme');
    const key = await acme.key('admin');
    const created = await p.call(key, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'Published' } });
    await p.peyvand.kernel.dispatcher.drain();
    const messages = await b.messages();
    const subjects = messages.map((m) => m.subject);
    t.ok(subjects.includes(`${b.prefix}.acme.tenant.created`), 'the tenant event went out');
    const customer = messages.find((m) => m.subject === `${b.prefix}.acme.customer.created`);
    t.ok(customer, 'the customer event went out under the tenant slug');
    const envelope = JSON.parse(customer!.payload);
    const row = await p.peyvand.kernel.db.knex(p.peyvand.kernel.db.table('outbox')).where({ aggregate_id: created.json().id }).first();
    t.match(envelope, { id: row.id, type: 'customer.created', tenant: 'acme', occurredAt: String, data: { customer: { name: 'Published' } } }, 'the envelope webhooks use, with the outbox event id');
    t.equal(customer!.origin, 'peyvand', 'marked as published by Peyvand');
    await p.peyvand.kernel.dispatcher.drain();
    t.equal((await b.messages()).length, messages.length, 'nothing published twice');
  });

  t.test(`${kind}: inbound events are validated, de-duplicated and reach subscribers`, async (t) => {
    const b = await broker(t, kind);
    if (!b) return;
    const p = await bootPeyvand(t, { plugins: [loyalty], eventsUrl: b.url(), dispatch: true, dispatcher: { gapGraceMs: 0, pollIntervalMs: 20 } });
    const acme = await p.tenant('acme', { plugins: ['loyalty-test'] });
    const key = await acme.key('admin');
    const subject = `${b.prefix}.acme.erp.order.paid`;
    const before = received.length;
    await b.publish(subject, { id: 'ord-1001', type: 'erp.order.paid', data: { orderId: 'SO-1001', amount: 480000, currency: 'IRR' } });
    await b.publish(subject, { id: 'ord-1001', data: { orderId: 'SO-1001', amount: 480000, currency: 'IRR' } }); // the ERP sent it twice
    await b.publish(subject, { id: 'ord-1002', data: { orderId: 'SO-1002', amount: 'a lot' } });
    await b.publish(subject, { data: { orderId: 'SO-1003', amount: 1 } });
    await b.publish(subject, 'not json at all');
    await b.publish(`${b.prefix}.nobody.erp.order.paid`, { id: 'ord-9', data: { orderId: 'X', amount: 1 } });
    await b.publish(`${b.prefix}.acme.erp.order.shipped`, { id: 'ship-1', data: {} }); // no plugin wants it: not ours to judge
    await b.publish(subject, { id: 'ord-echo', data: { orderId: 'E', amount: 1 } }, 'peyvand'); // Peyvand's own: never taken back
    await b.publish(subject, { id: 'ord-1004', data: { orderId: 'SO-1004', amount: 20 } });

    const knex = p.peyvand.kernel.db.knex;
    const rejectedCount = async () => Number((await knex(p.peyvand.kernel.db.table('inbound_rejected')).count({ n: '*' }).first())?.n);
    t.ok(await until(async () => received.length - before >= 2 && (await rejectedCount()) >= 4), 'the consumer worked through the stream');
    await sleep(300); // a duplicate delivered late would show up now
    const mine = received.slice(before);
    t.same(mine.map((e) => e.data), [{ orderId: 'SO-1001', amount: 480000, currency: 'IRR' }, { orderId: 'SO-1004', amount: 20 }], 'the subscriber got each valid event once, in order');
    t.ok(mine.every((e) => e.type === 'erp.order.paid' && e.tenantId === acme.id && e.aggregateType === 'external'), 'as events of the tenant the subject names');
    t.same((await knex(p.peyvand.kernel.db.table('inbound_seen')).select('event_id').orderBy('event_id')).map((r) => r.event_id), ['ord-1001', 'ord-1004'], 'seen once per publisher id');

    const res = await p.call(key, { method: 'GET', url: '/api/v1/events/rejected?limit=2' });
    t.equal(res.statusCode, 200);
    const page1 = res.json();
    t.equal(page1.items.length, 2, 'pages of the asked size');
    const page2 = (await p.call(key, { method: 'GET', url: `/api/v1/events/rejected?limit=2&cursor=${page1.nextCursor}` })).json();
    const reasons = [...page1.items, ...page2.items];
    t.equal(reasons.length, 3, 'the tenant sees its three rejections (the unknown tenant’s is nobody’s to see)');
    t.equal(page2.nextCursor, null);
    t.ok(reasons.some((r: { eventId: string; reason: string }) => r.eventId === 'ord-1002' && /amount must be integer/.test(r.reason)), 'schema failure, with the path and why');
    t.ok(reasons.some((r: { eventId: string | null; reason: string }) => r.eventId === null && /"id" must be/.test(r.reason)), 'missing id');
    t.ok(reasons.some((r: { reason: string; payload: string }) => /not JSON/.test(r.reason) && r.payload === 'not json at all'), 'unparseable payload, kept as received');
    t.match(reasons[0], { transport: kind, subject, type: 'erp.order.paid', receivedAt: String });
    const orphan = await knex(p.peyvand.kernel.db.table('inbound_rejected')).whereNull('tenant_id').first();
    t.match(orphan, { subject: `${b.prefix}.nobody.erp.order.paid`, reason: /no tenant "nobody"/ }, 'an unknown tenant is recorded too');

    t.equal((await p.call(await acme.key('viewer'), { method: 'GET', url: '/api/v1/events/rejected' })).statusCode, 403, 'core.event.read is needed');
    t.equal((await p.call(key, { method: 'GET', url: '/api/v1/events/rejected?cursor=bad' })).statusCode, 400);
    await p.peyvand.kernel.dispatcher.drain();
    const echoed = (await b.messages()).filter((m) => m.origin === 'peyvand' && m.subject.endsWith('.erp.order.paid') && !m.payload.includes('ord-echo'));
    t.same(echoed, [], 'inbound events are not published back out');
  });

  t.test(`${kind}: an event a dead consumer took and never acknowledged is taken over`, async (t) => {
    const b = await broker(t, kind);
    if (!b) return;
    const db = await createTestDatabase();
    const options = { databaseUrl: db.url, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), plugins: [loyalty], dispatch: false };
    // The tenant exists before any consumer runs, so the event is judged on its merits.
    const setup = await createKernel(options);
    await setup.tenants.create({ slug: 'acme', name: 'Acme', plugins: ['loyalty-test'] });
    await setup.close();
    await b.publish(`${b.prefix}.acme.erp.order.paid`, { id: 'ord-orphan', data: { orderId: 'SO-7', amount: 7 } });
    t.ok(await b.takeWithoutAck('erp.order.paid', `${b.prefix}-inbound`), 'another consumer took it, then died');
    const before = received.length;
    const kernel = await createKernel({ ...options, eventsUrl: b.url({ claimIdleMs: '1000' }), dispatch: true, dispatcher: { gapGraceMs: 0, pollIntervalMs: 20 } });
    t.teardown(async () => {
      await kernel.close();
      await db.drop();
    });
    t.ok(await until(() => received.slice(before).some((e) => (e.data as { orderId?: string }).orderId === 'SO-7'), 20_000), 'delivered once the stale claim expired');
  });

  t.test(`${kind}: while the broker is unreachable the outbound progress holds`, async (t) => {
    const b = await broker(t, kind);
    if (!b) return;
    const p = await bootPeyvand(t, { eventsUrl: b.url(), dispatcher: { gapGraceMs: 0, maxAttempts: 1 } });
    const kernel = p.peyvand.kernel;
    const progress = async () => Number((await kernel.db.knex(kernel.db.table('subscriber_progress')).where({ subscriber_id: TRANSPORT_OUT_SUBSCRIBER }).first())?.last_seq);
    const start = await progress();
    await kernel.bridge!.transport.close(); // the connection is gone, as in an outage
    await p.tenant('outage');
    await kernel.dispatcher.drain();
    t.equal(await progress(), start, 'the event is not skipped');
    const failures = await kernel.db.knex(kernel.db.table('subscriber_failures')).where({ subscriber_id: TRANSPORT_OUT_SUBSCRIBER });
    t.same(failures, [], 'nor parked, nor dead-lettered (maxAttempts is 1)');
    t.equal((await b.messages()).length, 0, 'nothing reached the broker');
  });
}

t.test('a broker that cannot be reached stops the boot', async (t) => {
  await t.rejects(bootPeyvand(t, { eventsUrl: 'redis://127.0.0.1:1' }), { code: 'TRANSPORT_UNREACHABLE' });
  await t.rejects(bootPeyvand(t, { eventsUrl: 'nats://127.0.0.1:1' }), { code: 'TRANSPORT_UNREACHABLE' });
  await t.rejects(bootPeyvand(t, { eventsUrl: 'amqp://127.0.0.1' }), { code: 'CONFIG_INVALID' });
});

t.test('an inbound schema that does not compile is a boot error naming the plugin', async (t) => {
  const broken = definePlugin({ name: 'broken-inbound', version: '1.0.0', core: '^0.1.0', inboundEvents: { 'erp.thing.done': { type: 'no-such-type' } } });
  await t.rejects(bootPeyvand(t, { plugins: [broken] }), { code: 'PLUGIN_INVALID', plugin: 'broken-inbound' });
});

t.test('PEYVAND_EVENTS_URL and the dispatcher variables are read by the CLI configuration', async (t) => {
  const { loadConfig, ConfigError } = await import('../../../core/cli/config.js');
  const config = loadConfig({ PEYVAND_EVENTS_URL: 'nats://127.0.0.1:4222?prefix=erp', PEYVAND_DISPATCH_LEASE_MS: '5000', PEYVAND_DISPATCH_MAX_ATTEMPTS: '3' }, { cwd: '/tmp' });
  t.equal(config.eventsUrl, 'nats://127.0.0.1:4222?prefix=erp');
  t.same(config.dispatcher, { leaseMs: 5000, maxAttempts: 3 });
  t.equal(loadConfig({}, { cwd: '/tmp' }).eventsUrl, undefined, 'in-process only by default');
  t.throws(() => loadConfig({ PEYVAND_EVENTS_URL: 'kafka://broker:9092' }), ConfigError, 'an unknown scheme');
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
    } catch (err) {
      return err as InstanceType<typeof ConfigError>;
    }
    return undefined;
  };
  const badPrefix = refusal({ PEYVAND_EVENTS_URL: 'redis://:secret@127.0.0.1?prefix=a.b' });
  t.equal(badPrefix?.variable, 'PEYVAND_EVENTS_URL', 'a bad prefix is refused…');
  t.notMatch(JSON.stringify(badPrefix?.params) + badPrefix?.message, /secret/, '…without repeating the password');
  t.equal(refusal({ PEYVAND_DISPATCH_LEASE_MS: '10' })?.variable, 'PEYVAND_DISPATCH_LEASE_MS', 'a lease shorter than 100 ms is refused');
});
