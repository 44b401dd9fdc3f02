/**
 * Invalidation of everything cached about who may do what: API keys, tenants, role
 * grants, enabled plugins, embed configurations.
 *
 * Every change to those raises the epoch row (`<prefix>auth_epoch`) in its own
 * transaction ({@link AuthEpoch.raise}) and, once committed, drops this node's caches
 * ({@link AuthEpoch.invalidate}), so the next request on this node sees it. Other nodes
 * poll the row every {@link AUTH_EPOCH_POLL_MS} and drop theirs when it moved. A cache
 * entry is served only while the last poll that succeeded *started* less than
 * {@link AUTH_CACHE_BOUND_MS} ago: a poll started after a change's commit sees it, so no
 * node serves anything older than the bound, even when polls fail or stall (the caches
 * are then bypassed and every request reads the database, as without them).
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { readInt } from '../db/database.js';
import type { AuthEpochRow } from '../db/rows/access.js';

/** How long after a change's commit another node may still act on what it cached before. */
export const AUTH_CACHE_BOUND_MS = 1000;
/** How often each node reads the epoch row. */
export const AUTH_EPOCH_POLL_MS = 250;

/** The epoch row's number, the poll behind it, and the caches that depend on it. */
export class AuthEpoch {
  /** Raised by every invalidation: a fill that started under an older one is not stored. */
  generation = 0;
  private seen: number | undefined;
  private lastPollStart = -Infinity;
  private polling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: Array<() => void> = [];
  private warned = false;

  constructor(
    private readonly db: Database,
    private readonly logger?: Logger,
    private readonly pollMs = AUTH_EPOCH_POLL_MS,
    private readonly boundMs = AUTH_CACHE_BOUND_MS,
  ) {}

  /** Raises the epoch inside a change's transaction (call {@link invalidate} after the commit). */
  async raise(trx: Knex.Transaction): Promise<void> {
    await this.db.rows('auth_epoch', trx).where({ id: 1 }).increment('epoch', 1);
  }

  /** Drops every cache on this node now (after a change committed here). */
  invalidate(): void {
    this.generation++;
    for (const clear of this.listeners) clear();
  }

  /** Calls `clear` on every invalidation. */
  onInvalidate(clear: () => void): void {
    this.listeners.push(clear);
  }

  /** Whether cached entries may be served now (see the module comment). */
  fresh(): boolean {
    return performance.now() - this.lastPollStart < this.boundMs;
  }

  /** Starts polling (once the table exists). */
  async start(): Promise<void> {
    await this.poll();
    this.timer ??= setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** Stops polling; what is cached is served until the bound runs out, then bypassed. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the epoch row once; invalidates when it moved. Concurrent calls share one read. */
  poll(): Promise<void> {
    this.polling ??= this.read().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async read(): Promise<void> {
    const started = performance.now();
    try {
      const table = this.db.table('auth_epoch');
      const row = this.db.reader ? this.db.reader.get<Pick<AuthEpochRow, 'epoch'>>(`select epoch from "${table}" where id = 1`) : await this.db.rows('auth_epoch').where({ id: 1 }).first('epoch');
      const epoch = readInt(row?.epoch ?? 0);
      if (this.seen !== undefined && epoch !== this.seen) this.invalidate();
      this.seen = epoch;
      this.lastPollStart = started;
      this.warned = false;
    } catch (err) {
      // Not fresh any more after the bound: requests read the database until a poll succeeds.
      if (!this.warned) this.logger?.warn({ err }, 'auth epoch poll failed; credential caches bypassed until it succeeds');
      this.warned = true;
    }
  }
}

/**
 * A map whose entries live until the next invalidation and are served only while the
 * epoch is fresh. At most `max` entries; past that the oldest is dropped.
 */
export class EpochCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly epoch: AuthEpoch,
    private readonly max = 10_000,
  ) {
    epoch.onInvalidate(() => this.entries.clear());
  }

  /** The cached value while the epoch is fresh, else undefined (without asking the database). */
  peek(key: string): V | undefined {
    return this.epoch.fresh() ? this.entries.get(key) : undefined;
  }

  /** The cached value, or `load()`'s (stored unless undefined or an invalidation came meanwhile). */
  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const fresh = this.epoch.fresh();
    if (fresh) {
      const hit = this.entries.get(key);
      if (hit !== undefined) return hit;
    } else {
      // The timer is late (a busy event loop) or the last poll failed: ask now, so the
      // requests after this one can be served from the cache again.
      void this.epoch.poll();
    }
    const generation = this.epoch.generation;
    const value = await load();
    if (value !== undefined && fresh && generation === this.epoch.generation) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, value);
    }
    return value;
  }
}
