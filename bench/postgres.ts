/**
 * The PostgreSQL runs of the scenarios: each gets a database of its own on the server
 * (`--postgres=URL`), dropped afterwards, and is reported as skipped when the server
 * cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Context, ResultRow } from './scenario.js';

/**
 * Runs `work` on a fresh database of the server at `adminUrl`; `skipped` when it is
 * unreachable. With `keep`, the database of that name instead, left in place afterwards
 * (`--keep-data`) so that a later run with `keep.reuse` finds its rows; without `reuse`
 * it is made afresh.
 */
export async function withPostgresDatabase(ctx: Context, adminUrl: string, skipped: Omit<ResultRow, 'peyvand' | 'baseline' | 'ratio' | 'ratioLabel' | 'pass' | 'details'>, work: (databaseUrl: string) => Promise<ResultRow[]>, keep?: { name: string; reuse: boolean }): Promise<ResultRow[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    ctx.log(`PostgreSQL not reachable (${(err as Error).message}): skipped`);
    return [{ ...skipped, peyvand: Number.NaN, baseline: Number.NaN, ratio: Number.NaN, ratioLabel: '', pass: null, details: 'skipped: PostgreSQL not reachable' }];
  }
  const name = keep?.name ?? `peyvand_bench_${randomBytes(4).toString('hex')}`;
  if (keep && !keep.reuse) await admin.query(`drop database if exists ${name} with (force)`);
  if (!keep || (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 0) await admin.query(`create database ${name}`);
  try {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return await work(u.toString());
  } finally {
    if (keep === undefined) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
