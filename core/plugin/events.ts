/**
 * The typed event map and the bus contract. Plugins add their events by declaration
 * merging:
 *
 * ```ts
 * declare module 'peyvand' { interface PeyvandEvents { 'deal.won': { dealId: string } } }
 * ```
 */
import type { Executor } from './sql.js';
import type { coreEventSchemas } from './core-events.js';
import type { SchemaType } from './route-types.js';

/** Event type → shape of its `data`. */
export interface PeyvandEvents {
  'customer.created': CoreEventData<'customer.created'>;
  'customer.updated': CoreEventData<'customer.updated'>;
  'customer.deleted': CoreEventData<'customer.deleted'>;
  'customer.merged': CoreEventData<'customer.merged'>;
  'customer.timeline_added': CoreEventData<'customer.timeline_added'>;
  'tenant.created': CoreEventData<'tenant.created'>;
  'tenant.plugins_enabled': CoreEventData<'tenant.plugins_enabled'>;
  'tenant.plugin_disabled': CoreEventData<'tenant.plugin_disabled'>;
  /** The tenant's requests per credential per minute; null: the deployment's default. */
  'tenant.rate_limit_changed': CoreEventData<'tenant.rate_limit_changed'>;
  'tenant.embed_configured': CoreEventData<'tenant.embed_configured'>;
  'tenant.settings_updated': CoreEventData<'tenant.settings_updated'>;
  'role.updated': CoreEventData<'role.updated'>;
  'api_key.created': CoreEventData<'api_key.created'>;
  'api_key.revoked': CoreEventData<'api_key.revoked'>;
}

/** The data of a core customer, tenant, role or API-key event: the type of its schema. */
type CoreEventData<T extends keyof typeof coreEventSchemas> = SchemaType<(typeof coreEventSchemas)[T]>;

/** A known event type. */
export type EventType = keyof PeyvandEvents & string;

/** An event as stored in the outbox and delivered to subscribers. */
export interface PeyvandEvent<T extends string = string> {
  /** UUIDv7, the idempotency key for consumers. */
  id: string;
  /** Monotonic position in the outbox; the replay cursor. */
  seq: number;
  type: T;
  tenantId: string;
  /** What the event is about, for per-aggregate ordering. */
  aggregateType: string;
  aggregateId: string;
  occurredAt: string;
  data: T extends EventType ? PeyvandEvents[T] : Record<string, unknown>;
}

/** What `emit` needs besides the type and data. */
export interface EmitOptions {
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
}

/** The bus: emit inside the caller's transaction; delivery happens after commit. */
export interface EventBus {
  /**
   * Writes the event to the outbox through `trx`, so the event exists if and only if the
   * change it describes was committed.
   */
  emit<T extends EventType>(trx: Executor, type: T, data: PeyvandEvents[T], options: EmitOptions): Promise<string>;
  /** Same, for event types declared by a plugin at run time without a typed entry. */
  emitUntyped(trx: Executor, type: string, data: Record<string, unknown>, options: EmitOptions): Promise<string>;
}

/** Context handed to a subscriber. */
export interface SubscriberContext {
  /** The id of the delivery attempt, for logs. */
  attempt: number;
}

/**
 * An in-process subscriber. Delivery is at least once: `handle` must be idempotent by
 * `event.id` and tolerate replays and batches of old events. The event object is shared
 * with the other subscribers of the same dispatch round: read it, never modify it.
 */
export interface EventSubscriber {
  /** Stable id; progress is stored under it, so renaming it replays history. */
  id: string;
  /** Event types or `prefix.*` patterns. */
  events: readonly string[];
  handle(event: PeyvandEvent, ctx: SubscriberContext): Promise<void>;
}

/** Whether an event type matches a pattern list (`customer.*`, `deal.won`, `*`). */
export function matchesEventPattern(type: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}
