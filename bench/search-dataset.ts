/**
 * The PostgreSQL (and MariaDB) search dataset in bulk: `npm run bench` loads it through the import
 * service (802 rows/s at a million: 20 minutes), too slow to iterate on the search at the
 * issue's size. This builds the same customers (customer `i` of the seed, uuidv7 ids in
 * index order, so "newest first" is the same order) with the rows a search reads — the
 * customer row and its search terms, derived by Peyvand's own pure functions — in a
 * database kept between runs (`--reuse` in the search scenario finds it by its meta file).
 * Identities, refs, tags, audit and outbox rows are left out: no search reads them.
 *
 *   node --import tsx bench/search-dataset.ts [--customers=N] [--seed=S] [--postgres=URL]
 *
 * The head indexes are built after the rows (as a restore does), then `vacuum analyze`.
 * `--mysql=URL` builds the same customers into a MariaDB/MySQL database instead, its search
 * rows written by the MySQL index's own `putMany` (what the import calls), then `analyze`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { createPeyvand } from '../core/peyvand.js';
import { searchFieldsOf } from '../core/customers/identities.js';
import { searchIndexFor } from '../core/customers/search-index/index.js';
import type { SearchEntry } from '../core/customers/search-index/search-index-types.js';
import { indexTerms } from '../core/customers/search-index/terms.js';
import { termsTable } from '../core/customers/search-index/postgres-sql.js';
import { configFrom } from './config.js';
import { generateCustomers } from './generate.js';
import type { DatasetMeta } from './load-dataset.js';

/** Where a kept PostgreSQL (or `mysql`) search dataset of this size and seed is described. */
export function searchMetaFile(dataDir: string, customers: number, seed: number, dialect: 'postgres' | 'mysql' = 'postgres'): string {
  return path.join(dataDir, `${dialect}-search-${customers}-${seed}.json`);
}

/** The same customers into a MariaDB/MySQL server (`adminUrl` names no database). */
export async function buildMysqlSearchDataset(adminUrl: string, dataDir: string, o: { count: number; seed: number }): Promise<DatasetMeta> {
  const name = `peyvand_search_${o.count}_${o.seed}`;
  const u = new URL(adminUrl);
  const { default: mysql } = await import('mysql2/promise');
  const admin = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password) });
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_unicode_ci`);
  await admin.end();
  u.pathname = `/${name}`;
  const databaseUrl = u.toString();
  const peyvand = await createPeyvand({ databaseUrl, secret: randomBytes(32).toString('base64url'), logger: pino({ level: 'warn' }), dispatch: false });
  const { kernel } = peyvand;
  const { knex } = kernel.db;
  const tenant = await kernel.tenants.create({ slug: 'bench', name: 'Bench', locale: 'fa' });
  const key = await kernel.apiKeys.create({ tenantId: tenant.id, subject: 'system:bench', kind: 'system' }, 'bench', 'admin');
  const index = searchIndexFor('mysql');
  const t0 = performance.now();
  const batch = 2_000;
  for (let start = 0; start < o.count; start += batch) {
    const rows: Record<string, unknown>[] = [];
    const entries: SearchEntry[] = [];
    const now = Date.now();
    for (const { source, externalId, input } of generateCustomers({ seed: o.seed, count: Math.min(batch, o.count - start), start })) {
      const id = uuidv7();
      const emails = input.emails ?? [];
      const phones = input.phones ?? [];
      rows.push({ id, tenant_id: tenant.id, kind: input.kind, name: input.name, given_name: input.givenName ?? null, family_name: input.familyName ?? null, emails: JSON.stringify(emails), phones: JSON.stringify(phones), addresses: '[]', tags: JSON.stringify(input.tags ?? []), custom_fields: '{}', external_refs: JSON.stringify([{ source, id: externalId }]), locale: input.locale ?? null, owner_id: 'system:bench', version: 1, created_at: now, updated_at: now });
      entries.push({ tenantId: tenant.id, customerId: id, fields: searchFieldsOf({ name: input.name, givenName: input.givenName ?? undefined, familyName: input.familyName ?? undefined, emails, phones }) });
    }
    await knex.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += 500) await trx(kernel.db.table('customers')).insert(rows.slice(i, i + 500));
      await index.putMany(trx, kernel.db.prefix, entries, { isNew: true });
    });
    if ((start / batch) % 50 === 0) console.log(`${start + batch} customers, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  await knex.raw(`analyze table ${kernel.db.table('customers')}, ${kernel.db.table('customer_search')}`);
  await peyvand.close();
  console.log(`built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const meta: DatasetMeta = { databaseUrl, tenantId: tenant.id, token: key.key, count: o.count, seed: o.seed };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(searchMetaFile(dataDir, o.count, o.seed, 'mysql'), JSON.stringify(meta, null, 2));
  return meta;
}

/** Builds the dataset; returns its meta (also written to {@link searchMetaFile}). */
export async function buildPostgresSearchDataset(adminUrl: string, dataDir: string, o: { count: number; seed: number }): Promise<DatasetMeta> {
  const name = `peyvand_search_${o.count}_${o.seed}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const databaseUrl = u.toString();
  const peyvand = await createPeyvand({ databaseUrl, secret: randomBytes(32).toString('base64url'), logger: pino({ level: 'warn' }), dispatch: false });
  const { kernel } = peyvand;
  const tenant = await kernel.tenants.create({ slug: 'bench', name: 'Bench', locale: 'fa' });
  const key = await kernel.apiKeys.create({ tenantId: tenant.id, subject: 'system:bench', kind: 'system' }, 'bench', 'admin');
  await peyvand.close();
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const terms = termsTable('crm_');
  const heads = await db.query<{ indexdef: string; indexname: string }>('select indexname, indexdef from pg_indexes where tablename = $1', [terms]);
  for (const h of heads.rows) await db.query(`drop index ${h.indexname}`);
  const t0 = performance.now();
  const batch = 5_000;
  for (let start = 0; start < o.count; start += batch) {
    const c: string[][] = Array.from({ length: 11 }, () => []);
    const t: string[][] = [[], []];
    const now = String(Date.now());
    for (const { source, externalId, input } of generateCustomers({ seed: o.seed, count: Math.min(batch, o.count - start), start })) {
      const id = uuidv7();
      const emails = input.emails ?? [];
      const phones = input.phones ?? [];
      const row = [id, input.kind, input.name, input.givenName ?? null, input.familyName ?? null, JSON.stringify(emails), JSON.stringify(phones), JSON.stringify(input.tags ?? []), JSON.stringify([{ source, id: externalId }]), input.locale ?? null, now];
      row.forEach((v, i) => c[i]!.push(v as string));
      for (const term of indexTerms(searchFieldsOf({ name: input.name, givenName: input.givenName ?? undefined, familyName: input.familyName ?? undefined, emails, phones }))) {
        t[0]!.push(id);
        t[1]!.push(term);
      }
    }
    await db.query('begin');
    await db.query(
      `insert into crm_customers (id, tenant_id, kind, name, given_name, family_name, emails, phones, addresses, tags, custom_fields, external_refs, locale, owner_id, version, created_at, updated_at)
       select id, $12, kind, name, gn, fn, em, ph, '[]', tg, '{}', rf, lc, 'system:bench', 1, ts::bigint, ts::bigint
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) as x(id, kind, name, gn, fn, em, ph, tg, rf, lc, ts)`,
      [...c, tenant.id],
    );
    await db.query(`insert into ${terms} (tenant_id, customer_id, term) select $1, cid, term from unnest($2::text[], $3::text[]) as x(cid, term)`, [tenant.id, ...t]);
    await db.query('commit');
    if ((start / batch) % 20 === 0) console.log(`${start + batch} customers, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  for (const h of heads.rows) await db.query(h.indexdef);
  await db.query('vacuum analyze');
  await db.end();
  console.log(`built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const meta: DatasetMeta = { databaseUrl, tenantId: tenant.id, token: key.key, count: o.count, seed: o.seed };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(searchMetaFile(dataDir, o.count, o.seed), JSON.stringify(meta, null, 2));
  return meta;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = configFrom(process.argv.slice(2));
  const o = { count: config.customers, seed: config.seed };
  if (config.mysqlUrl) await buildMysqlSearchDataset(config.mysqlUrl, config.dataDir, o);
  else if (config.postgresUrl) await buildPostgresSearchDataset(config.postgresUrl, config.dataDir, o);
  else throw new Error('no database server URL');
}
