/**
 * The customer shapes of the HTTP contract, as plugins see them through `ctx.customers`:
 * the customer and timeline-entry schemas the routes validate and serve, and the DTOs
 * derived from them with `SchemaType` (what the API returns and the `customer.*` events
 * carry), so the served shape and the type cannot drift.
 */
import type { SchemaType } from './route-types.js';
import { boundedString as str, lineString as line } from './schemas.js';

/** Channels a timeline entry can come from. */
export const TIMELINE_CHANNELS = ['email', 'phone', 'sms', 'chat', 'web', 'social', 'in_person', 'erp', 'note'] as const;

const labeled = { type: 'object', additionalProperties: false, required: ['value'], properties: { value: str(320, 1), label: str(50) } } as const;
const address = {
  type: 'object',
  additionalProperties: false,
  required: ['line1'],
  properties: { line1: str(300, 1), line2: str(300), city: str(100), region: str(100), postalCode: str(20), country: str(2, 2) },
} as const;
const externalRef = { type: 'object', additionalProperties: false, required: ['source', 'id'], properties: { source: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' }, id: str(128, 1) } } as const;
const localeSchema = { type: 'string', enum: ['fa', 'en'] } as const;
const uuid = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } as const;

/** The writable fields of a customer, as the create, upsert and patch bodies validate them. */
export const customerWritableSchemas = {
  kind: { type: 'string', enum: ['person', 'organization'] },
  name: line(300, 1),
  givenName: line(200),
  familyName: line(200),
  organizationId: uuid,
  emails: { type: 'array', maxItems: 20, items: labeled },
  phones: { type: 'array', maxItems: 20, items: labeled },
  addresses: { type: 'array', maxItems: 20, items: address },
  tags: { type: 'array', maxItems: 50, items: str(100, 1) },
  locale: localeSchema,
  ownerId: str(200, 1),
  customFields: { type: 'object', maxProperties: 200 },
  externalRefs: { type: 'array', maxItems: 20, items: externalRef },
} as const;

/** A customer in responses and in the `customer.*` events' data. */
export const customerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'name', 'emails', 'phones', 'addresses', 'tags', 'customFields', 'externalRefs', 'createdAt', 'updatedAt', 'version'],
  properties: {
    id: { type: 'string' },
    ...customerWritableSchemas,
    customFields: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' },
  },
} as const;

/** A timeline entry in responses and in `customer.timeline_added`. */
export const timelineEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customerId', 'channel', 'direction', 'summary', 'occurredAt', 'actor', 'source', 'createdAt'],
  properties: {
    id: { type: 'string' },
    customerId: { type: 'string' },
    channel: { type: 'string', enum: [...TIMELINE_CHANNELS] },
    direction: { type: ['string', 'null'], enum: ['inbound', 'outbound', null] },
    summary: { type: 'string' },
    occurredAt: { type: 'string', format: 'date-time' },
    actor: { type: ['string', 'null'] },
    source: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** Body of `POST /customers/{id}/timeline`, and what a plugin gives `ctx.timeline.add`. */
export const timelineInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'summary'],
  properties: {
    channel: { type: 'string', enum: [...TIMELINE_CHANNELS] },
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    summary: str(5000, 1),
    occurredAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** A customer as the API returns it and the `customer.*` events carry it (the type of {@link customerSchema}). */
export type CustomerDto = SchemaType<typeof customerSchema>;

/** A timeline entry as events and the API show it (the type of {@link timelineEntrySchema}). */
export type TimelineEntryDto = SchemaType<typeof timelineEntrySchema>;

/** Input of a timeline entry (the type of {@link timelineInputSchema}). */
export type TimelineInput = SchemaType<typeof timelineInputSchema>;

/** An email or phone with an optional label. */
export type LabeledValue = CustomerDto['emails'][number];

/** A postal address. */
export type Address = CustomerDto['addresses'][number];

/** A reference to the same customer in another system (the ERP). */
export type ExternalRef = CustomerDto['externalRefs'][number];

/** Writable fields (create and full upsert). */
export interface CustomerInput {
  kind: CustomerDto['kind'];
  name: string;
  givenName?: string | null;
  familyName?: string | null;
  organizationId?: string | null;
  emails?: LabeledValue[];
  phones?: LabeledValue[];
  addresses?: Address[];
  tags?: string[];
  locale?: CustomerDto['locale'] | null;
  ownerId?: string | null;
  customFields?: Record<string, unknown>;
  externalRefs?: ExternalRef[];
}

/** A JSON merge-patch of a customer: null removes an optional field. */
export type CustomerPatch = Partial<{ [K in keyof CustomerInput]: CustomerInput[K] | null }>;

/** Filters of the customer list. */
export interface CustomerListFilter {
  q?: string;
  tag?: string;
  ownerId?: string;
  /** Contacts of an organization. */
  organizationId?: string;
  limit: number;
  cursor?: string;
}
