/**
 * The PostgreSQL search index before migration 016: one row per customer with a
 * `tsvector` of `<tenantKey>:<term>` lexemes under a GIN index. Only migration 016 uses
 * this, to convert between it and the terms table in both directions; the lexemes are
 * the terms verbatim, so each conversion is exact and runs in SQL.
 */
import type { Knex } from 'knex';
import { termsTable } from './postgres-sql.js';

const table = (prefix: string): string => `${prefix}customer_search`;

/** `tenantKey` of `terms.ts`, in SQL: hyphens dropped from a canonical UUID, else `x` + hex. */
const TENANT_KEY_SQL = `case when tenant_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then replace(tenant_id, '-', '') else 'x' || encode(convert_to(tenant_id, 'UTF8'), 'hex') end`;

/** Drops the tsvector index, if there is one. */
export async function dropTsvectorIndex(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.dropTableIfExists(table(prefix));
}

/** True when the database holds the tsvector index (a database migrated before 015). */
export function hasTsvectorIndex(knex: Knex, prefix: string): Promise<boolean> {
  return knex.schema.hasTable(table(prefix));
}

/** Copies every customer's lexemes into the (empty) terms table, without the tenant key. */
export async function copyTsvectorToTerms(knex: Knex, prefix: string): Promise<void> {
  // A lexeme is `<tenantKey>:<term>`; the tenant key holds no `:`.
  await knex.raw(`insert into ?? (tenant_id, customer_id, term) select s.tenant_id, s.customer_id, substr(l.lexeme, strpos(l.lexeme, ':') + 1) from ?? s cross join unnest(s.terms) as l(lexeme)`, [termsTable(prefix), table(prefix)]);
}

/** Creates the tsvector index filled from the terms table. */
export async function createTsvectorFromTerms(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.createTable(table(prefix), (t) => {
    t.string('tenant_id', 36).notNullable();
    t.string('customer_id', 36).notNullable();
    t.specificType('terms', 'tsvector').notNullable();
    t.primary(['tenant_id', 'customer_id']);
  });
  await knex.raw(`insert into ?? (tenant_id, customer_id, terms) select tenant_id, customer_id, array_to_tsvector(array_agg((${TENANT_KEY_SQL}) || ':' || term)) from ?? group by tenant_id, customer_id`, [table(prefix), termsTable(prefix)]);
  await knex.raw('create index ?? on ?? using gin (terms)', [`${table(prefix)}_terms_gin`, table(prefix)]);
}
