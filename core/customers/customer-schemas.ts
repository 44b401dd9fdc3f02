/**
 * JSON Schemas of the customer API; the OpenAPI document is generated from these, and the
 * routes' request types are derived from them (`as const`, see core/plugin/route-types.ts).
 */
import { boundedString as str, lineString as line, nullable } from '../plugin/schemas.js';
import { TIMELINE_CHANNELS } from './timeline-service.js';

// Shared with every route; re-exported here for the core modules that import them from customers.
export { idParams, pageOf, pageQuery } from '../plugin/schemas.js';

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

const writable = {
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

/** Body of POST /customers and PUT /customers/by-ref. */
export const customerInputSchema = { type: 'object', additionalProperties: false, required: ['kind', 'name'], properties: writable } as const;

/** Body of PATCH /customers/{id} (JSON merge-patch; null removes an optional field). */
export const customerPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  // Spelled out (not mapped over `writable`) so the route's body type is derived from it.
  properties: {
    kind: writable.kind,
    name: writable.name,
    givenName: nullable(writable.givenName),
    familyName: nullable(writable.familyName),
    organizationId: nullable(writable.organizationId),
    emails: nullable(writable.emails),
    phones: nullable(writable.phones),
    addresses: nullable(writable.addresses),
    tags: nullable(writable.tags),
    locale: nullable(writable.locale),
    ownerId: nullable(writable.ownerId),
    customFields: nullable(writable.customFields),
    externalRefs: nullable(writable.externalRefs),
  },
} as const;

/** A customer in responses. */
export const customerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'name', 'emails', 'phones', 'addresses', 'tags', 'customFields', 'externalRefs', 'createdAt', 'updatedAt', 'version'],
  properties: {
    id: { type: 'string' },
    ...writable,
    customFields: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' },
  },
} as const;

/** A timeline entry in responses. */
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

/** Body of POST /customers/{id}/timeline. */
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
