/**
 * `node --import tsx bench/profile.ts <read|write|list|search> [--customers=N] [--seconds=N]`:
 * serves a kept dataset (`npm run bench -- --keep-data` makes one; else a small one is
 * loaded) from a Peyvand server running under `node --cpu-prof`, drives the scenario's
 * load at it, and prints the functions with the most self time. The .cpuprofile lands in
 * bench/results/profiles/ for Chrome DevTools. This is how each change in
 * docs/performance.md was found.
 */
import fs from 'node:fs';
import path from 'node:path';
import { configFrom } from './config.js';
import { Datasets } from './dataset.js';
import { load } from './http.js';
import { searchQueries } from './generate.js';
import { startWorker, type Message } from './proc.js';

const [what = 'read', ...rest] = process.argv.slice(2);
const config = configFrom(['--reuse', '--keep-data', ...rest]);
const datasets = new Datasets(config);
const meta = (await datasets.peyvand()).meta;
await datasets.close();
const dir = path.join(config.resultsDir, 'profiles');
fs.mkdirSync(dir, { recursive: true });
const before = new Set(fs.readdirSync(dir));
const server = startWorker('server', { kind: 'peyvand', databaseUrl: meta.databaseUrl }, { cpuProfileDir: dir });
const { url } = await server.next<Message & { url: string }>('ready');
const ids = datasets.sampleIds(datasets.peyvandFile, 2_000);
const base = { url, token: meta.token, connections: config.connections, seconds: config.seconds };
const result =
  what === 'write' ? await load({ ...base, postCustomers: { path: '/api/v1/customers', seed: config.seed, start: 50_000_000 } })
  : what === 'search' ? await load({ ...base, connections: 1, paths: searchQueries(config.seed, meta.count, 2_000).map((q) => `/api/v1/customers?q=${encodeURIComponent(q)}`) })
  : what === 'list' ? await load({ ...base, paths: ['/api/v1/customers?limit=50'] })
  : await load({ ...base, paths: ids.map((id) => `/api/v1/customers/${id}`) });
await server.stop();
console.log(`${what}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`);
// The largest new profile is the server's main thread (a worker thread may write a small one of its own).
const file = fs
  .readdirSync(dir)
  .filter((f) => !before.has(f) && f.endsWith('.cpuprofile'))
  .sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0];
if (!file) throw new Error('no profile written');
printTop(path.join(dir, file), 30);

/** Self time per function of a .cpuprofile, largest first. */
function printTop(profileFile: string, count: number): void {
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] };
  const time = new Map<number, number>();
  profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const t = time.get(node.id) ?? 0;
    total += t;
    const where = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + t);
  }
  for (const [where, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, count)) console.log(`${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${where}`);
  console.log(`profile: ${profileFile}`);
}
