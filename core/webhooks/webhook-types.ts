/**
 * Webhook shapes shared by the service, the delivery engine and the routes, and the
 * webhook events core emits: their data schemas, and their types derived from those
 * (merged into {@link PeyvandEvents}). No event, DTO or audit
 * entry ever carries the secret.
 *
 * @module
 */
import type { SchemaType } from '../plugin/route-types.js';
import { eventData } from '../plugin/schemas.js';


const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;

/** Why a subscription is paused, as stored and as `webhook.paused` carries it. */
const pauseReasonSchema = {
  anyOf: [eventData({ code: { const: 'failing' }, deadInARow: int, attempts: int, lastError: str }), eventData({ code: { const: 'manual' }, by: str })],
} as const;

/** What the webhook events say about a subscription (never its secret). */
const webhookEventViewSchema = eventData({ id: str, url: str, events: { type: 'array', items: str }, active: { type: 'boolean' } });

/** The webhook events core declares, with the schema of their data (closed, as webhook-service.ts and webhook-deliverer.ts write it). */
export const webhookEventSchemas = {
  'webhook.created': eventData({ webhook: webhookEventViewSchema }),
  'webhook.updated': eventData({ webhook: webhookEventViewSchema, changed: { type: 'array', items: str } }),
  'webhook.deleted': eventData({ webhookId: str }),
  'webhook.paused': eventData({ webhookId: str, reason: pauseReasonSchema }),
  'webhook.delivery_retried': eventData({ webhookId: str, deliveryId: str, eventId: str, delivered: { type: 'boolean' } }),
} as const;

/** Why a subscription is paused, as stored; rendered in the caller's language by the API. */
export type PauseReason = SchemaType<typeof pauseReasonSchema>;

/** A subscription as the API shows it (never with its secret). */
export interface WebhookDto {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  /** Why it is paused, in the caller's language; `null` while active. */
  pausedReason: string | null;
  pausedAt: string | null;
  /** Deliveries that ended dead since the last success (the pause counter). */
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
}

/** A subscription with its secret: only the create response. */
export interface CreatedWebhook extends WebhookDto {
  secret: string;
}

/** The state of one delivery (one event to one subscription). */
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'dead';

/** One attempt in a delivery's log. */
export interface DeliveryAttemptDto {
  attempt: number;
  /** `schedule` (the delivery engine) or `manual` (the retry route). */
  trigger: 'schedule' | 'manual';
  at: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** When the next scheduled attempt is due after this one; `null` when none is. */
  nextAttemptAt: string | null;
}

/** A delivery with its attempt log. */
export interface DeliveryDto {
  id: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attempts: DeliveryAttemptDto[];
}

/** What the webhook events say about a subscription. */
export type WebhookEventView = SchemaType<typeof webhookEventViewSchema>;

type WebhookEventData<T extends keyof typeof webhookEventSchemas> = SchemaType<(typeof webhookEventSchemas)[T]>;

declare module '../plugin/events.js' {
  interface PeyvandEvents {
    'webhook.created': WebhookEventData<'webhook.created'>;
    'webhook.updated': WebhookEventData<'webhook.updated'>;
    'webhook.deleted': WebhookEventData<'webhook.deleted'>;
    'webhook.paused': WebhookEventData<'webhook.paused'>;
    'webhook.delivery_retried': WebhookEventData<'webhook.delivery_retried'>;
  }
}
