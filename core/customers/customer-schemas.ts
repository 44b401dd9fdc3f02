/**
 * JSON Schemas of the customer API; the OpenAPI document is generated from these, and the
 * routes' request types are derived from them (`as const`, see core/plugin/route-types.ts).
 * The response schemas (`customerSchema`, `timelineEntrySchema`) and the timeline body
 * (`timelineInputSchema`) are the contract's (core/plugin/customers.ts), where `CustomerDto`,
 * `TimelineEntryDto` and `TimelineInput` come from them.
 */
import { nullable } from '../plugin/schemas.js';
import { customerSchema, customerWritableSchemas as writable, timelineEntrySchema, timelineInputSchema } from '../plugin/customers.js';

// Shared with every route; re-exported here for the core modules that import them from customers.
export { idParams, pageOf, pageQuery } from '../plugin/schemas.js';
// The response schemas and the timeline body live with the types derived from them, in the contract module.
export { customerSchema, timelineEntrySchema, timelineInputSchema };

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
