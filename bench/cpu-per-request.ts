/**
 * `node --import tsx bench/cpu-per-request.ts [--customers=N] [--rounds=N] [--other=<tree>]`:
 * the read path's server CPU per request, for when wall-clock req/s swing with what else
 * runs on the machine (docs/performance.md). Serves the kept read dataset from the bare
 * baseline and from this tree's Peyvand — and, with `--other`, from another checkout's
 * Peyvand on the same file (main, to measure a change) — then, for each round, sends each
 * server the same count of `GET /customers/{id}` (16 connections, servers in a rotated
 * order) and reads the server process's user + system time from `/proc`. Prints the
 * median microseconds per request of each and the ratio bare / Peyvand, comparable to the
 * bench's req/s ratio. Needs `npm run bench -- --only=read --keep-data` first (or loads).
 */
import fs from 'node:fs';
import path from 'node:path';
import { configFrom } from './config.js';
import { Datasets } from './dataset.js';
import { load } from './http.js';
import { startWorker, type Message, type Worker } from './proc.js';

const args = process.argv.slice(2);
const other = args.find((a) => a.startsWith('--other='))?.slice('--other='.length);
const config = configFrom(['--reuse', '--keep-data', ...args.filter((a) => !a.startsWith('--other='))]);
const requests = 10_000;
const rounds = Math.max(config.rounds, 3);
const datasets = new Datasets(config);
const peyvand = await datasets.peyvand();
const raw = await datasets.rawDataset();

interface Served {
  name: string;
  worker: Worker;
  url: string;
  token?: string;
  paths: string[];
}
const ready = async (worker: Worker) => (await worker.next<Message & { url: string }>('ready')).url;
const bareWorker = startWorker('server', { kind: 'bare', databaseUrl: `sqlite:${raw.file}`, tenantId: raw.tenantId });
const servers: Served[] = [
  { name: 'bare', worker: bareWorker, url: await ready(bareWorker), paths: datasets.sampleIds(raw.file, requests).map((id) => `/customers/${id}`) },
  { name: 'peyvand (this tree)', worker: peyvand.worker, url: peyvand.url, token: peyvand.meta.token, paths: datasets.sampleIds(datasets.peyvandFile, requests).map((id) => `/api/v1/customers/${id}`) },
];
if (other) {
  const proc = (await import(path.resolve(other, 'bench/proc.ts'))) as { startWorker: typeof startWorker };
  const worker = proc.startWorker('server', { kind: 'peyvand', databaseUrl: peyvand.meta.databaseUrl });
  servers.push({ ...servers[1]!, name: `peyvand (${other})`, worker, url: await ready(worker) });
}

/** User + system CPU seconds of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const run = (s: Served, amount: number) => load({ url: s.url, connections: 16, amount, paths: s.paths, ...(s.token && { token: s.token }) });
for (const s of servers) await run(s, requests / 2);
const perRequest = new Map<string, number[]>(servers.map((s) => [s.name, []]));
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < servers.length; i++) {
    const s = servers[(round + i) % servers.length]!;
    const before = cpuSeconds(s.worker.child.pid!);
    const result = await run(s, requests);
    if (result.non2xx || result.errors) throw new Error(`${s.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    perRequest.get(s.name)!.push(((cpuSeconds(s.worker.child.pid!) - before) / result.ok) * 1e6);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bare = median(perRequest.get('bare')!);
for (const [name, xs] of perRequest) {
  const m = median(xs);
  console.log(`${name.padEnd(40)} ${m.toFixed(0).padStart(5)} µs/request (rounds ${xs.map((x) => x.toFixed(0)).join(', ')})${name === 'bare' ? '' : `  bare/this ${(bare / m).toFixed(2)}`}`);
}
for (const s of servers.slice(2)) await s.worker.stop();
await bareWorker.stop();
await datasets.close();
