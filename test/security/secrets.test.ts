/**
 * Secrets (OWASP API2/API8, CWE-312/532/208): stored credentials are sealed with
 * PEYVAND_SECRET (AES-256-GCM) and appear in no table in the clear; the logs of a server
 * hit with failed logins, admin calls and 500s carry none of the keys, tokens or secrets
 * that went through it; and credentials are compared in constant time.
 */
import t from 'tap';
import crypto, { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { bootPeyvand } from '../helpers/peyvand.js';
import { createLogger } from '../../core/logging.js';
import { createSecretBox } from '../../core/auth/secret-box.js';
import { definePlugin } from '../../core/index.js';
import { tablesOf } from './lib/db-state.js';
import { attackedPlugins, withTimeout } from './lib/world.js';
import type * as ApiKeys from '../../core/auth/api-keys.js';
import type * as Guards from '../../core/http/request-guards.js';

const lines: string[] = [];
const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) });
// A route that fails the way a client library does: the error carries the request it made.
const boom = definePlugin({
  name: 'boom',
  version: '1.0.0',
  core: '^0.1.0',
  permissions: [{ name: 'boom.thing.read', description: 'boom:p', roles: ['owner'] }],
  routes(app) {
    app.post('/fail', { config: { permission: 'boom.thing.read' }, schema: { operationId: 'boom.thing.fail', summary: 'Fails with a 500', body: { type: 'object', additionalProperties: false, properties: { password: { type: 'string' }, token: { type: 'string' } } }, response: { 200: { type: 'object' } } } }, async (request) => {
      throw Object.assign(new Error('upstream refused'), { config: { headers: { ...request.headers } }, options: { auth: request.headers.authorization, body: request.body } });
    });
  },
});
const secret = randomBytes(32).toString('base64url');
process.env.PEYVAND_WEBHOOK_ALLOWLIST ??= '127.0.0.1';
const p = await bootPeyvand(t, { secret, logger: createLogger('trace', sink), plugins: [...attackedPlugins(), boom], http: { rateLimitPerMinute: 100_000 } });
const db = p.peyvand.kernel.db;
const hs256Secret = `hs-${randomBytes(24).toString('hex')}`;
const tenant = await p.tenant('acme', { plugins: ['boom', ...attackedPlugins().map((x) => x.name)] });
const ownerKey = await tenant.key('owner');
await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/acme/embed', payload: { hs256Secret, algorithms: ['HS256'], allowedOrigins: [] } });
const webhookSecret = `whsec-${randomBytes(24).toString('hex')}`;
const webhook = await p.call(ownerKey, { method: 'POST', url: '/api/v1/webhooks', headers: { 'idempotency-key': 'w1' }, payload: { url: 'http://127.0.0.1:9/hook', events: ['*'], secret: webhookSecret } });

t.test('the embed secret is sealed: not in the column, not JSON, opened only with PEYVAND_SECRET', async (t) => {
  const raw = String((await db.knex(db.table('tenants')).where('id', tenant.id).first('embed_config')).embed_config);
  t.notOk(raw.includes(hs256Secret), 'the HS256 secret is not in the column');
  t.throws(() => JSON.parse(raw), 'the column is not JSON');
  t.match(raw, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'v1.<iv>.<ciphertext>.<tag>');
  t.equal(JSON.parse(createSecretBox(secret).open(raw)).hs256Secret, hs256Secret, 'PEYVAND_SECRET opens it');
  t.throws(() => createSecretBox(randomBytes(32).toString('base64url')).open(raw), 'another secret does not');
  const tampered = raw.replace(/\.([A-Za-z0-9_-])/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
  t.throws(() => createSecretBox(secret).open(tampered), 'a tampered value does not open (GCM tag)');
});

t.test('no table holds a credential in the clear', async (t) => {
  t.equal(webhook.statusCode, 201, 'webhook created (with an Idempotency-Key)');
  const known = { 'API key': ownerKey, 'API key secret': ownerKey.slice(-43), 'embed secret': hs256Secret, 'webhook secret': webhookSecret, 'admin key': p.adminKey, PEYVAND_SECRET: secret };
  let rows = 0;
  for (const { name } of await tablesOf(db, true)) {
    for (const row of await db.knex(name).select('*')) {
      rows++;
      const text = JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
      for (const [label, value] of Object.entries(known)) if (text.includes(value)) t.fail(`${name} holds the ${label} in the clear`);
    }
  }
  t.ok(rows > 20, `${rows} rows of every table read`);
  const keyRow = await db.knex(db.table('api_keys')).orderBy('created_at', 'desc').first();
  t.match(String(keyRow.secret_hash), /^[0-9a-f]{64}$/, 'API keys are stored as a SHA-256 hash');
});

t.test('logs carry no credential, whatever happens', async (t) => {
  const wrongJwt = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"tid":"acme","sub":"x"}').toString('base64url')}.c2lnbmF0dXJl`;
  const guessedKey = `pvk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const calls = [
    p.call(guessedKey, { method: 'GET', url: '/api/v1/me' }),
    p.call(wrongJwt, { method: 'GET', url: '/api/v1/customers' }),
    p.call(p.adminKey, { method: 'GET', url: '/api/v1/me' }),
    p.call(ownerKey, { method: 'GET', url: '/api/v1/admin/tenants' }),
    p.call(`${p.adminKey}x`, { method: 'GET', url: '/api/v1/admin/tenants' }),
    p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'log-test', role: 'agent' } }),
    p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/acme/embed', payload: { hs256Secret, algorithms: ['HS256', 'none'], allowedOrigins: [] } }),
    p.call(ownerKey, { method: 'POST', url: '/api/v1/boom/fail', payload: { password: 'hunter2-hunter2', token: ownerKey } }),
    p.call(ownerKey, { method: 'POST', url: '/api/v1/webhooks', payload: { url: 'http://127.0.0.1:9/x', events: ['*'], secret: webhookSecret } }),
  ];
  const statuses = (await withTimeout(Promise.all(calls), 20_000, 'log calls')).map((r) => r.statusCode);
  t.same(statuses.slice(0, 5), [401, 401, 403, 401, 401], 'failed logins');
  t.equal(statuses[7], 500, 'a 500 happened');
  const failed = (await calls[7]!).json() as Record<string, unknown>;
  t.same(Object.keys(failed).sort(), ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'], 'the 500 is a plain problem: no stack, no cause, no error fields');
  t.notMatch(JSON.stringify(failed), /upstream refused|hunter2|Bearer|\.ts:\d|\bat \S+ \(/, 'and tells the client nothing of what failed inside');
  const newKey = (await calls[5]!).json().key as string;
  const log = lines.join('');
  t.ok(lines.length > 20 && /request failed/.test(log), `${lines.length} log lines captured, the 500 among them`);
  const forbidden = { 'owner API key': ownerKey, 'its secret part': ownerKey.slice(-43), 'new API key': newKey, 'guessed key': guessedKey, 'wrong JWT': wrongJwt, 'admin key': p.adminKey, 'embed secret': hs256Secret, 'webhook secret': webhookSecret, 'password in a body': 'hunter2-hunter2', PEYVAND_SECRET: secret };
  for (const [label, value] of Object.entries(forbidden)) t.notOk(log.includes(value), `no ${label} in the logs`);
});

t.test('credentials are compared in constant time', async (t) => {
  const calls: Array<[number, number]> = [];
  const spy = { ...crypto, timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => (calls.push([a.byteLength, b.byteLength]), crypto.timingSafeEqual(a, b)) };
  const keys = await t.mockImport<typeof ApiKeys>('../../core/auth/api-keys.js', { 'node:crypto': spy });
  const guards = await t.mockImport<typeof Guards>('../../core/http/request-guards.js', { 'node:crypto': spy });
  const key = keys.generateApiKey();
  // The secret with its last character changed (never to itself: 1 secret in 16 ends in `A`).
  const wrongLast = (secret: string) => `${secret.slice(0, -1)}${secret.endsWith('A') ? 'E' : 'A'}`;
  const cases: Array<[string, string, boolean]> = [[key.secret, key.hash, true], [wrongLast(key.secret), key.hash, false], ['', key.hash, false], [key.secret, 'not-a-hash', false], ['x'.repeat(10_000), key.hash, false]];
  for (const [presented, stored, expected] of cases) {
    calls.length = 0;
    t.equal(keys.verifyApiKeySecret(presented, stored), expected, `verify → ${expected}`);
    t.same(calls, [[32, 32]], 'one timingSafeEqual over two 32-byte digests, whatever was presented');
  }
  for (const [a, b] of [['admin-key', 'admin-key'], ['admin-key', 'admin-kez'], ['a', 'much longer admin key']]) {
    calls.length = 0;
    t.equal(guards.safeEqual(a!, b!), a === b, `admin key ${a} vs ${b}`);
    t.same(calls, [[32, 32]], 'the admin key too: digests of equal length');
  }
});
