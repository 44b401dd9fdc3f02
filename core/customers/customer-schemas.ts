/**
 * JSON Schemas of the customer API; the OpenAPI document is generated from these, and the
 * routes' request types are derived from them (`as const`, see core/plugin/route-types.ts).
 * The response schemas (`customerSchema`, `timelineEntrySchema`) are the contract's
 * (core/plugin/customers.ts), where `CustomerDto` and `TimelineEntryDto` come from them.
 */
import { boundedString as str, nullable } from '../plugin/schemas.js';
import { customerSchema, customerWritableSchemas as writable, TIMELINE_CHANNELS, timelineEntrySchema } from '../plugin/customers.js';

// Shared with every route; re-exported here for the core modules that import them from customers.
export { idParams, pageOf, pageQuery } from '../plugin/schemas.js';
// The response schemas live with the DTOs derived from them, in the contract module.
export { customerSchema, timelineEntrySchema };

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
