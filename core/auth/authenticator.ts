/**
 * Resolves a bearer token to an {@link Actor}: an API key (`pvk_…`) or a JWT signed by
 * the host ERP for its logged-in user. The tenant always comes from the credential.
 */
import { coreError } from '../errors.js';
import type { Tenant, TenantService } from '../tenancy/tenant-service.js';
import type { Grant, RoleService } from '../permissions/role-service.js';
import type { ApiKeyService } from './api-key-service.js';
import { createHostTokenVerifier, peekTenantSlug } from './host-token.js';
import type { Actor } from './actor.js';

/** An authenticated caller and the origins its tenant allows for browser calls. */
export interface Authenticated {
  actor: Actor;
  locale: 'fa' | 'en';
  allowedOrigins(): Promise<string[]>;
}

/**
 * How long a tenant's row and the grant of a set of roles are reused between requests.
 * Resolving them took two queries and rebuilding every role's permission list on each
 * request (a third of the CPU of `GET /customers/{id}`, profiled with bench/profile.ts).
 * The credential itself is still checked on every request, so a revoked API key fails
 * on the next one; a role edit on this node, or a plugin switched on or off, is seen at
 * once; on another node within this time.
 */
export const GRANT_CACHE_MS = 2000;
const GRANT_CACHE_MAX = 10_000;

interface CachedGrant {
  at: number;
  generation: number;
  enabled: ReadonlySet<string>;
  tenant: Tenant;
  grant: Grant;
}

/** Turns tokens into actors. */
export class Authenticator {
  private readonly verifier = createHostTokenVerifier();
  private readonly grants = new Map<string, CachedGrant>();

  constructor(
    private readonly tenants: TenantService,
    private readonly roles: RoleService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  /** Resolves a token or throws 401 `INVALID_CREDENTIAL`. */
  async authenticate(token: string, requestId?: string): Promise<Authenticated> {
    if (token.startsWith('pvk_')) {
      const key = await this.apiKeys.authenticate(token);
      const resolved = key && (await this.tenantGrant(key.tenantId, [key.role]));
      if (!key || !resolved) throw coreError('INVALID_CREDENTIAL', { reason: 'api_key' });
      const { tenant, grant } = resolved;
      const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, subject: `apikey:${key.id}`, kind: 'api_key', displayName: key.name, roles: [key.role], teams: [], permissions: grant.permissions, scopes: grant.scopes };
      if (requestId) actor.requestId = requestId;
      return { actor, locale: tenant.locale, allowedOrigins: async () => (await this.tenants.embedConfig(tenant.id))?.allowedOrigins ?? [] };
    }
    const slug = peekTenantSlug(token);
    const tenant = slug ? await this.tenants.findBySlug(slug) : undefined;
    if (!tenant) throw coreError('INVALID_CREDENTIAL', { reason: 'tenant' });
    const config = await this.tenants.embedConfig(tenant.id);
    if (!config) throw coreError('INVALID_CREDENTIAL', { reason: 'not_configured' });
    const claims = await this.verifier.verify(token, config, tenant.slug);
    const resolved = await this.tenantGrant(tenant.id, claims.roles);
    if (!resolved) throw coreError('INVALID_CREDENTIAL', { reason: 'tenant' });
    const { grant } = resolved;
    const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, subject: claims.sub, kind: 'user', roles: claims.roles, teams: claims.teams, permissions: grant.permissions, scopes: grant.scopes };
    if (claims.name) actor.displayName = claims.name;
    if (requestId) actor.requestId = requestId;
    return { actor, locale: tenant.locale, allowedOrigins: async () => config.allowedOrigins };
  }

  /** The tenant and what `roles` grant in it, from the cache while fresh; undefined: no such tenant. */
  private async tenantGrant(tenantId: string, roles: readonly string[]): Promise<{ tenant: Tenant; grant: Grant } | undefined> {
    // The tenant service caches enabled plugins and hands out a new set when they change.
    const enabled = await this.tenants.enabledPlugins(tenantId);
    const generation = this.roles.generation(tenantId);
    const key = `${tenantId}\u0000${roles.join('\u0000')}`;
    const hit = this.grants.get(key);
    if (hit && hit.enabled === enabled && hit.generation === generation && Date.now() - hit.at < GRANT_CACHE_MS) return hit;
    const tenant = await this.tenants.findById(tenantId);
    if (!tenant) return undefined;
    const grant = await this.roles.grant(tenantId, roles, enabled);
    // Role lists come from tokens: bound the entries rather than trust their variety.
    if (this.grants.size >= GRANT_CACHE_MAX) this.grants.clear();
    this.grants.set(key, { at: Date.now(), generation, enabled, tenant, grant });
    return { tenant, grant };
  }
}
