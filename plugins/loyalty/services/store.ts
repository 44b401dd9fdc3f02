/**
 * Table access shared by the loyalty services: prefixed names, a tenant's rows, and the
 * per-customer account lock every balance-changing write takes first.
 */
import type { Knex } from 'knex';
import type { Database, Executor } from '../../../core/plugin/index.js';

/** A loyalty table (without the `loyalty_` prefix). */
export type LoyaltyTable = 'programs' | 'accounts' | 'ledger' | 'schedule' | 'rewards' | 'redemptions' | 'orders';

/** Table access for one deployment. */
export class LoyaltyStore {
  constructor(readonly db: Database) {}

  /** The real name: `table('ledger')` → `crm_loyalty_ledger`. */
  table(name: LoyaltyTable): string {
    return this.db.table(`loyalty_${name}`);
  }

  /** A tenant's rows of a table. */
  rows(trx: Executor, name: LoyaltyTable, tenantId: string): Knex.QueryBuilder {
    return trx(this.table(name)).where(`${this.table(name)}.tenant_id`, tenantId);
  }

  /** Adds a row lock on PostgreSQL and MySQL; SQLite's single writer serializes anyway. */
  forUpdate(q: Knex.QueryBuilder): Knex.QueryBuilder {
    return this.db.dialect === 'sqlite' ? q : q.forUpdate();
  }

  /**
   * Creates the account row when missing. Call it BEFORE the transaction that locks it:
   * inserting inside racing transactions invites deadlocks on MySQL (insert intention
   * locks against the duplicate's shared lock), and a committed row is simply there.
   */
  async ensureAccount(tenantId: string, customerId: string): Promise<void> {
    const now = Date.now();
    await this.db.knex(this.table('accounts')).insert({ tenant_id: tenantId, customer_id: customerId, created_at: now, updated_at: now }).onConflict(['tenant_id', 'customer_id']).ignore();
  }

  /**
   * Locks a customer's account for the rest of `trx`: every write that changes a balance
   * takes this lock first, so balance checks and the entries they allow are serialized
   * per customer. The lock is taken before any plain read in the transaction, so
   * MySQL's REPEATABLE READ snapshot starts after it and sees every committed entry.
   */
  async lockAccount(trx: Knex.Transaction, tenantId: string, customerId: string): Promise<Record<string, unknown>> {
    const row = (await this.forUpdate(this.rows(trx, 'accounts', tenantId).where({ customer_id: customerId })).first()) as Record<string, unknown> | undefined;
    if (!row) throw new Error(`loyalty account ${customerId} missing: ensureAccount first`);
    return row;
  }
}
