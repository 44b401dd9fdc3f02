/**
 * What every ERP integrator meets first: health, OpenAPI, headers, limits, CORS,
 * credentials of every kind, the admin API, roles, and how a bug looks (500 with a
 * request id, logged without secrets).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { SignJWT, generateKeyPair, exportJWK } from 'jose';
import { createLogger } from '../../../core/index.js';
import { failingPlugin, logSink } from '../../helpers/failing-plugin.js';
import { CORE_VERSION } from '../../../core/plugin/version.js';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { AuthFailureLimiter } from '../../../core/http/request-guards.js';

const { lines: logLines, stream: logStream } = logSink();
const boom = failingPlugin('database password is hunter2');
const p = await bootPeyvand(t, { plugins: [boom], logger: createLogger('info', logStream), http: { rateLimitPerMinute: 1000 } });
const acme = await p.tenant('acme', { plugins: ['boom'] });
const owner = await acme.key('owner');

t.test('health, readiness, OpenAPI and version', async (t) => {
  t.same((await p.call(undefined, { method: 'GET', url: '/health' })).json(), { status: 'ok' });
  t.same((await p.call(undefined, { method: 'GET', url: '/ready' })).json(), { status: 'ready' });
  const doc = (await p.call(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json();
  t.equal(doc.openapi, '3.1.0');
  for (const path of ['/api/v1/customers', '/api/v1/customers/{id}', '/api/v1/customers/by-ref/{source}/{externalId}', '/api/v1/customers/{id}/merge', '/api/v1/customers/{id}/duplicates', '/api/v1/customers/{id}/timeline', '/api/v1/events', '/api/v1/audit', '/api/v1/me', '/api/v1/roles', '/api/v1/roles/{name}', '/api/v1/admin/tenants', '/api/v1/admin/tenants/{slug}/plugins/{plugin}', '/api/v1/admin/tenants/{slug}/api-keys', '/api/v1/admin/tenants/{slug}/api-keys/{id}', '/api/v1/admin/tenants/{slug}/embed', '/api/v1/boom/explode']) {
    t.ok(doc.paths[path], `${path} is documented`);
  }
  t.equal(doc.paths['/api/v1/customers'].post['x-permission'], 'core.customer.create');
  t.equal(doc.paths['/api/v1/customers'].post.requestBody.content['application/json'].schema.additionalProperties, false);
  // Read, not imported: the test transpiler (swc) drops `with { type: 'json' }`.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  t.equal(CORE_VERSION, pkg.version, 'core version matches the package');
});

t.test('security headers and request ids', async (t) => {
  const res = await p.call(owner, { method: 'GET', url: '/api/v1/me' });
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.ok(res.headers['content-security-policy']);
  t.ok(res.headers['strict-transport-security']);
  // This process's 64-bit random prefix, then a counter: unique across nodes and restarts.
  t.match(String(res.headers['x-request-id']), /^[0-9a-f]{16}-[0-9a-z]+$/);
  const again = await p.call(owner, { method: 'GET', url: '/api/v1/me' });
  t.not(again.headers['x-request-id'], res.headers['x-request-id'], 'each request its own id');
  const given = await p.call(owner, { method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': 'erp-req-42' } });
  t.equal(given.headers['x-request-id'], 'erp-req-42', 'a caller request id is kept');
  const hostile = await p.call(owner, { method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': 'a b\n<script>' } });
  t.not(hostile.headers['x-request-id'], 'a b\n<script>', 'an unsafe one is replaced');
});

t.test('limits: body size and unknown routes', async (t) => {
  const big = await p.call(owner, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'x'.repeat(1024 * 1024 + 10) } });
  t.equal(big.statusCode, 413);
  t.equal(big.json().code, 'PAYLOAD_TOO_LARGE');
  const missing = await p.call(owner, { method: 'GET', url: '/api/v1/nothing-here' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'ROUTE_NOT_FOUND');
  const text = await p.call(owner, { method: 'POST', url: '/api/v1/customers', payload: 'name=x', headers: { 'content-type': 'text/plain' } });
  t.equal(text.statusCode, 415);
});


t.test('a JSON body must be UTF-8: other bytes or another charset are refused, nothing stored', async (t) => {
  const count = async () => (await p.call(owner, { method: 'GET', url: '/api/v1/customers?q=Reza' })).json().items.length;
  const before = await count();
  // "Reza" then bytes no UTF-8 text has: Node would have stored them as U+FFFD.
  const bytes = Buffer.concat([Buffer.from('{"kind":"person","name":"Reza '), Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);
  const bad = await p.call(owner, { method: 'POST', url: '/api/v1/customers', payload: bytes, headers: { 'content-type': 'application/json', 'accept-language': 'fa' } });
  t.equal(bad.statusCode, 400);
  t.match(bad.headers['content-type'], /^application\/problem\+json/);
  t.equal(bad.json().code, 'VALIDATION_FAILED');
  t.equal(bad.json().errors[0].message, 'بدنهٔ درخواست متن UTF-8 معتبر نیست', 'said in the reader\'s language');
  const latin1 = await p.call(owner, { method: 'POST', url: '/api/v1/customers', payload: '{"kind":"person","name":"Reza Latin"}', headers: { 'content-type': 'application/json; charset=ISO-8859-1' } });
  t.equal(latin1.statusCode, 415, 'a declared charset other than UTF-8 is not guessed at');
  t.equal(latin1.json().code, 'UNSUPPORTED_MEDIA_TYPE');
  t.equal(await count(), before, 'neither request created a customer');
  const utf8 = await p.call(owner, { method: 'POST', url: '/api/v1/customers', payload: Buffer.from('{"kind":"person","name":"Reza رضا"}'), headers: { 'content-type': 'application/json; charset=UTF-8' } });
  t.equal(utf8.statusCode, 201, 'charset=UTF-8 is fine');
  t.equal(utf8.json().name, 'Reza رضا');
});
t.test('a bug is a 500 with a request id, logged without secrets', async (t) => {
  const res = await p.call(owner, { method: 'GET', url: '/api/v1/boom/explode' });
  t.equal(res.statusCode, 500);
  t.match(res.json(), { code: 'INTERNAL', status: 500 });
  t.notMatch(res.body, /hunter2/, 'internal messages do not leak to the caller');
  const logged = logLines.filter((l) => l.includes(res.json().requestId));
  t.ok(logged.some((l) => l.includes('hunter2')), 'the cause is in the log, with the request id');
  const line = JSON.parse(logged.find((l) => l.includes('request failed'))!) as Record<string, unknown>;
  t.match(line, { reqId: res.json().requestId, requestId: res.json().requestId, tenantId: acme.id, tenant: 'acme' }, 'and with the tenant');
  t.notOk(logLines.some((l) => l.includes(owner)), 'the bearer token never reaches the log');
  t.notOk(logLines.some((l) => l.includes(p.adminKey)), 'nor the admin key');
});

t.test('API keys: revoked at once; unknown and malformed refused', async (t) => {
  const created = (await p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'sync', role: 'agent' } })).json();
  t.match(created, { name: 'sync', role: 'agent', key: /^pvk_/ });
  t.equal((await p.call(created.key, { method: 'GET', url: '/api/v1/me' })).statusCode, 200);
  t.equal((await p.admin({ method: 'DELETE', url: `/api/v1/admin/tenants/acme/api-keys/${created.id}` })).statusCode, 204);
  const revoked = await p.call(created.key, { method: 'GET', url: '/api/v1/me' });
  t.equal(revoked.statusCode, 401);
  t.equal(revoked.json().code, 'INVALID_CREDENTIAL');
  t.match(String(revoked.headers['www-authenticate']), /^Bearer/);
  t.equal((await p.admin({ method: 'DELETE', url: `/api/v1/admin/tenants/acme/api-keys/${created.id}` })).statusCode, 404, 'revoking twice');
  t.equal((await p.call(owner.slice(0, -2) + 'xx', { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'a wrong secret');
  t.equal((await p.call('garbage', { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'garbage');
  t.equal((await p.call(undefined, { method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic abc' } })).statusCode, 401, 'not a bearer');
  const badRole = await p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'x', role: 'emperor' } });
  t.equal(badRole.statusCode, 422);
  t.equal(badRole.json().code, 'UNKNOWN_ROLE');
});

t.test('host-signed tokens (HS256 and JWKS)', async (t) => {
  const secret = 'another-embed-secret-long-enough-abcdefghijkl';
  const sign = (claims: Record<string, unknown>, options: { secret?: string; exp?: string; aud?: string; alg?: string } = {}) =>
    new SignJWT({ tid: 'acme', roles: ['agent'], ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'HS256' })
      .setSubject('erp-user-7')
      .setAudience(options.aud ?? 'peyvand')
      .setExpirationTime(options.exp ?? '5m')
      .sign(new TextEncoder().encode(options.secret ?? secret));
  t.equal((await p.call(await sign({}), { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'no embed config yet');
  const bad = await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/acme/embed', payload: { algorithms: ['none'], allowedOrigins: [] } });
  t.equal(bad.statusCode, 422, '`none` cannot be configured');
  t.equal((await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/acme/embed', payload: { hs256Secret: secret, algorithms: ['HS256'], allowedOrigins: ['https://erp.example'] } })).statusCode, 204);

  const me = await p.call(await sign({ name: 'Parisa', teams: ['t1'] }), { method: 'GET', url: '/api/v1/me' });
  t.equal(me.statusCode, 200);
  t.match(me.json(), { subject: 'erp-user-7', name: 'Parisa', roles: ['agent'], teams: ['t1'], tenant: { slug: 'acme' } });
  // The people directory: the token's name claim, and an API key's name, by subject.
  const keyRes = await p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'انبار مرکزی', role: 'viewer' } });
  const keyId = keyRes.json().id as string;
  await p.call(keyRes.json().key as string, { method: 'GET', url: '/api/v1/me' });
  const people = await p.call(await sign({ name: 'Parisa' }), { method: 'GET', url: `/api/v1/people?ids=erp-user-7,apikey:${keyId},erp-user-unknown` });
  t.equal(people.statusCode, 200, people.body);
  t.same(people.json().items, [{ id: 'erp-user-7', name: 'Parisa', kind: 'user' }, { id: `apikey:${keyId}`, name: 'انبار مرکزی', kind: 'api_key' }], 'names by subject; an unknown subject left out');
  await p.call(await sign({ name: 'Parisa Ahmadi' }), { method: 'GET', url: '/api/v1/me' });
  t.same((await p.call(await sign({}), { method: 'GET', url: '/api/v1/people?ids=erp-user-7' })).json().items, [{ id: 'erp-user-7', name: 'Parisa Ahmadi', kind: 'user' }], 'a new name in the token replaces the old');
  const otherTenant = await p.tenant('people-elsewhere');
  t.same((await p.call(await otherTenant.key('owner'), { method: 'GET', url: '/api/v1/people?ids=erp-user-7' })).json().items, [], 'another tenant sees none of them');
  t.equal((await p.call(undefined, { method: 'GET', url: '/api/v1/people?ids=erp-user-7' })).statusCode, 401);
  t.equal((await p.call(await sign({}, { exp: '-5m' }), { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'expired');
  t.equal((await p.call(await sign({}, { aud: 'someone-else' }), { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'wrong audience');
  t.equal((await p.call(await sign({}, { secret: 'a-different-secret-that-is-long-enough-xx' }), { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'wrong key');
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tid: 'acme', sub: 'x', aud: 'peyvand', exp: Math.floor(Date.now() / 1000) + 60, roles: ['owner'] })).toString('base64url')}.`;
  t.equal((await p.call(none, { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'alg none');
  const elsewhere = await p.tenant('elsewhere');
  t.equal((await p.call(await sign({ tid: elsewhere.slug }), { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'a token for another tenant is checked with that tenant’s config');
  const unknownRole = await p.call(await sign({ roles: ['emperor'] }), { method: 'GET', url: '/api/v1/me' });
  t.equal(unknownRole.statusCode, 403, 'unknown host roles grant nothing');

  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
  const jwks = (await import('fastify')).default();
  jwks.get('/jwks.json', async () => ({ keys: [jwk] }));
  const address = await jwks.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => jwks.close());
  t.equal((await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/elsewhere/embed', payload: { jwksUrl: `${address}/jwks.json`, algorithms: ['EdDSA'], allowedOrigins: [] } })).statusCode, 204);
  const ed = await new SignJWT({ tid: 'elsewhere', roles: ['viewer'] }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setSubject('u1').setAudience('peyvand').setExpirationTime('5m').sign(privateKey);
  t.equal((await p.call(ed, { method: 'GET', url: '/api/v1/me' })).statusCode, 200, 'EdDSA via the tenant JWKS');
});

t.test('CORS follows the tenant allowed origins', async (t) => {
  const pre = await p.call(undefined, { method: 'OPTIONS', url: '/api/v1/customers', headers: { origin: 'https://erp.example', 'access-control-request-method': 'POST' } });
  t.equal(pre.statusCode, 204);
  t.equal(pre.headers['access-control-allow-origin'], 'https://erp.example');
  const evil = await p.call(undefined, { method: 'OPTIONS', url: '/api/v1/customers', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  t.notOk(evil.headers['access-control-allow-origin'], 'unknown origins get no CORS headers');
  const ok = await p.call(owner, { method: 'GET', url: '/api/v1/me', headers: { origin: 'https://erp.example' } });
  t.equal(ok.headers['access-control-allow-origin'], 'https://erp.example');
  const refused = await p.call(owner, { method: 'GET', url: '/api/v1/me', headers: { origin: 'https://evil.example' } });
  t.equal(refused.statusCode, 403);
  t.equal(refused.json().code, 'ORIGIN_NOT_ALLOWED');
  // A refused credential names no tenant: an origin some tenant allows can read the 401
  // (a widget then asks its host for a new token); any other origin cannot.
  const expired = await p.call('not-a-valid-token', { method: 'GET', url: '/api/v1/me', headers: { origin: 'https://erp.example' } });
  t.equal(expired.statusCode, 401);
  t.equal(expired.headers['access-control-allow-origin'], 'https://erp.example', 'a widget sees its 401');
  const expiredEvil = await p.call('not-a-valid-token', { method: 'GET', url: '/api/v1/me', headers: { origin: 'https://evil.example' } });
  t.notOk(expiredEvil.headers['access-control-allow-origin'], 'other origins do not');
  const adminRoute = await p.call('not-a-valid-token', { method: 'GET', url: '/api/v1/admin/tenants', headers: { origin: 'https://erp.example' } });
  t.notOk(adminRoute.headers['access-control-allow-origin'], 'admin routes are not for browsers');
  const publicRoute = await p.call(undefined, { method: 'GET', url: '/health', headers: { origin: 'https://erp.example' } });
  t.equal(publicRoute.headers['access-control-allow-origin'], 'https://erp.example', 'public routes (the web-to-lead form) answer allowed origins');
  t.notOk((await p.call(undefined, { method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } })).headers['access-control-allow-origin']);
});

t.test('the auth-failure limiter forgets the least recently seen address, not everyone', async (t) => {
  const limiter = new AuthFailureLimiter(3, 4);
  for (let i = 0; i < 3; i++) limiter.fail('attacker');
  t.throws(() => limiter.check('attacker'), { code: 'RATE_LIMITED' }, 'over budget');
  // A spray of new addresses: each failure of the attacker keeps it the most recent.
  for (let i = 0; i < 20; i++) {
    limiter.fail(`10.0.0.${i}`);
    limiter.fail('attacker');
  }
  t.throws(() => limiter.check('attacker'), { code: 'RATE_LIMITED' }, 'still limited after 20 new addresses');
  t.doesNotThrow(() => limiter.check('10.0.0.0'), 'an idle address was forgotten instead');
});

t.test('admin API', async (t) => {
  const dup = await p.admin({ method: 'POST', url: '/api/v1/admin/tenants', payload: { slug: 'acme', name: 'again' } });
  t.equal(dup.statusCode, 409);
  t.equal(dup.json().code, 'TENANT_EXISTS');
  t.equal((await p.admin({ method: 'POST', url: '/api/v1/admin/tenants', payload: { slug: 'Bad Slug!', name: 'x' } })).statusCode, 400);
  t.equal((await p.admin({ method: 'POST', url: '/api/v1/admin/tenants', payload: { slug: 'tz', name: 'x', timeZone: 'Mars/Olympus' } })).statusCode, 400);
  const fa = (await p.admin({ method: 'POST', url: '/api/v1/admin/tenants', payload: { slug: 'tehran', name: 'تهران', locale: 'fa' } })).json();
  t.match(fa, { slug: 'tehran', locale: 'fa', timeZone: 'Asia/Tehran', plugins: [] });

  // The tenant list a page at a time, by slug; every tenant exactly once.
  const all = (await p.admin({ method: 'GET', url: '/api/v1/admin/tenants?limit=200' })).json() as { items: Array<{ slug: string }>; nextCursor: string | null };
  t.equal(all.nextCursor, null, 'one page holds them all');
  const seen: string[] = [];
  for (let cursor: string | null = null, pages = 0; pages < 50; pages++) {
    const page = (await p.admin({ method: 'GET', url: `/api/v1/admin/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json() as { items: Array<{ slug: string }>; nextCursor: string | null };
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((x) => x.slug));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  t.same(seen, all.items.map((x) => x.slug), 'pages of two walk the same list in the same order');
  t.ok(seen.length >= 3, 'across several pages');
  t.equal((await p.admin({ method: 'GET', url: '/api/v1/admin/tenants?cursor=bogus' })).json().code, 'BAD_CURSOR');
  t.equal((await p.admin({ method: 'GET', url: '/api/v1/admin/tenants/nope/api-keys' })).statusCode, 404);
  const tenantOnAdmin = await p.call(owner, { method: 'GET', url: '/api/v1/admin/tenants' });
  t.equal(tenantOnAdmin.statusCode, 401, 'admin routes refuse tenant credentials');
  const adminOnTenant = await p.admin({ method: 'GET', url: '/api/v1/customers' });
  t.equal(adminOnTenant.statusCode, 403, 'the admin key is not a tenant credential');
  const errFa = await p.admin({ method: 'POST', url: '/api/v1/admin/tenants', payload: { slug: 'acme', name: 'x' }, headers: { 'accept-language': 'fa' } });
  t.equal(errFa.json().title, 'مستأجر تکراری است', 'admin errors are localized too');
});

t.test('roles', async (t) => {
  const list = (await p.call(owner, { method: 'GET', url: '/api/v1/roles' })).json();
  t.same(list.items.map((r: { name: string }) => r.name), ['owner', 'admin', 'manager', 'agent', 'viewer']);
  t.ok(list.items.find((r: { name: string }) => r.name === 'owner').permissions.includes('boom.thing.read'), 'plugin permissions join built-in roles');
  const locked = await p.call(owner, { method: 'PUT', url: '/api/v1/roles/owner', payload: { permissions: [] } });
  t.equal(locked.statusCode, 422);
  t.equal(locked.json().code, 'BUILTIN_ROLE_LOCKED');
  const unknown = await p.call(owner, { method: 'PUT', url: '/api/v1/roles/auditor', payload: { permissions: ['core.audit.read', 'core.launch.missiles'] } });
  t.equal(unknown.statusCode, 422);
  t.match(unknown.json().detail, /core\.launch\.missiles/);
  const custom = await p.call(owner, { method: 'PUT', url: '/api/v1/roles/auditor', payload: { permissions: ['core.audit.read', 'core.me.read'] } });
  t.equal(custom.statusCode, 200);
  t.match(custom.json(), { name: 'auditor', builtIn: false, permissions: ['core.audit.read', 'core.me.read'], scopes: { customer: 'own' } });
  const auditor = await acme.key('auditor');
  t.equal((await p.call(auditor, { method: 'GET', url: '/api/v1/audit' })).statusCode, 200);
  t.equal((await p.call(auditor, { method: 'GET', url: '/api/v1/customers' })).statusCode, 403);
  const agent = await acme.key('agent');
  t.equal((await p.call(agent, { method: 'PUT', url: '/api/v1/roles/agent', payload: { permissions: [] } })).statusCode, 403, 'agents cannot edit roles');
});

t.test('admin and settings writes are audited and evented, without secrets', async (t) => {
  const audit = (await p.call(owner, { method: 'GET', url: '/api/v1/audit?limit=200' })).json().items as Array<{ action: string; actor: string; after: unknown; requestId: string | null }>;
  const actions = new Set(audit.map((a) => a.action));
  for (const action of ['tenant.create', 'api_key.create', 'api_key.revoke', 'tenant.embed_configure', 'role.put']) t.ok(actions.has(action), `${action} audited`);
  t.ok(audit.filter((a) => a.action.startsWith('api_key')).every((a) => a.actor === 'platform:admin-api' && a.requestId), 'by the platform admin, with the request id');
  const events = (await p.call(owner, { method: 'GET', url: '/api/v1/events?limit=200&types=tenant.*,api_key.*,role.*' })).json().items as Array<{ type: string }>;
  t.ok(['tenant.created', 'api_key.created', 'api_key.revoked', 'tenant.embed_configured', 'role.updated'].every((type) => events.some((e) => e.type === type)), 'and evented');
  const everything = JSON.stringify(audit) + JSON.stringify(events);
  t.notMatch(everything, /pvk_[0-9a-f]{12}_/, 'no API key in the trail');
  t.notMatch(everything, /another-embed-secret/, 'no embed secret in the trail');
  t.match(everything, /"hs256SecretSet":true/, 'only whether one is set');
});
