/**
 * The plugin's own test, as its author runs it: `node --import tsx --test test/*.test.ts`
 * (node:test; `peyvand/testing` works with any runner). Boots Peyvand with the plugin on
 * a fresh SQLite database (or `PEYVAND_TEST_DB`), then goes through HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestPeyvand, type PluginTestHarness } from 'peyvand/testing';
import warranty from '../index.js';

let peyvand: PluginTestHarness;
let customerId: string;

before(async () => {
  peyvand = await createTestPeyvand({ plugins: [warranty] });
  const customer = await peyvand.request({ as: 'agent', method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'Sara Ahmadi' } });
  assert.equal(customer.statusCode, 201, customer.body);
  customerId = customer.json<{ id: string }>().id;
});
after(() => peyvand.close());

test('an agent opens a claim and the outbox gets warranty.claim.opened', async () => {
  const res = await peyvand.request({ as: 'agent', method: 'POST', url: '/api/v1/warranty/claims', payload: { customerId, productRef: 'odoo:product.product/42', problem: 'Does not turn on' } });
  assert.equal(res.statusCode, 201, res.body);
  const claim = res.json<{ id: string; status: string }>();
  assert.equal(claim.status, 'open');
  const events = await peyvand.events({ type: 'warranty.claim.*' });
  assert.deepEqual(events.map((e) => [e.type, e.aggregateId]), [['warranty.claim.opened', claim.id]]);
});

test('a viewer may read but not open claims', async () => {
  const res = await peyvand.request({ as: 'viewer', method: 'POST', url: '/api/v1/warranty/claims', payload: { customerId, productRef: 'p/1', problem: 'x' } });
  assert.equal(res.statusCode, 403);
  assert.equal((await peyvand.request({ as: 'viewer', method: 'GET', url: '/api/v1/warranty/claims' })).statusCode, 200);
});
