/**
 * Load soak (not in CI): a real `peyvand serve` child process under mixed load from
 * autocannon for 10 minutes (configurable) — customer reads, lists, Persian searches,
 * creates, merge-patches, timeline entries; deal lists, creates, stage moves and pipeline
 * reports — then the figures: errors (must be 0), p99, the server's RSS at start and end,
 * and the trend over the run, sampled every `--sample` seconds: RSS, and the JavaScript
 * heap left after a full garbage collection (asked of the server over the inspector
 * protocol), which is what a leak makes grow — RSS alone saws with the collector.
 *
 *   node --import tsx scripts/soak-load.ts [--minutes 10] [--db sqlite|postgres|mysql]
 *     [--rate 150] [--connections 8] [--sample 15]
 *
 * The database is a fresh throwaway one (PEYVAND_TEST_PG_URL / PEYVAND_TEST_MYSQL_URL name
 * the servers, as for the tests). RSS is read from /proc (Linux); the inspector client needs
 * a global WebSocket (Node 22, or Node 20 with --experimental-websocket, which the script
 * adds by re-running itself). Exits 1 when a request failed or memory kept growing after
 * warm-up.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { createTestDatabase } from '../test/helpers/database.js';
import { api, startServer, type ServerProcess } from '../test/crash/server-process.js';

/** The WebSocket client of the platform (Node 22; Node 20 behind a flag). */
type Socket = { onopen: (() => void) | null; onerror: ((e: unknown) => void) | null; onmessage: ((e: { data: unknown }) => void) | null; send(data: string): void; close(): void };
const WebSocketClient = (globalThis as { WebSocket?: new (url: string) => Socket }).WebSocket;
if (!WebSocketClient) {
  const again = spawnSync(process.execPath, ['--experimental-websocket', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(again.status ?? 1);
}

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, db: { type: 'string', default: 'sqlite' }, rate: { type: 'string', default: '150' }, connections: { type: 'string', default: '8' }, sample: { type: 'string', default: '15' } } });
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const connections = Number(values.connections);
const sampleSeconds = Number(values.sample);
const dialect = values.db as 'sqlite' | 'postgres' | 'mysql';
if (![minutes, rate, connections, sampleSeconds].every((n) => Number.isFinite(n) && n > 0) || !['sqlite', 'postgres', 'mysql'].includes(dialect)) {
  console.error('usage: soak-load.ts [--minutes 10] [--db sqlite|postgres|mysql] [--rate 150] [--connections 8] [--sample 15]');
  process.exit(2);
}

/** The parts of autocannon used here (it ships no types; bench/ declares its own subset). */
interface LoadRequest { method?: string; path?: string; headers?: Record<string, string>; body?: string }
interface LoadResult { requests: { total: number }; errors: number; timeouts: number; non2xx: number }
type Autocannon = (
  options: { url: string; connections: number; overallRate: number; duration: number; timeout: number; requests: Array<{ setupRequest(request: LoadRequest): LoadRequest; onResponse(status: number, body: string): void }> },
  done: (err: Error | null, result: LoadResult) => void,
) => { on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void };
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ADMIN_KEY = `soak_admin_${randomBytes(12).toString('hex')}`;
const NAMES = ['علی کریمی', 'علي رضايي', 'مریم احمدی', 'شرکت پیوند', 'Sara Ahmadi', 'Acme Trading', 'رضا محمدی', 'Nima Tehrani'];
const SEARCHES = ['علی', 'علي', 'کریمی', 'مریم', 'Acme', 'sara', '۰۹۱۲', 'پیوند'];
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

/** The server's resident set in MiB. */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** A free TCP port on the loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The server's JavaScript heap after a full collection, over the inspector protocol (MiB). */
async function inspector(port: number): Promise<{ heapAfterGc(): Promise<number>; close(): void }> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocketClient!(target!.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = reject;
  });
  let id = 0;
  const waiting = new Map<number, (result: Record<string, unknown>) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? {});
  };
  const call = (method: string) => new Promise<Record<string, unknown>>((resolve) => {
    waiting.set(++id, resolve);
    socket.send(JSON.stringify({ id, method }));
  });
  return {
    async heapAfterGc() {
      await call('HeapProfiler.collectGarbage');
      return Number((await call('Runtime.getHeapUsage')).usedSize) / 2 ** 20;
    },
    close: () => socket.close(),
  };
}

/** A tenant with customers, a pipeline and deals, and enough keys that the per-key rate limit (1,200/min) is never the bottleneck. */
async function setUp(server: ServerProcess) {
  const admin = (method: string, path: string, body?: unknown) => api(server.url, ADMIN_KEY, method, path, body);
  const tenant = await admin('POST', '/api/v1/admin/tenants', { slug: 'soak', name: 'Soak', locale: 'fa', plugins: ['sales'] });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const keys: string[] = [];
  for (let i = 0; i < Math.ceil((rate * 60) / 600) + 1; i++) keys.push(String((await admin('POST', '/api/v1/admin/tenants/soak/api-keys', { name: `load-${i}`, role: 'admin' })).body.key));
  const call = (method: string, path: string, body?: unknown) => api(server.url, keys[0]!, method, path, body);
  const customers: string[] = [];
  for (let i = 0; i < 200; i++) {
    const res = await call('POST', '/api/v1/customers', { kind: i % 5 ? 'person' : 'organization', name: `${pick(NAMES)} ${i}`, phones: [{ value: `0912${String(1_000_000 + i)}` }], tags: [i % 2 ? 'vip' : 'lead'] });
    if (res.status !== 201) throw new Error(`customer: ${res.status} ${JSON.stringify(res.body)}`);
    customers.push(String(res.body.id));
  }
  const pipeline = await call('POST', '/api/v1/sales/pipelines', { name: 'فروش', currency: 'IRR', stages: [{ name: 'تماس اول', probability: 10 }, { name: 'پیشنهاد', probability: 50 }, { name: 'مذاکره', probability: 80 }] });
  if (pipeline.status !== 201) throw new Error(`pipeline: ${pipeline.status} ${JSON.stringify(pipeline.body)}`);
  const pipelineId = String(pipeline.body.id);
  const stages = (pipeline.body.stages as Array<{ id: string }>).map((s) => s.id);
  const deals: string[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await call('POST', '/api/v1/sales/deals', { title: `قرارداد ${i}`, customerId: customers[i]!, pipelineId, amount: 1_000_000 * (i + 1), currency: 'IRR' });
    if (res.status !== 201) throw new Error(`deal: ${res.status} ${JSON.stringify(res.body)}`);
    deals.push(String(res.body.id));
  }
  return { keys, customers, pipelineId, stages, deals };
}

type Fixture = Awaited<ReturnType<typeof setUp>>;
type Call = { method: 'GET' | 'POST' | 'PATCH'; path: string; body?: unknown };

/** The mix, by weight: mostly reads, a fifth writes, some sales work. */
function mix(f: Fixture): Array<[number, string, () => Call]> {
  let n = 0;
  return [
    [25, 'read', () => ({ method: 'GET', path: `/api/v1/customers/${pick(f.customers)}` })],
    [15, 'list', () => ({ method: 'GET', path: `/api/v1/customers?limit=50${Math.random() < 0.3 ? '&tag=vip' : ''}` })],
    [15, 'search', () => ({ method: 'GET', path: `/api/v1/customers?q=${encodeURIComponent(pick(SEARCHES))}` })],
    [8, 'create', () => ({ method: 'POST', path: '/api/v1/customers', body: { kind: 'person', name: `${pick(NAMES)} soak ${n++}`, emails: [{ value: `soak${n}@example.com` }] } })],
    [5, 'patch', () => ({ method: 'PATCH', path: `/api/v1/customers/${pick(f.customers)}`, body: { tags: [pick(['vip', 'lead', 'churn-risk'])] } })],
    [5, 'timeline', () => ({ method: 'POST', path: `/api/v1/customers/${pick(f.customers)}/timeline`, body: { channel: pick(['phone', 'email', 'note']), summary: 'پیگیری سفارش' } })],
    [10, 'deal list', () => ({ method: 'GET', path: `/api/v1/sales/deals?limit=50&pipelineId=${f.pipelineId}` })],
    [5, 'deal create', () => ({ method: 'POST', path: '/api/v1/sales/deals', body: { title: `فرصت ${n++}`, customerId: pick(f.customers), pipelineId: f.pipelineId, amount: 5_000_000, currency: 'IRR' } })],
    [7, 'deal move', () => ({ method: 'POST', path: `/api/v1/sales/deals/${pick(f.deals)}/move`, body: { stageId: pick(f.stages) } })],
    [5, 'report', () => ({ method: 'GET', path: `/api/v1/sales/reports/pipeline?pipelineId=${f.pipelineId}&currency=IRR` })],
  ];
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

const db = await createTestDatabase(dialect);
let server: ServerProcess | undefined;
try {
  const inspectPort = await freePort();
  server = await startServer({ DATABASE_URL: db.url, PEYVAND_SECRET: randomBytes(32).toString('base64url'), PEYVAND_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${inspectPort}` }, process.cwd());
  const pid = server.child.pid!;
  const heap = await inspector(inspectPort);
  console.log(`load soak: ${minutes} min on ${dialect}, ${rate} req/s over ${connections} connections, server pid ${pid} at ${server.url}`);
  const fixture = await setUp(server);
  const weighted = mix(fixture).flatMap(([weight, label, make]) => Array.from({ length: weight }, () => ({ label, make })));
  const rssAtStart = rssMiB(pid);
  const heapAtStart = await heap.heapAfterGc();
  console.log(`set up: ${fixture.customers.length} customers, ${fixture.deals.length} deals, ${fixture.keys.length} API keys; RSS ${rssAtStart.toFixed(1)} MiB, heap after GC ${heapAtStart.toFixed(1)} MiB`);

  const started = Date.now();
  const window: number[] = [];
  const all: number[] = [];
  const statuses = new Map<number, number>();
  const byKind = new Map<string, number>();
  const failures: string[] = [];
  const samples: Array<{ min: number; rss: number; heap: number; requests: number; p99: number }> = [];
  let sent = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, sampleSeconds * 1000));
      if (!running) break;
      const sorted = window.splice(0).sort((a, b) => a - b);
      // RSS first: the collection the heap reading forces would lower it.
      const rss = rssMiB(pid);
      const sample = { min: (Date.now() - started) / 60_000, rss, heap: await heap.heapAfterGc(), requests: sorted.length, p99: percentile(sorted, 99) };
      samples.push(sample);
      console.log(`${sample.min.toFixed(1).padStart(5)} min  ${String(sample.requests).padStart(6)} req  p99 ${sample.p99.toFixed(0).padStart(4)} ms  RSS ${sample.rss.toFixed(1)} MiB  heap after GC ${sample.heap.toFixed(1)} MiB`);
    }
  })();

  const result = await new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon({
      url: server!.url,
      connections,
      overallRate: rate,
      duration: minutes * 60,
      timeout: 30,
      requests: [{
        setupRequest: (request) => {
          const { label, make } = weighted[Math.floor(Math.random() * weighted.length)]!;
          const call = make();
          byKind.set(label, (byKind.get(label) ?? 0) + 1);
          const key = fixture.keys[sent++ % fixture.keys.length]!;
          const headers: Record<string, string> = { authorization: `Bearer ${key}` };
          if (call.body !== undefined) headers['content-type'] = call.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
          return { ...request, method: call.method, path: call.path, headers, ...(call.body !== undefined && { body: JSON.stringify(call.body) }) };
        },
        onResponse: (status, body) => {
          if (status >= 400 && failures.length < 10) failures.push(`${status} ${body.slice(0, 200)}`);
        },
      }],
    }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      window.push(responseTime);
      all.push(responseTime);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
  });
  const seconds = (Date.now() - started) / 1000;
  running = false;
  await sampling;
  const rssAtEnd = rssMiB(pid);
  const heapAtEnd = await heap.heapAfterGc();
  heap.close();
  const health = await fetch(`${server.url}/health`).then((r) => r.status, () => 0);

  // After warm-up (the first fifth: caches, JIT, pools fill), a leak is what survives a full
  // collection growing: the heap after GC rising steadily (over 0.5 MiB a minute and 5 MiB
  // in all). RSS saws with the collector; its floor per third of the run is shown beside.
  const settled = samples.filter((x) => x.min >= minutes / 5);
  const heapTrend = settled.length >= 3 ? slope(settled.map((x) => [x.min, x.heap])) : NaN;
  const rssTrend = settled.length >= 3 ? slope(settled.map((x) => [x.min, x.rss])) : NaN;
  const warm = settled[0] ?? { rss: rssAtStart, heap: heapAtStart };
  const thirds = [0, 1, 2].map((i) => settled.slice(Math.floor((i * settled.length) / 3), Math.floor(((i + 1) * settled.length) / 3)));
  const floors = thirds.map((part) => Math.min(...part.map((x) => x.rss)));
  const growing = settled.length >= 3 && heapTrend > 0.5 && heapAtEnd - warm.heap > 5;
  const errors = result.errors + result.timeouts + result.non2xx;
  all.sort((a, b) => a - b);
  const mib = (n: number) => `${n.toFixed(1)} MiB`;
  const rows: Array<[string, string]> = [
    ['duration', `${(seconds / 60).toFixed(1)} min on ${dialect}`],
    ['requests', `${result.requests.total} (${(result.requests.total / seconds).toFixed(0)}/s, ${connections} connections)`],
    ['mix', [...byKind].map(([k, v]) => `${k} ${v}`).join(', ')],
    ['statuses', [...statuses].sort().map(([k, v]) => `${k}: ${v}`).join(', ')],
    ['errors (non-2xx, socket errors, timeouts)', `${errors} (${result.non2xx}, ${result.errors}, ${result.timeouts})`],
    ['latency p50 / p99 / max', `${[percentile(all, 50), percentile(all, 99), all.at(-1) ?? NaN].map((ms) => ms.toFixed(0)).join(' / ')} ms`],
    ['RSS start / after warm-up / end', [rssAtStart, warm.rss, rssAtEnd].map(mib).join(' / ')],
    ['RSS floor per third after warm-up', settled.length >= 3 ? floors.map(mib).join(' → ') : 'n/a (run longer)'],
    ['RSS trend after warm-up', `${Number.isFinite(rssTrend) ? rssTrend.toFixed(2) : 'n/a'} MiB/min`],
    ['heap after GC start / after warm-up / end', [heapAtStart, warm.heap, heapAtEnd].map(mib).join(' / ')],
    ['heap after GC trend after warm-up', `${Number.isFinite(heapTrend) ? heapTrend.toFixed(3) : 'n/a'} MiB/min over ${settled.length} samples`],
    ['health after the run', String(health)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('');
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  if (failures.length) console.log(`first failures:\n  ${failures.join('\n  ')}`);
  const ok = errors === 0 && !growing && health === 200;
  console.log(ok ? 'soak passed: no errors, no memory growth' : `SOAK FAILED: ${errors} errors${growing ? ', memory growing' : ''}${health !== 200 ? `, health ${health}` : ''}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await server?.stop();
  await db.drop();
}
