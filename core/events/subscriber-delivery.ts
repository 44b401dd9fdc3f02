/**
 * One subscriber's deliveries under a lease: new events after its progress (never past a
 * young gap), then its due retries. Progress moves and failures are parked in one
 * transaction, fenced by the lease, so a node that lost its lease cannot move them.
 * A subscriber whose downstream is unavailable is paused with its progress held.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { OutboxRow } from '../db/rows/events.js';
import { readInt } from '../db/database.js';
import { committedPrefix, eventFromRow } from './outbox.js';
import { matchesEventPattern, type EventSubscriber, type PeyvandEvent } from '../plugin/events.js';
import type { Lease, LeaseStrategy } from './leases.js';
import { LeaseLostError, SubscriberUnavailableError } from '../plugin/delivery-errors.js';
import { backoffDelay } from '../plugin/backoff.js';

/** A subscriber and the plugin that owns it. */
export interface RegisteredSubscriber {
  plugin: string;
  subscriber: EventSubscriber;
}

/** Decides whether a plugin's subscribers see a tenant's events. */
export type PluginEnabledCheck = (tenantId: string, plugin: string) => Promise<boolean>;

/** Settings the deliveries follow (the dispatcher's options with defaults applied). */
export interface DeliverySettings {
  batchSize: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  gapGraceMs: number;
}

interface ParkedFailure {
  event: PeyvandEvent;
  error: string;
}

/** Delivers to subscribers; shared by all subscribers of one dispatcher. */
export class SubscriberDelivery {
  readonly counters = { delivered: 0, failed: 0, deadLettered: 0 };
  /** When the handler now running started (monotonic), for the heartbeat's stuck check. */
  handlingSince: number | undefined;
  /** Subscribers whose downstream is unavailable: when to try again, and how often it failed. */
  private readonly paused = new Map<string, { until: number; streak: number }>();
  /**
   * Per dispatch round: outbox batches by the position they were read after, and plugin
   * switches by tenant. Subscribers that are level (the usual case) share one read.
   */
  private round = { batches: new Map<number, OutboxRow[]>(), events: new Map<OutboxRow['seq'], PeyvandEvent>(), enabled: new Map<string, boolean>() };

  constructor(
    private readonly db: Database,
    private readonly leases: LeaseStrategy,
    private readonly isEnabled: PluginEnabledCheck,
    private readonly settings: DeliverySettings,
    private readonly logger: Logger,
  ) {}

  /** Starts a dispatch round: what was read in the previous one is forgotten. */
  beginRound(): void {
    this.round = { batches: new Map(), events: new Map(), enabled: new Map() };
  }

  /** Whether the subscriber is paused because its downstream was unavailable. */
  isPaused(subscriberId: string): boolean {
    const pause = this.paused.get(subscriberId);
    return pause !== undefined && pause.until > Date.now();
  }

  /** Delivers the events after the subscriber's progress; returns how much work was done. */
  async deliverNew({ plugin, subscriber }: RegisteredSubscriber, lease: Lease): Promise<number> {
    const progress = await this.db.rows('subscriber_progress').where({ subscriber_id: subscriber.id }).first('last_seq');
    const lastSeq = progress ? readInt(progress.last_seq) : 0;
    const rows = committedPrefix(await this.batchAfter(lastSeq), lastSeq, this.settings.gapGraceMs);
    if (rows.length === 0) return 0;
    const failures: ParkedFailure[] = [];
    let attempted = 0;
    let newLast = lastSeq;
    let blocked = false;
    for (const row of rows) {
      // Checked before each event: a node never starts a delivery it may not finish under its lease.
      // (A local lease never needs renewing: no clock read per event for it.)
      if (lease.lost || (lease.renewAt !== Infinity && performance.now() >= lease.renewAt && !(await this.leases.check(lease)))) break;
      // The type decides before the row is parsed: most subscribers want few types.
      if (!matchesEventPattern(row.type, subscriber.events)) {
        newLast = readInt(row.seq);
        continue;
      }
      const event = this.eventOf(row);
      if (await this.wants(plugin, subscriber, event)) {
        attempted++;
        const error = await this.handle(subscriber, event, 1);
        if (error instanceof SubscriberUnavailableError) {
          blocked = true;
          this.pause(subscriber.id, error);
          break;
        }
        if (error !== undefined) failures.push({ event, error: describe(error) });
      }
      newLast = event.seq;
    }
    if (newLast !== lastSeq) await this.commitProgress(subscriber, lease, newLast, failures);
    if (!blocked) this.paused.delete(subscriber.id);
    return blocked ? attempted : Math.max(attempted, 1);
  }

  /** Retries the subscriber's parked failures that are due; returns how many were attempted. */
  async retryDue({ plugin, subscriber }: RegisteredSubscriber, lease: Lease): Promise<number> {
    const due = await this.db
      .rows('subscriber_failures')
      .where({ subscriber_id: subscriber.id, status: 'retrying' })
      .andWhere('next_attempt_at', '<=', Date.now())
      .orderBy('event_seq')
      .limit(this.settings.batchSize);
    let attempted = 0;
    for (const failure of due) {
      if (!(await this.leases.check(lease))) break;
      const key = { subscriber_id: subscriber.id, event_seq: failure.event_seq };
      const row = await this.db.rows('outbox').where({ seq: failure.event_seq }).first();
      const event = row ? eventFromRow(row) : undefined;
      const attempts = readInt(failure.attempts) + 1;
      let error: unknown;
      if (event && (await this.wants(plugin, subscriber, event))) {
        attempted++;
        error = await this.handle(subscriber, event, attempts);
      }
      if (error instanceof SubscriberUnavailableError) {
        this.pause(subscriber.id, error);
        break;
      }
      const dead = error !== undefined && attempts >= this.settings.maxAttempts;
      await this.db.transaction(async (trx) => {
        // Touching the progress row under the lease fences the retry's bookkeeping too.
        if ((await this.leases.updateProgress(trx, lease, { updated_at: Date.now() })) !== 1) throw new LeaseLostError(subscriber.id);
        if (error === undefined) await this.db.rows('subscriber_failures', trx).where(key).delete();
        else await this.db.rows('subscriber_failures', trx).where(key).update({ attempts, status: dead ? 'dead' : 'retrying', next_attempt_at: Date.now() + this.backoff(attempts), last_error: describe(error), updated_at: Date.now() });
      });
      if (error !== undefined && event) {
        this.counters.failed++;
        if (dead) this.counters.deadLettered++;
        this.logger[dead ? 'error' : 'warn']({ subscriber: subscriber.id, eventId: event.id, attempts }, dead ? 'event dead-lettered' : 'subscriber retry failed');
      }
    }
    return attempted;
  }

  /** Moves the progress (fenced by the lease) and parks the failures, in one transaction. */
  private async commitProgress(subscriber: EventSubscriber, lease: Lease, newLast: number, failures: readonly ParkedFailure[]): Promise<void> {
    const dead = this.settings.maxAttempts <= 1;
    await this.db.transaction(async (trx) => {
      const now = Date.now();
      if ((await this.leases.updateProgress(trx, lease, { last_seq: newLast, updated_at: now })) !== 1) throw new LeaseLostError(subscriber.id);
      for (const { event, error } of failures) {
        await this.db.rows('subscriber_failures', trx).insert({
          subscriber_id: subscriber.id,
          event_seq: event.seq,
          tenant_id: event.tenantId,
          attempts: 1,
          status: dead ? 'dead' : 'retrying',
          next_attempt_at: now + this.backoff(1),
          last_error: error,
          updated_at: now,
        })
          // Two drains of one node share its lease and may both fail the same event: the
          // first parked failure stands (a second insert would abort the progress commit).
          .onConflict(['subscriber_id', 'event_seq'])
          .ignore();
        this.logger.warn({ subscriber: subscriber.id, eventId: event.id, type: event.type, error }, 'subscriber failed; will retry');
      }
    });
    this.counters.failed += failures.length;
    if (dead) this.counters.deadLettered += failures.length;
  }

  /** Runs one delivery; returns the error it threw, if any. */
  private async handle(subscriber: EventSubscriber, event: PeyvandEvent, attempt: number): Promise<unknown> {
    this.handlingSince = performance.now();
    try {
      await subscriber.handle(event, { attempt });
      this.counters.delivered++;
      return undefined;
    } catch (err) {
      return err;
    } finally {
      this.handlingSince = undefined;
    }
  }

  private pause(subscriberId: string, error: SubscriberUnavailableError): void {
    const streak = (this.paused.get(subscriberId)?.streak ?? 0) + 1;
    const delay = Math.min(30_000, this.backoff(streak));
    this.paused.set(subscriberId, { until: Date.now() + delay, streak });
    this.logger.warn({ subscriber: subscriberId, error: describe(error), retryInMs: delay }, 'subscriber downstream unavailable; holding its progress');
  }

  private async wants(plugin: string, subscriber: EventSubscriber, event: PeyvandEvent): Promise<boolean> {
    if (!matchesEventPattern(event.type, subscriber.events)) return false;
    if (plugin === 'core') return true;
    const key = `${event.tenantId} ${plugin}`;
    let enabled = this.round.enabled.get(key);
    if (enabled === undefined) {
      enabled = await this.isEnabled(event.tenantId, plugin);
      this.round.enabled.set(key, enabled);
    }
    return enabled;
  }

  /** The row as an event, parsed once per round however many subscribers want it. */
  private eventOf(row: OutboxRow): PeyvandEvent {
    let event = this.round.events.get(row.seq);
    if (!event) {
      event = Object.freeze(eventFromRow(row));
      this.round.events.set(row.seq, event);
    }
    return event;
  }

  private async batchAfter(lastSeq: number): Promise<OutboxRow[]> {
    let rows = this.round.batches.get(lastSeq);
    if (!rows) {
      rows = await this.db.rows('outbox').where('seq', '>', lastSeq).orderBy('seq').limit(this.settings.batchSize);
      this.round.batches.set(lastSeq, rows);
    }
    return rows;
  }

  private backoff(attempt: number): number {
    return backoffDelay(attempt, { baseMs: this.settings.backoffBaseMs, maxMs: this.settings.backoffMaxMs, jitter: 0.2 });
  }
}

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 2000);
}
