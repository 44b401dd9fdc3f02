/**
 * Table access shared by the loyalty services: prefixed names, a tenant's rows, and the
 * per-customer account lock every balance-changing write takes first.
 */
import type { Knex } from 'knex';
import type { Database, Executor, PluginTable, PluginTables, RowQuery } from '../../../core/plugin/index.js';
import type { AccountRow } from './rows.js';

/** A loyalty table (without the `loyalty_` prefix): the ones `rows.ts` declares. */
export type LoyaltyTable = PluginTable extends infer T ? (T extends `loyalty_${infer N}` ? N : never) : never;

/** The row type of a loyalty table (`rows.ts`). */
export type LoyaltyRow<N extends LoyaltyTable> = PluginTables[`loyalty_${N}`];

/** Table access for one deployment. */
export class LoyaltyStore {
  constructor(readonly db: Database) {}

  /** The real name: `table('ledger')` → `crm_loyalty_ledger`. */
  table(name: LoyaltyTable): string {
    return this.db.table(`loyalty_${name}`);
  }

  /** A tenant's rows of a table. */
  rows<N extends LoyaltyTable>(trx: Executor, name: N, tenantId: string): RowQuery<LoyaltyRow<N>> {
    return trx<LoyaltyRow<N>>(this.table(name)).where(`${this.table(name)}.tenant_id`, tenantId);
  }

  /** Adds a row lock on PostgreSQL and MySQL; SQLite's single writer serializes anyway. */
  forUpdate<Q extends Knex.QueryBuilder>(q: Q): Q {
    return this.db.dialect === 'sqlite' ? q : (q.forUpdate() as Q);
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
  async lockAccount(trx: Knex.Transaction, tenantId: string, customerId: string): Promise<AccountRow> {
    const row = await this.forUpdate(this.rows(trx, 'accounts', tenantId).where({ customer_id: customerId })).first();
    if (!row) throw new Error(`loyalty account ${customerId} missing: ensureAccount first`);
    return row;
  }
}
