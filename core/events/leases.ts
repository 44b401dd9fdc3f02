/**
 * Per-subscriber leases, so several Peyvand nodes on one database dispatch the same
 * outbox without handing one event to one subscriber twice at the same time.
 *
 * A lease lives on the subscriber's progress row: owner (node id), expiry and a fencing
 * token. It is taken with a conditional UPDATE (free, expired, or already ours), which
 * every dialect serializes on the row, so exactly one node wins. Expiry is compared on
 * the database clock, never a node's, so nodes with skewed clocks still agree; each
 * node measures its own deadline with a monotonic clock started *before* it asked, so
 * it always believes its lease ends no later than the database does.
 *
 * A node that dies keeps its lease until it expires; then another node takes over from
 * the last committed progress, and redelivers what the dead node handled but had not
 * committed (at least once). A node that was merely slow and lost its lease finds out
 * when it commits: the token no longer matches, the commit is refused, and the new
 * owner delivers the batch again. Both cases are counted and logged: they are the only
 * way one event reaches one subscriber twice.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Database, Executor } from '../db/database.js';
import { readInt } from '../db/database.js';
import type { BigIntColumn } from '../plugin/data.js';
import type { SubscriberProgressRow } from '../db/rows/events.js';

/** A lease this node holds on one subscriber. */
export interface Lease {
  subscriberId: string;
  /** Fencing token of this claim. */
  token: number;
  /** Monotonic time (ms) after which this node must assume the lease is gone. */
  expiresAt: number;
  /** Monotonic time after which the lease is renewed before more work. */
  renewAt: number;
  /** Set when a renewal or a fenced write found another owner. */
  lost: boolean;
}

/** What a fenced write of a subscriber's progress row sets (the lease columns are the strategy's own). */
export type ProgressUpdate = Partial<Pick<SubscriberProgressRow, 'last_seq' | 'updated_at'>>;

/** What leases did, for tests, the crash harness and operators. */
export interface LeaseStats {
  /** Leases taken from another node after they expired (that node died or stalled). */
  takeovers: number;
  /** Leases this node found taken by another node when it renewed or committed. */
  lost: number;
}

/** How the dispatcher coordinates with other nodes. */
export interface LeaseStrategy {
  readonly stats: LeaseStats;
  /** The lease when this node holds it or can take it now; undefined when another node does. */
  acquire(subscriberId: string): Promise<Lease | undefined>;
  /** Whether work may still be done under the lease (renewing it when due). */
  check(lease: Lease): Promise<boolean>;
  /**
   * Updates the subscriber's progress row only while `lease` is still this node's
   * (extending it); returns the number of rows changed: 0 means the lease is gone.
   */
  updateProgress(executor: Executor, lease: Lease, values: ProgressUpdate): Promise<number>;
  /** Records that a fenced write found the lease gone. */
  markLost(lease: Lease, why: string): void;
  /** Renews every held lease that is due (a timer calls it while a handler runs long). */
  heartbeat(): Promise<void>;
  /** Gives up every lease this node holds (graceful stop). */
  releaseAll(): Promise<void>;
}

/** The current time on the database server in ms since the epoch, as SQL. */
export function databaseNowSql(dialect: Database['dialect']): string {
  if (dialect === 'postgres') return '(extract(epoch from clock_timestamp()) * 1000)::bigint';
  if (dialect === 'mysql') return 'cast(unix_timestamp(now(3)) * 1000 as signed)';
  return "cast((julianday('now') - 2440587.5) * 86400000 as integer)";
}

/** Single-process dispatch (the SQLite default): every lease is granted and never lost. */
export class LocalLeases implements LeaseStrategy {
  readonly stats: LeaseStats = { takeovers: 0, lost: 0 };

  async acquire(subscriberId: string): Promise<Lease> {
    return { subscriberId, token: 0, expiresAt: Infinity, renewAt: Infinity, lost: false };
  }

  async check(): Promise<boolean> {
    return true;
  }

  constructor(private readonly db: Database) {}

  async updateProgress(executor: Executor, lease: Lease, values: ProgressUpdate): Promise<number> {
    return this.db.rows('subscriber_progress', executor).where({ subscriber_id: lease.subscriberId }).update(values);
  }

  markLost(): void {}

  async heartbeat(): Promise<void> {}

  async releaseAll(): Promise<void> {}
}

/** Leases on the subscriber progress rows, for several nodes on one database. */
export class DatabaseLeases implements LeaseStrategy {
  readonly stats: LeaseStats = { takeovers: 0, lost: 0 };
  private readonly held = new Map<string, Lease>();
  private readonly now: string;
  /** Work stops this long before the lease would end, to leave time for the commit. */
  private readonly margin: number;

  constructor(
    private readonly db: Database,
    /** This node's id; unique per process. */
    readonly nodeId: string,
    /** Lease duration; a dead node's subscribers wait this long for another node. */
    readonly ttlMs: number,
    private readonly logger: Logger,
  ) {
    this.now = databaseNowSql(db.dialect);
    this.margin = Math.min(1000, Math.floor(ttlMs / 5));
  }

  async acquire(subscriberId: string): Promise<Lease | undefined> {
    const mine = this.held.get(subscriberId);
    if (mine && (await this.check(mine))) return mine;
    this.held.delete(subscriberId);
    const knex = this.db.knex;
    // Read first: a node that does not hold the lease polls without writing.
    const row = await this.db
      .rows('subscriber_progress')
      .where({ subscriber_id: subscriberId })
      .first<(Pick<SubscriberProgressRow, 'lease_owner' | 'lease_until'> & { db_now: BigIntColumn }) | undefined>('lease_owner', 'lease_until', knex.raw(`${this.now} as db_now`));
    if (!row) return undefined;
    const owner = row.lease_owner ?? null;
    const expired = readInt(row.lease_until) < readInt(row.db_now);
    if (owner !== null && owner !== this.nodeId && !expired) return undefined;
    const asked = performance.now();
    const taken = await this.db
      .rows('subscriber_progress')
      .where({ subscriber_id: subscriberId })
      .andWhere((q) => q.whereNull('lease_owner').orWhere('lease_owner', this.nodeId).orWhere('lease_until', '<', knex.raw(this.now)))
      .update({ lease_owner: this.nodeId, lease_token: knex.raw('lease_token + 1'), lease_until: knex.raw(`${this.now} + ?`, [this.ttlMs]) });
    if (taken !== 1) return undefined;
    const claimed = await this.db.rows('subscriber_progress').where({ subscriber_id: subscriberId, lease_owner: this.nodeId }).first('lease_token');
    if (!claimed) return undefined;
    if (owner !== null && owner !== this.nodeId) {
      this.stats.takeovers++;
      this.logger.warn({ subscriber: subscriberId, previousOwner: owner, node: this.nodeId }, 'took over an expired dispatch lease; events the previous node handled without committing are delivered again');
    }
    const lease: Lease = { subscriberId, token: readInt(claimed.lease_token), expiresAt: asked + this.ttlMs - this.margin, renewAt: asked + this.ttlMs / 3, lost: false };
    this.held.set(subscriberId, lease);
    return lease;
  }

  async check(lease: Lease): Promise<boolean> {
    if (lease.lost) return false;
    const now = performance.now();
    if (now >= lease.expiresAt) return this.lose(lease, 'expired before it could be renewed');
    if (now < lease.renewAt) return true;
    const asked = performance.now();
    const renewed = await this.updateProgress(this.db.knex, lease, { updated_at: Date.now() });
    if (renewed !== 1) return this.lose(lease, 'taken over by another node');
    lease.expiresAt = asked + this.ttlMs - this.margin;
    lease.renewAt = asked + this.ttlMs / 3;
    return true;
  }

  async updateProgress(executor: Executor, lease: Lease, values: ProgressUpdate): Promise<number> {
    // Every fenced write also extends the lease, which keeps a busy node's lease fresh.
    return this.db
      .rows('subscriber_progress', executor)
      .where({ subscriber_id: lease.subscriberId, lease_owner: this.nodeId, lease_token: lease.token })
      .update({ ...values, lease_until: this.db.knex.raw(`${this.now} + ?`, [this.ttlMs]) });
  }

  markLost(lease: Lease, why: string): void {
    this.lose(lease, why);
  }

  async heartbeat(): Promise<void> {
    for (const lease of [...this.held.values()]) await this.check(lease);
  }

  async releaseAll(): Promise<void> {
    const leases = [...this.held.values()];
    this.held.clear();
    for (const lease of leases) {
      await this.db.rows('subscriber_progress').where({ subscriber_id: lease.subscriberId, lease_owner: this.nodeId, lease_token: lease.token }).update({ lease_owner: null, lease_until: 0 });
    }
  }

  private lose(lease: Lease, why: string): false {
    if (!lease.lost) {
      lease.lost = true;
      this.stats.lost++;
      this.held.delete(lease.subscriberId);
      this.logger.warn({ subscriber: lease.subscriberId, node: this.nodeId, why }, 'dispatch lease lost; the batch in hand is left to the new owner');
    }
    return false;
  }
}
