/**
 * Resolves a bearer token to an {@link Actor}: an API key (`pvk_…`) or a JWT signed by
 * the host ERP for its logged-in user. The tenant always comes from the credential.
 */
import { coreError } from '../errors.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import type { RoleService } from '../permissions/role-service.js';
import type { ApiKeyService } from './api-key-service.js';
import { createHostTokenVerifier, peekTenantSlug } from './host-token.js';
import type { Actor } from './actor.js';

/** An authenticated caller and the origins its tenant allows for browser calls. */
export interface Authenticated {
  actor: Actor;
  locale: 'fa' | 'en';
  allowedOrigins(): Promise<string[]>;
}

/** Turns tokens into actors. */
export class Authenticator {
  private readonly verifier = createHostTokenVerifier();

  constructor(
    private readonly tenants: TenantService,
    private readonly roles: RoleService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  /** Resolves a token or throws 401 `INVALID_CREDENTIAL`. */
  async authenticate(token: string, requestId?: string): Promise<Authenticated> {
    if (token.startsWith('pvk_')) {
      const key = await this.apiKeys.authenticate(token);
      const tenant = key && (await this.tenants.findById(key.tenantId));
      if (!key || !tenant) throw coreError('INVALID_CREDENTIAL', { reason: 'api_key' });
      const enabled = await this.tenants.enabledPlugins(tenant.id);
      const grant = await this.roles.grant(tenant.id, [key.role], enabled);
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
    const enabled = await this.tenants.enabledPlugins(tenant.id);
    const grant = await this.roles.grant(tenant.id, claims.roles, enabled);
    const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, subject: claims.sub, kind: 'user', roles: claims.roles, teams: claims.teams, permissions: grant.permissions, scopes: grant.scopes };
    if (claims.name) actor.displayName = claims.name;
    if (requestId) actor.requestId = requestId;
    return { actor, locale: tenant.locale, allowedOrigins: async () => config.allowedOrigins };
  }
}
