/**
 * The lifecycle stage of a customer, from their paid orders: prospect (none), first
 * purchase (one), repeat (two or three), loyal (four or more) — and lapsed once the gap
 * since the last order exceeds their usual rhythm (twice their median interval, at least
 * 30 days; with a single order there is no rhythm yet and the 30-day floor applies). A change is stored on the
 * account and announced as `customer.stage_changed`; the lapse is found by a scheduled
 * review at the moment it would happen.
 */
import type { Knex } from 'knex';
import { newId, readInt } from '../../../core/plugin/index.js';
import type { PluginContext } from '../../../core/plugin/index.js';
import { DAY_MS } from './dates.js';
import type { AccountRow } from './rows.js';
import type { LoyaltyStore } from './store.js';

/** Lifecycle stages. */
export type Stage = 'prospect' | 'first_purchase' | 'repeat' | 'loyal' | 'lapsed';

/** The floor of the lapse threshold, in days (and the threshold of one-order customers). */
export const MIN_LAPSE_DAYS = 30;

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A customer's usual interval between orders in days (null with fewer than two orders). */
export function usualIntervalDays(paidTimes: readonly number[]): number | null {
  if (paidTimes.length < 2) return null;
  const sorted = [...paidTimes].sort((a, b) => a - b);
  return median(sorted.slice(1).map((t, i) => (t - sorted[i]!) / DAY_MS));
}

/** Days of silence after which the customer has lapsed. */
export function lapseAfterDays(paidTimes: readonly number[]): number {
  const usual = usualIntervalDays(paidTimes);
  return usual === null ? MIN_LAPSE_DAYS : Math.max(MIN_LAPSE_DAYS, 2 * usual);
}

/** The stage for paid order times at `now`. */
export function stageOf(paidTimes: readonly number[], now: number): Stage {
  if (paidTimes.length === 0) return 'prospect';
  const last = Math.max(...paidTimes);
  if (now - last > lapseAfterDays(paidTimes) * DAY_MS) return 'lapsed';
  return paidTimes.length === 1 ? 'first_purchase' : paidTimes.length < 4 ? 'repeat' : 'loyal';
}

/** Keeps stages current. */
export class StageService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
  ) {}

  /** Paid times of a customer's orders that were not wholly returned. */
  async paidTimes(trx: Knex | Knex.Transaction, tenantId: string, customerId: string): Promise<number[]> {
    const rows: Array<{ paid_at: unknown }> = await this.store.rows(trx, 'orders', tenantId).where({ customer_id: customerId }).whereNotNull('paid_at').whereRaw('total > returned').select('paid_at');
    return rows.map((r) => readInt(r.paid_at));
  }

  /** Recomputes the stage of a customer whose account `trx` has locked. */
  async refresh(trx: Knex.Transaction, tenantId: string, customerId: string, account: AccountRow, now: number): Promise<void> {
    const times = await this.paidTimes(trx, tenantId, customerId);
    const stage = stageOf(times, now);
    const before = account.stage ? String(account.stage) : null;
    await this.store.rows(trx, 'schedule', tenantId).where({ customer_id: customerId, kind: 'stage' }).delete();
    if (stage !== 'lapsed' && times.length > 0) {
      const due = Math.max(...times) + lapseAfterDays(times) * DAY_MS + 1;
      await trx(this.store.table('schedule')).insert({ id: newId(), tenant_id: tenantId, customer_id: customerId, kind: 'stage', ref_id: null, due_at: due });
    }
    if (stage === before || (before === null && stage === 'prospect')) return;
    await this.store.rows(trx, 'accounts', tenantId).where({ customer_id: customerId }).update({ stage, updated_at: Date.now() });
    account.stage = stage;
    await this.ctx.events.emit(trx, 'customer.stage_changed', { customerId, from: before, to: stage }, { tenantId, aggregateType: 'customer', aggregateId: customerId });
  }
}
