/**
 * Per-tenant sales settings: the currencies deals may use, lead assignment rules and
 * lead scoring rules. A tenant without a row gets defaults from its locale.
 */
import type { Knex } from 'knex';
import { coreError, isUniqueViolation, readJson, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { assignmentRuleSchema, scoringRuleSchema, settingsPatchSchema, settingsSchema } from '../schemas/settings-schemas.js';
import { salesError } from '../errors.js';
import type { SalesStore } from './store.js';
import { checkVersion } from './store.js';

/**
 * Round-robin assignment of new leads that match `when` (all given conditions) to
 * `members` (owner ids taking turns; one member is a fixed assignment); `team` is the team
 * the lead joins (for `team` record scope).
 */
export type AssignmentRule = SchemaType<typeof assignmentRuleSchema>;

/** Points for what a lead is (attribute) or what was done with it (activity). */
export type ScoringRule = SchemaType<typeof scoringRuleSchema>;

/** Lead fields an attribute rule can look at. */
export type ScoredField = Extract<ScoringRule, { kind: 'attribute' }>['field'];

/** The settings of one tenant. */
export type SalesSettings = SchemaType<typeof settingsSchema>;

/** A change to the settings; given keys replace the stored ones. */
export type SalesSettingsPatch = SchemaType<typeof settingsPatchSchema>;

/** Accepted until a tenant says otherwise: the currencies an Iranian business commonly quotes in. */
export const DEFAULT_CURRENCIES: readonly string[] = ['IRR', 'USD', 'EUR'];

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Reads and changes sales settings. */
export class SettingsService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
  ) {}

  /** The tenant's settings, or the defaults while it never saved any; pass `trx` inside a transaction. */
  async get(tenantId: string, trx?: Knex.Transaction): Promise<SalesSettings> {
    const row = await this.store.rows(trx, 'settings', tenantId).first();
    if (row) {
      return {
        acceptedCurrencies: readJson<string[]>(row.accepted_currencies, []),
        assignmentRules: readJson<AssignmentRule[]>(row.assignment_rules, []),
        scoringRules: readJson<ScoringRule[]>(row.scoring_rules, []),
        version: row.version,
      };
    }
    return { acceptedCurrencies: [...DEFAULT_CURRENCIES], assignmentRules: [], scoringRules: [], version: 0 };
  }

  /** Throws 422 unless the tenant accepts the currency. */
  async assertAccepted(tenantId: string, currency: string, path: string, trx?: Knex.Transaction): Promise<void> {
    const { acceptedCurrencies } = await this.get(tenantId, trx);
    if (!acceptedCurrencies.includes(currency)) {
      throw salesError('CURRENCY_NOT_ACCEPTED', { currency, accepted: acceptedCurrencies.join(', ') }, [{ path, message: 'currency not accepted', key: 'sales:validation.currencyNotAccepted', params: { currency } }]);
    }
  }

  /** Applies a change; the `sales_settings.updated` event says which keys changed. */
  async update(actor: Actor, patch: SalesSettingsPatch, expectedVersion?: number): Promise<SalesSettings> {
    this.validate(patch);
    return this.ctx.data.transaction(async (trx) => {
      const before = await this.get(actor.tenantId, trx);
      checkVersion(expectedVersion, before.version);
      if (patch.acceptedCurrencies) await this.assertPipelinesKeepCurrency(trx, actor.tenantId, patch.acceptedCurrencies);
      const next: SalesSettings = { ...before, ...patch, version: before.version + 1 };
      const row = {
        accepted_currencies: JSON.stringify(next.acceptedCurrencies),
        assignment_rules: JSON.stringify(next.assignmentRules),
        scoring_rules: JSON.stringify(next.scoringRules),
        version: next.version,
        updated_at: Date.now(),
      };
      // Version-checked like every other write: two admins saving at once → one gets 412.
      const written = before.version === 0
        ? await this.store.rows(trx, 'settings', actor.tenantId).insert({ ...row }).then(() => 1, (err: unknown) => (isUniqueViolation(err) ? 0 : Promise.reject(err)))
        : await this.store.rows(trx, 'settings', actor.tenantId).where({ version: before.version }).update(row);
      if (written !== 1) throw coreError('PRECONDITION_FAILED', { current: before.version });
      const changed = Object.keys(patch).filter((k) => JSON.stringify(before[k as keyof SalesSettings]) !== JSON.stringify(next[k as keyof SalesSettings]));
      await this.ctx.audit.record(trx, actor, { action: 'sales.settings_update', entityType: 'sales_settings', entityId: actor.tenantId, before, after: next });
      await this.ctx.events.emit(trx, 'sales_settings.updated', { changed }, { tenantId: actor.tenantId, aggregateType: 'sales_settings', aggregateId: actor.tenantId });
      return next;
    });
  }

  /** What JSON Schema cannot say: known currency codes, unique rule ids. */
  private validate(patch: SalesSettingsPatch): void {
    (patch.acceptedCurrencies ?? []).forEach((code, i) => {
      if (!KNOWN_CURRENCIES.has(code)) throw salesError('CURRENCY_UNKNOWN', { currency: code }, [{ path: `/acceptedCurrencies/${i}`, message: 'unknown currency', key: 'sales:validation.currencyUnknown', params: { currency: code } }]);
    });
    for (const [key, rules] of [['assignmentRules', patch.assignmentRules], ['scoringRules', patch.scoringRules]] as const) {
      const ids = (rules ?? []).map((r) => r.id);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup) throw salesError('SETTINGS_INVALID', { problem: `duplicate rule id "${dup}"` }, [{ path: `/${key}`, message: 'duplicate rule id', key: 'sales:validation.duplicateRuleId', params: { id: dup } }]);
    }
  }

  /** A pipeline's currency must stay accepted, or none of its deals could be edited. */
  private async assertPipelinesKeepCurrency(trx: Knex.Transaction, tenantId: string, accepted: string[]): Promise<void> {
    const used = await this.store.rows(trx, 'pipelines', tenantId).distinct('currency');
    const dropped = used.map((r) => r.currency).filter((c) => !accepted.includes(c));
    if (dropped.length) throw salesError('SETTINGS_INVALID', { problem: `pipelines use ${dropped.join(', ')}` }, [{ path: '/acceptedCurrencies', message: 'a pipeline uses this currency', key: 'sales:validation.currencyInUse', params: { currency: dropped.join(', ') } }]);
  }
}
