/** The loyalty plugin's options (`pluginOptions.loyalty`), checked with ajv at boot. */
import type { JsonSchema } from '../../core/plugin/index.js';

/** Options of the loyalty plugin, defaults applied. */
export interface LoyaltyOptions {
  /** How often the scheduler looks for lots to expire and tiers to review. */
  schedulerIntervalMs: number;
  /** Due items handled per scheduler round. */
  schedulerBatchSize: number;
  /** How far ahead `expiringSoon` looks, in days. */
  expiringSoonDays: number;
}

/** JSON Schema of {@link LoyaltyOptions}. */
export const loyaltyOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    schedulerIntervalMs: { type: 'integer', minimum: 10, maximum: 3_600_000, default: 60_000 },
    schedulerBatchSize: { type: 'integer', minimum: 1, maximum: 1_000, default: 200 },
    expiringSoonDays: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
  },
};
