/**
 * Tenants and their plugin switches. A disabled plugin keeps its data; its routes answer
 * 404 and its subscribers skip the tenant's events.
 */
import { newId } from '../plugin/ids.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation, readBool, readInt, readJson } from '../db/database.js';
import { coreError } from '../plugin/errors.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { EmbedConfig } from '../auth/host-token.js';
import { validateEmbedConfig } from '../auth/host-token.js';
import type { TenantService as PluginTenantService, TenantSettings } from '../plugin/services.js';
import type { Tenant } from '../plugin/tenants.js';
import type { ChangeAuthor } from '../audit/audit-log.js';
import { platformAuthor, type ChangeRecorder } from '../audit/change-recorder.js';
import { MAX_ORIGIN_LENGTH, TenantOrigins } from './tenant-origins.js';
import { EpochCache, type AuthEpoch } from '../auth/auth-epoch.js';
import type { TenantPluginRow, TenantRow } from './tenant-rows.js';
import { runningGroupOf } from '../db/group-commit.js';

/** Where a platform-admin change came from, for the audit trail. */
export interface ChangeOrigin {
  via?: 'admin-api' | 'cli';
  requestId?: string;
}

export type { TenantSettings } from '../plugin/services.js';
export type { Tenant } from '../plugin/tenants.js';

/** Input of {@link TenantService.create}. */
export interface CreateTenantInput {
  slug: string;
  name: string;
  locale?: 'fa' | 'en';
  timeZone?: string;
  plugins?: string[];
}

/** What the kernel tells the tenant service about installed plugins. */
export interface InstalledPlugins {
  /** Names of installed plugins except core. */
  names: readonly string[];
  dependenciesOf(name: string): readonly string[];
}

/** Tenant registry. */
export class TenantService implements PluginTenantService {
  // Enabled plugins per tenant: requests and the dispatcher ask on every event. A switch
  // raises the auth epoch, so it is seen at once here and within its bound on other nodes.
  private readonly enabledCache: EpochCache<Set<string>>;
  private readonly origins: TenantOrigins;
  /** Tenant settings by id, as a prepared statement inside a SQLite group commit (see settings). */
  private readonly settingsSql: string;

  constructor(
    private readonly db: Database,
    private readonly installed: InstalledPlugins,
    private readonly secrets: SecretBox,
    private readonly changes: ChangeRecorder,
    private readonly epoch: AuthEpoch,
  ) {
    this.origins = new TenantOrigins(db);
    this.enabledCache = new EpochCache(epoch);
    this.settingsSql = `select settings from "${db.table('tenants')}" where id = ?`;
  }

  /** Creates a tenant with the requested plugins (and their dependencies) enabled. */
  async create(input: CreateTenantInput, origin: ChangeOrigin = {}): Promise<Tenant> {
    const locale = input.locale ?? 'en';
    const plugins = this.withDependencies(input.plugins ?? []);
    const now = Date.now();
    const id = newId();
    try {
      await this.db.transaction(async (trx) => {
        await this.db.rows('tenants', trx).insert({
          id,
          slug: input.slug,
          name: input.name,
          locale,
          time_zone: input.timeZone ?? (locale === 'fa' ? 'Asia/Tehran' : 'UTC'),
          settings: '{}',
          embed_config: null,
          created_at: now,
          updated_at: now,
        });
        if (plugins.length) await this.db.rows('tenant_plugins', trx).insert(plugins.map((plugin) => ({ tenant_id: id, plugin, enabled: true, updated_at: now })));
        const tenant = { id, slug: input.slug, name: input.name, locale, timeZone: input.timeZone ?? (locale === 'fa' ? 'Asia/Tehran' : 'UTC'), plugins };
        await this.changes.record(trx, author(id, origin), { action: 'tenant.create', entityType: 'tenant', entityId: id, after: tenant }, { type: 'tenant.created', data: { tenant } });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw coreError('TENANT_EXISTS', { slug: input.slug });
      throw err;
    }
    return (await this.findBySlug(input.slug))!;
  }

  /** Tenants by slug; with `limit`, one page after the slug `after` (keyset over the unique slug). */
  async list(page: { limit?: number; after?: string } = {}): Promise<Tenant[]> {
    const q = this.db.rows('tenants').orderBy('slug');
    if (page.after !== undefined) q.where('slug', '>', page.after);
    if (page.limit !== undefined) q.limit(page.limit);
    const rows = await q;
    if (rows.length === 0) return [];
    const enabled = await this.db.rows('tenant_plugins').where('enabled', true).whereIn('tenant_id', rows.map((r) => r.id));
    return rows.map((row) => this.toTenant(row, enabled.filter((e) => e.tenant_id === row.id).map((e) => e.plugin)));
  }

  async findBySlug(slug: string): Promise<Tenant | undefined> {
    const row = await this.db.rows('tenants').where({ slug }).first();
    if (!row) return undefined;
    return this.toTenant(row, [...(await this.enabledPlugins(row.id))]);
  }

  /** The tenant by slug, or 404 `TENANT_NOT_FOUND`. */
  async getBySlug(slug: string): Promise<Tenant> {
    const tenant = await this.findBySlug(slug);
    if (!tenant) throw coreError('TENANT_NOT_FOUND', { slug });
    return tenant;
  }

  /** Enabled plugins of a tenant (core is always enabled). */
  async enabledPlugins(tenantId: string): Promise<Set<string>> {
    const plugins = await this.enabledCache.get(tenantId, async () => {
      // On SQLite through the read connection: callers inside a transaction (which holds
      // the one writer connection) would otherwise wait for it until the pool times out.
      const { reader } = this.db;
      const rows = reader
        ? reader.all<Pick<TenantPluginRow, 'plugin' | 'enabled'>>(`select plugin, enabled from "${this.db.table('tenant_plugins')}" where tenant_id = ?`, tenantId)
        : await this.db.rows('tenant_plugins').where({ tenant_id: tenantId }).select('plugin', 'enabled');
      return new Set(['core', ...rows.filter((r) => readBool(r.enabled) && this.installed.names.includes(r.plugin)).map((r) => r.plugin)]);
    });
    return plugins!;
  }

  async isEnabled(tenantId: string, plugin: string): Promise<boolean> {
    return (await this.enabledPlugins(tenantId)).has(plugin);
  }

  /**
   * Enables a plugin for a tenant together with the dependencies it needs.
   * @returns the plugins that were newly enabled, the requested one included
   */
  async enablePlugin(slug: string, plugin: string, origin: ChangeOrigin = {}): Promise<string[]> {
    const tenant = await this.getBySlug(slug);
    if (plugin === 'core') return [];
    this.assertInstalled(plugin);
    const before = await this.enabledPlugins(tenant.id);
    const wanted = this.withDependencies([plugin]).filter((p) => !before.has(p));
    if (wanted.length === 0) return wanted;
    await this.setRows(tenant.id, wanted, true, (trx) =>
      this.changes.record(trx, author(tenant.id, origin), { action: 'tenant.plugins_enable', entityType: 'tenant', entityId: tenant.id, before: [...before].sort(), after: [...before, ...wanted].sort() }, { type: 'tenant.plugins_enabled', data: { plugins: wanted } }),
    );
    return wanted;
  }

  /** Disables a plugin; refused while an enabled plugin depends on it. Data is kept. */
  async disablePlugin(slug: string, plugin: string, origin: ChangeOrigin = {}): Promise<void> {
    const tenant = await this.getBySlug(slug);
    if (plugin !== 'core') this.assertInstalled(plugin);
    const enabled = await this.enabledPlugins(tenant.id);
    const dependents = [...enabled].filter((p) => p !== 'core' && this.installed.dependenciesOf(p).includes(plugin));
    if (plugin === 'core' || dependents.length) throw coreError('PLUGIN_DEPENDENCY_DISABLED', { plugin, dependents: (plugin === 'core' ? [...enabled].filter((p) => p !== 'core') : dependents).join(', ') });
    if (!enabled.has(plugin)) return;
    await this.setRows(tenant.id, [plugin], false, (trx) =>
      this.changes.record(trx, author(tenant.id, origin), { action: 'tenant.plugin_disable', entityType: 'tenant', entityId: tenant.id, before: [...enabled].sort(), after: [...enabled].filter((p) => p !== plugin).sort() }, { type: 'tenant.plugin_disabled', data: { plugin } }),
    );
  }

  /**
   * Stores the embed configuration, the HS256 secret sealed with PEYVAND_SECRET, and
   * indexes its allowed origins in the same transaction.
   */
  async setEmbedConfig(slug: string, config: EmbedConfig, origin: ChangeOrigin = {}): Promise<void> {
    const tenant = await this.getBySlug(slug);
    const problems = validateEmbedConfig(config);
    // The admin route's schema stops these already; this guards the other callers (the index column's size).
    if (Array.isArray(config.allowedOrigins) && config.allowedOrigins.some((o) => typeof o === 'string' && o.length > MAX_ORIGIN_LENGTH)) problems.push(`allowed origins must be at most ${MAX_ORIGIN_LENGTH} characters`);
    if (problems.length) throw coreError('EMBED_CONFIG_INVALID', { problems: problems.join('; ') });
    // The audit trail and the event say whether a secret is set, never what it is.
    const visible = { algorithms: config.algorithms, allowedOrigins: config.allowedOrigins, jwksUrl: config.jwksUrl ?? null, hs256SecretSet: Boolean(config.hs256Secret) };
    await this.db.transaction(async (trx) => {
      // The tenant's row first: its lock orders concurrent saves of this tenant (see replace).
      await this.db.rows('tenants', trx).where({ id: tenant.id }).update({ embed_config: this.secrets.seal(JSON.stringify(config)), updated_at: Date.now() });
      await this.origins.replace(trx, tenant.id, config.allowedOrigins);
      await this.changes.record(trx, author(tenant.id, origin), { action: 'tenant.embed_configure', entityType: 'tenant', entityId: tenant.id, after: visible }, { type: 'tenant.embed_configured', data: visible });
      // Cached embed configurations (host-token verification) go with it.
      await this.epoch.raise(trx);
    });
    this.epoch.invalidate();
  }

  /**
   * Sets the tenant's requests per credential per minute (null: back to the deployment's
   * default). Raises the auth epoch: this node applies it at once, others within its bound.
   */
  async setRateLimit(slug: string, perMinute: number | null, origin: ChangeOrigin = {}): Promise<void> {
    const tenant = await this.getBySlug(slug);
    await this.db.transaction(async (trx) => {
      await this.db.rows('tenants', trx).where({ id: tenant.id }).update({ rate_limit_per_minute: perMinute, updated_at: Date.now() });
      await this.changes.record(trx, author(tenant.id, origin), { action: 'tenant.rate_limit_set', entityType: 'tenant', entityId: tenant.id, before: { perMinute: tenant.rateLimitPerMinute }, after: { perMinute } }, { type: 'tenant.rate_limit_changed', data: { perMinute } });
      await this.epoch.raise(trx);
    });
    this.epoch.invalidate();
  }

  /** The embed configuration, or undefined when none was set. */
  async embedConfig(tenantId: string): Promise<EmbedConfig | undefined> {
    const row = await this.db.rows('tenants').where({ id: tenantId }).first('embed_config');
    if (!row?.embed_config) return undefined;
    return JSON.parse(this.secrets.open(row.embed_config)) as EmbedConfig;
  }

  /**
   * Whether some tenant allows `origin` (for requests that name no tenant: CORS preflights,
   * refused credentials, public routes). One indexed read, no cache: a change saved on any
   * node is seen by every node from its commit on.
   */
  async someTenantAllowsOrigin(origin: string): Promise<boolean> {
    return this.origins.allowedBySomeTenant(origin);
  }

  /** Tenant settings; pass the transaction when called inside one (SQLite has one connection). */
  async settings(tenantId: string, trx?: Executor): Promise<TenantSettings> {
    // Every customer create reads them: inside a SQLite group commit, as a prepared statement
    // on the group's connection rather than a knex query (group-commit.ts says why).
    const group = runningGroupOf(trx);
    const row = group
      ? (group.connection.prepare(this.settingsSql).all(tenantId)[0] as Pick<TenantRow, 'settings'> | undefined)
      : await this.db.rows('tenants', trx).where({ id: tenantId }).first('settings');
    return readJson<TenantSettings>(row?.settings, {});
  }

  async updateSettings(by: ChangeAuthor, patch: Partial<TenantSettings>): Promise<TenantSettings> {
    const before = await this.settings(by.tenantId);
    const next = { ...before, ...patch };
    await this.db.transaction(async (trx) => {
      await this.db.rows('tenants', trx).where({ id: by.tenantId }).update({ settings: JSON.stringify(next), updated_at: Date.now() });
      await this.changes.record(trx, by, { action: 'tenant.settings_update', entityType: 'tenant', entityId: by.tenantId, before, after: next }, { type: 'tenant.settings_updated', data: { changed: Object.keys(patch) } });
    });
    return next;
  }

  /** Raw tenant row by id (auth uses it). */
  async findById(id: string): Promise<Tenant | undefined> {
    const { reader } = this.db;
    const row = reader ? reader.get<TenantRow>(`select * from "${this.db.table('tenants')}" where id = ?`, id) : await this.db.rows('tenants').where({ id }).first();
    return row ? this.toTenant(row, [...(await this.enabledPlugins(id))]) : undefined;
  }

  private async setRows(tenantId: string, plugins: string[], enabled: boolean, record: (trx: Executor) => Promise<void>): Promise<void> {
    const now = Date.now();
    await this.db.transaction(async (trx) => {
      for (const plugin of plugins) {
        const updated = await this.db.rows('tenant_plugins', trx).where({ tenant_id: tenantId, plugin }).update({ enabled, updated_at: now });
        if (!updated) await this.db.rows('tenant_plugins', trx).insert({ tenant_id: tenantId, plugin, enabled, updated_at: now });
      }
      await record(trx);
      await this.epoch.raise(trx);
    });
    this.epoch.invalidate();
  }

  private assertInstalled(plugin: string): void {
    if (!this.installed.names.includes(plugin)) throw coreError('PLUGIN_NOT_FOUND', { plugin });
  }

  private withDependencies(plugins: readonly string[]): string[] {
    const out = new Set<string>();
    const add = (name: string): void => {
      if (name === 'core' || out.has(name)) return;
      this.assertInstalled(name);
      for (const dep of this.installed.dependenciesOf(name)) add(dep);
      out.add(name);
    };
    plugins.forEach(add);
    return [...out];
  }

  private toTenant(row: TenantRow, plugins: string[]): Tenant {
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      locale: row.locale === 'fa' ? 'fa' : 'en',
      timeZone: row.time_zone,
      plugins: plugins.filter((p) => p !== 'core').sort(),
      rateLimitPerMinute: row.rate_limit_per_minute,
      createdAt: new Date(readInt(row.created_at)).toISOString(),
    };
  }
}

function author(tenantId: string, origin: ChangeOrigin): ChangeAuthor {
  return platformAuthor(tenantId, origin.via ?? 'admin-api', origin.requestId);
}
