/**
 * What makes the security suite grow by itself. Every suite attacks the operations of
 * the published OpenAPI document (`lib/openapi.ts`); this file proves that list is the
 * whole route table — read from fastify's own `onRoute` hook, not from the document —
 * so a route added by core or any installed plugin is attacked without anyone editing the
 * suite; and that a route without a permission, a summary, a response schema or strict
 * request schemas, or hidden from the document, stops the boot with a coded error naming
 * its plugin (so it fails `npm test` before it can ship).
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import fastify, { type RouteOptions } from 'fastify';
import pino from 'pino';
import { peyvandFastify, createPeyvand } from '../../core/peyvand.js';
import { definePlugin, type AnyPlugin } from '../../core/index.js';
import { createTestDatabase } from '../helpers/database.js';
import { attackedPlugins, bootWorld, installed } from './lib/world.js';
import { operationsOf, type OpenApiDocument } from './lib/openapi.js';

const response = { 200: { type: 'object', additionalProperties: false, properties: { ok: { type: 'boolean' } } } };
/** A plugin nobody wrote a security test for: one record route, properly declared. */
const newcomer = definePlugin({
  name: 'newcomer',
  version: '1.0.0',
  core: '^0.1.0',
  permissions: [{ name: 'newcomer.gadget.read', description: 'newcomer:p', roles: ['owner'] }],
  routes(app) {
    app.get('/gadgets/:id', { config: { permission: 'newcomer.gadget.read' }, schema: { operationId: 'newcomer.gadget.get', summary: 'A gadget', params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', maxLength: 36 } } }, response } }, async () => ({ ok: true }));
  },
});

/** The route table of a deployment (from fastify's onRoute hook) and its OpenAPI operations. */
async function census(t: Test, plugins: AnyPlugin[]): Promise<{ routes: string[]; documented: string[]; doc: OpenApiDocument }> {
  const db = await createTestDatabase();
  const host = fastify();
  const routes: string[] = [];
  host.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  });
  await host.register(peyvandFastify, { databaseUrl: db.url, secret: randomBytes(32).toString('hex'), adminKey: `admin_${randomBytes(16).toString('hex')}`, logger: pino({ level: 'silent' }), dispatch: false, plugins, pluginOptions: installed.options });
  await host.ready();
  t.teardown(async () => {
    await host.close();
    await db.drop();
  });
  const doc = (await host.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApiDocument;
  return { routes: routes.sort(), documented: operationsOf(doc).map((op) => op.label).sort(), doc };
}

// Not operations of the API: the CORS preflight catch-all and the document itself.
const NOT_OPERATIONS = ['OPTIONS /*', 'GET /api/v1/openapi.json'];

t.test('the operations every suite attacks are exactly the route table', async (t) => {
  const { routes, documented } = await census(t, attackedPlugins());
  const operations = routes.filter((r) => !NOT_OPERATIONS.includes(r));
  t.same(routes.filter((r) => NOT_OPERATIONS.includes(r)).sort(), [...NOT_OPERATIONS].sort(), 'the two non-operations are there');
  t.same(documented, operations, `the OpenAPI document lists all ${operations.length} routes, and nothing else`);
  t.ok(operations.some((r) => r.startsWith('POST /api/v1/sales/')) && operations.some((r) => r.startsWith('GET /api/v1/notes/')), 'plugin routes included (installed plugins and the notes fixture)');
  // The suites' own list: the standalone world they boot, read from its document.
  const w = await bootWorld(t);
  t.same(w.operations.map((op) => op.label).sort(), operations, 'the world the suites attack has the same operations');
});

t.test('a route added by a plugin is in the attacked list, with its access rule', async (t) => {
  const { documented, doc } = await census(t, [...attackedPlugins(), newcomer]);
  t.ok(documented.includes('GET /api/v1/newcomer/gadgets/{id}'), 'the newcomer’s route is attacked');
  const op = operationsOf(doc).find((o) => o.label === 'GET /api/v1/newcomer/gadgets/{id}')!;
  t.equal(op.permission, 'newcomer.gadget.read', 'with the permission it declared (function-level suite: 401/403)');
  t.same(op.pathParams.map((p) => [p.name, p.schema.maxLength]), [['id', 36]], 'and its parameter schema (fuzz suite: values valid and not)');
});

const bootWith = async (t: Test, routes: NonNullable<AnyPlugin['routes']>, code: string, why: string, message?: RegExp) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const plugin = definePlugin({ name: 'rogue', version: '1.0.0', core: '^0.1.0', permissions: [{ name: 'rogue.thing.read', description: 'rogue:p', roles: ['owner'] }], routes });
  await t.rejects(createPeyvand({ databaseUrl: db.url, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [plugin] }), { code, plugin: 'rogue', ...(message && { message }) }, `${why}: ${code}`);
};

t.test('a new route without a permission or a strict schema stops the boot', async (t) => {
  const config = { permission: 'rogue.thing.read' };
  const handler = async () => ({});
  // Cases beyond test/core/kernel/plugins.test.ts: params, query, PUT/PATCH, public bodies, hidden routes, methods arrays.
  await bootWith(t, (app) => void app.get('/x/:id', { config, schema: { operationId: 'rogue.x.get', summary: 's', response } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'a path parameter without a schema');
  await bootWith(t, (app) => void app.get('/x', { config, schema: { operationId: 'rogue.x.get', summary: 's', response, querystring: { type: 'object', properties: { q: { type: 'string' } } } } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'a query open to unknown parameters');
  await bootWith(t, (app) => void app.get('/x', { config, schema: { operationId: 'rogue.x.get', summary: 's', response, querystring: { properties: { q: { type: 'string' } } } } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'the same, spelled without type');
  await bootWith(t, (app) => void app.get('/x/:id', { config, schema: { operationId: 'rogue.x.get', summary: 's', response, params: { type: 'object', properties: { id: { type: 'string' } } } } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'params open to unknown names');
  await bootWith(t, (app) => void app.patch('/x', { config, schema: { operationId: 'rogue.x.get', summary: 's', response, body: { type: 'object', properties: {} } } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'a body open to unknown fields');
  await bootWith(t, (app) => void app.put('/x', { config, schema: { operationId: 'rogue.x.get', summary: 's', response } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'a body without a schema');
  await bootWith(t, (app) => void app.post('/x', { config: { public: true }, schema: { operationId: 'rogue.x.get', summary: 's', response } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'a public route taking a body without a schema');
  await bootWith(t, (app) => void app.get('/x', { config, schema: { operationId: 'rogue.x.get', summary: 's', response, hide: true } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'a route hidden from the OpenAPI document');
  await bootWith(t, (app) => void app.get('/x', { config, schema: { response } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'no OpenAPI summary');
  await bootWith(t, (app) => void app.get('/x', { config, schema: { summary: 's', response } }, handler), 'ROUTE_WITHOUT_OPERATION_ID', 'no operationId', /GET \/api\/v1\/rogue\/x has no operationId: add schema\.operationId: 'rogue\.<resource>\.<action>'/);
  await bootWith(t, (app) => void app.get('/x', { config, schema: { operationId: 'sales.thing.get', summary: 's', response } }, handler), 'ROUTE_WITHOUT_OPERATION_ID', "another plugin's operationId prefix");
  await bootWith(t, (app) => void app.get('/x', { config, schema: { operationId: 'rogue.getThing', summary: 's', response } }, handler), 'ROUTE_WITHOUT_OPERATION_ID', 'not plugin.resource.action');
  await bootWith(t, (app) => {
    app.get('/x', { config, schema: { operationId: 'rogue.thing.get', summary: 's', response } }, handler);
    app.get('/y', { config, schema: { operationId: 'rogue.thing.get', summary: 's', response } }, handler);
  }, 'ROUTE_WITHOUT_OPERATION_ID', 'two routes with one operationId');
  await bootWith(t, (app) => void app.get('/x', { config, schema: { operationId: 'rogue.x.get', summary: 's' } }, handler), 'ROUTE_WITHOUT_SCHEMA', 'no response schema');
  await bootWith(t, (app) => void app.route({ method: ['GET', 'DELETE'], url: '/x', schema: { operationId: 'rogue.x.get', summary: 's', response }, handler }), 'ROUTE_WITHOUT_PERMISSION', 'no permission, public or admin');
  await bootWith(t, (app) => void app.delete('/x', { config: { permission: 'core.customer.remove' }, schema: { operationId: 'rogue.x.get', summary: 's', response } }, handler), 'PERMISSION_UNDECLARED', 'a permission nobody declares');
});

t.test('every name, title and subject a request can set is a single-line text', async (t) => {
  // Unicode hygiene (issue 16.5) is one format, `single-line`; a plugin that declares such a
  // field as a bare string lets a right-to-left override make «txt.exe» read «exe.txt».
  const { doc } = await census(t, attackedPlugins());
  const LINE_FIELDS = /^(name|title|subject|givenName|familyName|company)$/;
  // Names the ERP sends for its own documents are taken as the ERP wrote them.
  const ERP_OWNED = new Set(['PUT /api/v1/orders/by-ref/{source}/{externalId} lines.name']);
  const loose: string[] = [];
  const walk = (label: string, schema: unknown, at: string[]): void => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Record<string, unknown>;
    for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
      const variants = [child, ...((child.anyOf ?? []) as Array<Record<string, unknown>>)].filter((v) => v.type === 'string');
      const where = `${label} ${[...at, name].join('.')}`;
      if (LINE_FIELDS.test(name) && variants.some((v) => v.format !== 'single-line') && !ERP_OWNED.has(where)) loose.push(where);
      walk(label, child, [...at, name]);
    }
    if (s.items) walk(label, s.items, at);
    for (const k of ['anyOf', 'oneOf', 'allOf']) for (const sub of (s[k] ?? []) as unknown[]) walk(label, sub, at);
  };
  const paths = (doc as unknown as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> }).paths;
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(operations)) for (const { schema } of Object.values(op.requestBody?.content ?? {})) walk(`${method.toUpperCase()} ${path}`, schema, []);
  }
  t.same(loose, [], 'no name, title or subject accepts text-direction controls');
});
