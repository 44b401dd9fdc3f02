/**
 * Rate limits an operator sets (http/rate-limit.ts), on two nodes of one database as a
 * deployment behind a load balancer runs them: a tenant's own limit through the admin
 * API (refused input changes nothing; back to the default with null), applied at once on
 * the node that set it and within the auth cache's bound on the other; the count shared
 * by both nodes — through the database on PostgreSQL and MariaDB, through Redis when one
 * is configured — so a credential that used its minute up on one node is refused on the
 * other from its first request. On SQLite (one process owns the file) each node counts
 * in memory, and this file shows that too.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import pino from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { createPeyvand, type Peyvand } from '../../../core/peyvand.js';
import { AUTH_CACHE_BOUND_MS } from '../../../core/auth/auth-epoch.js';
import { RATE_LIMIT_SYNC_MS } from '../../../core/http/rate-limit.js';
import { createTestDatabase } from '../../helpers/database.js';

const REDIS_URL = process.env.PEYVAND_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const db = await createTestDatabase();
const secret = randomBytes(32).toString('base64url');
const adminKey = `admin_${randomBytes(16).toString('hex')}`;
const boot = (redis = false) => createPeyvand({ databaseUrl: db.url, secret, adminKey, logger: pino({ level: 'silent' }), dispatch: false, http: { rateLimitPerMinute: 1000, ...(redis && { rateLimitRedisUrl: REDIS_URL }) } });
const a = await boot();
const b = await boot();
const nodes: Peyvand[] = [a, b];
t.teardown(async () => {
  for (const node of nodes) await node.close();
  await db.drop();
});

const call = (node: Peyvand, token: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown): Promise<LightMyRequestResponse> =>
  node.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'accept-language': 'fa' }, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
const admin = (method: 'PUT' | 'POST' | 'GET', url: string, payload?: unknown) => call(a, adminKey, method, url, payload);
const me = (node: Peyvand, key: string) => call(node, key, 'GET', '/api/v1/me');

// Setup throws instead of asserting: an assertion on the root test would let tap end it early.
for (const slug of ['acme', 'other']) {
  const created = await admin('POST', '/api/v1/admin/tenants', { slug, name: slug });
  if (created.statusCode !== 201) throw new Error(`tenant ${slug}: ${created.statusCode} ${created.body}`);
}
// The admin key is a credential too, counted against the deployment's 1,000 a minute.
const createKey = async (slug = 'acme'): Promise<{ id: string; key: string }> => {
  const res = await admin('POST', `/api/v1/admin/tenants/${slug}/api-keys`, { name: 'k', role: 'viewer' });
  if (res.statusCode !== 201) throw new Error(`api key: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; key: string };
};
const newKey = async (slug = 'acme'): Promise<string> => (await createKey(slug)).key;
const setLimit = (perMinute: unknown, slug = 'acme') => admin('PUT', `/api/v1/admin/tenants/${slug}/rate-limit`, { perMinute });

/** Sends `count` requests as `key` to `node` and returns their statuses. */
async function statuses(node: Peyvand, key: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await me(node, key)).statusCode);
  return out;
}

/** Repeats `request` every 20 ms (each probe spends the admin key's budget) until it answers `status`, or fails after `deadline` ms. */
async function seenWithin(request: () => Promise<LightMyRequestResponse>, status: number, deadline: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const res = await request();
    if (res.statusCode === status) return;
    if (performance.now() - started > deadline) throw new Error(`still ${res.statusCode} after ${deadline} ms (wanted ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test('a tenant’s own limit: the fourth request of a minute is refused, other tenants keep the default', async (t) => {
  t.equal((await setLimit(3)).statusCode, 204);
  const key = await newKey();
  t.same(await statuses(a, key, 3), [200, 200, 200]);
  const refused = await me(a, key);
  t.equal(refused.statusCode, 429);
  t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(refused.json().code, 'RATE_LIMITED');
  t.match(refused.json().title, /[\u0600-\u06FF]/, 'in the reader’s language');
  t.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 60, `Retry-After: ${refused.headers['retry-after']}`);
  t.same(await statuses(a, await newKey('other'), 5), [200, 200, 200, 200, 200], 'another tenant: the deployment’s 1,000');

  const list = (await admin('GET', '/api/v1/admin/tenants')).json() as { items: Array<{ slug: string; rateLimitPerMinute: number | null }> };
  t.same(list.items.map((x) => [x.slug, x.rateLimitPerMinute]), [['acme', 3], ['other', null]], 'the admin list shows it');
  const events = await a.kernel.db.knex(a.kernel.db.table('outbox')).where({ type: 'tenant.rate_limit_changed' }).select('data');
  t.same(events.map((e) => JSON.parse(String(e.data))), [{ perMinute: 3 }], 'its event is in the outbox');
});

t.test('bad input changes nothing', async (t) => {
  for (const perMinute of [0, -5, 2.5, '60', 2_000_000]) {
    const res = await setLimit(perMinute);
    t.equal(res.statusCode, 400, `perMinute ${JSON.stringify(perMinute)}`);
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
  t.equal((await admin('PUT', '/api/v1/admin/tenants/acme/rate-limit', { perMinute: 5, extra: true })).statusCode, 400, 'unknown field');
  t.equal((await setLimit(5, 'nobody')).statusCode, 404, 'unknown tenant');
  const acme = ((await admin('GET', '/api/v1/admin/tenants')).json() as { items: Array<{ slug: string; rateLimitPerMinute: number | null }> }).items.find((x) => x.slug === 'acme');
  t.equal(acme?.rateLimitPerMinute, 3, 'still 3');
  const tenantKey = await newKey();
  t.equal((await call(a, tenantKey, 'PUT', '/api/v1/admin/tenants/acme/rate-limit', { perMinute: 1000 })).statusCode, 401, 'a tenant key cannot raise its own limit');
});

t.test('counted per API key: two keys from one address have two budgets; one key from two addresses, however spelled, one', async (t) => {
  // acme's limit is 3.
  const from = (address: string, authorization: string) => a.app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: address, headers: { authorization } });
  const [first, second] = [await newKey(), await newKey()];
  const office: number[] = [];
  for (let i = 0; i < 4; i++) office.push((await from('10.1.1.1', `Bearer ${first}`)).statusCode);
  t.same(office, [200, 200, 200, 429], 'the first key spends its three');
  const colleague: number[] = [];
  for (let i = 0; i < 3; i++) colleague.push((await from('10.1.1.1', `Bearer ${second}`)).statusCode);
  t.same(colleague, [200, 200, 200], 'the second key, from the same address, has its own three');
  const roaming = await newKey();
  const seen = [(await from('10.2.2.1', `Bearer ${roaming}`)).statusCode, (await from('10.2.2.2', `bearer   ${roaming} `)).statusCode, (await from('10.2.2.1', `Bearer ${roaming}`)).statusCode];
  const fourth = await from('10.2.2.3', `BEARER ${roaming}`);
  t.same([...seen, fourth.statusCode], [200, 200, 200, 429], 'one key from three addresses, its header spelled three ways: one budget');
  t.equal(fourth.headers['x-ratelimit-limit'], '3');
  t.equal(fourth.headers['x-ratelimit-remaining'], '0');
  t.ok(Number(fourth.headers['retry-after']) >= 1, 'refused with Retry-After');
});

t.test('the count is shared by the nodes (the database on PostgreSQL and MariaDB; memory per process on SQLite)', async (t) => {
  // acme's limit is still 3, and node b has served no acme request yet: it reads it fresh.
  const { id, key } = await createKey();
  t.same(await statuses(a, key, 4), [200, 200, 200, 429], 'node a: three, then refused');
  if (db.dialect === 'sqlite') {
    t.equal((await me(b, key)).statusCode, 200, 'SQLite: node b counts on its own');
    return;
  }
  // Node a adds its count to the database's within RATE_LIMIT_SYNC_MS: wait until it has.
  // Counted by the key's id, as every node names it.
  const limitKey = `apikey:${id}`;
  const shared = async () => Number((await b.kernel.db.knex(b.kernel.db.table('rate_limit_counts')).where({ limit_key: limitKey }).sum({ hits: 'hits' }).first())?.hits ?? 0);
  const started = performance.now();
  while ((await shared()) < 4) {
    if (performance.now() - started > RATE_LIMIT_SYNC_MS * 8) throw new Error(`node a's count not shared after ${RATE_LIMIT_SYNC_MS * 8} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.equal((await me(b, key)).statusCode, 429, 'node b refuses its first request: node a’s count is in the database');
});

t.test('a change on one node holds on the other within the auth cache’s bound', async (t) => {
  // Whether node b applies limit 1 yet: a new key's second request is refused under 1, served under 3 or 1,000.
  const secondOnB = async () => {
    const key = await newKey();
    await me(b, key);
    return me(b, key);
  };
  t.equal((await secondOnB()).statusCode, 200, 'node b: acme at 3, cached');
  t.equal((await setLimit(1)).statusCode, 204, 'set on node a');
  await seenWithin(secondOnB, 429, AUTH_CACHE_BOUND_MS + 500);
  t.equal((await setLimit(null)).statusCode, 204, 'back to the default');
  await seenWithin(secondOnB, 200, AUTH_CACHE_BOUND_MS + 500);
  const fresh = await newKey();
  t.same(await statuses(b, fresh, 5), [200, 200, 200, 200, 200], 'the deployment’s 1,000 again');
});

t.test('through Redis, two nodes share the count exactly', async (t) => {
  t.equal((await setLimit(4)).statusCode, 204);
  // Booted after the change: they read acme's limit fresh.
  const ra = await boot(true);
  const rb = await boot(true);
  nodes.push(ra, rb);
  const key = await newKey();
  const seen = [(await me(ra, key)).statusCode, (await me(rb, key)).statusCode, (await me(ra, key)).statusCode, (await me(rb, key)).statusCode, (await me(ra, key)).statusCode, (await me(rb, key)).statusCode];
  t.same(seen, [200, 200, 200, 200, 429, 429], 'four in all across both nodes, then refused on either');
  t.equal((await me(ra, await newKey('other'))).statusCode, 200, 'another credential has its own count');
});
