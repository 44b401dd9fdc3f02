/**
 * Feeds webhook deliveries from the outbox. It is one in-process subscriber of the core
 * dispatcher, so it inherits the dispatcher's guarantees: it sees every committed event
 * at least once, in outbox order, and never passes a young gap in the sequence. For each
 * event it inserts one `webhook_deliveries` row per matching subscription; the unique
 * (webhook, event) key makes a replayed event a no-op, so at-least-once dispatch yields
 * exactly one delivery row.
 *
 * @module
 */
import type { Database } from '../db/database.js';
import { readInt, readJson } from '../db/database.js';
import { newId } from '../plugin/ids.js';
import { matchesEventPattern, type EventSubscriber, type PeyvandEvent } from '../plugin/events.js';

/** Progress of this subscriber is stored under this id. */
export const WEBHOOK_SUBSCRIBER_ID = 'core.webhooks';

interface Subscription {
  id: string;
  events: string[];
  createdAt: number;
}

// Most events belong to tenants without webhooks; caching the (often empty) list keeps
// the dispatcher's pass cheap. Local changes invalidate at once; another node's change
// is seen within this time.
const CACHE_MS = 1_000;

/** Turns outbox events into pending deliveries. */
export class WebhookEnqueuer {
  private readonly cache = new Map<string, { at: number; subscriptions: Subscription[] }>();

  /** The dispatcher subscriber: every event type, core-owned (never switched off). */
  readonly subscriber: EventSubscriber = {
    id: WEBHOOK_SUBSCRIBER_ID,
    events: ['*'],
    handle: (event) => this.enqueue(event),
  };

  constructor(
    private readonly db: Database,
    /** Called after deliveries were added (wakes the delivery engine). */
    private readonly onEnqueued: () => void,
  ) {}

  /** Forgets a tenant's cached subscriptions (after a local change). */
  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  /** Adds the deliveries of one event; idempotent by (subscription, event). */
  async enqueue(event: PeyvandEvent): Promise<void> {
    const subscriptions = await this.subscriptionsOf(event.tenantId);
    if (subscriptions.length === 0) return; // most tenants: nothing more to look at
    const occurredAt = Date.parse(event.occurredAt);
    // A subscription receives what happened after it was created, not the backlog the
    // dispatcher may still be working through.
    const targets = subscriptions.filter((s) => s.createdAt <= occurredAt && matchesEventPattern(event.type, s.events));
    if (targets.length === 0) return;
    const now = Date.now();
    const rows = targets.map((s) => ({
      id: newId(),
      tenant_id: event.tenantId,
      webhook_id: s.id,
      event_seq: event.seq,
      event_id: event.id,
      event_type: event.type,
      aggregate_key: `${event.aggregateType}:${event.aggregateId}`,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_until: 0,
      last_status_code: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      delivered_at: null,
    }));
    await this.db.rows('webhook_deliveries').insert(rows).onConflict(['webhook_id', 'event_seq']).ignore();
    this.onEnqueued();
  }

  private async subscriptionsOf(tenantId: string): Promise<Subscription[]> {
    const cached = this.cache.get(tenantId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.subscriptions;
    const rows = await this.db.rows('webhooks').where({ tenant_id: tenantId }).select('id', 'events', 'created_at');
    // Paused subscriptions keep receiving deliveries: they wait, and go out on resume.
    const subscriptions = rows.map((r) => ({ id: r.id, events: readJson<string[]>(r.events, []), createdAt: readInt(r.created_at) }));
    this.cache.set(tenantId, { at: Date.now(), subscriptions });
    return subscriptions;
  }
}
