/**
 * Delivers outbox events to in-process subscribers, at least once. Each subscriber has
 * its own progress (the last outbox seq it has seen), so one slow or failing subscriber
 * neither blocks nor replays the others. A failed event is parked in
 * `subscriber_failures` and retried with exponential backoff and jitter; after
 * `maxAttempts` it is dead-lettered and stays visible.
 *
 * Concurrent writers can commit outbox rows out of `seq` order; the dispatcher never
 * moves past a young gap (`committedPrefix`), so a late commit is still delivered.
 *
 * Several nodes: on PostgreSQL and MySQL each subscriber is delivered under a lease
 * (`leases.ts`), so one node at a time handles a subscriber's events and moves its
 * progress; a dead node's lease expires and another node continues from the last
 * committed progress. SQLite is single-process: no leases.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { isUniqueViolation, readInt } from '../db/database.js';
import { DEFAULT_GAP_GRACE_MS, type Outbox } from './outbox.js';
import { DatabaseLeases, LocalLeases, type LeaseStrategy } from './leases.js';
import { LeaseLostError } from '../plugin/delivery-errors.js';
import { SubscriberDelivery, type PluginEnabledCheck, type RegisteredSubscriber } from './subscriber-delivery.js';
import { PollingLoop } from '../plugin/polling-loop.js';
import { matchesEventPattern, type PeyvandEvent } from '../plugin/events.js';

export type { PluginEnabledCheck, RegisteredSubscriber } from './subscriber-delivery.js';

/** Dispatcher tuning. */
export interface DispatcherOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, with ±20% jitter. */
  backoffBaseMs?: number;
  /** Longest retry delay. */
  backoffMaxMs?: number;
  /** How long a gap in the outbox sequence is waited for (see `committedPrefix`). */
  gapGraceMs?: number;
  /** Coordinate with other nodes through leases (default: yes on PostgreSQL and MySQL, no on SQLite). */
  leases?: boolean;
  /** Lease duration: how long a dead node's subscribers wait for another node (default 15 s). */
  leaseMs?: number;
  /** This node's id in lease rows (default `<host>:<pid>:<random>`). */
  nodeId?: string;
}

/** Counters of one dispatcher since it was created. */
export interface DispatchStats {
  delivered: number;
  failed: number;
  deadLettered: number;
  /** Leases taken over from a node that died or stalled. */
  leaseTakeovers: number;
  /** Leases this node lost to another node. */
  leasesLost: number;
}

/** The dispatcher. */
export class Dispatcher {
  readonly nodeId: string;
  private readonly leaseMs: number;
  private readonly leases: LeaseStrategy;
  private readonly delivery: SubscriberDelivery;
  private readonly loop: PollingLoop;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly subscribers: readonly RegisteredSubscriber[],
    private readonly isEnabled: PluginEnabledCheck,
    private readonly logger: Logger,
    options: DispatcherOptions = {},
  ) {
    this.loop = new PollingLoop({ name: 'event dispatch', intervalMs: options.pollIntervalMs ?? 250, logger, pass: async () => (await this.runOnce()) > 0 });
    this.leaseMs = options.leaseMs ?? 15_000;
    this.nodeId = options.nodeId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const useLeases = options.leases ?? db.dialect !== 'sqlite';
    this.leases = useLeases ? new DatabaseLeases(db, this.nodeId, this.leaseMs, logger) : new LocalLeases(db);
    this.delivery = new SubscriberDelivery(db, this.leases, isEnabled, {
      batchSize: options.batchSize ?? 500,
      maxAttempts: options.maxAttempts ?? 8,
      backoffBaseMs: options.backoffBaseMs ?? 1000,
      backoffMaxMs: options.backoffMaxMs ?? 15 * 60_000,
      gapGraceMs: options.gapGraceMs ?? DEFAULT_GAP_GRACE_MS,
    }, logger);
  }

  /** What this dispatcher has done so far. */
  get stats(): DispatchStats {
    return { ...this.delivery.counters, leaseTakeovers: this.leases.stats.takeovers, leasesLost: this.leases.stats.lost };
  }

  /**
   * Creates progress rows for subscribers seen for the first time, starting at the
   * current end of the outbox: a plugin installed later does not replay old history.
   */
  async initialize(): Promise<void> {
    const head = await this.head();
    for (const { subscriber } of this.subscribers) {
      if (await this.db.rows('subscriber_progress').where({ subscriber_id: subscriber.id }).first('subscriber_id')) continue;
      try {
        await this.db.rows('subscriber_progress').insert({ subscriber_id: subscriber.id, last_seq: head, updated_at: Date.now() });
      } catch (err) {
        // Another node starting at the same moment created it first.
        if (!isUniqueViolation(err)) throw err;
      }
    }
  }

  /** Starts polling. */
  start(): void {
    if (this.loop.active) return;
    this.unsubscribe = this.outbox.onEmit(() => this.loop.wake());
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(this.leaseMs / 4)));
    this.heartbeatTimer.unref();
    this.loop.start();
  }

  /** Stops polling, waits for the batch in flight and gives this node's leases up. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.loop.stop();
    await this.leases.releaseAll().catch((err: unknown) => this.logger.warn({ err }, 'could not release dispatch leases; they expire by themselves'));
  }

  /** Delivers everything currently due; returns how many deliveries were attempted. Tests call this directly. */
  async runOnce(): Promise<number> {
    let attempted = 0;
    this.delivery.beginRound();
    for (const registered of this.subscribers) {
      const id = registered.subscriber.id;
      if (this.delivery.isPaused(id)) continue;
      const lease = await this.leases.acquire(id);
      if (!lease) continue;
      try {
        attempted += await this.delivery.deliverNew(registered, lease);
        attempted += await this.delivery.retryDue(registered, lease);
      } catch (err) {
        if (!(err instanceof LeaseLostError)) throw err;
        this.leases.markLost(lease, 'a fenced progress write found another owner');
      }
    }
    return attempted;
  }

  /** Delivers until nothing is left (tests and shutdown). */
  async drain(maxRounds = 100): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.runOnce()) === 0) return;
  }

  /**
   * Hands `events` once more to every plugin subscriber that wants them (type pattern, plugin
   * enabled for the tenant), ignoring progress: what a subscriber sees when a node dies
   * between its handler's commit and the progress write. For tests of idempotent handlers;
   * core's own subscribers are left out. A handler's error is thrown, not retried.
   */
  async redeliver(events: readonly PeyvandEvent[]): Promise<void> {
    for (const event of events) {
      for (const { plugin, subscriber } of this.subscribers) {
        if (plugin === 'core' || !matchesEventPattern(event.type, subscriber.events)) continue;
        if (!(await this.isEnabled(event.tenantId, plugin))) continue;
        await subscriber.handle(Object.freeze({ ...event }), { attempt: 2 });
      }
    }
  }

  /**
   * Keeps held leases alive while a handler runs long. A handler stuck for several
   * lease periods stops the renewal: better another node delivers (at least once) than
   * a subscriber waits forever behind a hung call.
   */
  private async heartbeat(): Promise<void> {
    const since = this.delivery.handlingSince;
    if (since !== undefined && performance.now() - since > this.leaseMs * 4) return;
    try {
      await this.leases.heartbeat();
    } catch (err) {
      this.logger.warn({ err }, 'dispatch lease renewal failed');
    }
  }

  private async head(): Promise<number> {
    const row = await this.db.rows('outbox').max({ max: 'seq' }).first();
    return readInt(row?.max ?? 0) || 0;
  }
}
