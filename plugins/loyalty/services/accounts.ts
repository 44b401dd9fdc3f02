/**
 * Customer accounts: the balance and tier a customer sees (derived from the ledger at
 * read time) and manual adjustments. Everything that changes a balance goes through
 * {@link AccountService.withAccount}, which takes the customer's lock first.
 */
import type { Knex } from 'knex';
import { newId, readInt, retryOnDeadlock, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { accountSchema, adjustmentSchema } from '../schemas/account-schemas.js';
import { balanceOf, type LedgerEntryDto, type LedgerState } from './balance.js';
import { addMonths } from './dates.js';
import type { Ledger } from './ledger.js';
import type { Program, ProgramService } from './program.js';
import type { AccountRow } from './rows.js';
import type { LoyaltyStore } from './store.js';
import type { TierService } from './tiers.js';

/** Body of `POST /adjustments`: a signed, non-zero correction. */
export type AdjustmentInput = SchemaType<typeof adjustmentSchema>;

/** Thrown to roll back {@link AccountService.withAccount}'s trial run. */
const DRY_RUN = Symbol('dry run');

/** An account as `GET /accounts/{customerId}` shows it. */
export type AccountDto = SchemaType<typeof accountSchema>;

/** What a locked write sees. */
export interface LockedAccount {
  trx: Knex.Transaction;
  account: AccountRow;
  state: LedgerState;
  program: Program | undefined;
  timeZone: string;
}

/** Reads accounts and runs locked writes. */
export class AccountService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
    private readonly ledger: Ledger,
    private readonly programs: ProgramService,
    private readonly tiers: TierService,
    private readonly soonMs: number,
  ) {}

  /** The tenant's time zone (read outside transactions: SQLite has one connection). */
  async timeZone(tenantId: string): Promise<string> {
    return (await this.ctx.tenants.findById(tenantId))?.timeZone ?? 'UTC';
  }

  /**
   * Runs `work` in a transaction holding the customer's account lock, with the replayed
   * ledger, the program and the tenant's time zone read after the lock.
   */
  async withAccount<T>(tenantId: string, customerId: string, work: (locked: LockedAccount) => Promise<T>): Promise<T> {
    const timeZone = await this.timeZone(tenantId);
    const known = await this.ctx.data.forTenant(tenantId).from('loyalty_accounts').where({ customer_id: customerId }).first('customer_id');
    if (!known) {
      // No account yet: the work first runs against a blank one in a transaction that is always
      // rolled back, so a refusal (too few points, a tier or a referral refused) leaves no account
      // row behind — a 4xx changes nothing. The row cannot be created inside the locking
      // transaction (see ensureAccount), and the real run below decides.
      // Unlocked, two of these for one customer (an order event delivered while a demo or an
      // ERP re-sync writes the same customer's orders) can deadlock on each other's inserts:
      // the database aborts one, which runs again (it wrote nothing).
      const now = Date.now();
      await retryOnDeadlock(() => this.ctx.data.transaction(async (trx) => {
        const state = await this.ledger.state(trx, tenantId, customerId);
        const program = await this.programs.find(tenantId, trx);
        await work({ trx, account: { tenant_id: tenantId, customer_id: customerId, tier_key: null, tier_since: null, stage: null, referral_code: null, referred_by: null, created_at: now, updated_at: now }, state, program, timeZone });
        throw DRY_RUN;
      }).catch((err: unknown) => {
        if (err !== DRY_RUN) throw err;
      }));
    }
    await this.store.ensureAccount(tenantId, customerId);
    return retryOnDeadlock(() => this.ctx.db.transaction(async (trx) => {
      const account = await this.store.lockAccount(trx, tenantId, customerId);
      const state = await this.ledger.state(trx, tenantId, customerId);
      const program = await this.programs.find(tenantId, trx);
      return work({ trx, account, state, program, timeZone });
    }));
  }

  /** 404 unless the caller can see the customer. */
  async assertVisible(actor: Actor, customerId: string): Promise<void> {
    await this.ctx.customers.get(actor, customerId);
  }

  /** A customer's account; 404 when the caller cannot see the customer. */
  async get(actor: Actor, customerId: string, now = Date.now()): Promise<AccountDto> {
    await this.ctx.customers.get(actor, customerId);
    const timeZone = await this.timeZone(actor.tenantId);
    const knex = this.ctx.db.knex;
    const [state, program, account] = [
      await this.ledger.state(knex, actor.tenantId, customerId),
      await this.programs.find(actor.tenantId),
      await this.store.rows(knex, 'accounts', actor.tenantId).where({ customer_id: customerId }).first(),
    ];
    const tier = await this.tiers.status(knex, actor.tenantId, customerId, account, program, now, timeZone);
    return { customerId, ...balanceOf(state, now, this.soonMs), tier };
  }

  /** A manual correction: a new `adjust` entry, never an edit. */
  async adjust(actor: Actor, input: AdjustmentInput, idempotencyKey: string | undefined, now = Date.now()): Promise<LedgerEntryDto> {
    await this.ctx.customers.get(actor, input.customerId);
    // Scoped to the caller, like the HTTP layer's replay; it backs that up should the stored response be lost.
    const idemKey = `adjust:${actor.subject}:${idempotencyKey ?? newId()}`;
    return this.withAccount(actor.tenantId, input.customerId, async ({ trx, account, program, timeZone }) => {
      const [entry] = await this.ledger.append(trx, actor.tenantId, input.customerId, [{
        type: 'adjust',
        points: input.points,
        reason: input.reason,
        source: { type: 'user', id: actor.subject },
        idemKey,
        ...(input.points > 0 && { expiresAt: program && program.expiryMonths > 0 ? addMonths(now, program.expiryMonths) : null }),
      }], now);
      await this.ctx.audit.record(trx, actor, { action: 'loyalty.points_adjust', entityType: 'loyalty_account', entityId: input.customerId, after: { points: input.points, reason: input.reason } });
      if (program && entry) await this.tiers.upgrade(trx, actor.tenantId, input.customerId, account, program, now, timeZone);
      if (entry) return entry;
      // The same Idempotency-Key from another caller: answer with the entry it wrote.
      const row = await this.store.rows(trx, 'ledger', actor.tenantId).where({ idem_key: idemKey }).first();
      if (!row) throw new Error(`loyalty entry ${idemKey} neither written nor found`);
      return { id: row.id, type: 'adjust', points: readInt(row.points), reason: row.reason, source: { type: 'user', id: String(row.source_id) }, at: new Date(readInt(row.at)).toISOString() };
    });
  }
}
