/**
 * Unrestricted resource consumption (OWASP API4), over every route of the OpenAPI
 * document: a body over the limit is a 413 on every route that takes one; a page size over
 * the limit is a 400 on every list; the rate limit answers 429 with Retry-After for every
 * kind of credential; and on a real listening server a slow client (headers or body one
 * byte at a time, or an idle socket) is cut off by the server's timeouts while other
 * requests keep being served.
 */
import t from 'tap';
import net from 'node:net';
import { bootPeyvand } from '../helpers/peyvand.js';
import { SignJWT } from 'jose';
import { attackedPlugins, bootWorld, withTimeout } from './lib/world.js';
import { placeholderUrl, type Operation, type Schema } from './lib/openapi.js';
import { changedTables, summarize } from './lib/db-state.js';

const w = await bootWorld(t);
const owner = w.actors.find((a) => a.label === 'acme/key:owner')!;
// Portal routes are walked as acme's customer principal (staff get 403 there).
const tokenFor = (op: Operation) => w.tokenFor(op, owner.token);

t.test('every route that takes a body: over 1 MiB is a 413 that changes nothing', async (t) => {
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
  for (const op of w.operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))) {
    for (const type of op.method === 'PATCH' ? ['application/json', 'application/merge-patch+json'] : ['application/json']) {
      const before = await w.snapshot();
      const res = await w.send(tokenFor(op), { method: op.method, url: placeholderUrl(op), payload: big, headers: { 'content-type': type } });
      t.equal(res.statusCode, 413, `${op.label} (${type})`);
      t.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
      t.same(changedTables(before, await summarize(w.p.peyvand.kernel.db)), []);
    }
  }
});

/**
 * Where an input is not bounded: strings without maxLength, enum, const, format or an
 * anchored pattern with bounded repetition; arrays without maxItems; maps without
 * maxProperties. Unbounded text reaches the database (MySQL's TEXT holds 64 KiB: a longer
 * value is a 500 there) and unbounded lists the per-item work.
 */
function unbounded(schema: Schema, at: string): string[] {
  const out: string[] = [];
  const types = [schema.type].flat();
  const boundedPattern = typeof schema.pattern === 'string' && /^\^.*\$$/.test(schema.pattern) && !/[*+]|\{\d+,\}/.test(schema.pattern.replace(/\\./g, ''));
  if (types.includes('string') && schema.maxLength === undefined && !schema.enum && !('const' in schema) && !schema.format && !boundedPattern) out.push(`${at} (string)`);
  if (types.includes('array') && schema.maxItems === undefined) out.push(`${at} (array)`);
  if (types.includes('object') && !schema.properties && schema.additionalProperties !== false && schema.maxProperties === undefined) out.push(`${at} (map)`);
  for (const [name, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) out.push(...unbounded(s, `${at}/${name}`));
  if (schema.items) out.push(...unbounded(schema.items as Schema, `${at}/0`));
  for (const alt of ((schema.anyOf ?? schema.oneOf ?? []) as Schema[])) out.push(...unbounded(alt, at));
  return out;
}

t.test('every string, list and map a route accepts is bounded by its schema', async (t) => {
  for (const op of w.operations) {
    const found = [...(op.body ? unbounded(op.body, 'body') : []), ...[...op.pathParams, ...op.query].flatMap((p) => unbounded(p.schema, p.name))];
    t.same(found, [], `${op.label}: every input bounded`);
  }
});

t.test('every list: a page size over its maximum (or below 1) is a 400', async (t) => {
  const lists = w.operations.filter((o) => o.query.some((q) => q.name === 'limit'));
  t.ok(lists.length >= 5, `${lists.length} lists`);
  for (const op of lists) {
    if (op.pathParams.length) continue; // the parent record would 404 first; the schema is the same
    const max = Number(op.query.find((q) => q.name === 'limit')!.schema.maximum);
    t.ok(Number.isFinite(max) && max <= 500, `${op.label} bounds limit (${max})`);
    for (const limit of [max + 1, 0, -1, 1e9]) t.equal((await w.send(tokenFor(op), { method: 'GET', url: `${placeholderUrl(op)}?limit=${limit}` })).statusCode, 400, `${op.label}?limit=${limit}`);
    const required = op.query.filter((q) => q.required);
    if (!required.length) t.equal((await w.send(tokenFor(op), { method: 'GET', url: `${placeholderUrl(op)}?limit=${max}` })).statusCode, 200, `${op.label}?limit=${max}`);
  }
});

t.test('the rate limit holds for API keys, host users and anonymous callers, with Retry-After', async (t) => {
  const limited = await bootPeyvand(t, { http: { rateLimitPerMinute: 3 } });
  const tenant = await limited.tenant('rl');
  const key = await tenant.key('viewer');
  const anonymous: number[] = [];
  for (let i = 0; i < 5; i++) anonymous.push((await limited.peyvand.app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: '10.9.9.9' })).statusCode);
  t.same(anonymous, [401, 401, 401, 429, 429], 'anonymous callers are limited by address');
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await limited.call(key, { method: 'GET', url: '/api/v1/me' })).statusCode);
  t.same(statuses, [200, 200, 200, 429]);
  const res = await limited.call(key, { method: 'GET', url: '/api/v1/customers' });
  t.equal(res.statusCode, 429);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  t.ok(Number(res.headers['retry-after']) > 0 && Number(res.headers['retry-after']) <= 60, `Retry-After ${res.headers['retry-after']}`);
  const secret = 'rl-embed-secret-0123456789-abcdefghijklmnop';
  t.equal((await limited.admin({ method: 'PUT', url: '/api/v1/admin/tenants/rl/embed', payload: { hs256Secret: secret, algorithms: ['HS256'], allowedOrigins: [] } })).statusCode, 204);
  const user = await new SignJWT({ tid: 'rl', sub: 'u1', roles: ['viewer'] }).setProtectedHeader({ alg: 'HS256' }).setAudience('peyvand').setExpirationTime('1h').sign(new TextEncoder().encode(secret));
  const userStatuses: number[] = [];
  for (let i = 0; i < 4; i++) userStatuses.push((await limited.call(user, { method: 'GET', url: '/api/v1/me' })).statusCode);
  t.same(userStatuses, [200, 200, 200, 429], 'a host user is limited too');
});

t.test('no route escapes the rate limit: a spent budget is a 429 on every one', async (t) => {
  // The admin routes' embed call below spends one of the admin key's three.
  const limited = await bootPeyvand(t, { plugins: attackedPlugins(), http: { rateLimitPerMinute: 3 } });
  const tenant = await limited.tenant('spent', { plugins: attackedPlugins().map((x) => x.name) });
  const key = await tenant.key('owner');
  for (let i = 0; i < 3; i++) await limited.call(key, { method: 'GET', url: '/api/v1/me' });
  for (let i = 0; i < 3; i++) await limited.admin({ method: 'GET', url: '/api/v1/admin/tenants' });
  for (let i = 0; i < 3; i++) await limited.peyvand.app.inject({ method: 'GET', url: '/api/v1/openapi.json', remoteAddress: '10.7.7.7' });
  const spentFor = (op: Operation) => (op.admin ? limited.adminKey : op.public ? undefined : key);
  for (const op of w.operations) {
    const send = () => limited.peyvand.app.inject({ method: op.method, url: placeholderUrl(op), remoteAddress: '10.7.7.7', headers: spentFor(op) ? { authorization: `Bearer ${spentFor(op)}` } : {}, ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
    if (/^\/(health|ready)$/.test(op.path)) {
      t.equal((await send()).statusCode, 200, `${op.label}: probes are never limited`);
      continue;
    }
    // A route with a budget of its own (the public web-to-lead form: per form and address) spends it first.
    let tries = 1;
    while ((await send()).statusCode !== 429 && tries < 200) tries++;
    t.ok(tries < 200, `${op.label}: 429 ${tries === 1 ? 'at once' : `after ${tries - 1} requests of its own budget`}`);
  }
});

t.test('guessing credentials is rate limited per address, before the guess is checked', async (t) => {
  const limited = await bootPeyvand(t, { http: { rateLimitPerMinute: 3 } });
  const tenant = await limited.tenant('guess');
  const real = await tenant.key('viewer');
  const statuses: number[] = [];
  // A fresh guess each time, as a brute force would: each has its own per-credential budget.
  for (let i = 0; i < 5; i++) statuses.push((await limited.call(`pvk_${'0'.repeat(12)}_${String(i).padStart(43, 'A')}`, { method: 'GET', url: '/api/v1/me' })).statusCode);
  t.same(statuses, [401, 401, 401, 429, 429], 'three failures, then 429');
  const lucky = await limited.call(real, { method: 'GET', url: '/api/v1/me' });
  t.equal(lucky.statusCode, 429, 'a right guess after the budget is not even checked');
  t.ok(Number(lucky.headers['retry-after']) > 0, 'with Retry-After');
  const elsewhere = await limited.peyvand.app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: '10.0.0.7', headers: { authorization: `Bearer ${real}` } });
  t.equal(elsewhere.statusCode, 200, 'other addresses are not affected');
});

t.test('the server `peyvand serve` runs has its timeouts set', async (t) => {
  // `serve` calls createPeyvand without http options: these are the production values.
  const plain = await bootPeyvand(t);
  const server = plain.peyvand.app.server;
  t.equal(server.requestTimeout, 30_000, 'a whole request must arrive within 30 s');
  // Node ends a request at whichever deadline comes first: headers too arrive within 30 s.
  t.ok(server.headersTimeout > 0 && Math.min(server.headersTimeout, server.requestTimeout) === 30_000, `headers within 30 s (headersTimeout ${server.headersTimeout} ms)`);
  t.equal(server.timeout, 60_000, 'an idle socket is closed after 60 s');
  t.equal(server.keepAliveTimeout, 5_000, 'keep-alive sockets wait 5 s for the next request');
});

t.test('a slow client cannot hold the server', async (t) => {
  // Node sweeps request deadlines every timeoutCheckIntervalMs (30 s in production).
  const slow = await bootPeyvand(t, { http: { requestTimeoutMs: 1000, connectionTimeoutMs: 1500, timeoutCheckIntervalMs: 200 } });
  await slow.peyvand.listen({ port: 0, host: '127.0.0.1' });
  const { port } = slow.peyvand.app.server.address() as net.AddressInfo;
  const head = 'GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'a'.repeat(200) + '\r\n\r\n';
  // Declares 500 bytes and sends 300: without a deadline the server would wait for ever.
  const body = `POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\nAuthorization: Bearer x\r\n\r\n${' '.repeat(300)}`;
  let open = 0;
  // Each client dribbles one byte every 50 ms (a request takes it 13 s or more); whether
  // the server closed it is told by what was left to send, not by a clock.
  const dribble = (text: string) => new Promise<{ unsent: number; got: string }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    open++;
    let got = '';
    let i = 0;
    const timer = setInterval(() => (i < text.length && !socket.destroyed ? socket.write(text[i++]!) : undefined), 50);
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open--;
      clearInterval(timer);
      resolve({ unsent: text.length - i, got: got.split('\r\n')[0] ?? '' });
    });
  });
  // Flowing, or the client would never notice the server's FIN; it never closes by itself.
  const idle = new Promise<void>((resolve) => net.connect(port, '127.0.0.1').resume().on('error', () => undefined).on('close', () => resolve()));
  const clients = [...Array.from({ length: 20 }, () => dribble(head)), ...Array.from({ length: 5 }, () => dribble(body))];
  const servedWhileHeld: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    t.equal(res.status, 200, 'another client is served');
    servedWhileHeld.push(open);
  }
  t.ok(servedWhileHeld[0]! >= 20, `served while ${servedWhileHeld[0]} slow clients were connected`);
  // A deadline only so that a regression fails instead of hanging the run.
  const results = await withTimeout(Promise.all(clients), 30_000, 'slow clients closed by the server');
  t.ok(results.every((r) => r.unsent > 0), `all 25 closed by the server mid-request (bytes left unsent: ${Math.min(...results.map((r) => r.unsent))} at least)`);
  t.ok(results.some((r) => r.got.startsWith('HTTP/1.1 408')), `they are told 408 (${[...new Set(results.map((r) => r.got || 'closed'))].join(', ')})`);
  await withTimeout(idle, 30_000, 'idle connection closed by the server');
  t.pass('a connection that sends nothing is closed by the server too');
});
