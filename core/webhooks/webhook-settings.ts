/**
 * Webhook tuning: kernel options, with the allowlist defaulting to
 * `PEYVAND_WEBHOOK_ALLOWLIST` so the variable works standalone and embedded alike.
 *
 * @module
 */
import { parseAllowlist, systemResolver, type Allowlist, type Resolver } from './address-guard.js';

/** `KernelOptions.webhooks`. */
export interface WebhookOptions {
  /**
   * Hosts, addresses and CIDR ranges that may be reached although private or loopback.
   * Default: `PEYVAND_WEBHOOK_ALLOWLIST` (comma-separated); `[]` admits nothing.
   */
  allowlist?: string | readonly string[];
  /** Attempts per delivery before it is dead (default 10). */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time, ±20% jitter (default 60 s). */
  backoffBaseMs?: number;
  /** Longest delay between attempts (default 6 h). */
  backoffMaxMs?: number;
  /** Dead deliveries in a row (no success between) that pause a subscription (default 5). */
  pauseAfterDead?: number;
  /** Until the TCP connection is open (default 5 s). */
  connectTimeoutMs?: number;
  /** Whole attempt, until the response status arrives (default 10 s). */
  timeoutMs?: number;
  /** Attempts in flight at once (default 8). */
  concurrency?: number;
  /** Deliveries claimed per pass (default 100). */
  batchSize?: number;
  /** How often due retries are looked for when nothing wakes the engine (default 1 s). */
  pollIntervalMs?: number;
  /** Host name resolution (tests inject one to simulate DNS rebinding). */
  resolve?: Resolver;
}

/** Options with defaults applied and the allowlist parsed. */
export interface WebhookSettings extends Required<Omit<WebhookOptions, 'allowlist'>> {
  allowlist: Allowlist;
}

/** Applies defaults; a malformed allowlist entry is a `CONFIG_INVALID` boot error. */
export function webhookSettings(options: WebhookOptions = {}, env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  return {
    allowlist: parseAllowlist(options.allowlist ?? env.PEYVAND_WEBHOOK_ALLOWLIST),
    maxAttempts: options.maxAttempts ?? 10,
    backoffBaseMs: options.backoffBaseMs ?? 60_000,
    backoffMaxMs: options.backoffMaxMs ?? 6 * 3_600_000,
    pauseAfterDead: options.pauseAfterDead ?? 5,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    timeoutMs: options.timeoutMs ?? 10_000,
    concurrency: options.concurrency ?? 8,
    batchSize: options.batchSize ?? 100,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    resolve: options.resolve ?? systemResolver,
  };
}
