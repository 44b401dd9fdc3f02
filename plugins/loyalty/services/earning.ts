/**
 * Points from orders. `order.paid` earns once per order however often it is delivered
 * (the ledger key `earn:<orderId>` exists at most once, checked under the account lock);
 * `order.returned` reverses what the order earned, whole or per returned line, even when
 * the points were spent already (the balance goes negative and blocks redemption).
 */
import type { Knex } from 'knex';
import { readInt, readJson, systemActor, type PluginContext } from '../../../core/plugin/index.js';
import type { AccountService, LockedAccount } from './accounts.js';
import { addMonths, DAY_MS, localDateOf } from './dates.js';
import type { Ledger, NewEntry } from './ledger.js';
import { returnedQuantities, type OrderDto, type OrderLine, type OrderProjection } from './orders.js';
import type { Program } from './program.js';
import type { AccountRow } from './rows.js';
import type { StageService } from './stages.js';
import type { LoyaltyStore } from './store.js';
import type { TierService } from './tiers.js';

/** Points of each line of an order, as the earn entry records them. */
interface EarnDetail {
  lines: number[];
}

/** Points for an order's lines under a program, with the customer's tier multiplier. */
export function pointsForLines(program: Program, lines: readonly OrderLine[], total: number, tierMultiplier: number): number[] {
  const base = (amount: number, multiplier: number) => Math.floor(Math.floor(amount / program.earn.unit) * program.earn.pointsPerUnit * multiplier * tierMultiplier);
  if (lines.length === 0) return [base(total, 1)];
  return lines.map((line) => {
    const rule = (program.earn.productMultipliers ?? []).find((m) => ('productRef' in m ? m.productRef === line.productRef : m.category === line.category));
    return base(line.quantity * line.unitPrice, rule?.multiplier ?? 1);
  });
}

/** Whether a stored birthday (`YYYY-MM-DD` or `MM-DD`) falls on a local day `YYYY-MM-DD`. */
function isBirthday(birthday: unknown, day: string): boolean {
  if (typeof birthday !== 'string') return false;
  const match = /^(?:\d{4}-)?(\d{2})-(\d{2})$/.exec(birthday);
  return !!match && day.slice(5) === `${match[1]}-${match[2]}`;
}

/** Earns and reverses points for orders. */
export class EarningService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
    private readonly ledger: Ledger,
    private readonly accounts: AccountService,
    private readonly tiers: TierService,
    private readonly projection: OrderProjection,
    private readonly stages: StageService,
  ) {}

  /** Any order event: the projection follows; paid and returned orders move points. */
  async onOrder(tenantId: string, order: OrderDto): Promise<void> {
    if (!order.customerId) {
      await this.ctx.db.transaction((trx) => this.projection.apply(trx, tenantId, order));
      return;
    }
    const customerId = order.customerId;
    await this.accounts.withAccount(tenantId, customerId, async (locked) => {
      await this.projection.apply(locked.trx, tenantId, order);
      if (order.paidAt) await this.earn(tenantId, customerId, order, locked);
      if (order.status === 'returned' || (order.returnedLines?.length ?? 0) > 0) await this.reverse(tenantId, customerId, order, locked);
      await this.stages.refresh(locked.trx, tenantId, customerId, locked.account, Date.now());
    });
  }

  private async earn(tenantId: string, customerId: string, order: OrderDto, { trx, account, program, timeZone }: LockedAccount): Promise<void> {
    if (!program || program.currency !== order.currency) return;
    if (await this.ledger.exists(trx, tenantId, `earn:${order.id}`)) return;
    const paidAt = Date.parse(order.paidAt!);
    const tier = program.tiers.find((t) => t.key === account.tier_key);
    const lines = pointsForLines(program, order.lines, order.total, tier?.multiplier ?? 1);
    const lot = { effectiveAt: paidAt, unlockAt: paidAt + program.lockDays * DAY_MS, expiresAt: program.expiryMonths > 0 ? addMonths(paidAt, program.expiryMonths) : null };
    const source = { type: 'order' as const, id: order.id };
    const detail: EarnDetail = { lines };
    const entries: NewEntry[] = [{ type: 'earn', points: lines.reduce((a, b) => a + b, 0), reason: 'order', source, idemKey: `earn:${order.id}`, detail, ...lot }];
    const first = !(await this.store.rows(trx, 'orders', tenantId).where({ customer_id: customerId }).whereNot({ order_id: order.id }).whereNotNull('paid_at').where('paid_at', '<=', paidAt).first('order_id'));
    if (first && program.earn.firstOrderBonus) entries.push({ type: 'earn', points: program.earn.firstOrderBonus, reason: 'first_order_bonus', source, idemKey: `first:${customerId}`, ...lot });
    if (program.earn.birthdayBonus) {
      const day = localDateOf(paidAt, timeZone);
      const customer = await this.ctx.customers.get(systemActor({ id: tenantId, slug: '' }, 'loyalty', []), customerId, trx).catch(() => undefined);
      const birthday = customer?.customFields.birthday ?? customer?.customFields.birthDate;
      if (isBirthday(birthday, day)) entries.push({ type: 'earn', points: program.earn.birthdayBonus, reason: 'birthday_bonus', source, idemKey: `birthday:${customerId}:${day.slice(0, 4)}`, ...lot });
    }
    await this.ledger.append(trx, tenantId, customerId, entries.filter((e, i) => i === 0 || e.points > 0));
    if (first) await this.referralReward(trx, tenantId, customerId, account, program, order, lot);
    await this.tiers.upgrade(trx, tenantId, customerId, account, program, paidAt, timeZone);
  }

  /** The referee's first paid order: both sides earn by the program's rule. */
  private async referralReward(trx: Knex.Transaction, tenantId: string, customerId: string, account: AccountRow, program: Program, order: OrderDto, lot: Pick<NewEntry, 'effectiveAt' | 'unlockAt' | 'expiresAt'>): Promise<void> {
    const referrer = account.referred_by ? String(account.referred_by) : null;
    if (!referrer || !program.referral) return;
    const source = { type: 'referral' as const, id: customerId };
    if (program.referral.refereePoints > 0) await this.ledger.append(trx, tenantId, customerId, [{ type: 'earn', points: program.referral.refereePoints, reason: 'referral_referee', source, idemKey: `referral:${customerId}:referee`, ...lot }]);
    if (program.referral.referrerPoints > 0) {
      // Lock order is always referee, then referrer; referral chains have no loops, so no cycle.
      await this.store.lockAccount(trx, tenantId, referrer);
      await this.ledger.append(trx, tenantId, referrer, [{ type: 'earn', points: program.referral.referrerPoints, reason: 'referral_referrer', source, idemKey: `referral:${customerId}:referrer`, ...lot, detail: { orderId: order.id } }]);
    }
  }

  private async reverse(tenantId: string, customerId: string, order: OrderDto, { trx }: LockedAccount): Promise<void> {
    const rows = await this.store.rows(trx, 'ledger', tenantId).where({ source_type: 'order', source_id: order.id, customer_id: customerId });
    const earned = rows.filter((r) => r.type === 'earn');
    const base = earned.find((r) => r.reason === 'order');
    if (!base) return;
    const all = earned.reduce((sum, r) => sum + readInt(r.points), 0);
    const reversed = -rows.filter((r) => r.type === 'reverse').reduce((sum, r) => sum + readInt(r.points), 0);
    const lines = readJson<EarnDetail>(base.detail, { lines: [] }).lines;
    const qty = returnedQuantities(order);
    const whole = order.lines.length === 0 ? order.status === 'returned' : order.lines.every((line, i) => (qty[i] ?? 0) >= line.quantity);
    const target = whole ? all : order.lines.reduce((sum, line, i) => sum + Math.floor(((lines[i] ?? 0) * (qty[i] ?? 0)) / line.quantity), 0);
    if (target <= reversed) return;
    await this.ledger.append(trx, tenantId, customerId, [{ type: 'reverse', points: -(target - reversed), reason: whole ? 'order_returned' : 'order_partly_returned', source: { type: 'order', id: order.id }, idemKey: `reverse:${order.id}:${target}` }]);
  }
}
