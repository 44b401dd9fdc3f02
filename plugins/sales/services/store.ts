/**
 * Table access shared by the sales services: prefixed names, a tenant's rows, record
 * scope compiled into the query, and row locks for writes where the dialect has them.
 */
import type { Knex } from 'knex';
import { applyRecordScope, coreError, type Actor, type PluginData, type PluginTable, type PluginTables, type RowQuery } from '../../../core/plugin/index.js';
// The sales tables' entries in PluginTables, which the types below read.
import './rows.js';

/** The owned resources of the plugin and the columns that say who owns a row. */
export const OWNER_COLUMNS = {
  lead: { owner: 'owner_id', team: 'team_id' },
  deal: { owner: 'owner_id', team: 'team_id' },
  task: { owner: 'assignee_id', team: 'team_id' },
} as const;

/** A sales table (without the `sales_` prefix): the ones `rows.ts` declares. */
export type SalesTable = PluginTable extends infer T ? (T extends `sales_${infer N}` ? N : never) : never;

/** The row type of a sales table. */
export type SalesRow<N extends SalesTable> = PluginTables[`sales_${N}`];

/** Table access for one deployment, through the tenant-scoped data layer (`ctx.data`). */
export class SalesStore {
  constructor(readonly data: PluginData) {}

  /** The real name: `table('deals')` → `crm_sales_deals`, for qualified column names. */
  table(name: SalesTable): string {
    return this.data.table(`sales_${name}`);
  }

  /** A tenant's rows of a table, in `trx` when given; inserts get the tenant set. */
  rows<N extends SalesTable>(trx: Knex.Transaction | undefined, name: N, tenantId: string): RowQuery<SalesRow<N>> {
    return this.data.forTenant(tenantId, trx).from(`sales_${name}`);
  }

  /** A tenant's rows the actor may see: record scope is part of the SQL. */
  scoped<N extends 'leads' | 'deals' | 'tasks'>(trx: Knex.Transaction | undefined, name: N, actor: Actor): RowQuery<SalesRow<N>> {
    const resource = name === 'leads' ? 'lead' : name === 'deals' ? 'deal' : 'task';
    const columns = OWNER_COLUMNS[resource];
    const t = this.table(name);
    return applyRecordScope(this.rows(trx, name, actor.tenantId), actor, resource, { owner: `${t}.${columns.owner}`, team: `${t}.${columns.team}` });
  }

  /** Adds a row lock on PostgreSQL and MySQL; SQLite's single writer serializes anyway. */
  forUpdate<Q extends Knex.QueryBuilder>(q: Q): Q {
    return this.data.forUpdate(q);
  }

  /**
   * A version-checked update; a lost race or a stale If-Match is a 412. `values` is
   * checked against the table's row; inside, knex cannot resolve a row type that is
   * still generic, hence the untyped builder.
   */
  async updateVersioned<N extends 'pipelines' | 'deals' | 'leads' | 'tasks'>(trx: Knex.Transaction, name: N, tenantId: string, id: string, version: number, values: Partial<SalesRow<N>>): Promise<void> {
    const updated = await this.data.forTenant(tenantId, trx).fromUntyped(`sales_${name}`).where({ id, version }).update({ ...values, version: version + 1 });
    if (updated !== 1) throw coreError('PRECONDITION_FAILED', { current: version });
  }

  /** Runs `work` in a transaction, or in the caller's when given. */
  inTransaction<T>(trx: Knex.Transaction | undefined, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return trx ? work(trx) : this.data.transaction(work);
  }
}

/** Throws 412 when an If-Match version is given and differs. */
export function checkVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw coreError('PRECONDITION_FAILED', { current });
}

/** Names of the fields whose JSON differs between two records. */
export function changedFields<T extends object>(before: T, after: T, fields: ReadonlyArray<keyof T>): string[] {
  return fields.filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).map(String);
}

/** Cursor page of a newest-first list keyed by UUIDv7 id. */
export function pageOf<T extends { id: string }>(items: T[], limit: number, encode: (key: string[]) => string): { items: T[]; nextCursor: string | null } {
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page, nextCursor: items.length > limit && last ? encode([last.id]) : null };
}
