/**
 * Unrestricted resource consumption (OWASP API4), over every route of the OpenAPI
 * document: a body over the limit is a 413 on every route that takes one; a page size over
 * the limit is a 400 on every list; the rate limit answers 429 with Retry-After for every
 * kind of credential; and on a real listening server a slow client (headers or body one
 * byte at a time, or an idle socket) is cut off within the configured timeouts while other
 * requests keep being served.
 */
import t from 'tap';
import net from 'node:net';
import { bootPeyvand } from '../helpers/peyvand.js';
import { bootWorld } from './lib/world.js';
import { fillPath, type Operation } from './lib/openapi.js';
import { changedTables, summarize } from './lib/db-state.js';

const w = await bootWorld(t);
const owner = w.actors.find((a) => a.label === 'acme/key:owner')!;
const tokenFor = (op: Operation) => (op.admin ? w.p.adminKey : op.public ? undefined : owner.token);
const url = (op: Operation) => fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, p.name === 'slug' ? 'acme' : '01900000-0000-7000-8000-000000000000'])));

t.test('every route that takes a body: over 1 MiB is a 413 that changes nothing', async (t) => {
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
  for (const op of w.operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))) {
    for (const type of op.method === 'PATCH' ? ['application/json', 'application/merge-patch+json'] : ['application/json']) {
      const before = await summarize(w.p.peyvand.kernel.db);
      const res = await w.send(tokenFor(op), { method: op.method, url: url(op), payload: big, headers: { 'content-type': type } });
      t.equal(res.statusCode, 413, `${op.label} (${type})`);
      t.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
      t.same(changedTables(before, await summarize(w.p.peyvand.kernel.db)), []);
    }
  }
});

t.test('every list: a page size over its maximum (or below 1) is a 400', async (t) => {
  const lists = w.operations.filter((o) => o.query.some((q) => q.name === 'limit'));
  t.ok(lists.length >= 5, `${lists.length} lists`);
  for (const op of lists) {
    if (op.pathParams.length) continue; // the parent record would 404 first; the schema is the same
    const max = Number(op.query.find((q) => q.name === 'limit')!.schema.maximum);
    t.ok(Number.isFinite(max) && max <= 500, `${op.label} bounds limit (${max})`);
    for (const limit of [max + 1, 0, -1, 1e9]) t.equal((await w.send(tokenFor(op), { method: 'GET', url: `${url(op)}?limit=${limit}` })).statusCode, 400, `${op.label}?limit=${limit}`);
    const required = op.query.filter((q) => q.required);
    if (!required.length) t.equal((await w.send(tokenFor(op), { method: 'GET', url: `${url(op)}?limit=${max}` })).statusCode, 200, `${op.label}?limit=${max}`);
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

t.test('a slow client cannot hold the server', async (t) => {
  const requestTimeoutMs = 1000;
  // Node sweeps request deadlines every timeoutCheckIntervalMs (30 s in production).
  const slow = await bootPeyvand(t, { http: { requestTimeoutMs, connectionTimeoutMs: 1500, timeoutCheckIntervalMs: 200 } });
  await slow.peyvand.listen({ port: 0, host: '127.0.0.1' });
  const { port } = slow.peyvand.app.server.address() as net.AddressInfo;
  const head = 'GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'a'.repeat(200) + '\r\n\r\n';
  const body = `POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\nAuthorization: Bearer x\r\n\r\n${' '.repeat(300)}`;
  // Each client dribbles one byte every 50 ms; the server must close it, whatever it sends.
  const dribble = (text: string) => new Promise<{ ms: number; got: string }>((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    let i = 0;
    const timer = setInterval(() => (i < text.length && !socket.destroyed ? socket.write(text[i++]!) : undefined), 50);
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, got: got.split('\r\n')[0] ?? '' });
    });
  });
  const idle = new Promise<number>((resolve) => {
    const started = Date.now();
    // Flowing, or the client would never notice the server's FIN.
    const socket = net.connect(port, '127.0.0.1').resume();
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Date.now() - started));
  });
  const clients = [...Array.from({ length: 20 }, () => dribble(head)), ...Array.from({ length: 5 }, () => dribble(body))];
  const served: number[] = [];
  const base = `http://127.0.0.1:${port}`;
  while (served.length < 15) {
    const started = Date.now();
    const res = await fetch(`${base}/health`);
    t.equal(res.status, 200);
    served.push(Date.now() - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  const results = await Promise.all(clients);
  const limit = requestTimeoutMs + 1500;
  t.ok(results.every((r) => r.ms < limit), `25 slow clients closed within ${limit} ms (slowest ${Math.max(...results.map((r) => r.ms))} ms)`);
  t.ok(results.some((r) => r.got.startsWith('HTTP/1.1 408')), `they are told 408 (${[...new Set(results.map((r) => r.got || 'closed'))].join(', ')})`);
  const idleMs = await idle;
  t.ok(idleMs < limit, `a connection that sends nothing is closed too (${idleMs} ms)`);
  t.ok(Math.max(...served) < 500, `other requests kept being served meanwhile (slowest ${Math.max(...served)} ms)`);
});
