/** Options of the email plugin, checked with ajv at boot. */
import path from 'node:path';

/** Email plugin options. */
export interface EmailOptions {
  /** Where attachments and quarantined raw mail are stored (filesystem storage). */
  storageDir: string;
  /** How often the sender loop looks for due messages. */
  senderIntervalMs: number;
  /** How often each inbox is polled when IDLE is unavailable (and as a safety net). */
  pollIntervalMs: number;
  /** Delivery attempts on temporary (4xx) failures before the message is `failed`. */
  maxAttempts: number;
  /** Messages fetched per IMAP batch during a sync. */
  fetchBatchSize: number;
  /** Where the public API is reached from outside (no trailing slash): unsubscribe links start with it. */
  publicBaseUrl: string;
  /** Whether a background kernel keeps IMAP folders watched (IDLE, or polling); off, mail comes in by `POST …/sync` only. */
  watch: boolean;
}

/** JSON Schema of {@link EmailOptions}. */
export const emailOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    storageDir: { type: 'string', default: path.resolve('data', 'email') },
    senderIntervalMs: { type: 'integer', minimum: 50, default: 2000 },
    pollIntervalMs: { type: 'integer', minimum: 100, default: 60_000 },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 50, default: 8 },
    fetchBatchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    watch: { type: 'boolean', default: true },
    publicBaseUrl: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*[^\\s?#/])?$', maxLength: 500, default: 'http://localhost:3000' },
  },
};
