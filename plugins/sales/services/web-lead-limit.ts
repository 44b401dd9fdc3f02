/**
 * The web-to-lead rate limit, shared by every Peyvand process on the database: a
 * sliding-window counter per form and client address. Each submission increments its
 * one-minute window's row with an atomic upsert and is weighed against the previous
 * window too (the previous count scaled by how much of it still overlaps the last
 * minute), so a client cannot send twice the budget across a window edge. Rejected
 * submissions count as well: a client that keeps hammering stays limited.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { coreError, readInt } from '../../../core/plugin/index.js';
import type { SalesStore } from './store.js';

const WINDOW_MS = 60_000;

/** The counts the decision rests on. */
export interface WindowCounts {
  /** Submissions in the previous window. */
  previous: number;
  /** Submissions in the current window, this one included. */
  current: number;
  /** Milliseconds since the current window began. */
  elapsed: number;
}

/**
 * Whether a submission is within `max` per window, and if not, how long until one would
 * be (assuming no other submission meanwhile): the Retry-After a client is told.
 */
export function slidingWindow({ previous, current, elapsed }: WindowCounts, max: number, windowMs = WINDOW_MS): { allowed: boolean; retryAfterMs: number } {
  const overlap = (windowMs - elapsed) / windowMs;
  if (previous * overlap + current <= max) return { allowed: true, retryAfterMs: 0 };
  // Still in this window: the previous window's weight fades until one more fits.
  if (current + 1 <= max && previous > 0) return { allowed: false, retryAfterMs: Math.max(1, windowMs - elapsed - ((max - current - 1) * windowMs) / previous) };
  // In the next window this one's count fades in turn.
  const intoNext = current <= max - 1 ? 0 : windowMs * (1 - (max - 1) / current);
  return { allowed: false, retryAfterMs: windowMs - elapsed + intoNext };
}

/** Counts web-to-lead submissions in the database. */
export class WebLeadLimiter {
  private purgedWindow = 0;

  constructor(
    /** Unscoped: the purge forgets stale hits of every tenant at once (docs/plugins.md lists it). */
    private readonly unscopedKnex: Knex,
    private readonly store: SalesStore,
    private readonly perMinute: number,
  ) {}

  /** Counts a submission to `form` from `address`; past the budget, a 429 with Retry-After. */
  async hit(form: { id: string; tenantId: string }, address: string, now = Date.now()): Promise<void> {
    const table = this.store.table('web_form_hits');
    const window = now - (now % WINDOW_MS);
    const client = createHash('sha256').update(`${form.id}|${address}`).digest('base64url');
    const rows = await this.store.inTransaction(undefined, async (trx) => {
      const hits = () => this.store.rows(trx, 'web_form_hits', form.tenantId);
      // Atomic on every dialect: concurrent submissions from any process serialize on the row.
      await hits()
        .insert({ form_id: form.id, client_key: client, window_start: window, hits: 1 })
        .onConflict(['form_id', 'client_key', 'window_start'])
        .merge({ hits: this.store.data.raw('?? + 1', [`${table}.hits`]) });
      await hits().where({ form_id: form.id, client_key: client }).where('window_start', '<', window - WINDOW_MS).delete();
      return hits().where({ form_id: form.id, client_key: client }).where('window_start', '>=', window - WINDOW_MS).select('window_start', 'hits');
    });
    await this.purge(window);
    const count = (start: number) => readInt(rows.find((r) => readInt(r.window_start) === start)?.hits ?? 0);
    const verdict = slidingWindow({ previous: count(window - WINDOW_MS), current: count(window), elapsed: now - window }, this.perMinute);
    if (!verdict.allowed) throw coreError('RATE_LIMITED', {}, { headers: { 'retry-after': String(Math.ceil(verdict.retryAfterMs / 1000)) } });
  }

  /** Once per window and process: forgets clients that went quiet (their rows can no longer count). */
  private async purge(window: number): Promise<void> {
    if (this.purgedWindow === window) return;
    this.purgedWindow = window;
    await this.unscopedKnex(this.store.table('web_form_hits')).where('window_start', '<', window - WINDOW_MS).delete();
  }
}
