/**
 * Function-level authorization (OWASP API5) and the build-time rules behind it, over
 * every operation of the OpenAPI document. Extends test/core/http/route-authorization
 * (no credential, revoked key, garbage and `alg: none` tokens, 403 by permission, admin
 * key) with properly signed tokens that are wrong in exactly one way, tokens of one
 * tenant claiming another, roles that grant nothing, and the refusal to boot a plugin
 * whose route has no permission or no strict schema.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { bootWorld } from './lib/world.js';
import { fillPath, type Operation } from './lib/openapi.js';
import { createPeyvand } from '../../core/peyvand.js';
import { createTestDatabase } from '../helpers/database.js';
import { definePlugin, type AnyPlugin } from '../../core/index.js';

const w = await bootWorld(t);
const [acme, globex] = w.tenants as [(typeof w.tenants)[0], (typeof w.tenants)[0]];
const some = (op: Operation) => fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, p.name === 'slug' ? 'acme' : '01900000-0000-7000-8000-000000000000'])));
const send = (token: string | undefined, op: Operation) => w.send(token, { method: op.method, url: some(op), ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
const guarded = w.operations.filter((op) => !op.public);

t.test('every guarded route: 401 for credentials that are wrong in one way', async (t) => {
  const owner = { sub: 'u1', roles: ['owner'] };
  const acmeKey = w.actors.find((a) => a.label === 'acme/key:owner')!.token;
  const bad: Array<[string, string | undefined | (() => Promise<string>)]> = [
    ['no credential', undefined],
    ['expired, correctly signed', () => w.jwt('acme', owner, { expiresIn: Math.floor(Date.now() / 1000) - 3600 })],
    ['wrong audience', () => w.jwt('acme', owner, { audience: 'erp' })],
    ['signed with another key', () => w.jwt('acme', owner, { secret: 'x'.repeat(48) })],
    ['tid of globex, signed with acme’s secret', () => w.jwt('globex', owner, { secret: acme.hs256Secret })],
    ['alg none with valid claims', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...owner, tid: 'acme', aud: 'peyvand', exp: Math.floor(Date.now() / 1000) + 600 })}.`],
    ['HS256 header, RS256 claimed alg in body', async () => (await w.jwt('acme', owner)).replace(/^[^.]+/, b64({ alg: 'RS256', typ: 'JWT' }))],
    ['tenant that does not exist', () => w.jwt('ghost', owner, { secret: acme.hs256Secret })],
    ['API key with a wrong secret', acmeKey.replace(/_([A-Za-z0-9_-]{43})$/, `_${randomBytes(32).toString('base64url')}`)],
    ['API key id unknown', `pvk_000000000000_${randomBytes(32).toString('base64url')}`],
    ['Basic scheme', 'Basic dXNlcjpwYXNz'],
  ];
  for (const [label, make] of bad) {
    const token = typeof make === 'function' ? await make() : make;
    let wrong = 0;
    for (const op of guarded) {
      const res = await w.send(undefined, { method: op.method, url: some(op), headers: token === undefined ? {} : { authorization: label === 'Basic scheme' ? token : `Bearer ${token}` }, ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
      if (res.statusCode !== 401 || res.json().code === undefined) {
        wrong++;
        t.fail(`${op.label} with ${label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    t.equal(wrong, 0, `${label}: 401 on all ${guarded.length} guarded routes`);
  }
});

t.test('tenant credentials never open admin routes; the admin key never opens tenant routes', async (t) => {
  const credentials = [...w.actors.filter((a) => a.role === 'owner').map((a) => [a.label, a.token] as const)];
  for (const op of w.operations.filter((o) => o.admin)) {
    for (const [label, token] of credentials) t.equal((await send(token, op)).statusCode, 401, `${op.label} refuses ${label}`);
  }
  for (const op of w.operations.filter((o) => o.permission)) t.equal((await send(w.p.adminKey, op)).statusCode, 403, `${op.label} refuses the admin key`);
});

t.test('roles that grant nothing get 403 on every permission route, before any validation', async (t) => {
  const tokens = {
    'JWT with no roles': await w.jwt('acme', { sub: 'nobody', roles: [] }),
    'JWT with an unknown role': await w.jwt('acme', { sub: 'nobody', roles: ['superuser', 'root'] }),
    'JWT claiming roles of globex only': await w.jwt('acme', { sub: 'x', roles: ['globex:owner'] }),
  };
  for (const [label, token] of Object.entries(tokens)) {
    let wrong = 0;
    for (const op of w.operations.filter((o) => o.permission)) {
      const res = await send(token, op);
      if (res.statusCode !== 403) {
        wrong++;
        t.fail(`${op.label} with ${label}: ${res.statusCode}`);
      }
    }
    t.equal(wrong, 0, `${label}: 403 on every permission route`);
  }
  const viewer = w.actors.find((a) => a.label === 'globex/key:viewer')!;
  for (const op of w.operations.filter((o) => o.permission && !viewer.permissions.has(o.permission))) {
    t.equal((await send(viewer.token, op)).statusCode, 403, `viewer: ${op.label} needs ${op.permission}`);
  }
  t.ok(globex, 'two tenants');
});

t.test('the published contract itself: every operation declares access, summary, responses and strict inputs', async (t) => {
  const doc = (await w.send(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, Record<string, unknown>>> };
  for (const op of w.operations) {
    const raw = doc.paths[op.path]![op.method.toLowerCase()]!;
    t.ok(op.public || op.admin || op.permission, `${op.label} declares public, admin or a permission`);
    t.ok(typeof raw.summary === 'string' && raw.summary !== '', `${op.label} has a summary`);
    t.ok(op.responses.some((r) => /^2/.test(r)), `${op.label} documents its success response`);
    if (op.body) t.equal(op.body.additionalProperties, false, `${op.label} body refuses unknown fields`);
    for (const p of op.pathParams) t.ok(p.schema.type === 'string' && (typeof p.schema.maxLength === 'number' || /^\^.*\$$/.test(String(p.schema.pattern ?? ''))), `${op.label} {${p.name}} is a bounded string`);
  }
});

const bootWith = async (t: Test, routes: NonNullable<AnyPlugin['routes']>, code: string) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const plugin = definePlugin({ name: 'rogue', version: '1.0.0', core: '^0.1.0', permissions: [{ name: 'rogue.thing.read', description: 'rogue:p', roles: ['owner'] }], routes });
  await t.rejects(createPeyvand({ databaseUrl: db.url, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [plugin] }), { code, plugin: 'rogue' }, code);
};

t.test('a new route without a permission or a strict schema stops the boot', async (t) => {
  const response = { 200: { type: 'object', additionalProperties: false, properties: {} } };
  const config = { permission: 'rogue.thing.read' };
  // Cases beyond test/core/kernel/plugins.test.ts: params, query, PUT/PATCH, methods arrays.
  await bootWith(t, (app) => void app.get('/x/:id', { config, schema: { summary: 's', response } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await bootWith(t, (app) => void app.get('/x', { config, schema: { summary: 's', response, querystring: { type: 'object', properties: { q: { type: 'string' } } } } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await bootWith(t, (app) => void app.get('/x/:id', { config, schema: { summary: 's', response, params: { type: 'object', properties: { id: { type: 'string' } } } } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await bootWith(t, (app) => void app.patch('/x', { config, schema: { summary: 's', response, body: { type: 'object', properties: {} } } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await bootWith(t, (app) => void app.put('/x', { config, schema: { summary: 's', response } }, async () => ({})), 'ROUTE_WITHOUT_SCHEMA');
  await bootWith(t, (app) => void app.route({ method: ['GET', 'DELETE'], url: '/x', schema: { summary: 's', response }, handler: async () => ({}) }), 'ROUTE_WITHOUT_PERMISSION');
  await bootWith(t, (app) => void app.delete('/x', { config: { permission: 'core.customer.remove' }, schema: { summary: 's', response } }, async () => ({})), 'PERMISSION_UNDECLARED');
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
