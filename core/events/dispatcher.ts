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
 * Single-node: with several processes on one database each would deliver every event.
 * Claiming batches across nodes (SKIP LOCKED / leases) is the multi-node issue's work.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { readInt } from '../db/database.js';
import { committedPrefix, DEFAULT_GAP_GRACE_MS, eventFromRow, type Outbox } from './outbox.js';
import { matchesEventPattern, type EventSubscriber, type PeyvandEvent } from './types.js';

/** A subscriber and the plugin that owns it. */
export interface RegisteredSubscriber {
  plugin: string;
  subscriber: EventSubscriber;
}

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
}

/** Decides whether a plugin's subscribers see a tenant's events. */
export type PluginEnabledCheck = (tenantId: string, plugin: string) => Promise<boolean>;

/** The in-process dispatcher. */
export class Dispatcher {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly gapGraceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private wakeRequested = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly subscribers: readonly RegisteredSubscriber[],
    private readonly isEnabled: PluginEnabledCheck,
    private readonly logger: Logger,
    options: DispatcherOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 15 * 60_000;
    this.gapGraceMs = options.gapGraceMs ?? DEFAULT_GAP_GRACE_MS;
  }

  /**
   * Creates progress rows for subscribers seen for the first time, starting at the
   * current end of the outbox: a plugin installed later does not replay old history.
   */
  async initialize(): Promise<void> {
    const head = await this.head();
    for (const { subscriber } of this.subscribers) {
      const row = await this.db.knex(this.db.table('subscriber_progress')).where({ subscriber_id: subscriber.id }).first();
      if (!row) await this.db.knex(this.db.table('subscriber_progress')).insert({ subscriber_id: subscriber.id, last_seq: head, updated_at: Date.now() });
    }
  }

  /** Starts polling. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.outbox.onEmit(() => this.wake());
    this.schedule(0);
  }

  /** Stops polling and waits for the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Delivers everything currently due; returns how many deliveries were attempted. Tests call this directly. */
  async runOnce(): Promise<number> {
    let attempted = 0;
    for (const registered of this.subscribers) {
      attempted += await this.deliverNew(registered);
      attempted += await this.retryDue(registered);
    }
    return attempted;
  }

  /** Delivers until nothing is left (tests and shutdown). */
  async drain(maxRounds = 100): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.runOnce()) === 0) return;
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let attempted = 0;
    try {
      attempted = await this.runOnce();
    } catch (err) {
      this.logger.error({ err }, 'event dispatch failed; retrying');
    }
    if (this.stopped) return;
    const again = attempted > 0 || this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(again ? 0 : this.pollIntervalMs);
  }

  private async head(): Promise<number> {
    const row = await this.db.knex(this.db.table('outbox')).max({ max: 'seq' }).first();
    return readInt(row?.max ?? 0) || 0;
  }

  private async deliverNew({ plugin, subscriber }: RegisteredSubscriber): Promise<number> {
    const progressTable = this.db.table('subscriber_progress');
    const progress = await this.db.knex(progressTable).where({ subscriber_id: subscriber.id }).first();
    const lastSeq = progress ? readInt(progress.last_seq) : 0;
    const fetched = await this.db.knex(this.db.table('outbox')).where('seq', '>', lastSeq).orderBy('seq').limit(this.batchSize);
    const rows = committedPrefix(fetched, lastSeq, this.gapGraceMs);
    if (rows.length === 0) return 0;
    const failures: Array<{ event: PeyvandEvent; error: string }> = [];
    let attempted = 0;
    for (const row of rows) {
      const event = eventFromRow(row);
      if (!(await this.wants(plugin, subscriber, event))) continue;
      attempted++;
      try {
        await subscriber.handle(event, { attempt: 1 });
      } catch (err) {
        failures.push({ event, error: describe(err) });
      }
    }
    const newLast = readInt(rows[rows.length - 1]!.seq);
    await this.db.transaction(async (trx) => {
      const now = Date.now();
      for (const { event, error } of failures) {
        await trx(this.db.table('subscriber_failures')).insert({
          subscriber_id: subscriber.id,
          event_seq: event.seq,
          tenant_id: event.tenantId,
          attempts: 1,
          status: this.maxAttempts <= 1 ? 'dead' : 'retrying',
          next_attempt_at: now + this.backoff(1),
          last_error: error,
          updated_at: now,
        });
        this.logger.warn({ subscriber: subscriber.id, eventId: event.id, type: event.type, error }, 'subscriber failed; will retry');
      }
      await trx(progressTable).where({ subscriber_id: subscriber.id }).update({ last_seq: newLast, updated_at: now });
    });
    return Math.max(attempted, 1);
  }

  private async retryDue({ plugin, subscriber }: RegisteredSubscriber): Promise<number> {
    const failuresTable = this.db.table('subscriber_failures');
    const due = await this.db
      .knex(failuresTable)
      .where({ subscriber_id: subscriber.id, status: 'retrying' })
      .andWhere('next_attempt_at', '<=', Date.now())
      .orderBy('event_seq')
      .limit(this.batchSize);
    for (const failure of due) {
      const row = await this.db.knex(this.db.table('outbox')).where({ seq: failure.event_seq }).first();
      const key = { subscriber_id: subscriber.id, event_seq: failure.event_seq };
      if (!row) {
        await this.db.knex(failuresTable).where(key).delete();
        continue;
      }
      const event = eventFromRow(row);
      const attempts = readInt(failure.attempts) + 1;
      try {
        if (await this.wants(plugin, subscriber, event)) await subscriber.handle(event, { attempt: attempts });
        await this.db.knex(failuresTable).where(key).delete();
      } catch (err) {
        const dead = attempts >= this.maxAttempts;
        await this.db.knex(failuresTable).where(key).update({
          attempts,
          status: dead ? 'dead' : 'retrying',
          next_attempt_at: Date.now() + this.backoff(attempts),
          last_error: describe(err),
          updated_at: Date.now(),
        });
        this.logger[dead ? 'error' : 'warn']({ subscriber: subscriber.id, eventId: event.id, attempts }, dead ? 'event dead-lettered' : 'subscriber retry failed');
      }
    }
    return due.length;
  }

  private async wants(plugin: string, subscriber: EventSubscriber, event: PeyvandEvent): Promise<boolean> {
    if (!matchesEventPattern(event.type, subscriber.events)) return false;
    return plugin === 'core' || this.isEnabled(event.tenantId, plugin);
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 2000);
}
