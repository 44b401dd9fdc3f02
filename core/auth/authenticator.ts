/**
 * Resolves a bearer token to an {@link Actor}: an API key (`pvk_…`) or a JWT signed by
 * the host ERP for its logged-in user. The tenant always comes from the credential.
 */
import { coreError } from '../plugin/errors.js';
import type { Tenant, TenantService } from '../tenancy/tenant-service.js';
import type { Grant, RoleService } from '../permissions/role-service.js';
import type { ApiKeyPrincipal, ApiKeyService } from './api-key-service.js';
import { createHostTokenVerifier, peekTenantSlug, type EmbedConfig, type HostClaims } from './host-token.js';
import { EpochCache, type AuthEpoch } from './auth-epoch.js';
import { CUSTOMER_ROLE, type Actor } from '../plugin/actor.js';
import type { PeopleDirectory } from '../people/directory.js';

/** An authenticated caller and the origins its tenant allows for browser calls. */
export interface Authenticated {
  actor: Actor;
  locale: 'fa' | 'en';
  /** The tenant's requests per credential per minute; null: the deployment's default. */
  rateLimitPerMinute: number | null;
  allowedOrigins(): Promise<string[]>;
}

/** What a tenant and a set of its role names resolve to, as cached. */
interface TenantGrant {
  tenant: Tenant;
  grant: Grant;
  /** The origins the tenant's embed config allows, read when a browser call asks (made once per entry, not per request). */
  embedOrigins: () => Promise<string[]>;
}

/** A tenant named by a host token's slug, with its embed configuration (undefined: none set). */
interface HostTenant {
  tenant: Tenant;
  config: EmbedConfig | undefined;
}

/** The grant cache's key: a tenant and a list of role names. */
const grantKey = (tenantId: string, roles: readonly string[]): string => `${tenantId}\u0000${roles.join('\u0000')}`;

/** Turns tokens into actors. */
export class Authenticator {
  private readonly verifier = createHostTokenVerifier();
  // Tenant and grant per tenant and role list; tenants with their embed config per slug.
  // Both live until the auth epoch moves (see auth-epoch.ts): a role edit, a plugin switch
  // or an embed config saved is seen at once on this node, within the bound on the others.
  private readonly grants: EpochCache<TenantGrant>;
  private readonly hostTenants: EpochCache<HostTenant>;

  constructor(
    private readonly tenants: TenantService,
    private readonly roles: RoleService,
    private readonly apiKeys: ApiKeyService,
    epoch: AuthEpoch,
    private readonly people?: PeopleDirectory,
  ) {
    this.grants = new EpochCache(epoch);
    this.hostTenants = new EpochCache(epoch, 1_000);
  }

  /**
   * Puts the caller's name in the directory (written once per process and name). A failed
   * write is not the caller's problem: the request goes on, the name is written next time.
   */
  private async rememberName(actor: Actor): Promise<void> {
    if (!this.people || !actor.displayName) return;
    await this.people.remember(actor.tenantId, actor.subject, actor.displayName, actor.kind === 'api_key' ? 'api_key' : 'user').catch(() => undefined);
  }

  /**
   * {@link authenticate} for an API key answered from the caches alone, without a query or
   * a promise: the key's row, its tenant and grant cached (and fresh, see auth-epoch.ts),
   * its name already in the directory. Undefined when any of that is missing or the token
   * is refused: {@link authenticate} then decides. This is every warm request's path.
   */
  cached(token: string, requestId?: string): Authenticated | undefined {
    if (!token.startsWith('pvk_')) return undefined;
    const key = this.apiKeys.cachedPrincipal(token);
    const resolved = key && this.grants.peek(grantKey(key.tenantId, [key.role]));
    if (!key || !resolved || (this.people && !this.people.remembered(key.tenantId, `apikey:${key.id}`, key.name))) return undefined;
    return this.apiKeyCaller(key, resolved, requestId);
  }

  /** Resolves a token or throws 401 `INVALID_CREDENTIAL`. */
  async authenticate(token: string, requestId?: string): Promise<Authenticated> {
    if (token.startsWith('pvk_')) {
      const key = await this.apiKeys.authenticate(token);
      const resolved = key && (await this.tenantGrant(key.tenantId, [key.role]));
      if (!key || !resolved) throw coreError('INVALID_CREDENTIAL', { reason: 'api_key' });
      const caller = this.apiKeyCaller(key, resolved, requestId);
      await this.rememberName(caller.actor);
      return caller;
    }
    const slug = peekTenantSlug(token);
    const host = slug ? await this.hostTenants.get(slug, () => this.hostTenant(slug)) : undefined;
    if (!host) throw coreError('INVALID_CREDENTIAL', { reason: 'tenant' });
    const { tenant, config } = host;
    if (!config) throw coreError('INVALID_CREDENTIAL', { reason: 'not_configured' });
    const claims = await this.verifier.verify(token, config, tenant.slug);
    if (claims.roles.includes(CUSTOMER_ROLE)) return this.customer(tenant, claims, config.allowedOrigins, requestId);
    const resolved = await this.tenantGrant(tenant.id, claims.roles);
    if (!resolved) throw coreError('INVALID_CREDENTIAL', { reason: 'tenant' });
    const { grant } = resolved;
    const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, subject: claims.sub, kind: 'user', roles: claims.roles, teams: claims.teams, permissions: grant.permissions, scopes: grant.scopes };
    if (claims.name) actor.displayName = claims.name;
    if (requestId) actor.requestId = requestId;
    await this.rememberName(actor);
    return { actor, locale: tenant.locale, rateLimitPerMinute: tenant.rateLimitPerMinute, allowedOrigins: async () => config.allowedOrigins };
  }

  /**
   * A customer of the tenant signed in by the host: no staff permission whatever other
   * roles the token lists, so it reaches only routes that opt in with `config.portal`
   * (see request-guards.ts); the portal route resolves `customerRef` to its customer.
   */
  private customer(tenant: Tenant, claims: HostClaims, allowedOrigins: string[], requestId?: string): Authenticated {
    if (!claims.cust) throw coreError('INVALID_CREDENTIAL', { reason: 'claims' });
    const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, subject: `customer:${claims.cust}`, kind: 'customer', customerRef: claims.cust, roles: [CUSTOMER_ROLE], teams: [], permissions: new Set(), scopes: {} };
    if (claims.name) actor.displayName = claims.name;
    if (requestId) actor.requestId = requestId;
    return { actor, locale: tenant.locale, rateLimitPerMinute: tenant.rateLimitPerMinute, allowedOrigins: async () => allowedOrigins };
  }

  private apiKeyCaller(key: ApiKeyPrincipal, { tenant, grant, embedOrigins }: TenantGrant, requestId: string | undefined): Authenticated {
    const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, subject: `apikey:${key.id}`, kind: 'api_key', displayName: key.name, roles: [key.role], teams: [], permissions: grant.permissions, scopes: grant.scopes };
    if (requestId) actor.requestId = requestId;
    return { actor, locale: tenant.locale, rateLimitPerMinute: tenant.rateLimitPerMinute, allowedOrigins: embedOrigins };
  }

  /** The tenant of a host token's slug and its embed config; undefined: no such tenant. */
  private async hostTenant(slug: string): Promise<HostTenant | undefined> {
    const tenant = await this.tenants.findBySlug(slug);
    return tenant && { tenant, config: await this.tenants.embedConfig(tenant.id) };
  }

  /** The tenant and what `roles` grant in it (cached); undefined: no such tenant. */
  private tenantGrant(tenantId: string, roles: readonly string[]): Promise<TenantGrant | undefined> {
    return this.grants.get(grantKey(tenantId, roles), async () => {
      const tenant = await this.tenants.findById(tenantId);
      if (!tenant) return undefined;
      const embedOrigins = async (): Promise<string[]> => (await this.tenants.embedConfig(tenantId))?.allowedOrigins ?? [];
      return { tenant, grant: await this.roles.grant(tenantId, roles, await this.tenants.enabledPlugins(tenantId)), embedOrigins };
    });
  }
}
