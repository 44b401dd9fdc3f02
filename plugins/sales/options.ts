/** The sales plugin's options (`pluginOptions.sales`), checked with ajv at boot. */
import type { JsonSchema } from '../../core/plugin/index.js';

/** Options of the sales plugin, defaults applied. */
export interface SalesOptions {
  /** Web-to-lead submissions per form key and client address per minute. */
  webLeadsPerMinute: number;
  /** How often the task scheduler looks for due tasks and reminders. */
  schedulerIntervalMs: number;
  /** Due tasks and reminders claimed per scheduler round. */
  schedulerBatchSize: number;
  /** Default reminder lead time of a task, in minutes before it is due (0: no reminder). */
  reminderMinutesBefore: number;
}

/** JSON Schema of {@link SalesOptions}. */
export const salesOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    webLeadsPerMinute: { type: 'integer', minimum: 1, maximum: 10_000, default: 10 },
    schedulerIntervalMs: { type: 'integer', minimum: 10, maximum: 3_600_000, default: 5_000 },
    schedulerBatchSize: { type: 'integer', minimum: 1, maximum: 1_000, default: 200 },
    reminderMinutesBefore: { type: 'integer', minimum: 0, maximum: 10_080, default: 15 },
  },
};
