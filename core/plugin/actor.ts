/**
 * Who is acting: resolved from the credential on every request (or built by the CLI and
 * seeders), and passed to every service call. The tenant comes from here, never from a
 * request header or body.
 */
import type { RecordScope } from './types.js';

/** The caller of a service. */
export interface Actor {
  tenantId: string;
  tenantSlug: string;
  /** `apikey:<id>`, the host user id from the JWT `sub`, `customer:<cust>`, or `system:<what>`. */
  subject: string;
  /** `customer`: one of the tenant's own customers, signed in by the host (portal routes only). */
  kind: 'api_key' | 'user' | 'system' | 'customer';
  /** For a customer principal: the `cust` claim, a customer id or `source:externalId`. */
  customerRef?: string;
  displayName?: string;
  roles: string[];
  teams: string[];
  permissions: ReadonlySet<string>;
  /** Record scope per owned resource. */
  scopes: Readonly<Record<string, RecordScope>>;
  /** The HTTP request id, when acting for a request. */
  requestId?: string;
}

/** An actor with every permission and `all` scope, for CLI, seeding and sync jobs. */
export function systemActor(tenant: { id: string; slug: string }, what: string, permissions: Iterable<string>): Actor {
  return {
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    subject: `system:${what}`,
    kind: 'system',
    roles: ['owner'],
    teams: [],
    permissions: new Set(permissions),
    scopes: {},
  };
}

/** The role that makes a host token a customer principal rather than a staff user. */
export const CUSTOMER_ROLE = 'customer';

/** Whether the actor holds a permission. */
export function can(actor: Actor, permission: string): boolean {
  return actor.permissions.has(permission);
}
