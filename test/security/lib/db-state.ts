/**
 * What the database holds, cheaply, on all three dialects: every Peyvand table (found by
 * its prefix, so plugin tables are included without naming them), its row count, and for
 * tables with `updated_at`/`version` their maximum/sum, so an UPDATE shows up as well as an
 * INSERT or DELETE. Also a fingerprint of one tenant's rows, to prove another tenant's
 * calls never touch them.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../../../core/db/database.js';

/** Table name → summary string (`count|max(updated_at)|sum(version)`). */
export type DbSummary = Record<string, string>;

/** The prefixed tables of a deployment, with their columns (cached per Database). */
const tableCache = new WeakMap<Database, Promise<Array<{ name: string; columns: Set<string> }>>>();

async function listTables(db: Database): Promise<Array<{ name: string; columns: Set<string> }>> {
  const k = db.knex;
  let names: string[];
  if (db.dialect === 'sqlite') {
    names = (await k.raw("select name from sqlite_master where type in ('table') and name like ?", [`${db.prefix}%`])).map((r: { name: string }) => r.name);
  } else if (db.dialect === 'postgres') {
    names = (await k.raw("select table_name as name from information_schema.tables where table_schema = current_schema() and table_name like ?", [`${db.prefix}%`])).rows.map((r: { name: string }) => r.name);
  } else {
    names = (await k.raw('select table_name as name from information_schema.tables where table_schema = database() and table_name like ?', [`${db.prefix}%`]))[0].map((r: { name: string }) => r.name);
  }
  const out = [];
  // Every request, refused or not, counts against its credential's rate limit: on
  // PostgreSQL and MariaDB those counts are shared through this table by design
  // (core/http/rate-limit.ts), so it is not data a request may be said to change.
  const requestCounts = `${db.prefix}rate_limit_counts`;
  for (const name of names.sort().filter((n) => n !== requestCounts)) {
    // Internal tables of SQLite's FTS5 have no column info worth reading but can be counted.
    let columns = new Set<string>();
    try {
      columns = new Set(Object.keys(await k(name).columnInfo()));
    } catch {
      // a virtual table: counted only
    }
    out.push({ name, columns });
  }
  return out;
}

/** The tables (refreshed when asked, e.g. after a plugin migration). */
export function tablesOf(db: Database, refresh = false): Promise<Array<{ name: string; columns: Set<string> }>> {
  let cached = tableCache.get(db);
  if (!cached || refresh) {
    cached = listTables(db);
    tableCache.set(db, cached);
  }
  return cached;
}

/**
 * Row counts (and change markers) of every Peyvand table, the outbox included, in one
 * statement: a UNION ALL of one aggregate per table, so a snapshot is one round trip on
 * PostgreSQL and MariaDB rather than one per table (the fuzz takes two per request).
 */
export async function summarize(db: Database): Promise<DbSummary> {
  const text = db.dialect === 'mysql' ? 'char' : 'text';
  const marker = (columns: Set<string>, column: string, fn: string) => (columns.has(column) ? `cast(${fn}(??) as ${text})` : `cast(null as ${text})`);
  const parts: string[] = [];
  const bindings: string[] = [];
  for (const { name, columns } of await tablesOf(db)) {
    parts.push(`select cast(? as ${text}) as t, count(*) as n, ${marker(columns, 'updated_at', 'max')} as u, ${marker(columns, 'version', 'sum')} as v, ${marker(columns, 'seq', 'max')} as s from ??`);
    bindings.push(name, ...['updated_at', 'version', 'seq'].filter((c) => columns.has(c)), name);
  }
  const result = await db.knex.raw(parts.join(' union all '), bindings);
  const rows: Array<Record<string, unknown>> = db.dialect === 'postgres' ? result.rows : db.dialect === 'mysql' ? result[0] : result;
  const out: DbSummary = {};
  for (const row of rows) out[String(row.t)] = [row.n, row.u ?? '', row.v ?? '', row.s ?? ''].map((v) => String(v)).join('|');
  return out;
}

/** The tables whose summary differs between two snapshots. */
export function changedTables(before: DbSummary, after: DbSummary): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]);
}

/** A hash of every row that carries `tenant_id = tenantId`, over all tables. */
export async function tenantFingerprint(db: Database, tenantId: string): Promise<string> {
  const hash = createHash('sha256');
  for (const { name, columns } of await tablesOf(db)) {
    if (!columns.has('tenant_id')) continue;
    const rows: Array<Record<string, unknown>> = await db.knex(name).where('tenant_id', tenantId);
    const lines = rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, normalizeCell(r[k])]))).sort();
    hash.update(`${name}\n${lines.join('\n')}\n`);
  }
  // The tenant row itself (settings, embed config) lives in `tenants`, keyed by id.
  const tenant = await db.knex(db.table('tenants')).where('id', tenantId).first();
  hash.update(JSON.stringify(tenant ?? null, (_k, v: unknown) => normalizeCell(v)));
  return hash.digest('hex');
}

function normalizeCell(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** A knex raw helper some tests use to read a column as stored. */
export async function rawColumn(knex: Knex, table: string, column: string, where: Record<string, unknown>): Promise<unknown> {
  const row = await knex(table).where(where).first(column);
  return row?.[column];
}
