/**
 * Deliveries to a real receiver (fastify on 127.0.0.1, admitted by the allowlist): the
 * receiver recomputes the HMAC over the raw body; Peyvand-Event-Id; pattern filtering;
 * retries on 500 then success with the attempt log; redirects not followed; bounded
 * time-outs; pausing after repeated failures, resuming, manual retry; order per
 * aggregate; the SSRF check again at delivery time (DNS rebinding) and the connection
 * going to the address that was checked.
 */
import t from 'tap';
import { createHmac, timingSafeEqual } from 'node:crypto';
import fastify from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { Resolver } from '../../../core/webhooks/address-guard.js';
import { bootPeyvand } from '../../helpers/peyvand.js';

interface Hit { name: string; headers: IncomingHttpHeaders; raw: Buffer; body: { id: string; type: string; tenant: string; occurredAt: string; data: Record<string, unknown> } }
const hits: Hit[] = [];
// Per endpoint: the status to answer with for the n-th request (0-based); 'hang' never answers.
const behaviour: Record<string, (n: number, hit: Hit) => number | 'hang' | 'redirect'> = {};
const counts: Record<string, number> = {};
const receiver = fastify({ forceCloseConnections: true });
receiver.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
receiver.post<{ Params: { name: string }; Body: Buffer }>('/:name', async (request, reply) => {
  const hit: Hit = { name: request.params.name, headers: request.headers, raw: request.body, body: JSON.parse(request.body.toString('utf8')) };
  hits.push(hit);
  const n = counts[hit.name] ?? 0;
  counts[hit.name] = n + 1;
  const answer = behaviour[hit.name]?.(n, hit) ?? 200;
  if (answer === 'hang') return new Promise(() => undefined);
  if (answer === 'redirect') return reply.code(302).header('location', '/target').send();
  return reply.code(answer).send(answer >= 400 ? 'receiver says no' : 'ok');
});
await receiver.listen({ port: 0, host: '127.0.0.1' });
const port = (receiver.server.address() as { port: number }).port;
t.teardown(() => receiver.close());

// rebind.test is unknown to the real DNS: a delivery that reaches the receiver proves the
// connection went to the address the guard checked, not to a second resolution.
let rebindTo = '127.0.0.1';
const resolve: Resolver = async (host) => (host === 'rebind.test' ? [{ address: rebindTo, family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
const p = await bootPeyvand(t, {
  dispatcher: { gapGraceMs: 0 },
  webhooks: { allowlist: '127.0.0.1', resolve, maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 20, pauseAfterDead: 2, timeoutMs: 1500, connectTimeoutMs: 1500 },
});
const kernel: Kernel = p.peyvand.kernel;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs dispatch and delivery passes until `done` holds (or 10 s pass). */
async function settle(done: () => boolean | Promise<boolean>): Promise<boolean> {
  for (const end = Date.now() + 10_000; Date.now() < end; await sleep(10)) {
    await kernel.dispatcher.runOnce();
    await kernel.webhooks.deliverer.runOnce();
    if (await done()) return true;
  }
  return false;
}

async function setup(slug: string, name: string, events: string[] = ['customer.*'], host = '127.0.0.1') {
  const tenant = await p.tenant(slug);
  const key = await tenant.key('owner');
  const res = await p.call(key, { method: 'POST', url: '/api/v1/webhooks', payload: { url: `http://${host}:${port}/${name}`, events } });
  if (res.statusCode !== 201) throw new Error(res.body);
  const webhook = res.json() as { id: string; secret: string };
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) => p.call(key, { method, url, ...(payload && { payload }) });
  const customer = async (name: string) => (await call('POST', '/api/v1/customers', { kind: 'person', name })).json().id as string;
  const deliveries = async (query = '') => (await call('GET', `/api/v1/webhooks/${webhook.id}/deliveries${query}`)).json().items as Array<Record<string, unknown> & { id: string; status: string; attempts: Array<Record<string, unknown>> }>;
  return { tenant, key, webhook, call, customer, deliveries, hitsOf: () => hits.filter((h) => h.name === name) };
}

t.test('signed, identified, filtered by pattern', async (t) => {
  const a = await setup('sig', 'sig-all', ['customer.*']);
  const b = await a.call('POST', '/api/v1/webhooks', { url: `http://127.0.0.1:${port}/sig-deleted`, events: ['customer.deleted'] });
  const id = await a.customer('Sara Ahmadi');
  await a.call('PATCH', `/api/v1/customers/${id}`, { name: 'سارا احمدی' });
  await a.call('PUT', '/api/v1/settings/custom-fields', { schema: { type: 'object' } });
  await a.call('DELETE', `/api/v1/customers/${id}`);
  t.ok(await settle(() => a.hitsOf().length === 3 && hits.some((h) => h.name === 'sig-deleted')));
  t.same(a.hitsOf().map((h) => h.body.type), ['customer.created', 'customer.updated', 'customer.deleted'], 'customer.* only, in order');
  t.same(hits.filter((h) => h.name === 'sig-deleted').map((h) => h.body.type), ['customer.deleted'], 'an exact type only');
  for (const hit of a.hitsOf()) {
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(hit.headers['peyvand-signature']));
    t.ok(match, 'header format');
    const expected = createHmac('sha256', a.webhook.secret).update(`${match![1]}.`).update(hit.raw).digest();
    t.ok(timingSafeEqual(expected, Buffer.from(match![2]!, 'hex')), 'the receiver’s HMAC over the raw body matches');
    t.ok(Math.abs(Date.now() / 1000 - Number(match![1])) < 60, 't is now');
    t.equal(hit.headers['peyvand-event-id'], hit.body.id, 'Peyvand-Event-Id is the event id');
    t.same(Object.keys(hit.body), ['id', 'type', 'tenant', 'occurredAt', 'data']);
    t.equal(hit.body.tenant, 'sig', 'the tenant slug');
    t.equal(hit.headers['content-type'], 'application/json');
  }
  t.equal((a.hitsOf()[1]!.body.data.customer as { name: string }).name, 'سارا احمدی', 'UTF-8 data intact');
  const log = await a.deliveries();
  t.equal(log.length, 3);
  t.match(log[0], { status: 'delivered', eventType: 'customer.deleted', attemptCount: 1, lastStatusCode: 200, attempts: [{ attempt: 1, trigger: 'schedule', statusCode: 200, error: null, nextAttemptAt: null }] });
  t.ok(log.every((d) => !('secret' in d) && !JSON.stringify(d).includes(a.webhook.secret)), 'no secret in the log');
  t.equal(b.statusCode, 201);
});

t.test('retries on 500 with backoff, then success', async (t) => {
  behaviour.flaky = (n) => (n < 2 ? 500 : 200);
  const s = await setup('retry', 'flaky');
  await s.customer('Flaky');
  t.ok(await settle(async () => (await s.deliveries())[0]?.status === 'delivered'));
  const [delivery] = await s.deliveries();
  t.same(delivery!.attempts.map((a) => a.statusCode), [500, 500, 200]);
  t.same(delivery!.attempts.map((a) => a.attempt), [1, 2, 3]);
  t.match(delivery!.attempts[0], { error: /^HTTP 500: receiver says no/, nextAttemptAt: String });
  t.ok(delivery!.attempts.every((a) => typeof a.latencyMs === 'number' && (a.latencyMs as number) >= 0), 'latency recorded');
  t.same(new Set(s.hitsOf().map((h) => h.body.id)).size, 1, 'the same event each time');
});

t.test('a redirect is a failure and is not followed', async (t) => {
  behaviour.moved = () => 'redirect';
  const s = await setup('redir', 'moved');
  await s.customer('Moved');
  t.ok(await settle(async () => (await s.deliveries())[0]?.status === 'dead'));
  const [delivery] = await s.deliveries();
  t.same(delivery!.attempts.map((a) => a.statusCode), [302, 302, 302], 'every attempt, then dead');
  t.match(delivery!.lastError, /redirect \(302 to \/target\) not followed/);
  t.equal(hits.filter((h) => h.name === 'target').length, 0, 'the target was never called');
});

t.test('a receiver that never answers is cut off at the time limit', async (t) => {
  behaviour.slow = () => 'hang';
  const s = await setup('slow', 'slow');
  await s.customer('Slow');
  // The receiver never answers: only the time limit can end the attempt, and its error says so.
  t.ok(await settle(async () => (await s.deliveries())[0]?.attemptCount === 1), 'the attempt ended');
  const [delivery] = await s.deliveries();
  t.match(delivery!.attempts[0], { statusCode: null, error: 'timed out after 1500 ms' }, 'cut off by the time limit');
  t.ok((delivery!.attempts[0]!.latencyMs as number) >= 1400, 'after waiting about the time limit');
});

t.test('repeated failures pause the subscription; resume; manual retry', async (t) => {
  let down = true;
  behaviour.down = () => (down ? 500 : 200);
  const s = await setup('pause', 'down');
  await s.customer('One');
  await s.customer('Two');
  t.ok(await settle(async () => !(await s.call('GET', `/api/v1/webhooks/${s.webhook.id}`)).json().active));
  const paused = (await s.call('GET', `/api/v1/webhooks/${s.webhook.id}`)).json();
  t.match(paused, { active: false, consecutiveFailures: 2, pausedReason: /^Paused after 2 deliveries in a row failed all 3 attempts; last error: / });
  const events = (await s.call('GET', '/api/v1/events?types=webhook.paused')).json();
  t.match(events.items, [{ type: 'webhook.paused', data: { webhookId: s.webhook.id, reason: { code: 'failing', deadInARow: 2 } } }], 'the pause is an event');
  t.match((await s.call('GET', '/api/v1/audit?entityType=webhook')).json().items[0], { action: 'webhook.pause', actor: 'system:webhooks' }, 'and audited');

  const before = s.hitsOf().length;
  await s.customer('Three');
  await settle(async () => (await s.deliveries('?status=pending')).length === 1);
  await sleep(50);
  await kernel.webhooks.deliverer.runOnce();
  t.equal(s.hitsOf().length, before, 'nothing is sent while paused…');

  down = false;
  const resumed = await s.call('PATCH', `/api/v1/webhooks/${s.webhook.id}`, { active: true });
  t.match(resumed.json(), { active: true, pausedReason: null, consecutiveFailures: 0 });
  t.ok(await settle(async () => (await s.deliveries('?status=delivered')).length === 1), '…and the waiting delivery goes out on resume');
  t.equal(s.hitsOf().at(-1)!.body.data.customer && (s.hitsOf().at(-1)!.body.data.customer as { name: string }).name, 'Three');

  const dead = await s.deliveries('?status=dead');
  t.equal(dead.length, 2, 'the dead ones stay dead');
  const retried = await s.call('POST', `/api/v1/webhooks/${s.webhook.id}/deliveries/${dead[0]!.id}/retry`);
  t.equal(retried.statusCode, 200, retried.body);
  t.match(retried.json(), { status: 'delivered', attemptCount: 4, lastStatusCode: 200 });
  t.match(retried.json().attempts.at(-1), { attempt: 4, trigger: 'manual', statusCode: 200 });
  t.equal(s.hitsOf().at(-1)!.body.id, dead[0]!.eventId, 'the same event was sent again');
  const audit = (await s.call('GET', '/api/v1/audit?entityType=webhook')).json().items[0];
  t.match(audit, { action: 'webhook.delivery_retry', actor: /^apikey:/ });
});

t.test('deliveries of one aggregate go out in event order', async (t) => {
  let failedOnce = false;
  behaviour.order = (_n, hit) => {
    const name = (hit.body.data.customer as { name: string } | undefined)?.name;
    if (name === 'X' && hit.body.type === 'customer.created' && !failedOnce) {
      failedOnce = true;
      return 500;
    }
    return 200;
  };
  const s = await setup('order', 'order');
  const x = await s.customer('X');
  await s.call('PATCH', `/api/v1/customers/${x}`, { tags: ['vip'] });
  await s.call('PATCH', `/api/v1/customers/${x}`, { tags: ['vip', 'b2b'] });
  await s.customer('Y');
  t.ok(await settle(async () => (await s.deliveries('?status=delivered')).length === 4));
  const seen = s.hitsOf().map((h) => `${(h.body.data.customer as { name: string }).name} ${h.body.type}`);
  const xs = seen.filter((e) => e.startsWith('X '));
  t.same(xs, ['X customer.created', 'X customer.created', 'X customer.updated', 'X customer.updated'], 'X’s updates waited for its creation to be delivered');
  t.ok(seen.indexOf('Y customer.created') < seen.lastIndexOf('X customer.created'), 'another aggregate did not wait for X');
});

t.test('the address is checked again at delivery time and the checked one is used', async (t) => {
  const s = await setup('rebind', 'rebind', ['customer.*'], 'rebind.test');
  await s.customer('Pinned');
  t.ok(await settle(() => s.hitsOf().length === 1), 'delivered to rebind.test via the checked 127.0.0.1 (the system DNS does not know it)');
  rebindTo = '10.0.0.1';
  await s.customer('Rebound');
  t.ok(await settle(async () => (await s.deliveries())[0]?.attemptCount === 1));
  t.match((await s.deliveries())[0], { status: 'retrying', lastStatusCode: null, lastError: 'refused: rebind.test is or resolves to a private address' });
  t.equal(s.hitsOf().length, 1, 'nothing reached the receiver');
  rebindTo = '127.0.0.1';
});

t.test('deleting a subscription stops its deliveries', async (t) => {
  behaviour.gone = () => 500;
  const s = await setup('gone', 'gone');
  await s.customer('Gone');
  t.ok(await settle(async () => (await s.deliveries())[0]?.attemptCount === 1));
  t.equal((await s.call('DELETE', `/api/v1/webhooks/${s.webhook.id}`)).statusCode, 204);
  const count = s.hitsOf().length;
  await s.customer('After');
  for (let i = 0; i < 5; i++) await settle(() => true).then(() => sleep(20));
  t.equal(s.hitsOf().length, count);
  t.equal((await kernel.db.knex(kernel.db.table('webhook_deliveries')).where({ webhook_id: s.webhook.id })).length, 0, 'its deliveries are gone');
});

t.test('a running kernel delivers on its own, soon after the commit', async (t) => {
  const live = await bootPeyvand(t, { dispatch: true, dispatcher: { gapGraceMs: 0 }, webhooks: { allowlist: '127.0.0.1' } });
  const key = await (await live.tenant('live')).key('owner');
  await live.call(key, { method: 'POST', url: '/api/v1/webhooks', payload: { url: `http://127.0.0.1:${port}/live`, events: ['customer.created'] } });
  const started = Date.now();
  await live.call(key, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'Live' } });
  while (!hits.some((h) => h.name === 'live') && Date.now() - started < 5000) await sleep(10);
  t.ok(hits.some((h) => h.name === 'live'), `delivered in ${Date.now() - started} ms without anyone driving the engine`);
});
