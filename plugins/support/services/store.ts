/**
 * Table access shared by the support services: prefixed names, a tenant's rows, record
 * scope of tickets compiled into the query (the assignee owns a ticket), row locks for
 * writes where the dialect has them, version-checked updates.
 */
import type { Knex } from 'knex';
import { applyRecordScope, coreError, retryOnDeadlock, type Actor, type Database, type Executor } from '../../../core/plugin/index.js';

/** A support table (without the `support_` prefix). */
export type SupportTable = 'counters' | 'calendars' | 'queues' | 'sla_policies' | 'tickets' | 'messages' | 'sla_targets' | 'canned_responses' | 'csat_links';

/** Table access for one deployment. */
export class SupportStore {
  constructor(readonly db: Database) {}

  /** The real name: `table('tickets')` → `crm_support_tickets`. */
  table(name: SupportTable): string {
    return this.db.table(`support_${name}`);
  }

  /** A tenant's rows of a table. */
  rows(trx: Executor, name: SupportTable, tenantId: string): Knex.QueryBuilder {
    return trx(this.table(name)).where(`${this.table(name)}.tenant_id`, tenantId);
  }

  /** The tickets the actor may see: record scope is part of the SQL. */
  tickets(trx: Executor, actor: Actor): Knex.QueryBuilder {
    const t = this.table('tickets');
    return applyRecordScope(this.rows(trx, 'tickets', actor.tenantId), actor, 'ticket', { owner: `${t}.assignee_id`, team: `${t}.team_id` });
  }

  /** The tenant's language, read in `trx` (SQLite has one connection, held by the transaction). */
  async tenantLocale(trx: Executor, tenantId: string): Promise<'fa' | 'en'> {
    const row = await trx(this.db.table('tenants')).where({ id: tenantId }).first('locale');
    return row?.locale === 'fa' ? 'fa' : 'en';
  }

  /** Adds a row lock on PostgreSQL and MySQL; SQLite's single writer serializes anyway. */
  forUpdate(q: Knex.QueryBuilder): Knex.QueryBuilder {
    return this.db.dialect === 'sqlite' ? q : q.forUpdate();
  }

  /** A version-checked update; a lost race or a stale If-Match is a 412. */
  async updateVersioned(trx: Knex.Transaction, name: SupportTable, tenantId: string, id: string, version: number, values: Record<string, unknown>): Promise<void> {
    const updated = await this.rows(trx, name, tenantId).where({ id, version }).update({ ...values, version: version + 1 });
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
    const updated = await trx(table).where({ tenant_id: tenantId }).increment('last_number', 1);
    if (Number(updated) === 0) {
      await trx(table).insert({ tenant_id: tenantId, last_number: 0 }).onConflict('tenant_id').ignore();
      await trx(table).where({ tenant_id: tenantId }).increment('last_number', 1);
    }
    const row = await trx(table).where({ tenant_id: tenantId }).first('last_number');
    return Number(row.last_number);
  }

  /**
   * Runs `work` in a transaction, again (up to three times) when the database chose it as
   * a deadlock victim: two first tickets of a tenant racing to create its counter row.
   */
  async retryingTransaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return retryOnDeadlock(() => this.db.transaction(work));
  }
}

/** Throws 412 when an If-Match version is given and differs. */
export function checkVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw coreError('PRECONDITION_FAILED', { current });
}
