/**
 * Who is acting: resolved from the credential on every request (or built by the CLI and
 * seeders), and passed to every service call. The tenant comes from here, never from a
 * request header or body.
 */
import type { RecordScope } from '../kernel/plugin.js';

/** The caller of a service. */
export interface Actor {
  tenantId: string;
  tenantSlug: string;
  /** `apikey:<id>`, the host user id from the JWT `sub`, or `system:<what>`. */
  subject: string;
  kind: 'api_key' | 'user' | 'system';
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

/** Whether the actor holds a permission. */
export function can(actor: Actor, permission: string): boolean {
  return actor.permissions.has(permission);
}
