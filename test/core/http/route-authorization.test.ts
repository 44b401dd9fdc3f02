/**
 * Walks every route of the OpenAPI document (so a new route is covered without a new
 * test): 401 without a credential, with a revoked key or a bad token; 403 for a role
 * without the route's permission; admin routes refuse tenant credentials. And the rate
 * limit per credential.
 */
import t from 'tap';
import type { HTTPMethods } from 'fastify';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { notesPlugin } from '../../fixtures/notes-plugin.js';
import sales from '../../../plugins/sales/index.js';

const p = await bootPeyvand(t, { plugins: [notesPlugin(), sales] });
const acme = await p.tenant('acme', { plugins: ['notes', 'sales'] });
const revokedKey = (await p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'old', role: 'owner' } })).json();
await p.admin({ method: 'DELETE', url: `/api/v1/admin/tenants/acme/api-keys/${revokedKey.id}` });
const owner = await acme.key('owner');
await p.call(owner, { method: 'PUT', url: '/api/v1/roles/nobody', payload: { permissions: [] } });
const nobody = await acme.key('nobody');

interface Route { method: HTTPMethods; path: string; permission?: string; admin: boolean; public: boolean }
const doc = (await p.call(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, { 'x-permission'?: string; 'x-admin'?: boolean; security?: unknown[] }>> };
const routes: Route[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase() as HTTPMethods, path, admin: op['x-admin'] === true, public: !op.security, ...(op['x-permission'] && { permission: op['x-permission'] }) })),
);
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, (m) => (m === '{slug}' ? 'acme' : m === '{source}' ? 'erp' : '01900000-0000-7000-8000-000000000000'));
const send = (token: string | undefined, r: Route) => p.call(token, { method: r.method, url: concrete(r.path), ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { payload: {} } : {}) });

t.test('the walk covers the whole API', async (t) => {
  t.ok(routes.length >= 25, `${routes.length} routes`);
  t.ok(routes.some((r) => r.path === '/api/v1/notes/notes'), 'plugin routes included');
  t.ok(routes.filter((r) => r.path.startsWith('/api/v1/sales/')).length >= 30, 'the sales routes included');
  t.same(routes.filter((r) => r.path.startsWith('/api/v1/sales/') && r.public).map((r) => `${r.method} ${r.path}`), ['POST /api/v1/sales/web-leads/{formKey}'], 'only the web-to-lead form is public');
  for (const r of routes) t.ok(r.public || r.admin || r.permission, `${r.method} ${r.path} declares its access`);
});

t.test('401 without a valid credential', async (t) => {
  const expired = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tid: 'acme', sub: 'x', aud: 'peyvand', exp: 1 })).toString('base64url')}.sig`;
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tid: 'acme', sub: 'x', aud: 'peyvand', exp: 9999999999, roles: ['owner'] })).toString('base64url')}.`;
  for (const r of routes.filter((x) => !x.public)) {
    for (const [label, token] of [['no credential', undefined], ['revoked key', revokedKey.key], ['expired JWT', expired], ['alg none JWT', none]] as const) {
      const res = await send(token, r);
      t.equal(res.statusCode, 401, `${r.method} ${r.path}: ${label}`);
    }
  }
});

t.test('403 without the route permission', async (t) => {
  for (const r of routes.filter((x) => x.permission)) {
    const res = await send(nobody, r);
    t.equal(res.statusCode, 403, `${r.method} ${r.path} needs ${r.permission}`);
    t.equal(res.json().code, 'FORBIDDEN');
  }
});

t.test('admin routes take only the admin key; tenant routes refuse it', async (t) => {
  for (const r of routes.filter((x) => x.admin)) t.equal((await send(owner, r)).statusCode, 401, `${r.method} ${r.path} with a tenant key`);
  for (const r of routes.filter((x) => x.permission)) t.equal((await send(p.adminKey, r)).statusCode, 403, `${r.method} ${r.path} with the admin key`);
});

t.test('public routes answer without a credential', async (t) => {
  // A public file route with a made-up name is a 404 (nothing there), never a 401/403.
  for (const r of routes.filter((x) => x.public && x.method === 'GET')) t.equal((await send(undefined, r)).statusCode, r.path.includes('{') ? 404 : 200, `${r.method} ${r.path}`);
  // A public form or signed inbound route takes a body: without a credential it is judged on
  // its input (400), or, where its path names something that does not exist (a made-up form
  // key or connection id), answers 404 — never a 401/403, never a 2xx.
  for (const r of routes.filter((x) => x.public && x.method !== 'GET')) {
    const status = (await send(undefined, r)).statusCode;
    t.ok(status === 400 || (r.path.includes('{') && status === 404), `${r.method} ${r.path}: ${status}`);
  }
});

t.test('rate limit per credential, with Retry-After', async (t) => {
  const limited = await bootPeyvand(t, { http: { rateLimitPerMinute: 3 } });
  const tenant = await limited.tenant('rl');
  const a = await tenant.key('viewer');
  const b = await tenant.key('viewer');
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await limited.call(a, { method: 'GET', url: '/api/v1/me' })).statusCode);
  t.same(statuses, [200, 200, 200, 429]);
  const res = await limited.call(a, { method: 'GET', url: '/api/v1/me', headers: { 'accept-language': 'fa' } });
  t.equal(res.json().code, 'RATE_LIMITED');
  t.equal(res.json().title, 'درخواست‌ها بیش از حد است');
  t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After in seconds');
  t.equal((await limited.call(b, { method: 'GET', url: '/api/v1/me' })).statusCode, 200, 'another credential has its own budget');
  t.equal((await limited.call(undefined, { method: 'GET', url: '/health' })).statusCode, 200, 'health is never limited');
});
