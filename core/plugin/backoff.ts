/**
 * The one exponential backoff every retry loop shares (event delivery, webhooks, ERP
 * calls and runs, outbound mail, the IMAP watcher, busy-database retries): a delay that
 * doubles per attempt from a base, stops growing at a cap, and is spread by jitter so
 * that many clients failing together do not all come back at the same instant.
 */

/** How {@link backoffDelay} grows and spreads. */
export interface BackoffOptions {
  /** The delay of the first attempt (ms). */
  baseMs: number;
  /** The delay stops doubling here (ms); none when left out. */
  maxMs?: number;
  /**
   * The spread, as a fraction of the delay: 0.2 draws uniformly from 80 % to 120 % of it.
   * Applied after the cap, so capped delays still spread. 0 (the default) is exact.
   */
  jitter?: number;
  /** The random source, in [0, 1); `Math.random` unless a test fixes it. */
  random?: () => number;
}

/**
 * The largest exponent used: `2 ** 52` times any sane base is still a finite number, so an
 * absurd attempt count (a counter that ran away) yields the cap, never `Infinity` or `NaN`.
 */
const MAX_EXPONENT = 52;

/**
 * The delay (whole ms) before retry number `attempt` (1 for the first retry):
 * `min(maxMs, baseMs · 2^(attempt − 1))`, times a factor drawn from `[1 − jitter, 1 + jitter)`.
 * An attempt below 1 (or not a number) counts as 1.
 *
 * ```ts
 * backoffDelay(3, { baseMs: 1000, maxMs: 60_000, jitter: 0.2 }); // 3200 … 4800
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { baseMs, maxMs = Number.POSITIVE_INFINITY, jitter = 0, random = Math.random } = options;
  const exponent = Number.isFinite(attempt) ? Math.min(Math.max(Math.floor(attempt) - 1, 0), MAX_EXPONENT) : attempt > 0 ? MAX_EXPONENT : 0;
  const delay = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(delay * (1 - jitter + random() * 2 * jitter));
}
