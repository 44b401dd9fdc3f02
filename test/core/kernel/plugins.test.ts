/**
 * The plugin contract: boot-time validation with coded errors naming the plugin, and
 * per-tenant enablement (routes 404, subscribers skip, data kept).
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { definePlugin, BootError, type AnyPlugin, type PluginDefinition } from '../../../core/index.js';
import { resolvePlugins } from '../../../core/kernel/plugin-graph.js';
import { createKernel } from '../../../core/kernel/kernel.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { createTestDatabase } from '../../helpers/database.js';
import { notesPlugin, seen } from '../../fixtures/notes-plugin.js';
import pino from 'pino';

const base = { version: '1.0.0', core: '^0.1.0' };
const plugin = (name: string, extra: Partial<PluginDefinition> = {}) => definePlugin({ name, ...base, ...extra });

const bootFails = (t: Test, plugins: AnyPlugin[], code: string, pluginName: string | undefined, options?: Record<string, unknown>) => {
  let caught: unknown;
  try {
    resolvePlugins([corePlugin, ...plugins], options);
  } catch (err) {
    caught = err;
  }
  t.ok(caught instanceof BootError, `${code} is a BootError`);
  t.match(caught, { code, plugin: pluginName }, `${code} names ${pluginName}`);
};

t.test('boot validation refuses broken plugin sets with coded errors', async (t) => {
  bootFails(t, [plugin('a'), plugin('a')], 'PLUGIN_DUPLICATE', 'a');
  bootFails(t, [plugin('a', { dependsOn: ['ghost'] })], 'PLUGIN_DEPENDENCY_MISSING', 'a');
  bootFails(t, [plugin('a', { dependsOn: ['b'] }), plugin('b', { dependsOn: ['c'] }), plugin('c', { dependsOn: ['a'] })], 'PLUGIN_DEPENDENCY_CYCLE', 'a');
  bootFails(t, [plugin('a', { core: '^2.0.0' })], 'PLUGIN_CORE_MISMATCH', 'a');
  bootFails(t, [plugin('a', { version: 'one' })], 'PLUGIN_INVALID', 'a');
  bootFails(t, [plugin('Bad_Name')], 'PLUGIN_INVALID', 'Bad_Name');
  bootFails(t, [plugin('a', { permissions: [{ name: 'b.thing.read', description: 'x', roles: [] }] })], 'PLUGIN_INVALID', 'a');
  bootFails(t, [plugin('a', { events: { DealWon: {} } })], 'PLUGIN_INVALID', 'a');
  bootFails(t, [plugin('a', { widgets: ['claims-board'] })], 'PLUGIN_INVALID', 'a');
  bootFails(t, [plugin('a', { options: { type: 'object', additionalProperties: false, properties: { n: { type: 'integer' } } } })], 'PLUGIN_OPTIONS_INVALID', 'a', { a: { n: 'x' } });
  bootFails(t, [plugin('a')], 'PLUGIN_OPTIONS_INVALID', 'a', { a: { n: 1 } });
  bootFails(t, [], 'PLUGIN_OPTIONS_INVALID', 'ghost', { ghost: {} });

  const ordered = resolvePlugins([corePlugin, plugin('z'), plugin('b', { dependsOn: ['z'] }), plugin('a', { dependsOn: ['b'] })]);
  t.same(ordered.map((p) => p.definition.name), ['core', 'z', 'b', 'a'], 'dependencies first, core first of all');
  const withDefaults = resolvePlugins([corePlugin, notesPlugin()]);
  t.same(withDefaults[1]!.options, { maxLength: 500 }, 'option defaults applied');
});

const routeFails = async (t: Test, routes: AnyPlugin['routes'], code: string) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const { createPeyvand } = await import('../../../core/peyvand.js');
  await t.rejects(
    createPeyvand({ databaseUrl: db.url, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [plugin('broken', { permissions: [{ name: 'broken.x.read', description: 'x', roles: ['owner'] }], routes }) ] }),
    { code, plugin: 'broken' },
    code,
  );
};

t.test('routes without permission or schema stop the boot', async (t) => {
  const response = { 200: { type: 'object' } };
  await routeFails(t, (app) => void app.get('/x', { schema: { operationId: 'broken.x.get', summary: 's', response } }, async () => ({})), 'ROUTE_WITHOUT_PERMISSION');
  await routeFails(t, (app) => void app.get('/x', { config: { permission: 'broken.x.write' }, schema: { operationId: 'broken.x.get', summary: 's', response } }, async () => ({})), 'PERMISSION_UNDECLARED');
  await routeFails(t, (app) => void app.get('/x', { config: { permission: 'broken.x.read' }, schema: { response } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await routeFails(t, (app) => void app.get('/x', { config: { permission: 'broken.x.read' }, schema: { operationId: 'broken.x.get', summary: 's' } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await routeFails(t, (app) => void app.post('/x', { config: { permission: 'broken.x.read' }, schema: { operationId: 'broken.x.get', summary: 's', response, body: { type: 'object' } } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await routeFails(t, (app) => void app.post('/x', { config: { permission: 'broken.x.read' }, schema: { operationId: 'broken.x.get', summary: 's', response } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
});

t.test('per-tenant enablement: routes 404, subscribers skip, data kept', async (t) => {
  seen.length = 0;
  const p = await bootPeyvand(t, { plugins: [notesPlugin() ] });
  const on = await p.tenant('on', { plugins: ['notes'] });
  const off = await p.tenant('off');
  const onKey = await on.key('owner');
  const offKey = await off.key('owner');

  const created = await p.call(onKey, { method: 'POST', url: '/api/v1/notes/notes', payload: { body: 'first' } });
  t.equal(created.statusCode, 201);
  const disabledRoute = await p.call(offKey, { method: 'GET', url: '/api/v1/notes/notes' });
  t.equal(disabledRoute.statusCode, 404, 'disabled plugin routes answer 404');
  t.equal(disabledRoute.json().code, 'PLUGIN_NOT_ENABLED');
  t.equal((await p.call(undefined, { method: 'GET', url: '/api/v1/notes/notes' })).statusCode, 401, 'still 401 without a credential');
  t.notOk((await p.call(offKey, { method: 'GET', url: '/api/v1/me' })).json().permissions.includes('notes.note.read'), 'a disabled plugin grants nothing');

  await p.call(onKey, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'seen' } });
  await p.call(offKey, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'skipped' } });
  await p.peyvand.kernel.dispatcher.drain();
  t.same(seen.map((e) => (e.data as { customer: { name: string } }).customer.name), ['seen'], 'subscribers skip tenants without the plugin');

  t.equal((await p.admin({ method: 'DELETE', url: '/api/v1/admin/tenants/on/plugins/notes' })).statusCode, 204);
  t.equal((await p.call(onKey, { method: 'GET', url: '/api/v1/notes/notes' })).statusCode, 404);
  const enabled = await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/on/plugins/notes' });
  t.equal(enabled.statusCode, 204);
  t.equal(enabled.headers['peyvand-enabled-plugins'], 'notes');
  const notes = (await p.call(onKey, { method: 'GET', url: '/api/v1/notes/notes' })).json();
  t.match(notes.items, [{ body: 'first' }], 'data kept across disable/enable');

  const unknown = await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/on/plugins/nope' });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'PLUGIN_NOT_FOUND');
  const list = (await p.admin({ method: 'GET', url: '/api/v1/admin/tenants' })).json();
  t.match(list.items, [{ slug: 'off', plugins: [] }, { slug: 'on', plugins: ['notes'] }]);
});

t.test('dependencies are enabled together and protected from disabling', async (t) => {
  const p = await bootPeyvand(t, { plugins: [notesPlugin(), notesPlugin({ name: 'extra', dependsOn: ['notes'] }) ] });
  await p.tenant('dep');
  const res = await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/dep/plugins/extra' });
  t.equal(res.statusCode, 204);
  t.equal(res.headers['peyvand-enabled-plugins'], 'notes,extra', 'says which dependencies were enabled with it');
  const refuse = await p.admin({ method: 'DELETE', url: '/api/v1/admin/tenants/dep/plugins/notes' });
  t.equal(refuse.statusCode, 422);
  t.match(refuse.json(), { code: 'PLUGIN_DEPENDENCY_DISABLED', detail: /extra/ });
  const core = await p.admin({ method: 'DELETE', url: '/api/v1/admin/tenants/dep/plugins/core' });
  t.equal(core.statusCode, 422, 'core cannot be disabled');
});

t.test('a plugin context offers only what it declared', async (t) => {
  const db = await createTestDatabase();
  const kernel = await createKernel({ databaseUrl: db.url, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [notesPlugin() ] });
  t.teardown(async () => {
    await kernel.close();
    await db.drop();
  });
  t.throws(() => kernel.context('notes').use('sales'), { code: 'PLUGIN_DEPENDENCY_MISSING' });
  t.equal(kernel.context('notes').db.table('x'), 'crm_x');
});
