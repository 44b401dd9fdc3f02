/**
 * The webhook subscription API: create (secret shown once, stored sealed, never in a
 * read, the audit trail, an event, an idempotent replay or the log), strict bodies,
 * tenant isolation, permissions, pause/resume by hand, delete, and the SSRF refusals at
 * subscription time with localized 422s.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../../core/logging.js';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { systemResolver, type Resolver } from '../../../core/webhooks/address-guard.js';

let logText = '';
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logText += chunk.toString();
    done();
  },
});
const p = await bootPeyvand(t, { webhooks: { allowlist: '127.0.0.1' }, logger: createLogger('trace', logSink) });
const { kernel } = p.peyvand;
const acme = await p.tenant('acme');
const owner = await acme.key('owner');
const other = await (await p.tenant('other')).key('owner');
const hook = { url: 'http://127.0.0.1:9/hooks/crm', events: ['customer.*', 'tenant.settings_updated'] };
const post = (token: string, payload: unknown, headers: Record<string, string> = {}) => p.call(token, { method: 'POST', url: '/api/v1/webhooks', payload: payload as Record<string, unknown>, headers });

t.test('create: 201 with a generated secret, shown only here', async (t) => {
  const res = await post(owner, hook);
  t.equal(res.statusCode, 201, res.body);
  const created = res.json();
  t.match(created, { url: hook.url, events: hook.events, active: true, pausedReason: null, consecutiveFailures: 0 });
  t.match(created.secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes as base64url');
  t.equal(res.headers.location, `/api/v1/webhooks/${created.id}`);

  const own = await post(owner, { ...hook, secret: 'erp-chosen-secret-0123456789abcdef' });
  t.equal(own.json().secret, 'erp-chosen-secret-0123456789abcdef', 'a secret the ERP chose is kept');

  const one = await p.call(owner, { method: 'GET', url: `/api/v1/webhooks/${created.id}` });
  t.equal(one.statusCode, 200);
  t.notOk('secret' in one.json(), 'GET has no secret');
  const list = (await p.call(owner, { method: 'GET', url: '/api/v1/webhooks?limit=1' })).json();
  t.equal(list.items.length, 1);
  t.ok(list.nextCursor, 'paginated');
  const rest = (await p.call(owner, { method: 'GET', url: `/api/v1/webhooks?cursor=${list.nextCursor}` })).json();
  t.same([...list.items, ...rest.items].map((w: { id: string }) => w.id), [created.id, own.json().id], 'oldest first, each once');
  t.ok([...list.items, ...rest.items].every((w: Record<string, unknown>) => !('secret' in w)), 'the list has no secret');

  const replayed = await post(owner, hook, { 'idempotency-key': 'create-1' });
  const replay = await post(owner, hook, { 'idempotency-key': 'create-1' });
  t.equal(replay.headers['idempotency-replayed'], 'true');
  t.equal(replay.json().id, replayed.json().id, 'an idempotent retry returns the same subscription…');
  t.notOk(replay.json().secret, '…without its secret');

  const secrets = [created.secret, own.json().secret, replayed.json().secret] as string[];
  const dump = JSON.stringify(await Promise.all(['webhooks', 'outbox', 'audit_log', 'idempotency_keys'].map((name) => kernel.db.knex(kernel.db.table(name)).select())));
  for (const secret of secrets) t.notOk(dump.includes(secret), 'not in the database in plain text: webhooks, outbox, audit log, idempotency replays');
  const row = await kernel.db.knex(kernel.db.table('webhooks')).where({ id: created.id }).first();
  t.equal(kernel.secrets.open(row.secret_sealed), created.secret, 'stored sealed with PEYVAND_SECRET');
  const audit = (await p.call(owner, { method: 'GET', url: '/api/v1/audit?entityType=webhook' })).json();
  t.ok(audit.items.some((a: { action: string }) => a.action === 'webhook.create'), 'audited');
  const events = (await p.call(owner, { method: 'GET', url: '/api/v1/events?types=webhook.*' })).json();
  t.ok(events.items.some((e: { type: string; data: { webhook: { id: string } } }) => e.type === 'webhook.created' && e.data.webhook.id === created.id), 'evented');
  for (const secret of secrets) t.notOk(logText.includes(secret), 'never in the log');
  t.ok(logText.length > 0, 'the log was captured');
});

t.test('strict bodies', async (t) => {
  for (const [label, body] of [
    ['an unknown field', { ...hook, headers: { x: 1 } }],
    ['a read-only field', { ...hook, id: '01900000-0000-7000-8000-000000000000' }],
    ['no events', { url: hook.url, events: [] }],
    ['a bad pattern', { url: hook.url, events: ['customer.*.x*'] }],
    ['a short secret', { ...hook, secret: 'short' }],
    ['no url', { events: ['*'] }],
  ] as const) {
    const res = await post(owner, body);
    t.equal(res.statusCode, 400, label);
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
  const id = (await post(owner, hook)).json().id;
  t.equal((await p.call(owner, { method: 'PATCH', url: `/api/v1/webhooks/${id}`, payload: {} })).statusCode, 400, 'an empty patch');
  t.equal((await p.call(owner, { method: 'PATCH', url: `/api/v1/webhooks/${id}`, payload: { secret: 'x'.repeat(40) } })).statusCode, 400, 'the secret cannot be patched');
});

t.test('another tenant’s webhook is a 404; roles without the permission get 403', async (t) => {
  const id = (await post(owner, hook)).json().id;
  const base = `/api/v1/webhooks/${id}`;
  for (const [method, url, payload] of [['GET', base], ['PATCH', base, { active: false }], ['DELETE', base], ['GET', `${base}/deliveries`], ['POST', `${base}/deliveries/01900000-0000-7000-8000-000000000000/retry`]] as const) {
    const res = await p.call(other, { method, url, ...(payload && { payload }) });
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.equal(res.json().code, 'WEBHOOK_NOT_FOUND');
  }
  t.equal((await p.call(other, { method: 'GET', url: '/api/v1/webhooks' })).json().items.length, 0, 'their list is empty');
  const missing = await p.call(owner, { method: 'POST', url: `${base}/deliveries/01900000-0000-7000-8000-000000000000/retry` });
  t.equal(missing.json().code, 'WEBHOOK_DELIVERY_NOT_FOUND');
  for (const role of ['manager', 'agent', 'viewer']) {
    const key = await acme.key(role);
    t.equal((await p.call(key, { method: 'GET', url: '/api/v1/webhooks' })).statusCode, 403, `${role} cannot read webhooks`);
  }
  t.equal((await p.call(await acme.key('admin'), { method: 'GET', url: base })).statusCode, 200, 'admin can');
});

t.test('pause and resume by hand; change; delete', async (t) => {
  const id = (await post(owner, hook)).json().id;
  const url = `/api/v1/webhooks/${id}`;
  const paused = await p.call(owner, { method: 'PATCH', url, payload: { active: false } });
  t.match(paused.json(), { active: false, pausedReason: /^Paused by apikey:/ });
  t.ok(paused.json().pausedAt);
  const fa = await p.call(owner, { method: 'GET', url, headers: { 'accept-language': 'fa' } });
  t.match(fa.json().pausedReason, /^متوقف‌شده به دست apikey:/, 'the reason in the caller’s language');
  const resumed = await p.call(owner, { method: 'PATCH', url, payload: { active: true, events: ['customer.created'] } });
  t.match(resumed.json(), { active: true, pausedReason: null, pausedAt: null, events: ['customer.created'] });
  const updates = (await p.call(owner, { method: 'GET', url: '/api/v1/events?types=webhook.updated' })).json();
  t.same(updates.items.slice(-2).map((e: { data: { changed: string[] } }) => e.data.changed), [['active'], ['events', 'active']], 'each change evented with what changed');
  const refused = await p.call(owner, { method: 'PATCH', url, payload: { url: 'https://169.254.169.254/latest' } });
  t.equal(refused.json().code, 'WEBHOOK_URL_FORBIDDEN', 'a new URL is checked too');
  t.equal((await p.call(owner, { method: 'DELETE', url })).statusCode, 204);
  t.equal((await p.call(owner, { method: 'GET', url })).statusCode, 404);
  t.equal((await p.call(owner, { method: 'DELETE', url })).statusCode, 404);
});

t.test('SSRF: internal targets are refused at subscription time', async (t) => {
  // The system resolver for localhost (it answers from /etc/hosts); every other name is
  // unknown without asking a DNS server, so the test stays off the network.
  const resolve: Resolver = (host) => (host === 'localhost' ? systemResolver(host) : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })));
  const strict = await bootPeyvand(t, { webhooks: { allowlist: [], resolve } });
  const key = await (await strict.tenant('strict')).key('owner');
  const cases: Array<[string, string]> = [
    ['http://127.0.0.1:8080/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['https://127.0.0.1/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['https://10.0.0.1/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['https://169.254.169.254/latest/meta-data/', 'WEBHOOK_URL_FORBIDDEN'],
    ['https://[::1]/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['https://[::ffff:10.0.0.1]/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['https://localhost/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['https://2130706433/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['http://93.184.216.34/hook', 'WEBHOOK_URL_INSECURE'],
    ['ftp://93.184.216.34/hook', 'WEBHOOK_URL_INVALID'],
    ['https://user:pass@93.184.216.34/hook', 'WEBHOOK_URL_INVALID'],
    ['https://no-such-host.invalid/hook', 'WEBHOOK_URL_UNRESOLVABLE'],
  ];
  for (const [url, code] of cases) {
    const res = await strict.call(key, { method: 'POST', url: '/api/v1/webhooks', payload: { url, events: ['*'] } });
    t.equal(res.statusCode, 422, url);
    t.equal(res.json().code, code, url);
  }
  const fa = await strict.call(key, { method: 'POST', url: '/api/v1/webhooks', payload: { url: 'https://localhost/hook', events: ['*'] }, headers: { 'accept-language': 'fa' } });
  t.equal(fa.json().title, 'نشانی وب‌هوک از اینجا در دسترس نیست', 'localized');
  t.match(fa.json().detail, /localhost/, 'names the host');
  t.equal((await strict.call(key, { method: 'GET', url: '/api/v1/webhooks' })).json().items.length, 0, 'nothing was created');
  t.equal((await post(owner, { url: 'https://10.0.0.1/hook', events: ['*'] })).statusCode, 422, 'allowlisting 127.0.0.1 admits nothing else');
});
