/**
 * A tenant as the admin API shows it and `tenant.created` carries it: the response schema
 * of the admin tenant routes is the one source of the {@link Tenant} type.
 */
import type { Language } from './language.js';
import type { SchemaType } from './route-types.js';

/** What `GET /admin/tenants` and `POST /admin/tenants` answer per tenant. */
export const tenantSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' }, locale: { type: 'string' }, timeZone: { type: 'string' }, plugins: { type: 'array', items: { type: 'string' } }, rateLimitPerMinute: { type: ['integer', 'null'], description: 'Requests per credential per minute for this tenant; null: the deployment\'s PEYVAND_RATE_LIMIT_PER_MINUTE' }, createdAt: { type: 'string' } },
} as const;

/**
 * A tenant as the admin API shows it. The served schema lists no `required` field and types
 * `locale` as any string (changing either changes the OpenAPI document clients generate
 * from); the service always answers every field, and a locale of {@link Language}, so the type
 * narrows both, visibly.
 */
export type Tenant = Required<Omit<SchemaType<typeof tenantSchema>, 'locale'>> & { locale: Language };
