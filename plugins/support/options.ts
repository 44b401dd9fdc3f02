/** The support plugin's options (`pluginOptions.support`), checked with ajv at boot. */
import type { JsonSchema } from '../../core/plugin/index.js';

/** Options of the support plugin, defaults applied. */
export interface SupportOptions {
  /** How often the SLA scheduler looks for warnings and breaches. */
  schedulerIntervalMs: number;
  /** Targets claimed per scheduler round. */
  schedulerBatchSize: number;
  /**
   * The address customers reach this deployment at, for links in mail (CSAT surveys):
   * `https://crm.example.ir`, without a trailing slash. Default `http://localhost:3000`.
   */
  publicBaseUrl: string;
  /** How long a CSAT survey link stays valid, in hours (default 30 days). */
  csatLinkTtlHours: number;
  /** The ticket tag that marks a complaint (a follow-up, and the customer flagged). */
  complaintTag: string;
}

/** JSON Schema of {@link SupportOptions}. */
export const supportOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    schedulerIntervalMs: { type: 'integer', minimum: 10, maximum: 3_600_000, default: 5_000 },
    schedulerBatchSize: { type: 'integer', minimum: 1, maximum: 1_000, default: 200 },
    publicBaseUrl: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*[^\\s?#/])?$', maxLength: 500, default: 'http://localhost:3000' },
    csatLinkTtlHours: { type: 'integer', minimum: 1, maximum: 8_760, default: 720 },
    complaintTag: { type: 'string', minLength: 1, maxLength: 100, default: 'complaint' },
  },
};
