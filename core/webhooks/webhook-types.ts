/**
 * Webhook shapes shared by the service, the delivery engine and the routes, and the
 * webhook events core emits (merged into {@link PeyvandEvents}). No event, DTO or audit
 * entry ever carries the secret.
 *
 * @module
 */

/** Why a subscription is paused, as stored; rendered in the caller's language by the API. */
export type PauseReason =
  | { code: 'failing'; deadInARow: number; attempts: number; lastError: string }
  | { code: 'manual'; by: string };

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
export interface WebhookEventView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
}

declare module '../plugin/events.js' {
  interface PeyvandEvents {
    'webhook.created': { webhook: WebhookEventView };
    'webhook.updated': { webhook: WebhookEventView; changed: string[] };
    'webhook.deleted': { webhookId: string };
    'webhook.paused': { webhookId: string; reason: PauseReason };
    'webhook.delivery_retried': { webhookId: string; deliveryId: string; eventId: string; delivered: boolean };
  }
}
