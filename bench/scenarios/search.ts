/**
 * search: `GET /api/v1/customers?q=…` over the dataset, one query at a time (latency,
 * not throughput), with prefix queries as people type them (see `searchQueries`):
 * p50/p95 of Peyvand vs a bare fastify route querying the same search index with
 * hand-written SQL. On SQLite, and on PostgreSQL when it is reachable (loaded through the
 * import service into a database of its own, dropped afterwards; with `--reuse`, the
 * database `bench/search-dataset.ts` built and kept, when there is one of this size).
 */
import fs from 'node:fs';
import { searchQueries } from '../generate.js';
import { searchMetaFile } from '../search-dataset.js';
import { compare, fmt, measure, summary } from '../http.js';
import { withPostgresDatabase } from '../postgres.js';
import { startWorker, type Message } from '../proc.js';
import type { Context, ResultRow, Scenario } from '../scenario.js';
import type { DatasetMeta, LoadTiming } from '../load-dataset.js';

const SEARCH_TARGET_MS = 20;

/** Runs the queries against a Peyvand server and the bare server of the same database. */
async function searchRow(ctx: Context, label: string, server: { url: string; token: string }, databaseUrl: string, tenantId: string): Promise<ResultRow> {
  const { config } = ctx;
  const queries = searchQueries(config.seed, config.customers, config.searchQueries);
  const warm = searchQueries(config.seed + 1, config.customers, Math.min(200, config.searchQueries));
  const q = (prefix: string, list: string[]) => list.map((text) => `${prefix}?q=${encodeURIComponent(text)}`);
  const bare = startWorker('server', { kind: 'bare', databaseUrl, tenantId });
  const { url } = await bare.next<Message & { url: string }>('ready');
  try {
    // One connection: each query's own latency, nothing queued behind another.
    const run = (target: string, token: string | undefined, prefix: string) => async () => {
      await measure(config, { url: target, ...(token && { token }), connections: 1, amount: warm.length, paths: q(prefix, warm) });
      return measure(config, { url: target, ...(token && { token }), connections: 1, amount: queries.length, paths: q(prefix, queries) });
    };
    ctx.log(`${label}: ${queries.length} queries × ${config.rounds} rounds`);
    const { a: base, b: pv } = await compare(config, run(url, undefined, '/customers'), run(server.url, server.token, '/api/v1/customers'));
    return {
      scenario: label,
      peyvand: pv.p95,
      baseline: base.p95,
      unit: 'ms p95',
      ratio: pv.p95 / base.p95,
      ratioLabel: 'Peyvand / bare',
      target: `p95 ≤ ${SEARCH_TARGET_MS} ms`,
      pass: pv.p95 <= SEARCH_TARGET_MS,
      details: `p50 ${fmt(pv.p50, 1)} vs ${fmt(base.p50, 1)} ms`,
    };
  } finally {
    await bare.stop();
  }
}

/** The PostgreSQL run: its own database, loaded through the import service, then dropped. */
async function postgresRows(ctx: Context, adminUrl: string): Promise<ResultRow[]> {
  const { config } = ctx;
  // A dataset kept by `bench/search-dataset.ts` (built in bulk, minutes instead of
  // the import's 20 at a million): searched as it is, and kept.
  const kept = searchMetaFile(config.dataDir, config.customers, config.seed);
  if (config.reuse && fs.existsSync(kept)) {
    const meta = JSON.parse(fs.readFileSync(kept, 'utf8')) as DatasetMeta;
    ctx.log(`PostgreSQL: the kept bulk-built dataset ${new URL(meta.databaseUrl).pathname.slice(1)}`);
    const server = startWorker('server', { kind: 'peyvand', databaseUrl: meta.databaseUrl });
    try {
      const { url } = await server.next<Message & { url: string }>('ready');
      return [await searchRow(ctx, `search (PostgreSQL, ${fmt(config.customers)})`, { url, token: meta.token }, meta.databaseUrl, meta.tenantId)];
    } finally {
      await server.stop();
    }
  }
  return withPostgresDatabase(ctx, adminUrl, { scenario: 'search (PostgreSQL)', unit: 'ms p95', target: `p95 ≤ ${SEARCH_TARGET_MS} ms` }, async (databaseUrl) => {
    const server = startWorker('server', { kind: 'peyvand', databaseUrl, load: { count: config.customers, seed: config.seed, batch: config.batch } });
    try {
      ctx.log(`PostgreSQL: loading ${fmt(config.customers)} customers through the import service`);
      const { meta, timing } = await server.next<Message & { meta: DatasetMeta; timing: LoadTiming }>('loaded');
      const { url } = await server.next<Message & { url: string }>('ready');
      const row = await searchRow(ctx, `search (PostgreSQL, ${fmt(config.customers)})`, { url, token: meta.token }, databaseUrl, meta.tenantId);
      const rate = config.customers / (timing.ms / 1000);
      return [row, { scenario: 'bulk upsert on PostgreSQL (reference)', peyvand: rate, baseline: Number.NaN, unit: 'rows/s', ratio: Number.NaN, ratioLabel: '', target: '—', pass: null, details: `${fmt(timing.ms / 1000, 1)} s for ${fmt(config.customers)} customers` }];
    } finally {
      await server.stop();
    }
  });
}

export const search: Scenario = {
  name: 'search',
  async run(ctx: Context): Promise<ResultRow[]> {
    const server = await ctx.datasets.peyvand();
    const rows = [await searchRow(ctx, `search (SQLite, ${fmt(ctx.config.customers)})`, { url: server.url, token: server.meta.token }, `sqlite:${ctx.datasets.peyvandFile}`, server.meta.tenantId)];
    if (ctx.config.postgresUrl) rows.push(...(await postgresRows(ctx, ctx.config.postgresUrl)));
    return rows;
  },
};

/**
 * search-postgres: the PostgreSQL half of {@link search} alone (no SQLite dataset needed);
 * with `--reuse`, on the dataset `bench/search-dataset.ts` kept.
 */
export const searchPostgres: Scenario = {
  name: 'search-postgres',
  onlyWhenNamed: true,
  run(ctx: Context): Promise<ResultRow[]> {
    if (!ctx.config.postgresUrl) throw new Error('search-postgres needs PostgreSQL (no --no-postgres)');
    return postgresRows(ctx, ctx.config.postgresUrl);
  },
};

/**
 * search-mariadb: Peyvand's search on MariaDB/MySQL (`--mysql=URL`), on the dataset
 * `bench/search-dataset.ts --mysql=URL` kept at this size. Reported without a
 * bare baseline (the bare route speaks SQLite and PostgreSQL only): p50/p95 of the same
 * query mix, median of `--rounds`.
 */
export const searchMariadb: Scenario = {
  name: 'search-mariadb',
  onlyWhenNamed: true,
  async run(ctx: Context): Promise<ResultRow[]> {
    const { config } = ctx;
    const kept = searchMetaFile(config.dataDir, config.customers, config.seed, 'mysql');
    if (!fs.existsSync(kept)) throw new Error(`no MariaDB dataset of ${config.customers} customers: build it with bench/search-dataset.ts --mysql=URL --customers=${config.customers}`);
    const meta = JSON.parse(fs.readFileSync(kept, 'utf8')) as DatasetMeta;
    const queries = searchQueries(config.seed, config.customers, config.searchQueries);
    const warm = searchQueries(config.seed + 1, config.customers, Math.min(200, config.searchQueries));
    const q = (list: string[]) => list.map((text) => `/api/v1/customers?q=${encodeURIComponent(text)}`);
    const server = startWorker('server', { kind: 'peyvand', databaseUrl: meta.databaseUrl });
    try {
      const { url } = await server.next<Message & { url: string }>('ready');
      ctx.log(`MariaDB: ${queries.length} queries × ${config.rounds} rounds`);
      const runs = [];
      for (let round = 0; round < config.rounds; round++) {
        await measure(config, { url, token: meta.token, connections: 1, amount: warm.length, paths: q(warm) });
        runs.push(await measure(config, { url, token: meta.token, connections: 1, amount: queries.length, paths: q(queries) }));
      }
      const pv = summary(runs);
      return [{ scenario: `search (MariaDB, ${fmt(config.customers)})`, peyvand: pv.p95, baseline: Number.NaN, unit: 'ms p95', ratio: Number.NaN, ratioLabel: '', target: `p95 ≤ ${SEARCH_TARGET_MS} ms`, pass: pv.p95 <= SEARCH_TARGET_MS, details: `p50 ${fmt(pv.p50, 1)} ms, no bare baseline` }];
    } finally {
      await server.stop();
    }
  },
};
