/**
 * Load worker: drives one server with autocannon from its own process, bounded by time
 * (`seconds`) or by count (`amount`), and answers with throughput and latency
 * percentiles computed from every response time (autocannon's own summary has no p95).
 *
 * Requests are described, not passed as functions (they cross a process boundary):
 * `paths` are GET paths taken in turn; `postCustomers` POSTs generated customers
 * `start`, `start + 1`, … of the seed.
 */
import autocannon, { type Request } from 'autocannon';
import { customerAt } from '../generate.js';
import { workerContext } from '../proc.js';
import { summarize } from '../stats.js';

/** Options of the load worker. */
export interface LoadOptions {
  url: string;
  token?: string;
  connections: number;
  seconds?: number;
  amount?: number;
  paths?: string[];
  postCustomers?: { path: string; seed: number; start: number };
  /** Seconds before a request counts as timed out (30 unless a slow report asks for more). */
  timeoutSeconds?: number;
}

const { options, send } = await workerContext<LoadOptions>();
const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
let n = 0;
let request: Request;
if (options.postCustomers) {
  const { path, seed, start } = options.postCustomers;
  request = { method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' }, setupRequest: (r) => ({ ...r, body: JSON.stringify(customerAt(seed, start + n++).input) }) };
} else {
  const paths = options.paths ?? ['/'];
  request = { method: 'GET', headers, setupRequest: (r) => ({ ...r, path: paths[n++ % paths.length]! }) };
}
const times: number[] = [];
const statuses = new Map<number, number>();
const started = performance.now();
const instance = autocannon(
  {
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    timeout: options.timeoutSeconds ?? 30,
    requests: [request],
  },
  (err, result) => {
    if (err) throw err;
    const seconds = (performance.now() - started) / 1000;
    send({ type: 'result', ...summarize(times), ok: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, seconds, rps: result['2xx'] / seconds, statuses: Object.fromEntries(statuses) });
  },
);
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  times.push(responseTime);
  statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
});
