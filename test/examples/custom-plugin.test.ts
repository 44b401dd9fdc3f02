/**
 * The outside-author example (`examples/custom-plugin/`, warranty claims) boots through
 * `peyvand/testing` and works through HTTP: permissions, record scope, the status flow,
 * its errors localized from the plugin's own messages, its events in the outbox, its
 * routes in the OpenAPI document; and its own node:test file passes as written.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createTestPeyvand } from 'peyvand/testing';
import warranty from '../../examples/custom-plugin/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const example = path.join(root, 'examples/custom-plugin');

const p = await createTestPeyvand({ plugins: [warranty] });
t.teardown(() => p.close());

// Customers are record-scoped too: the agent's own customer, so the agent may claim on it.
const customer = await p.request({ as: 'agent', method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'سارا احمدی' } });
const customerId = customer.json<{ id: string }>().id;
const secondAgent = await p.tenant.key('agent', 'second agent');
const claims = '/api/v1/warranty/claims';
const open = (as: 'agent' | 'owner' = 'agent') => p.request({ as, method: 'POST', url: claims, payload: { customerId, productRef: 'odoo:product.product/42', serialNumber: 'SN-1', problem: 'روشن نمی‌شود' } });

t.test('an agent opens a claim: 201, audited event in the outbox', async (t) => {
  const res = await open();
  t.equal(res.statusCode, 201, res.body);
  const claim = res.json();
  t.match(claim, { customerId, productRef: 'odoo:product.product/42', status: 'open', resolution: null, version: 1 });
  const events = await p.events({ type: 'warranty.claim.opened' });
  t.same(events.map((e) => e.aggregateId), [claim.id], 'exactly one opened event, for this claim');
  t.same(events[0]!.data, { claim }, 'the event carries the claim as the API shows it');
});

t.test('bad input and refusals: problem+json with the code, nothing written', async (t) => {
  const before = (await p.events()).length;
  const unknownField = await p.request({ as: 'agent', method: 'POST', url: claims, payload: { customerId, productRef: 'p', problem: 'x', price: 1 } });
  t.equal(unknownField.statusCode, 400);
  t.equal(unknownField.json().code, 'VALIDATION_FAILED');
  t.match(String(unknownField.headers['content-type']), /^application\/problem\+json/);
  const noCustomer = await p.request({ as: 'agent', method: 'POST', url: claims, payload: { customerId: '01900000-0000-7000-8000-000000000000', productRef: 'p', problem: 'x' } });
  t.equal(noCustomer.statusCode, 404);
  t.equal(noCustomer.json().code, 'CUSTOMER_NOT_FOUND');
  const viewer = await p.request({ as: 'viewer', method: 'POST', url: claims, payload: { customerId, productRef: 'p', problem: 'x' } });
  t.equal(viewer.statusCode, 403);
  const anonymous = await p.request({ method: 'GET', url: claims });
  t.equal(anonymous.statusCode, 401);
  t.equal((await p.events()).length, before, 'no event from a refused request');
});

t.test('record scope: an agent sees only the claims they opened', async (t) => {
  const mine = (await open()).json();
  const other = await p.call(secondAgent, { method: 'GET', url: `${claims}/${mine.id}` });
  t.equal(other.statusCode, 404, 'another agent\'s claim answers like a missing one');
  t.equal(other.json().code, 'CLAIM_NOT_FOUND');
  const list = await p.call(secondAgent, { method: 'GET', url: claims });
  t.same(list.json().items, [], 'and is not listed');
  const owner = await p.request({ as: 'owner', method: 'GET', url: `${claims}?customerId=${customerId}` });
  t.ok(owner.json().items.some((c: { id: string }) => c.id === mine.id), 'the owner sees every claim');
});

t.test('the status flow, its localized refusals and its events', async (t) => {
  const claim = (await open()).json();
  const patch = (payload: object, headers: Record<string, string> = {}) => p.request({ as: 'agent', method: 'PATCH', url: `${claims}/${claim.id}`, payload, headers });

  const skip = await patch({ status: 'resolved', resolution: 'replaced' }, { 'accept-language': 'fa' });
  t.equal(skip.statusCode, 409);
  t.equal(skip.json().code, 'CLAIM_TRANSITION_INVALID');
  t.equal(skip.json().title, 'این تغییر وضعیت مجاز نیست', 'title from the plugin\'s own fa messages');
  const reject = await patch({ status: 'rejected' });
  t.equal(reject.statusCode, 422);
  t.equal(reject.json().code, 'RESOLUTION_REQUIRED');
  t.match(reject.json().detail, /before setting the claim to rejected/);

  for (const status of ['in_review', 'approved']) t.equal((await patch({ status })).statusCode, 200, status);
  const resolved = await patch({ status: 'resolved', resolution: 'Replaced under warranty' });
  t.match(resolved.json(), { status: 'resolved', resolution: 'Replaced under warranty', version: 4 });
  const changes = (await p.events({ type: 'warranty.claim.status_changed' })).filter((e) => e.aggregateId === claim.id);
  t.same(changes.map((e) => [e.data.from, (e.data.claim as { status: string }).status]), [['open', 'in_review'], ['in_review', 'approved'], ['approved', 'resolved']]);
});

t.test('delete: managers and up, within scope; emits warranty.claim.deleted', async (t) => {
  const claim = (await open()).json();
  t.equal((await p.request({ as: 'agent', method: 'DELETE', url: `${claims}/${claim.id}` })).statusCode, 403);
  const gone = await p.request({ as: 'owner', method: 'DELETE', url: `${claims}/${claim.id}` });
  t.equal(gone.statusCode, 204);
  t.equal((await p.request({ as: 'owner', method: 'GET', url: `${claims}/${claim.id}` })).statusCode, 404);
  t.same((await p.events({ type: 'warranty.claim.deleted' })).map((e) => e.data), [{ claimId: claim.id }]);
});

t.test('a tenant without the plugin is refused its routes', async (t) => {
  const other = await p.createTenant('globex');
  const res = await p.call(await other.key('owner'), { method: 'GET', url: claims });
  t.equal(res.statusCode, 404);
  t.equal(res.json().code, 'PLUGIN_NOT_ENABLED');
});

t.test('its routes are in the OpenAPI document, tag described', async (t) => {
  const doc = (await p.request({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  const ids = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((ops) => Object.values(ops).map((o) => o.operationId)).filter((id) => id?.startsWith('warranty.'));
  t.same(ids.sort(), ['warranty.claim.create', 'warranty.claim.delete', 'warranty.claim.get', 'warranty.claim.list', 'warranty.claim.update']);
  t.match(doc.tags.find((tag: { name: string }) => tag.name === 'warranty: claims'), { description: /Warranty claims/ });
});

t.test('its messages (server and widget) exist in en and fa with the same keys', async (t) => {
  const flat = (o: Record<string, unknown>, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? flat(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
  for (const file of ['warranty.json', 'warranty-widgets.json']) {
    const read = (lng: string) => JSON.parse(fs.readFileSync(path.join(example, 'locales', lng, file), 'utf8')) as Record<string, unknown>;
    t.same(flat(read('fa')).sort(), flat(read('en')).sort(), file);
  }
});

t.test('the example\'s own node:test file passes as its author runs it', async (t) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=peyvand-source', '--test', path.join(example, 'test/claims.test.ts')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(run.status, 0, run.stdout + run.stderr);
  t.match(run.stdout, /# pass 2\n/);
});
