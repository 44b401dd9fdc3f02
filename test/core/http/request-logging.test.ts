/**
 * Request ids and request logs (http/request-id.ts, http/request-logger.ts): an id per
 * request made of the process's random prefix and a counter (a caller's safe id kept);
 * the request's logger made only when a line is logged at an enabled level — and then
 * the same line as ever: a 500 logged at `warn` carries the request id and the tenant.
 */
import t from 'tap';
import pino from 'pino';
import type { IncomingMessage } from 'node:http';
import { createLogger } from '../../../core/index.js';
import { failingPlugin, logSink } from '../../helpers/failing-plugin.js';
import { requestIds } from '../../../core/http/request-id.js';
import { lazyRequestLogger } from '../../../core/http/request-logger.js';
import { bootPeyvand } from '../../helpers/peyvand.js';

const { lines, stream: sink } = logSink();
const boom = failingPlugin('the ledger is locked');
// `warn`, as the bench and many deployments run: a served request logs nothing.
const p = await bootPeyvand(t, { plugins: [boom], logger: createLogger('warn', sink), http: { rateLimitPerMinute: 1000 } });
const acme = await p.tenant('acme', { plugins: ['boom'] });
const owner = await acme.key('owner');

const raw = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;

t.test('request ids: a per-process prefix and a counter, unique; a caller’s safe id kept', async (t) => {
  const next = requestIds();
  const ids = Array.from({ length: 10_000 }, () => next(raw()));
  for (const id of ids.slice(0, 3)) t.match(id, /^[0-9a-f]{16}-[0-9a-z]+$/, `${id}: prefix and counter`);
  t.equal(new Set(ids).size, ids.length, '10,000 requests, 10,000 ids');
  t.ok(ids.every((id) => id.length <= 64), 'every one fits the audit column');
  const prefix = (id: string) => id.slice(0, 16);
  t.equal(new Set(ids.map(prefix)).size, 1, 'one prefix per process');
  t.not(prefix(requestIds()(raw())), prefix(ids[0]!), 'another process (a restart, another node) draws its own');
  t.equal(next(raw({ 'x-request-id': 'erp-req-42' })), 'erp-req-42', 'the ERP’s own id is kept');
  t.match(next(raw({ 'x-request-id': 'a b\n<script>' })), /^[0-9a-f]{16}-[0-9a-z]+$/, 'an unsafe one is replaced');
  t.match(next(raw({ 'x-request-id': 'x'.repeat(65) })), /^[0-9a-f]{16}-/, 'so is one too long for the audit column');
});

t.test('the request logger is made when a line is logged at an enabled level, with fastify’s bindings', async (t) => {
  const { lines: out, stream } = logSink();
  const parent = pino({ level: 'warn' }, stream);
  let made = 0;
  const child = parent.child.bind(parent);
  parent.child = ((bindings, options) => (made++, child(bindings, options))) as typeof parent.child;
  const log = lazyRequestLogger.call(p.peyvand.app, parent, { reqId: 'r-1' }, {}, raw());
  log.info({ x: 1 }, 'served');
  log.debug('details');
  t.equal(made, 0, 'nothing at a disabled level: no child');
  t.equal(log.level, 'warn', 'its level is the parent’s');
  log.error({ code: 'E' }, 'failed');
  log.warn('and again');
  t.equal(made, 1, 'one child, made at the first enabled line');
  t.match(out.map((l) => JSON.parse(l) as Record<string, unknown>), [{ reqId: 'r-1', code: 'E', msg: 'failed', level: 50 }, { reqId: 'r-1', msg: 'and again', level: 40 }]);
  const routeLevel = lazyRequestLogger.call(p.peyvand.app, parent, { reqId: 'r-2' }, { level: 'debug' }, raw());
  t.equal(made, 2, 'a route with its own level gets its child at once');
  t.equal(routeLevel.level, 'debug');
});

t.test('at warn, a served request logs nothing; a 500 is logged with its request id and tenant', async (t) => {
  lines.length = 0;
  const ok = await p.call(owner, { method: 'GET', url: '/api/v1/me' });
  t.equal(ok.statusCode, 200);
  t.same(lines, [], 'no line for a served request');
  const res = await p.call(owner, { method: 'GET', url: '/api/v1/boom/explode', headers: { 'x-request-id': 'erp-call-7' } });
  t.equal(res.statusCode, 500);
  t.equal(res.json().requestId, 'erp-call-7');
  const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(logged, [{ level: 50, msg: 'request failed', reqId: 'erp-call-7', requestId: 'erp-call-7', tenantId: acme.id, tenant: 'acme', err: { message: 'the ledger is locked' } }], 'one line: the failure, with the request id and the tenant');
});
