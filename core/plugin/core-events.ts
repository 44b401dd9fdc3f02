/**
 * The JSON Schemas of the data of core's customer, tenant, role and API-key events: closed,
 * every field present, as the emitters write them (core/customers/customer-service.ts,
 * customer-import.ts and timeline-service.ts, core/tenancy/tenant-service.ts,
 * core/permissions/role-service.ts, core/auth/api-key-service.ts). Their types in
 * `PeyvandEvents` (events.ts) are derived from these, so the declared schema and the
 * type a subscriber reads are one declaration.
 */
import { customerSchema, timelineEntrySchema } from './customers.js';
import { LANGUAGES } from './language.js';
import { eventData } from './schemas.js';
import { tenantSchema } from './tenants.js';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const { id, slug, name, timeZone, plugins } = tenantSchema.properties;

/** Core's customer, tenant, role and API-key events, with the schema of their data. */
export const coreEventSchemas = {
  'customer.created': eventData({ customer: customerSchema }),
  /** `changed`: the fields the change touched. */
  'customer.updated': eventData({ customer: customerSchema, changed: strings }),
  /** The customer as it was before the deletion. */
  'customer.deleted': eventData({ customer: customerSchema }),
  /** The survivor as it is after the merge; `mergedIds` were deleted into it. */
  'customer.merged': eventData({ survivorId: str, mergedIds: strings, customer: customerSchema }),
  'customer.timeline_added': eventData({ customerId: str, entry: timelineEntrySchema }),
  /** The tenant as created (its rate limit and creation time are the admin API's). */
  'tenant.created': eventData({ tenant: eventData({ id, slug, name, locale: { type: 'string', enum: LANGUAGES }, timeZone, plugins }) }),
  'tenant.plugins_enabled': eventData({ plugins: strings }),
  'tenant.plugin_disabled': eventData({ plugin: str }),
  /** The tenant's requests per credential per minute; null: the deployment's default. */
  'tenant.rate_limit_changed': eventData({ perMinute: { type: ['integer', 'null'] } }),
  /** Whether a secret is set, never what it is. */
  'tenant.embed_configured': eventData({ algorithms: strings, allowedOrigins: strings, jwksUrl: { type: ['string', 'null'] }, hs256SecretSet: { type: 'boolean' } }),
  'tenant.settings_updated': eventData({ changed: strings }),
  'role.updated': eventData({ role: eventData({ name: str, permissions: strings, scopes: { type: 'object', additionalProperties: str } }) }),
  'api_key.created': eventData({ apiKey: eventData({ id: str, name: str, role: str }) }),
  'api_key.revoked': eventData({ apiKeyId: str }),
} as const;
