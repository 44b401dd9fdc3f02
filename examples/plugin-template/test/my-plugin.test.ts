/**
 * The plugin's test: `node --import tsx --test test/*.test.ts`. `peyvand/testing` boots
 * Peyvand with the plugin on a fresh SQLite database (PEYVAND_TEST_DB=postgres|mysql for
 * the others), with a tenant that has it enabled and an API key per built-in role.
 * Subscribers run when the test says so: `peyvand.deliver()`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestPeyvand, type PluginTestHarness } from 'peyvand/testing';
import plugin from '../index.js';

let peyvand: PluginTestHarness;

before(async () => {
  peyvand = await createTestPeyvand({ plugins: [plugin] });
});
after(() => peyvand.close());

test('an agent creates an item, and my_plugin.item.created is in the outbox', async () => {
  const res = await peyvand.request({ as: 'agent', method: 'POST', url: '/api/v1/my-plugin/items', payload: { title: 'First' } });
  assert.equal(res.statusCode, 201, res.body);
  const item = res.json<{ id: string; title: string }>();
  assert.equal(item.title, 'First');
  const events = await peyvand.events({ type: 'my_plugin.item.created' });
  assert.deepEqual(events.map((e) => e.aggregateId), [item.id]);
});

test('a viewer is refused, and bad input is a 400 problem', async () => {
  const viewer = await peyvand.request({ as: 'viewer', method: 'POST', url: '/api/v1/my-plugin/items', payload: { title: 'x' } });
  assert.equal(viewer.statusCode, 403);
  const bad = await peyvand.request({ as: 'agent', method: 'POST', url: '/api/v1/my-plugin/items', payload: { title: '' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ code: string }>().code, 'VALIDATION_FAILED');
});

test('the subscriber counts each item once, even when an event is delivered again', async () => {
  const stats = async () => (await peyvand.request({ as: 'viewer', method: 'GET', url: '/api/v1/my-plugin/stats' })).json<{ itemsCreated: number }>().itemsCreated;
  await peyvand.deliver(); // what the tests above left in the outbox
  const before = await stats();
  for (const title of ['Second', 'Third']) {
    const res = await peyvand.request({ as: 'agent', method: 'POST', url: '/api/v1/my-plugin/items', payload: { title } });
    assert.equal(res.statusCode, 201, res.body);
  }
  assert.equal(await stats(), before, 'not counted before the subscriber ran');
  await peyvand.deliver();
  assert.equal(await stats(), before + 2);
  // At least once: after a crash between the handler's commit and the dispatcher's
  // bookkeeping, the same events come again. They must change nothing.
  await peyvand.redeliver(await peyvand.events({ type: 'my_plugin.item.created' }));
  await peyvand.deliver();
  assert.equal(await stats(), before + 2, 'a redelivered event is not counted twice');
});
