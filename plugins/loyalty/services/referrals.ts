/**
 * Referrals: each customer has a code (made on first request, unique per tenant); a new
 * customer applies someone's code before their first paid order, and when that order is
 * paid both earn by the program's rule (see the earning service). Self-referral and
 * loops (A refers B refers A) are refused.
 */
import { randomBytes } from 'node:crypto';
import { isUniqueViolation, type Actor, type PluginContext } from '../../../core/plugin/index.js';
import { loyaltyError } from '../errors.js';
import type { AccountService } from './accounts.js';
import type { LoyaltyStore } from './store.js';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const newCode = () => [...randomBytes(8)].map((b) => ALPHABET[b % ALPHABET.length]).join('');

/** Referral codes and links. */
export class ReferralService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
    private readonly accounts: AccountService,
  ) {}

  /** The customer's code, created on first request. */
  async code(actor: Actor, customerId: string): Promise<{ code: string }> {
    await this.ctx.customers.get(actor, customerId);
    await this.store.ensureAccount(actor.tenantId, customerId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await this.store.rows(this.ctx.db.knex, 'accounts', actor.tenantId).where({ customer_id: customerId }).first('referral_code');
      if (row?.referral_code) return { code: row.referral_code };
      try {
        await this.ctx.db.transaction(async (trx) => {
          const set = await this.store.rows(trx, 'accounts', actor.tenantId).where({ customer_id: customerId }).whereNull('referral_code').update({ referral_code: newCode() });
          if (set === 1) await this.ctx.events.emit(trx, 'loyalty.referral_code_created', { customerId }, { tenantId: actor.tenantId, aggregateType: 'loyalty_account', aggregateId: customerId });
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // another customer's code: draw again
      }
    }
    throw new Error('could not draw a unique referral code');
  }

  /** Links a referred customer to the owner of `code`. */
  async apply(actor: Actor, customerId: string, code: string): Promise<{ customerId: string; referredBy: string }> {
    await this.ctx.customers.get(actor, customerId);
    const normalized = code.trim().toUpperCase();
    const owner = await this.store.rows(this.ctx.db.knex, 'accounts', actor.tenantId).where({ referral_code: normalized }).first('customer_id');
    if (!owner) throw loyaltyError('REFERRAL_CODE_NOT_FOUND', { code: normalized });
    const referrer = String(owner.customer_id);
    if (referrer === customerId) throw loyaltyError('SELF_REFERRAL');
    return this.accounts.withAccount(actor.tenantId, customerId, async ({ trx, account }) => {
      if (account.referred_by) {
        if (String(account.referred_by) === referrer) return { customerId, referredBy: referrer };
        throw loyaltyError('ALREADY_REFERRED');
      }
      const paid = await this.store.rows(trx, 'orders', actor.tenantId).where({ customer_id: customerId }).whereNotNull('paid_at').first('order_id');
      if (paid) throw loyaltyError('REFERRAL_TOO_LATE');
      // Walk up from the referrer: meeting the customer would close a loop.
      let cursor: string | null = referrer;
      for (let depth = 0; cursor && depth < 1000; depth++) {
        if (cursor === customerId) throw loyaltyError('REFERRAL_LOOP');
        const up: { referred_by?: unknown } | undefined = await this.store.rows(trx, 'accounts', actor.tenantId).where({ customer_id: cursor }).first('referred_by');
        cursor = up?.referred_by ? String(up.referred_by) : null;
      }
      await this.store.rows(trx, 'accounts', actor.tenantId).where({ customer_id: customerId }).update({ referred_by: referrer, updated_at: Date.now() });
      await this.ctx.audit.record(trx, actor, { action: 'loyalty.referral_apply', entityType: 'loyalty_account', entityId: customerId, after: { referredBy: referrer } });
      await this.ctx.events.emit(trx, 'loyalty.referral_applied', { customerId, referredBy: referrer }, { tenantId: actor.tenantId, aggregateType: 'loyalty_account', aggregateId: customerId });
      return { customerId, referredBy: referrer };
    });
  }
}
