/**
 * The PostgreSQL runs of the scenarios: each gets a database of its own on the server
 * (`--postgres=URL`), dropped afterwards, and is reported as skipped when the server
 * cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Context, ResultRow } from './scenario.js';

/** Runs `work` on a fresh database of the server at `adminUrl`; `skipped` when it is unreachable. */
export async function withPostgresDatabase(ctx: Context, adminUrl: string, skipped: Omit<ResultRow, 'peyvand' | 'baseline' | 'ratio' | 'ratioLabel' | 'pass' | 'details'>, work: (databaseUrl: string) => Promise<ResultRow[]>): Promise<ResultRow[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    ctx.log(`PostgreSQL not reachable (${(err as Error).message}): skipped`);
    return [{ ...skipped, peyvand: Number.NaN, baseline: Number.NaN, ratio: Number.NaN, ratioLabel: '', pass: null, details: 'skipped: PostgreSQL not reachable' }];
  }
  const name = `peyvand_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  try {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return await work(u.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
