/**
 * Table access shared by the support services: prefixed names, a tenant's rows, record
 * scope of tickets compiled into the query (the assignee owns a ticket), row locks for
 * writes where the dialect has them, version-checked updates.
 */
import type { Knex } from 'knex';
import { applyRecordScope, coreError, readInt, retryOnDeadlock, type Actor, type Database, type Executor, type PluginTable, type PluginTables, type RowQuery } from '../../../core/plugin/index.js';
import type { TicketRow } from './rows.js';

/** A support table (without the `support_` prefix): the ones `rows.ts` declares. */
export type SupportTable = PluginTable extends infer T ? (T extends `support_${infer N}` ? N : never) : never;

/** The row type of a support table (`rows.ts`). */
export type SupportRow<N extends SupportTable> = PluginTables[`support_${N}`];

/** Table access for one deployment. */
export class SupportStore {
  constructor(readonly db: Database) {}

  /** The real name: `table('tickets')` → `crm_support_tickets`. */
  table(name: SupportTable): string {
    return this.db.table(`support_${name}`);
  }

  /** A tenant's rows of a table. */
  rows<N extends SupportTable>(trx: Executor, name: N, tenantId: string): RowQuery<SupportRow<N>> {
    return trx<SupportRow<N>>(this.table(name)).where(`${this.table(name)}.tenant_id`, tenantId);
  }

  /** The tickets the actor may see: record scope is part of the SQL. */
  tickets(trx: Executor, actor: Actor): RowQuery<TicketRow> {
    const t = this.table('tickets');
    return applyRecordScope(this.rows(trx, 'tickets', actor.tenantId), actor, 'ticket', { owner: `${t}.assignee_id`, team: `${t}.team_id` });
  }

  /** The tenant's language, read in `trx` (SQLite has one connection, held by the transaction). */
  async tenantLocale(trx: Executor, tenantId: string): Promise<'fa' | 'en'> {
    return (await this.tenantSettings(trx, tenantId)).locale;
  }

  /** The tenant's language and time zone (UTC when unset), read in `trx` like {@link tenantLocale}. */
  async tenantSettings(trx: Executor, tenantId: string): Promise<{ locale: 'fa' | 'en'; timeZone: string }> {
    const row = await trx(this.db.table('tenants')).where({ id: tenantId }).first<{ locale: string; time_zone: string | null } | undefined>('locale', 'time_zone');
    return { locale: row?.locale === 'fa' ? 'fa' : 'en', timeZone: row?.time_zone ?? 'UTC' };
  }

  /** Adds a row lock on PostgreSQL and MySQL; SQLite's single writer serializes anyway. */
  forUpdate<Q extends Knex.QueryBuilder>(q: Q): Q {
    return this.db.dialect === 'sqlite' ? q : (q.forUpdate() as Q);
  }

  /**
   * A version-checked update; a lost race or a stale If-Match is a 412. `values` is checked
   * against the table's row here; the query is widened to knex's untyped builder, whose
   * update types do not resolve for a row type that is still generic (`SupportRow<N>`).
   */
  async updateVersioned<N extends SupportTable>(trx: Knex.Transaction, name: N, tenantId: string, id: string, version: number, values: Partial<SupportRow<N>>): Promise<void> {
    const rows: Knex.QueryBuilder = this.rows(trx, name, tenantId);
    const updated = await rows.where({ id, version }).update({ ...values, version: version + 1 });
    if (updated !== 1) throw coreError('PRECONDITION_FAILED', { current: version });
  }

  /**
   * The tenant's next ticket number, taken inside the caller's transaction: the counter
   * row is incremented under its row lock, so two tickets never share a number and numbers
   * only grow. The row is created by the tenant's first ticket (a concurrent creator's
   * insert is ignored). Incrementing first matters on MySQL: an ignored insert of an
   * existing row takes a shared lock, and two of those deadlock on the update.
   */
  async nextTicketNumber(trx: Knex.Transaction, tenantId: string): Promise<number> {
    const table = this.table('counters');
    const updated = await trx<SupportRow<'counters'>>(table).where({ tenant_id: tenantId }).increment('last_number', 1);
    if (Number(updated) === 0) {
      await trx(table).insert({ tenant_id: tenantId, last_number: 0 }).onConflict('tenant_id').ignore();
      await trx(table).where({ tenant_id: tenantId }).increment('last_number', 1);
    }
    const row = await trx<SupportRow<'counters'>>(table).where({ tenant_id: tenantId }).first('last_number');
    if (!row) throw new Error(`support counter of tenant ${tenantId} missing`);
    return readInt(row.last_number);
  }

  /**
   * Runs `work` in a transaction, again (up to five times in all, after a short jittered
   * wait) when the database refused it for a concurrent transaction: a deadlock victim (two
   * first tickets of a tenant racing to create its counter row; changes of tickets and SLA
   * policies meeting on the report summary's rows), a lock wait timeout. `work` must read
   * afresh and write nothing outside the database.
   */
  async retryingTransaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return retryOnDeadlock(() => this.db.transaction(work));
  }
}

/** Throws 412 when an If-Match version is given and differs. */
export function checkVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw coreError('PRECONDITION_FAILED', { current });
}

/**
 * The plugin as the author of the changes a rule makes (`system:support-sla` escalating a
 * breach, `system:support-absence` handing on an absent agent's tickets): it may assign
 * tickets to anyone, and sees them all.
 */
export function ruleActor(tenantId: string, rule: 'sla' | 'absence'): Actor {
  return { tenantId, tenantSlug: '', subject: `system:support-${rule}`, kind: 'system', roles: [], teams: [], permissions: new Set(['support.ticket.assign']), scopes: {} };
}
