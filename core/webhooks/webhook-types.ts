/**
 * Webhook shapes shared by the service, the delivery engine and the routes: the response
 * schemas the routes serve and the DTOs derived from them, and the webhook events core
 * emits: their data schemas, and their types derived from those (merged into
 * {@link PeyvandEvents}). No event, DTO or audit entry but the create response ever
 * carries the secret.
 *
 * @module
 */
import type { SchemaType } from '../plugin/route-types.js';
import { eventData } from '../plugin/schemas.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const nullableStr = { type: ['string', 'null'] } as const;

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

const webhookProperties = {
  id: str,
  url: str,
  events: { type: 'array', items: str },
  active: { type: 'boolean' },
  pausedReason: nullableStr,
  pausedAt: nullableStr,
  consecutiveFailures: { type: 'integer' },
  createdAt: str,
  updatedAt: str,
} as const;

/** A subscription in responses (never with its secret). */
export const webhookSchema = { type: 'object', additionalProperties: false, properties: webhookProperties } as const;
/** The create response: the subscription with its secret, the only time it is shown. */
export const createdWebhookSchema = { type: 'object', additionalProperties: false, properties: { ...webhookProperties, secret: str } } as const;

const attemptSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { attempt: { type: 'integer' }, trigger: str, at: str, statusCode: { type: ['integer', 'null'] }, latencyMs: { type: 'integer' }, error: nullableStr, nextAttemptAt: nullableStr },
} as const;

/** A delivery with its attempt log, in responses. */
export const deliverySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: str,
    eventId: str,
    eventType: str,
    status: { type: 'string', enum: ['pending', 'retrying', 'delivered', 'dead'] },
    attemptCount: { type: 'integer' },
    nextAttemptAt: nullableStr,
    lastStatusCode: { type: ['integer', 'null'] },
    lastError: nullableStr,
    createdAt: str,
    deliveredAt: nullableStr,
    attempts: { type: 'array', items: attemptSchema },
  },
} as const;

// The served response schemas list no `required` field (changing that changes the OpenAPI
// document clients generate from); the service always answers every field, so the DTOs
// below narrow that with Required<…>, visibly, as Tenant does.

/**
 * A subscription as the API shows it (never with its secret): the type of
 * {@link webhookSchema}. `pausedReason` is why it is paused, in the caller's language
 * (`null` while active); `consecutiveFailures` counts the deliveries that ended dead since
 * the last success (the pause counter).
 */
export type WebhookDto = Required<SchemaType<typeof webhookSchema>>;

/** A subscription with its secret: only the create response (the type of {@link createdWebhookSchema}). */
export type CreatedWebhook = Required<SchemaType<typeof createdWebhookSchema>>;

/**
 * One attempt in a delivery's log. The served schema types `trigger` as any string; the
 * service writes `schedule` (the delivery engine) or `manual` (the retry route), so the
 * type narrows it. `nextAttemptAt`: when the next scheduled attempt is due after this
 * one, `null` when none is.
 */
export type DeliveryAttemptDto = Omit<Required<SchemaType<typeof attemptSchema>>, 'trigger'> & { trigger: 'schedule' | 'manual' };

/** A delivery with its attempt log (the type of {@link deliverySchema}, its attempts narrowed as {@link DeliveryAttemptDto}). */
export type DeliveryDto = Omit<Required<SchemaType<typeof deliverySchema>>, 'attempts'> & { attempts: DeliveryAttemptDto[] };

/** The state of one delivery (one event to one subscription). */
export type DeliveryStatus = DeliveryDto['status'];

const url = { type: 'string', minLength: 1, maxLength: 2048 } as const;
// `*`, an exact type (`customer.created`) or a prefix pattern (`customer.*`).
const events = { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 100, pattern: '^(\\*|[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*(\\.\\*)?)$' } } as const;

/** Body of `POST /webhooks`: without a secret, one is generated. */
export const webhookInputSchema = { type: 'object', additionalProperties: false, required: ['url', 'events'], properties: { url, events, secret: { type: 'string', minLength: 24, maxLength: 256, pattern: '^[\\x21-\\x7e]+$' } } } as const;
/** Body of `PATCH /webhooks/{id}`: `active: false` pauses, `active: true` resumes. */
export const webhookPatchSchema = { type: 'object', additionalProperties: false, minProperties: 1, properties: { url, events, active: { type: 'boolean' } } } as const;

/** Body of `POST /webhooks` (the type of {@link webhookInputSchema}). */
export type WebhookInput = SchemaType<typeof webhookInputSchema>;

/** Body of `PATCH /webhooks/{id}` (the type of {@link webhookPatchSchema}). */
export type WebhookPatch = SchemaType<typeof webhookPatchSchema>;

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
