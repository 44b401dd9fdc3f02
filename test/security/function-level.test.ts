/**
 * Function-level authorization (OWASP API5) over every operation of the OpenAPI
 * document. Extends test/core/http/route-authorization with a revoked key and properly
 * signed tokens that are wrong in exactly one way (expired, no exp, not yet valid, wrong
 * or missing audience, another key, an algorithm not pinned, `alg: none`, edited claims,
 * another tenant's `tid`), roles that grant nothing, a role holding every permission but
 * the route's own, admin routes against tenant credentials, and portal routes (a
 * customer principal's, the fourth kind of access) against staff, while a customer is
 * refused everywhere else. The build-time rules
 * behind it (a route without a permission or schema does not boot) are in
 * route-coverage.test.ts.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { bootWorld } from './lib/world.js';
import { placeholderUrl, type Operation } from './lib/openapi.js';

const w = await bootWorld(t);
const [acme, globex] = w.tenants as [(typeof w.tenants)[0], (typeof w.tenants)[0]];
const send = (token: string | undefined, op: Operation) => w.send(token, { method: op.method, url: placeholderUrl(op), ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
const guarded = w.operations.filter((op) => !op.public);

t.test('every guarded route: 401 for credentials that are wrong in one way', async (t) => {
  const owner = { sub: 'u1', roles: ['owner'] };
  const acmeKey = w.actors.find((a) => a.label === 'acme/key:owner')!.token;
  const revoked = (await w.p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'to revoke', role: 'owner' } })).json() as { id: string; key: string };
  t.equal((await w.p.admin({ method: 'DELETE', url: `/api/v1/admin/tenants/acme/api-keys/${revoked.id}` })).statusCode, 204, 'an owner key revoked');
  const signed = (build: (jwt: SignJWT) => SignJWT, claims: Record<string, unknown> = { ...owner, tid: 'acme' }, secret = acme.hs256Secret, alg = 'HS256') => () => build(new SignJWT(claims).setProtectedHeader({ alg })).sign(new TextEncoder().encode(secret));
  const bad: Array<[string, string | undefined | (() => Promise<string>)]> = [
    ['no credential', undefined],
    ['revoked API key', revoked.key],
    ['no exp claim, correctly signed', signed((j) => j.setAudience('peyvand'))],
    ['HS512, an algorithm the tenant did not pin', signed((j) => j.setAudience('peyvand').setExpirationTime('1h'), undefined, acme.hs256Secret.repeat(2), 'HS512')],
    ['no audience', signed((j) => j.setExpirationTime('1h'))],
    ['audience list without peyvand', signed((j) => j.setAudience(['erp', 'billing']).setExpirationTime('1h'))],
    ['no tid', signed((j) => j.setAudience('peyvand').setExpirationTime('1h'), owner)],
    ['no sub', signed((j) => j.setAudience('peyvand').setExpirationTime('1h'), { roles: ['owner'], tid: 'acme' })],
    ['not yet valid (nbf in an hour)', signed((j) => j.setAudience('peyvand').setNotBefore('1h').setExpirationTime('2h'))],
    ['claims edited after signing (roles)', async () => { const [h, , s] = (await w.jwt('acme', { sub: 'u1', roles: ['viewer'] })).split('.'); return `${h}.${b64({ sub: 'u1', roles: ['owner'], tid: 'acme', aud: 'peyvand', exp: Math.floor(Date.now() / 1000) + 600 })}.${s}`; }],
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
    ['customer role without a cust claim', () => w.jwt('acme', { sub: 'c1', roles: ['customer'] })],
    ['customer role with a cust that is not a string', () => w.jwt('acme', { sub: 'c1', roles: ['customer'], cust: 42 })],
  ];
  for (const [label, make] of bad) {
    const token = typeof make === 'function' ? await make() : make;
    let wrong = 0;
    for (const op of guarded) {
      const res = await w.send(undefined, { method: op.method, url: placeholderUrl(op), headers: token === undefined ? {} : { authorization: label === 'Basic scheme' ? token : `Bearer ${token}` }, ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
      if (res.statusCode !== 401 || res.json().code === undefined) {
        wrong++;
        t.fail(`${op.label} with ${label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    t.equal(wrong, 0, `${label}: 401 on all ${guarded.length} guarded routes`);
  }
});

t.test('tenant credentials never open admin routes; the admin key never opens tenant routes', async (t) => {
  const credentials = [...w.actors.filter((a) => a.role === 'owner').map((a) => [a.label, a.token] as const), ...w.customers.map((c) => [`${c.tenant}/customer`, c.token] as const)];
  for (const op of w.operations.filter((o) => o.admin)) {
    for (const [label, token] of credentials) t.equal((await send(token, op)).statusCode, 401, `${op.label} refuses ${label}`);
  }
  for (const op of w.operations.filter((o) => o.permission || o.portal)) t.equal((await send(w.p.adminKey, op)).statusCode, 403, `${op.label} refuses the admin key`);
});

t.test('portal routes let in customer principals only; a customer principal is refused on every other route', async (t) => {
  const portal = w.operations.filter((o) => o.portal);
  t.ok(portal.length >= 4, `${portal.length} portal routes`);
  for (const op of portal) {
    t.notOk(op.permission || op.admin || op.public, `${op.label} is portal only`);
    let wrong = 0;
    for (const actor of w.actors) {
      const res = await send(actor.token, op);
      if (res.statusCode !== 403 || res.json().code !== 'FORBIDDEN') {
        wrong++;
        t.fail(`${op.label} with staff ${actor.label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    t.equal(wrong, 0, `${op.label}: 403 FORBIDDEN for all ${w.actors.length} staff callers`);
    for (const c of w.customers) {
      const res = await w.send(c.token, { method: op.method, url: placeholderUrl(op, c.tenant), ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
      t.ok(res.statusCode !== 401 && res.statusCode !== 403 && res.statusCode < 500, `${op.label}: the customer of ${c.tenant} gets past authorization (${res.statusCode})`);
    }
  }
  for (const c of w.customers) {
    let wrong = 0;
    for (const op of w.operations.filter((o) => !o.portal && !o.public)) {
      const res = await w.send(c.token, { method: op.method, url: placeholderUrl(op, c.tenant), ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
      const expected = op.admin ? 401 : 403;
      if (res.statusCode !== expected) {
        wrong++;
        t.fail(`${op.label} with the customer of ${c.tenant}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    t.equal(wrong, 0, `the customer of ${c.tenant}: refused on every staff and admin route`);
  }
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

t.test('every permission route checks exactly its own permission: all the others are not enough', async (t) => {
  const ownerKey = w.actors.find((a) => a.label === 'acme/key:owner')!;
  const everything = [...ownerKey.permissions].sort();
  const needed = [...new Set(w.operations.flatMap((o) => (o.permission ? [o.permission] : [])))];
  t.ok(needed.every((p) => everything.includes(p)), `${needed.length} permissions guard ${w.operations.filter((o) => o.permission).length} routes`);
  const tokenWithout = new Map<string, string>();
  for (const [i, permission] of needed.entries()) {
    const role = `all-but-${i}`;
    const res = await w.send(ownerKey.token, { method: 'PUT', url: `/api/v1/roles/${role}`, payload: { permissions: everything.filter((p) => p !== permission) } });
    t.equal(res.statusCode, 200, `role ${role}: every permission but ${permission}`);
    tokenWithout.set(permission, await w.jwt('acme', { sub: `probe-${i}`, roles: [role] }));
  }
  const full = await w.jwt('acme', { sub: 'probe-all', roles: ['owner'] });
  let wrong = 0;
  for (const op of w.operations.filter((o) => o.permission)) {
    const without = await send(tokenWithout.get(op.permission!)!, op);
    const withIt = await send(full, op);
    if (without.statusCode !== 403 || without.json().code !== 'FORBIDDEN' || withIt.statusCode === 403 || withIt.statusCode === 401) {
      wrong++;
      t.fail(`${op.label}: without ${op.permission} → ${without.statusCode}; with every permission → ${withIt.statusCode}`);
    }
  }
  t.equal(wrong, 0, 'each route: 403 FORBIDDEN without its permission, past authorization with it');
});

t.test('the published contract itself: every operation declares access, summary, responses and strict inputs', async (t) => {
  const doc = (await w.send(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, Record<string, unknown>>> };
  for (const op of w.operations) {
    const raw = doc.paths[op.path]![op.method.toLowerCase()]!;
    t.ok(op.public || op.admin || op.permission || op.portal, `${op.label} declares public, admin, portal or a permission`);
    t.ok(typeof raw.summary === 'string' && raw.summary !== '', `${op.label} has a summary`);
    t.ok(op.responses.some((r) => /^2/.test(r)), `${op.label} documents its success response`);
    if (op.body) t.equal(op.body.additionalProperties, false, `${op.label} body refuses unknown fields`);
    for (const p of op.pathParams) t.ok(p.schema.type === 'string' && (typeof p.schema.maxLength === 'number' || /^\^.*\$$/.test(String(p.schema.pattern ?? ''))), `${op.label} {${p.name}} is a bounded string`);
  }
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
