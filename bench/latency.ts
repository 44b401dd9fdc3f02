/**
 * What the plugin scenarios (sales, support) share: latency of single requests to Peyvand
 * against a bare route answering the same, and a run on SQLite then on PostgreSQL (when
 * reachable) over a dataset file of the scenario's own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { compare, fmt, measure } from './http.js';
import { withPostgresDatabase } from './postgres.js';
import type { Context, ResultRow, Scenario } from './scenario.js';

/** One request measured on both servers, with its p95 target. */
export interface LatencyTarget {
  name: string;
  peyvand: string;
  bare: string;
  targetMs: number;
  /**
   * Requests per round, and rounds, when this request is too slow for the run's
   * `salesRequests` × `rounds` (a yearly report over a million rows takes seconds).
   */
  requests?: number;
  rounds?: number;
  /** Warm-up requests before each measurement, when not the run's (a slow report's check already warmed it). */
  warmup?: number;
}

/**
 * p95 and p50 of `config.salesRequests` requests sent one at a time (after a warm-up), to
 * Peyvand (`url`, with `token`) and to the bare server, alternating rounds.
 */
export async function latencyRows(ctx: Context, o: { label: string; url: string; token: string; bareUrl: string; targets: readonly LatencyTarget[]; warmup: number }): Promise<ResultRow[]> {
  const { config } = ctx;
  const rows: ResultRow[] = [];
  for (const t of o.targets) {
    const requests = t.requests ?? config.salesRequests;
    const rounds = t.rounds ?? config.rounds;
    ctx.log(`${o.label}: ${t.name}, ${requests} requests × ${rounds} rounds`);
    // A slow request gets as much time as it needs (but the load worker's default 30 s would fail it).
    const slow = t.requests !== undefined ? { timeoutSeconds: 600 } : {};
    const run = (target: string, token: string | undefined, p: string) => async () => {
      const warmup = Math.min(t.warmup ?? o.warmup, requests);
      if (warmup > 0) await measure(config, { url: target, ...(token && { token }), connections: 1, amount: warmup, paths: [p], ...slow });
      return measure(config, { url: target, ...(token && { token }), connections: 1, amount: requests, paths: [p], ...slow });
    };
    const { a: base, b: pv } = await compare({ ...config, rounds }, run(o.bareUrl, undefined, t.bare), run(o.url, o.token, t.peyvand));
    rows.push({
      scenario: `${o.label}: ${t.name}`,
      peyvand: pv.p95,
      baseline: base.p95,
      unit: 'ms p95',
      ratio: pv.p95 / base.p95,
      ratioLabel: 'Peyvand / bare',
      target: `p95 ≤ ${fmt(t.targetMs)} ms`,
      pass: pv.p95 <= t.targetMs,
      details: `p50 ${fmt(pv.p50, 1)} vs ${fmt(base.p50, 1)} ms${t.requests !== undefined ? `; ${requests} requests × ${rounds} round${rounds > 1 ? 's' : ''} ${requests <= 20 ? ' (p95 of so few is the slowest)' : ''}` : ''}`,
    });
  }
  return rows;
}

/**
 * Where a scenario that can reopen its dataset keeps what it needs to know about it (its
 * tenant, credential…): `kept` is a JSON file beside the data, written after loading with
 * `--keep-data`; `reuse` says the data and that file are from an earlier run (`--reuse`).
 */
export interface KeptDataset {
  kept: string;
  reuse: boolean;
}

/**
 * A scenario run on a fresh SQLite file `<name>-<size>.sqlite`, then on a PostgreSQL
 * database of its own. With `reusable` and `--keep-data`, the file and the database
 * (`peyvand_bench_<name>_<size>`) stay for a `--reuse` run, and `rowsOf` gets where to keep
 * the dataset's meta.
 */
export function onSqliteAndPostgres(name: string, size: (ctx: Context) => number, rowsOf: (ctx: Context, label: 'SQLite' | 'PostgreSQL', databaseUrl: string, kept?: KeptDataset) => Promise<ResultRow[]>, reusable = false): Scenario {
  return {
    name,
    async run(ctx): Promise<ResultRow[]> {
      const file = path.join(ctx.config.dataDir, `${name}-${size(ctx)}.sqlite`);
      const remove = () => {
        for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.json`]) fs.rmSync(f, { force: true });
      };
      const keep = reusable && ctx.config.keepData;
      // Reused only with the meta beside it: data without it is loaded again from scratch.
      const reusing = (meta: string) => keep && ctx.config.reuse && fs.existsSync(meta);
      const reuse = reusing(`${file}.json`);
      if (!reuse) remove();
      try {
        const rows = await rowsOf(ctx, 'SQLite', `sqlite:${file}`, keep ? { kept: `${file}.json`, reuse } : undefined);
        const pgMeta = path.join(ctx.config.dataDir, `${name}-${size(ctx)}.postgres.json`);
        const pgKept = keep ? { kept: pgMeta, reuse: reusing(pgMeta) } : undefined;
        const database = keep ? { name: `peyvand_bench_${name}_${size(ctx)}`, reuse: reusing(pgMeta) } : undefined;
        if (ctx.config.postgresUrl) rows.push(...(await withPostgresDatabase(ctx, ctx.config.postgresUrl, { scenario: `${name} (PostgreSQL)`, unit: 'ms p95', target: '—' }, (url) => rowsOf(ctx, 'PostgreSQL', url, pgKept), database)));
        return rows;
      } finally {
        if (!ctx.config.keepData) remove();
      }
    },
  };
}

/** A GET answered 200, as JSON. */
export async function getJson<T>(url: string, token?: string): Promise<T> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
