/**
 * The credential cache (auth/auth-epoch.ts) on two nodes: two Peyvand servers on one
 * database, as a deployment behind a load balancer runs them. A revoked key, an edited
 * role and a plugin switched off are seen by the next request on the node that made the
 * change, and by the other node within AUTH_CACHE_BOUND_MS, also when its epoch poll has
 * stopped. Runs on the dialect of PEYVAND_TEST_DB (the two-node case is for PostgreSQL
 * and MariaDB; on SQLite the two nodes share the file, as the CLI and a server do).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import pino from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { createPeyvand, type Peyvand } from '../../../core/peyvand.js';
import { createTestDatabase } from '../../helpers/database.js';
import { AUTH_CACHE_BOUND_MS } from '../../../core/auth/auth-epoch.js';
import sales from '../../../plugins/sales/index.js';

const db = await createTestDatabase();
const secret = randomBytes(32).toString('base64url');
const adminKey = `admin_${randomBytes(16).toString('hex')}`;
const boot = () => createPeyvand({ databaseUrl: db.url, secret, adminKey, plugins: [sales], logger: pino({ level: 'silent' }), dispatch: false });
const a = await boot();
const b = await boot();
t.teardown(async () => {
  await a.close();
  await b.close();
  await db.drop();
});

const call = (node: Peyvand, token: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
  node.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });
const admin = (method: 'PUT' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) => call(a, adminKey, method, url, payload);

/** Repeats `request` until it answers `status`; returns how long that took (ms), or fails after `deadline`. */
async function seenWithin(request: () => Promise<LightMyRequestResponse>, status: number, deadline: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await request();
    const elapsed = performance.now() - started;
    if (res.statusCode === status) return elapsed;
    if (elapsed > deadline) throw new Error(`still ${res.statusCode} after ${Math.round(elapsed)} ms (wanted ${status})`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// Setup without assertions on the root test (tap would end it before the subtests).
const created = await admin('POST', '/api/v1/admin/tenants', { slug: 'acme', name: 'Acme', plugins: ['sales'] });
if (created.statusCode !== 201) throw new Error(`tenant: ${created.statusCode} ${created.body}`);
const newKey = async (role: string) => (await admin('POST', '/api/v1/admin/tenants/acme/api-keys', { name: role, role })).json() as { id: string; key: string };
const owner = await newKey('owner');
const customer = (await call(a, owner.key, 'POST', '/api/v1/customers', { kind: 'person', name: 'Sara Rahimi' })).json() as { id: string };
const readCustomer = (node: Peyvand, token: string) => () => call(node, token, 'GET', `/api/v1/customers/${customer.id}`);
// Within the bound, plus a margin for the poll's own query and the machine's load.
const deadline = AUTH_CACHE_BOUND_MS + 500;

t.test('a revoked key: 401 on the next request of the node that revoked it, on the other within the bound', async (t) => {
  const key = await newKey('owner');
  for (const node of [a, b]) t.equal((await readCustomer(node, key.key)()).statusCode, 200, 'served (and cached) before');
  t.equal((await admin('DELETE', `/api/v1/admin/tenants/acme/api-keys/${key.id}`)).statusCode, 204);
  const next = await readCustomer(a, key.key)();
  t.equal(next.statusCode, 401, 'the very next request on the same node');
  t.equal(next.json().code, 'INVALID_CREDENTIAL');
  const ms = await seenWithin(readCustomer(b, key.key), 401, deadline);
  t.ok(ms <= deadline, `the other node refused it after ${Math.round(ms)} ms`);
  t.equal((await readCustomer(b, owner.key)()).statusCode, 200, 'other keys keep working');
});

t.test('a role losing a permission: 403 at once on the same node, within the bound on the other', async (t) => {
  t.equal((await call(a, owner.key, 'PUT', '/api/v1/roles/auditor', { permissions: ['core.customer.read'], scopes: { customer: 'all' } })).statusCode, 200);
  const key = await newKey('auditor');
  for (const node of [a, b]) t.equal((await readCustomer(node, key.key)()).statusCode, 200, 'the role grants the read');
  t.equal((await call(b, owner.key, 'PUT', '/api/v1/roles/auditor', { permissions: [] })).statusCode, 200, 'edited on node b');
  const next = await readCustomer(b, key.key)();
  t.equal(next.statusCode, 403, 'the next request on node b');
  t.equal(next.json().code, 'FORBIDDEN');
  const ms = await seenWithin(readCustomer(a, key.key), 403, deadline);
  t.ok(ms <= deadline, `node a refused it after ${Math.round(ms)} ms`);
  t.equal((await call(a, owner.key, 'PUT', '/api/v1/roles/auditor', { permissions: ['core.customer.read'], scopes: { customer: 'all' } })).statusCode, 200, 'granted again on node a');
  t.equal((await readCustomer(a, key.key)()).statusCode, 200, 'at once on node a');
  await seenWithin(readCustomer(b, key.key), 200, deadline);
});

t.test('a plugin switched off: its routes 404 at once on the same node, within the bound on the other', async (t) => {
  const deals = (node: Peyvand) => () => call(node, owner.key, 'GET', '/api/v1/sales/deals?limit=5');
  for (const node of [a, b]) t.equal((await deals(node)()).statusCode, 200, 'sales answers on both nodes');
  t.equal((await admin('DELETE', '/api/v1/admin/tenants/acme/plugins/sales')).statusCode, 204);
  const next = await deals(a)();
  t.equal(next.statusCode, 404, 'the next request on the same node');
  t.equal(next.json().code, 'PLUGIN_NOT_ENABLED');
  const ms = await seenWithin(deals(b), 404, deadline);
  t.ok(ms <= deadline, `the other node after ${Math.round(ms)} ms`);
  t.equal((await admin('PUT', '/api/v1/admin/tenants/acme/plugins/sales')).statusCode, 204, 'switched on again');
  t.equal((await deals(a)()).statusCode, 200, 'at once on the same node');
  await seenWithin(deals(b), 200, deadline);
});

t.test('a node whose epoch poll stopped stops trusting its cache after the bound', async (t) => {
  const key = await newKey('owner');
  t.equal((await readCustomer(b, key.key)()).statusCode, 200, 'cached on node b');
  b.kernel.authEpoch.stop();
  t.teardown(() => b.kernel.authEpoch.start());
  t.equal((await admin('DELETE', `/api/v1/admin/tenants/acme/api-keys/${key.id}`)).statusCode, 204);
  const ms = await seenWithin(readCustomer(b, key.key), 401, deadline);
  t.ok(ms <= deadline, `refused after ${Math.round(ms)} ms without any poll`);
});
