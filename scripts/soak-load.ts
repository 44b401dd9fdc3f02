/**
 * Load soak (not in CI): a real `peyvand serve` child process under mixed load from
 * autocannon for 10 minutes (configurable) — customer reads, lists, Persian searches,
 * creates, merge-patches, timeline entries; deal lists, creates, stage moves and pipeline
 * reports — then the figures: errors (must be 0), p99, and the server's RSS at start and
 * end with its trend over the run (sampled every `--sample` seconds; growth fails the run).
 *
 *   node --import tsx scripts/soak-load.ts [--minutes 10] [--db sqlite|postgres|mysql]
 *     [--rate 150] [--connections 8] [--sample 15]
 *
 * The database is a fresh throwaway one (PEYVAND_TEST_PG_URL / PEYVAND_TEST_MYSQL_URL name
 * the servers, as for the tests). RSS is read from /proc (Linux). Exits 1 when a request
 * failed or RSS kept growing after warm-up.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { createTestDatabase } from '../test/helpers/database.js';
import { api, startServer, type ServerProcess } from '../test/crash/server-process.js';

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
  server = await startServer({ DATABASE_URL: db.url, PEYVAND_SECRET: randomBytes(32).toString('base64url'), PEYVAND_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' }, process.cwd());
  const pid = server.child.pid!;
  console.log(`load soak: ${minutes} min on ${dialect}, ${rate} req/s over ${connections} connections, server pid ${pid} at ${server.url}`);
  const fixture = await setUp(server);
  const weighted = mix(fixture).flatMap(([weight, label, make]) => Array.from({ length: weight }, () => ({ label, make })));
  const rssAtStart = rssMiB(pid);
  console.log(`set up: ${fixture.customers.length} customers, ${fixture.deals.length} deals, ${fixture.keys.length} API keys; RSS ${rssAtStart.toFixed(1)} MiB`);

  const started = Date.now();
  const window: number[] = [];
  const all: number[] = [];
  const statuses = new Map<number, number>();
  const byKind = new Map<string, number>();
  const failures: string[] = [];
  const samples: Array<{ min: number; rss: number; requests: number; p99: number }> = [];
  let sent = 0;
  const sampler = setInterval(() => {
    const sorted = window.splice(0).sort((a, b) => a - b);
    const sample = { min: (Date.now() - started) / 60_000, rss: rssMiB(pid), requests: sorted.length, p99: percentile(sorted, 99) };
    samples.push(sample);
    console.log(`${sample.min.toFixed(1).padStart(5)} min  ${String(sample.requests).padStart(6)} req  p99 ${sample.p99.toFixed(0).padStart(4)} ms  RSS ${sample.rss.toFixed(1)} MiB`);
  }, sampleSeconds * 1000);

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
  clearInterval(sampler);
  const rssAtEnd = rssMiB(pid);
  const health = await fetch(`${server.url}/health`).then((r) => r.status, () => 0);

  // Trend after warm-up (the first fifth: caches, JIT, connection pools fill).
  const settled = samples.filter((s) => s.min >= minutes / 5);
  const trend = settled.length >= 3 ? slope(settled.map((s) => [s.min, s.rss])) : NaN;
  const warm = settled[0]?.rss ?? rssAtStart;
  // Growth: RSS rising by more than 1 MiB a minute after warm-up, and ending over a tenth above where it settled.
  const growing = Number.isFinite(trend) && trend > 1 && rssAtEnd > warm * 1.1;
  const errors = result.errors + result.timeouts + result.non2xx;
  all.sort((a, b) => a - b);
  const rows: Array<[string, string]> = [
    ['duration', `${((Date.now() - started) / 60_000).toFixed(1)} min`],
    ['requests', `${result.requests.total} (${(result.requests.total / ((Date.now() - started) / 1000)).toFixed(0)}/s)`],
    ['mix', [...byKind].map(([k, v]) => `${k} ${v}`).join(', ')],
    ['statuses', [...statuses].sort().map(([k, v]) => `${k}: ${v}`).join(', ')],
    ['errors (non-2xx, socket errors, timeouts)', `${errors} (${result.non2xx}, ${result.errors}, ${result.timeouts})`],
    ['latency p50 / p99 / max', `${[percentile(all, 50), percentile(all, 99), all.at(-1) ?? NaN].map((ms) => ms.toFixed(0)).join(' / ')} ms`],
    ['RSS at start (after set-up)', `${rssAtStart.toFixed(1)} MiB`],
    ['RSS after warm-up', `${warm.toFixed(1)} MiB`],
    ['RSS at end', `${rssAtEnd.toFixed(1)} MiB`],
    ['RSS trend after warm-up', `${Number.isFinite(trend) ? trend.toFixed(2) : 'n/a'} MiB/min over ${settled.length} samples`],
    ['health after the run', String(health)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('');
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  if (failures.length) console.log(`first failures:\n  ${failures.join('\n  ')}`);
  const ok = errors === 0 && !growing && health === 200;
  console.log(ok ? 'soak passed: no errors, no RSS growth' : `SOAK FAILED: ${errors} errors${growing ? ', RSS growing' : ''}${health !== 200 ? `, health ${health}` : ''}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await server?.stop();
  await db.drop();
}
