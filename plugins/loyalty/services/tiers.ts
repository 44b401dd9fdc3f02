/**
 * Tiers: a customer qualifies for a tier when what they earned (points) or paid (spend)
 * in the tier's window reaches its threshold. Upgrades happen at once, inside the write
 * that made the customer qualify. Downgrades wait for a review at period end: status
 * reached in one period holds through the next one (the grace), and a review then sets
 * the tier the period just ended qualifies for. A rolling window holds for one window
 * length, then is reviewed the same way.
 */
import type { Knex } from 'knex';
import { newId, readInt, type BigIntColumn, type Executor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { accountSchema } from '../schemas/account-schemas.js';
import type { tierRefSchema } from '../schemas/event-schemas.js';
import { addMonths, yearOf, type Range } from './dates.js';
import type { Program, Tier, TierWindow } from './program.js';
import type { AccountRow } from './rows.js';
import type { LoyaltyStore } from './store.js';

/** A customer's tier as the account shows it; `progress` is the share of the way to the next tier, 0–1 (1 at the top tier). */
export type TierStatus = NonNullable<SchemaType<typeof accountSchema>['tier']>;

/** The window of `window` that contains `at`. */
export function windowAt(window: TierWindow, at: number, timeZone: string): Range {
  if (window.kind === 'year') return yearOf(at, window.calendar, timeZone);
  return { from: addMonths(at, -window.months), to: at + 1 };
}

/** When a tier reached (or confirmed) at `at` is next reviewed. */
export function reviewAfter(window: TierWindow, at: number, timeZone: string): number {
  if (window.kind === 'rolling') return addMonths(at, window.months);
  const current = yearOf(at, window.calendar, timeZone);
  return yearOf(current.to, window.calendar, timeZone).to;
}

/** A tier as events show it. */
export type TierRef = SchemaType<typeof tierRefSchema>;

const ref = (tier: Tier | undefined): TierRef | null => (tier ? { key: tier.key, name: tier.name } : null);

/** Evaluates and changes tiers. */
export class TierService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
  ) {}

  /** What counts toward a tier in the window containing `at`. */
  async value(trx: Executor, tenantId: string, customerId: string, program: Program, tier: Tier, at: number, timeZone: string): Promise<number> {
    const { from, to } = windowAt(tier.window, at, timeZone);
    if (tier.basis === 'points') {
      const row = await this.store.rows(trx, 'ledger', tenantId).where({ customer_id: customerId }).whereIn('type', ['earn', 'reverse']).where('effective_at', '>=', from).where('effective_at', '<', to).sum({ total: 'points' }).first();
      return readInt(row?.total ?? 0) || 0;
    }
    const row = await this.store.rows(trx, 'orders', tenantId).where({ customer_id: customerId, currency: program.currency }).whereNotNull('paid_at').where('paid_at', '>=', from).where('paid_at', '<', to).first<{ total: BigIntColumn | null } | undefined>(trx.raw('sum(total - returned) as total'));
    return readInt(row?.total ?? 0) || 0;
  }

  /** Index of the highest tier qualified for in the windows containing `at` (-1: none). */
  async qualifying(trx: Executor, tenantId: string, customerId: string, program: Program, at: number, timeZone: string): Promise<number> {
    for (let i = program.tiers.length - 1; i >= 0; i--) {
      const tier = program.tiers[i]!;
      if ((await this.value(trx, tenantId, customerId, program, tier, at, timeZone)) >= tier.threshold) return i;
    }
    return -1;
  }

  /** Upgrades at once when the customer (account locked in `trx`) now qualifies higher. */
  async upgrade(trx: Knex.Transaction, tenantId: string, customerId: string, account: AccountRow, program: Program, at: number, timeZone: string): Promise<void> {
    const current = program.tiers.findIndex((t) => t.key === account.tier_key);
    const best = await this.qualifying(trx, tenantId, customerId, program, at, timeZone);
    if (best > current) await this.change(trx, tenantId, customerId, program, current, best, at, timeZone, Date.now());
  }

  /** The review at period end: sets the tier the period just ended qualifies for. */
  async review(trx: Knex.Transaction, tenantId: string, customerId: string, account: AccountRow, program: Program, dueAt: number, timeZone: string): Promise<void> {
    const current = program.tiers.findIndex((t) => t.key === account.tier_key);
    const earned = await this.qualifying(trx, tenantId, customerId, program, dueAt - 1, timeZone);
    if (earned !== current) await this.change(trx, tenantId, customerId, program, current, earned, dueAt - 1, timeZone, dueAt);
    else if (current >= 0) await this.schedule(trx, tenantId, customerId, reviewAfter(program.tiers[current]!.window, dueAt - 1, timeZone));
  }

  /** The tier an account shows, with progress to the next one at `now`. */
  async status(trx: Executor, tenantId: string, customerId: string, account: AccountRow | undefined, program: Program | undefined, now: number, timeZone: string): Promise<TierStatus | null> {
    if (!program || !account?.tier_key) return null;
    const index = program.tiers.findIndex((t) => t.key === account.tier_key);
    const tier = program.tiers[index];
    if (!tier) return null;
    const next = program.tiers[index + 1];
    const base = { key: tier.key, name: tier.name, since: new Date(readInt(account.tier_since)).toISOString() };
    if (!next) return { ...base, progress: 1, next: null };
    const value = await this.value(trx, tenantId, customerId, program, next, now, timeZone);
    return { ...base, progress: next.threshold === 0 ? 1 : Math.min(1, Math.max(0, value / next.threshold)), next: { key: next.key, name: next.name, threshold: next.threshold, value } };
  }

  private async change(trx: Knex.Transaction, tenantId: string, customerId: string, program: Program, from: number, to: number, at: number, timeZone: string, now: number): Promise<void> {
    const tier = program.tiers[to];
    await this.store.rows(trx, 'accounts', tenantId).where({ customer_id: customerId }).update({ tier_key: tier?.key ?? null, tier_since: tier ? now : null, updated_at: now });
    await this.schedule(trx, tenantId, customerId, tier ? reviewAfter(tier.window, at, timeZone) : null);
    await this.ctx.events.emit(trx, 'loyalty.tier_changed', { customerId, from: ref(program.tiers[from]), to: ref(tier), direction: to > from ? 'up' : 'down' }, { tenantId, aggregateType: 'loyalty_account', aggregateId: customerId });
  }

  /** Replaces the customer's pending tier review. */
  private async schedule(trx: Knex.Transaction, tenantId: string, customerId: string, dueAt: number | null): Promise<void> {
    await this.store.rows(trx, 'schedule', tenantId).where({ customer_id: customerId, kind: 'tier' }).delete();
    if (dueAt !== null) await trx(this.store.table('schedule')).insert({ id: newId(), tenant_id: tenantId, customer_id: customerId, kind: 'tier', ref_id: null, due_at: dueAt });
  }
}
