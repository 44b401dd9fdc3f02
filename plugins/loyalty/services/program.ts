/**
 * The tenant's loyalty program: how points are earned, locked and lapse, the tiers and
 * the referral rule. One per tenant, replaced as a whole by `PUT /program`.
 */
import { coreError, isUniqueViolation, readInt, readJson, type Actor, type Executor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { productMultiplierSchema, programInputSchema, programSchema, tierSchema } from '../schemas/program-schemas.js';
import { loyaltyError } from '../errors.js';
import type { LoyaltyStore } from './store.js';

/** A tier, listed from the lowest to the highest in the program. */
export type Tier = SchemaType<typeof tierSchema>;

/** A tier's qualifying window. */
export type TierWindow = Tier['window'];

/** A product or category that earns more (or less). */
export type ProductMultiplier = SchemaType<typeof productMultiplierSchema>;

/** The program as the tenant writes it: the body of `PUT /program`. */
export type ProgramInput = SchemaType<typeof programInputSchema>;

/** The stored program. */
export type Program = SchemaType<typeof programSchema>;

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Reads and replaces programs. */
export class ProgramService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
  ) {}

  /** The tenant's program, or undefined while it has none. */
  async find(tenantId: string, trx?: Executor): Promise<Program | undefined> {
    const row = await this.store.rows(trx ?? this.ctx.db.knex, 'programs', tenantId).first();
    if (!row) return undefined;
    return { ...readJson<ProgramInput>(row.config, {} as ProgramInput), version: readInt(row.version), updatedAt: new Date(readInt(row.updated_at)).toISOString() };
  }

  /** The tenant's program, or 404. */
  async get(tenantId: string): Promise<Program> {
    const program = await this.find(tenantId);
    if (!program) throw loyaltyError('PROGRAM_NOT_FOUND');
    return program;
  }

  /** Replaces the program (version-checked when `expectedVersion` is given). */
  async put(actor: Actor, input: ProgramInput, expectedVersion?: number): Promise<Program> {
    this.validate(input);
    return this.ctx.db.transaction(async (trx) => {
      const before = await this.find(actor.tenantId, trx);
      const version = before?.version ?? 0;
      if (expectedVersion !== undefined && expectedVersion !== version) throw coreError('PRECONDITION_FAILED', { current: version });
      const now = Date.now();
      const row = { config: JSON.stringify(input), version: version + 1, updated_at: now };
      const written = before
        ? await this.store.rows(trx, 'programs', actor.tenantId).where({ version }).update(row)
        : await trx(this.store.table('programs')).insert({ tenant_id: actor.tenantId, ...row }).then(() => 1, (err: unknown) => (isUniqueViolation(err) ? 0 : Promise.reject(err)));
      if (written !== 1) throw coreError('PRECONDITION_FAILED', { current: version });
      const after: Program = { ...input, version: version + 1, updatedAt: new Date(now).toISOString() };
      await this.ctx.audit.record(trx, actor, { action: 'loyalty.program_update', entityType: 'loyalty_program', entityId: actor.tenantId, before: before ?? null, after });
      await this.ctx.events.emit(trx, 'loyalty.program_updated', { version: after.version }, { tenantId: actor.tenantId, aggregateType: 'loyalty_program', aggregateId: actor.tenantId });
      return after;
    });
  }

  /** What JSON Schema cannot say: a known currency, unique tier keys, thresholds rising. */
  private validate(input: ProgramInput): void {
    if (!KNOWN_CURRENCIES.has(input.currency)) throw loyaltyError('PROGRAM_INVALID', { problem: `unknown currency ${input.currency}` }, [{ path: '/currency', message: 'unknown currency', key: 'loyalty:validation.currencyUnknown', params: { currency: input.currency } }]);
    const keys = input.tiers.map((t) => t.key);
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup) throw loyaltyError('PROGRAM_INVALID', { problem: `duplicate tier key "${dup}"` }, [{ path: '/tiers', message: 'duplicate tier key', key: 'loyalty:validation.duplicateTier', params: { key: dup } }]);
    input.tiers.forEach((tier, i) => {
      const previous = input.tiers[i - 1];
      if (previous && previous.basis === tier.basis && previous.threshold >= tier.threshold) {
        throw loyaltyError('PROGRAM_INVALID', { problem: `tier "${tier.key}" must need more than "${previous.key}"` }, [{ path: `/tiers/${i}/threshold`, message: 'tiers are listed lowest first', key: 'loyalty:validation.tierOrder', params: { key: tier.key } }]);
      }
    });
  }
}
