/**
 * Driving HTTP load: warm-up, then a measured run, each from its own autocannon process;
 * alternating rounds of two targets so that drift on a shared machine hits both alike.
 */
import type { BenchConfig } from './config.js';
import { runWorker, type Message } from './proc.js';
import type { Latency } from './stats.js';
import { median } from './stats.js';
import type { LoadOptions } from './workers/load.js';

/** One measured run. */
export type LoadResult = Message & Latency & { ok: number; non2xx: number; errors: number; timeouts: number; seconds: number; rps: number; statuses: Record<string, number> };

/** Runs the load worker once. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  return runWorker<LoadResult>('load', options);
}

/** Warm-up (not kept), then the measured run; a run with failed requests is an error. */
export async function measure(config: BenchConfig, options: Omit<LoadOptions, 'seconds' | 'connections'> & { connections?: number }): Promise<LoadResult> {
  const connections = options.connections ?? config.connections;
  if (!options.amount) await load({ ...options, connections, seconds: config.warmupSeconds });
  const result = await load({ ...options, connections, seconds: config.seconds });
  if (result.non2xx || result.errors || result.timeouts) throw new Error(`load on ${options.url} had failures: ${JSON.stringify(result.statuses)}, ${result.errors} errors, ${result.timeouts} timeouts`);
  return result;
}

/** The median figures of `rounds` alternating runs of a and b. */
export async function compare(config: BenchConfig, a: () => Promise<LoadResult>, b: () => Promise<LoadResult>): Promise<{ a: Summary; b: Summary }> {
  const as: LoadResult[] = [];
  const bs: LoadResult[] = [];
  for (let round = 0; round < config.rounds; round++) {
    as.push(await a());
    bs.push(await b());
  }
  return { a: summary(as), b: summary(bs) };
}

/** Medians over rounds. */
export interface Summary {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  rounds: number[];
}

/** The median figures of several runs. */
export function summary(runs: LoadResult[]): Summary {
  return { rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p95: median(runs.map((r) => r.p95)), p99: median(runs.map((r) => r.p99)), rounds: runs.map((r) => Math.round(r.rps)) };
}

/** `1,234` */
export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
