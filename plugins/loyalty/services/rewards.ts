/**
 * The rewards catalog and redemption. A redemption runs under the customer's account
 * lock (so concurrent redemptions against one balance are serialized and each sees the
 * entries of the ones before), checks the spendable balance, takes a unit of stock with
 * a conditional UPDATE (`stock > 0`, so stock never goes below zero however many
 * customers race for the last unit), writes the `redeem` entry and the redemption with
 * its code — all in one transaction, or nothing.
 */
import { randomBytes } from 'node:crypto';
import { decodeCursor, encodeCursor, newId, readInt, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { redemptionSchema, rewardInputSchema, rewardSchema } from '../schemas/account-schemas.js';
import { loyaltyError } from '../errors.js';
import type { AccountService } from './accounts.js';
import { availableAt } from './balance.js';
import type { Ledger } from './ledger.js';
import type { RewardRow } from './rows.js';
import type { LoyaltyStore } from './store.js';

/** A reward as the API shows it. */
export type RewardDto = SchemaType<typeof rewardSchema>;

/** Input of `POST /rewards`. */
export type RewardInput = SchemaType<typeof rewardInputSchema>;

/** A redemption as `POST /redeem` answers. */
export type RedemptionDto = SchemaType<typeof redemptionSchema>;

// Crockford base32 without look-alikes: codes are read out at a till.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const newCode = () => [...randomBytes(10)].map((b) => ALPHABET[b % 32]).join('');

const rewardOf = (row: RewardRow): RewardDto => ({
  id: row.id,
  name: row.name,
  cost: readInt(row.cost),
  stock: row.stock,
  tier: row.tier ? row.tier : null,
  partner: row.partner ? row.partner : null,
  validUntil: row.valid_until === null ? null : new Date(readInt(row.valid_until)).toISOString(),
  createdAt: new Date(readInt(row.created_at)).toISOString(),
});

/** Rewards and redemptions. */
export class RewardService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
    private readonly ledger: Ledger,
    private readonly accounts: AccountService,
  ) {}

  /** Adds a reward to the catalog. */
  async create(actor: Actor, input: RewardInput): Promise<RewardDto> {
    const row = { id: newId(), tenant_id: actor.tenantId, name: input.name, cost: input.cost, stock: input.stock ?? null, tier: input.tier ?? null, partner: input.partner ?? null, valid_until: input.validUntil ? Date.parse(input.validUntil) : null, created_at: Date.now() };
    await this.ctx.db.transaction(async (trx) => {
      await trx(this.store.table('rewards')).insert(row);
      await this.ctx.audit.record(trx, actor, { action: 'loyalty.reward_create', entityType: 'loyalty_reward', entityId: row.id, after: rewardOf(row) });
      await this.ctx.events.emit(trx, 'loyalty.reward_created', { reward: rewardOf(row) }, { tenantId: actor.tenantId, aggregateType: 'loyalty_reward', aggregateId: row.id });
    });
    return rewardOf(row);
  }

  /** The catalog, newest first. */
  async list(tenantId: string, limit: number, cursor?: string): Promise<{ items: RewardDto[]; nextCursor: string | null }> {
    const q = this.store.rows(this.ctx.db.knex, 'rewards', tenantId).orderBy('id', 'desc').limit(limit + 1);
    if (cursor) q.where('id', '<', String(decodeCursor(cursor, ['string'])[0]));
    const rows = (await q).map(rewardOf);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }

  /** Redeems a reward for a customer: 409 `INSUFFICIENT_POINTS` or `OUT_OF_STOCK`, else a code. */
  async redeem(actor: Actor, rewardId: string, customerId: string, idempotencyKey: string | undefined, now = Date.now()): Promise<RedemptionDto> {
    const tenantId = actor.tenantId;
    const reward = await this.store.rows(this.ctx.db.knex, 'rewards', tenantId).where({ id: rewardId }).first();
    if (!reward) throw loyaltyError('REWARD_NOT_FOUND', { id: rewardId });
    await this.ctx.customers.get(actor, customerId);
    if (reward.valid_until !== null && readInt(reward.valid_until) < now) throw loyaltyError('REWARD_EXPIRED', { id: rewardId });
    const idemKey = `redeem:${actor.subject}:${idempotencyKey ?? newId()}`;
    return this.accounts.withAccount(tenantId, customerId, async ({ trx, account, state, program }) => {
      const done = await this.store.rows(trx, 'ledger', tenantId).where({ idem_key: idemKey }).first('id');
      if (done) {
        const previous = await this.store.rows(trx, 'redemptions', tenantId).where({ ledger_id: done.id }).first();
        if (!previous) throw new Error(`loyalty redemption of ${idemKey} missing`);
        return { redemptionId: previous.id, code: previous.code };
      }
      if (reward.tier) {
        const tiers = program?.tiers ?? [];
        const needed = tiers.findIndex((t) => t.key === reward.tier);
        if (tiers.findIndex((t) => t.key === account.tier_key) < needed || needed < 0) throw loyaltyError('REWARD_TIER_REQUIRED', { tier: String(reward.tier) });
      }
      const cost = readInt(reward.cost);
      const available = availableAt(state, now);
      if (available < cost) throw loyaltyError('INSUFFICIENT_POINTS', { available, cost });
      if (reward.stock !== null) {
        const taken = await this.store.rows(trx, 'rewards', tenantId).where({ id: rewardId }).where('stock', '>', 0).decrement('stock', 1);
        if (taken !== 1) throw loyaltyError('OUT_OF_STOCK', { id: rewardId });
      }
      const redemptionId = newId();
      const [entry] = await this.ledger.append(trx, tenantId, customerId, [{ type: 'redeem', points: -cost, reason: 'reward', source: { type: 'reward', id: rewardId }, idemKey, detail: { redemptionId } }], now);
      const code = newCode();
      await trx(this.store.table('redemptions')).insert({ id: redemptionId, tenant_id: tenantId, reward_id: rewardId, customer_id: customerId, code, ledger_id: entry!.id, created_at: now, used_at: null });
      await this.ctx.audit.record(trx, actor, { action: 'loyalty.reward_redeem', entityType: 'loyalty_reward', entityId: rewardId, after: { customerId, redemptionId, cost } });
      await this.ctx.events.emit(trx, 'loyalty.reward_redeemed', { customerId, rewardId, redemptionId, cost }, { tenantId, aggregateType: 'loyalty_account', aggregateId: customerId });
      return { redemptionId, code };
    });
  }

  /** Marks a redemption code used: once; 409 `REDEMPTION_USED` after. */
  async use(actor: Actor, code: string): Promise<void> {
    const normalized = code.trim().toUpperCase();
    await this.ctx.db.transaction(async (trx) => {
      const row = await this.store.rows(trx, 'redemptions', actor.tenantId).where({ code: normalized }).first();
      if (!row) throw loyaltyError('REDEMPTION_NOT_FOUND', { code: normalized });
      const updated = await this.store.rows(trx, 'redemptions', actor.tenantId).where({ id: row.id }).whereNull('used_at').update({ used_at: Date.now() });
      if (updated !== 1) throw loyaltyError('REDEMPTION_USED', { code: normalized });
      await this.ctx.audit.record(trx, actor, { action: 'loyalty.redemption_use', entityType: 'loyalty_redemption', entityId: row.id, after: { code: normalized } });
      await this.ctx.events.emit(trx, 'loyalty.redemption_used', { redemptionId: row.id, rewardId: row.reward_id, customerId: row.customer_id }, { tenantId: actor.tenantId, aggregateType: 'loyalty_account', aggregateId: row.customer_id });
    });
  }

  /** A redemption by code, to verify it before use. */
  async verify(tenantId: string, code: string): Promise<{ redemptionId: string; rewardId: string; customerId: string; code: string; createdAt: string; usedAt: string | null }> {
    const normalized = code.trim().toUpperCase();
    const row = await this.store.rows(this.ctx.db.knex, 'redemptions', tenantId).where({ code: normalized }).first();
    if (!row) throw loyaltyError('REDEMPTION_NOT_FOUND', { code: normalized });
    return { redemptionId: row.id, rewardId: row.reward_id, customerId: row.customer_id, code: normalized, createdAt: new Date(readInt(row.created_at)).toISOString(), usedAt: row.used_at === null ? null : new Date(readInt(row.used_at)).toISOString() };
  }
}
