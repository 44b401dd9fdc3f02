/**
 * Tenants and their plugin switches. A disabled plugin keeps its data; its routes answer
 * 404 and its subscribers skip the tenant's events.
 */
import { newId } from '../db/ids.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation, readBool, readInt, readJson } from '../db/database.js';
import { coreError } from '../errors.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { EmbedConfig } from '../auth/host-token.js';
import { validateEmbedConfig } from '../auth/host-token.js';
import type { JsonSchema } from '../kernel/plugin.js';

/** A tenant as the admin API shows it. */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
  locale: 'fa' | 'en';
  timeZone: string;
  plugins: string[];
  createdAt: string;
}

/** Per-tenant settings. */
export interface TenantSettings {
  /** JSON Schema customers' `customFields` must satisfy. */
  customFieldsSchema?: JsonSchema;
}

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

const CACHE_MS = 2000;

/** Tenant registry. */
export class TenantService {
  // Short-lived cache of enabled plugins: requests and the dispatcher ask on every
  // event; a change made on another node is seen within CACHE_MS.
  private readonly enabledCache = new Map<string, { at: number; plugins: Set<string> }>();

  constructor(
    private readonly db: Database,
    private readonly installed: InstalledPlugins,
    private readonly secrets: SecretBox,
  ) {}

  /** Creates a tenant with the requested plugins (and their dependencies) enabled. */
  async create(input: CreateTenantInput): Promise<Tenant> {
    const locale = input.locale ?? 'en';
    const plugins = this.withDependencies(input.plugins ?? []);
    const now = Date.now();
    const id = newId();
    try {
      await this.db.transaction(async (trx) => {
        await trx(this.db.table('tenants')).insert({
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
        if (plugins.length) await trx(this.db.table('tenant_plugins')).insert(plugins.map((plugin) => ({ tenant_id: id, plugin, enabled: true, updated_at: now })));
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw coreError('TENANT_EXISTS', { slug: input.slug });
      throw err;
    }
    return (await this.findBySlug(input.slug))!;
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.knex(this.db.table('tenants')).orderBy('slug');
    const enabled = await this.db.knex(this.db.table('tenant_plugins')).where('enabled', true);
    return rows.map((row) => this.toTenant(row, enabled.filter((e) => e.tenant_id === row.id).map((e) => String(e.plugin))));
  }

  async findBySlug(slug: string): Promise<Tenant | undefined> {
    const row = await this.db.knex(this.db.table('tenants')).where({ slug }).first();
    if (!row) return undefined;
    return this.toTenant(row, [...(await this.enabledPlugins(String(row.id)))]);
  }

  /** The tenant by slug, or 404 `TENANT_NOT_FOUND`. */
  async getBySlug(slug: string): Promise<Tenant> {
    const tenant = await this.findBySlug(slug);
    if (!tenant) throw coreError('TENANT_NOT_FOUND', { slug });
    return tenant;
  }

  /** Enabled plugins of a tenant (core is always enabled). */
  async enabledPlugins(tenantId: string): Promise<Set<string>> {
    const cached = this.enabledCache.get(tenantId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.plugins;
    const rows = await this.db.knex(this.db.table('tenant_plugins')).where({ tenant_id: tenantId });
    const plugins = new Set(['core', ...rows.filter((r) => readBool(r.enabled) && this.installed.names.includes(String(r.plugin))).map((r) => String(r.plugin))]);
    this.enabledCache.set(tenantId, { at: Date.now(), plugins });
    return plugins;
  }

  async isEnabled(tenantId: string, plugin: string): Promise<boolean> {
    return (await this.enabledPlugins(tenantId)).has(plugin);
  }

  /**
   * Enables a plugin for a tenant together with the dependencies it needs.
   * @returns the plugins that were newly enabled, the requested one included
   */
  async enablePlugin(slug: string, plugin: string): Promise<string[]> {
    const tenant = await this.getBySlug(slug);
    if (plugin === 'core') return [];
    this.assertInstalled(plugin);
    const before = await this.enabledPlugins(tenant.id);
    const wanted = this.withDependencies([plugin]).filter((p) => !before.has(p));
    await this.setRows(tenant.id, wanted, true);
    return wanted;
  }

  /** Disables a plugin; refused while an enabled plugin depends on it. Data is kept. */
  async disablePlugin(slug: string, plugin: string): Promise<void> {
    const tenant = await this.getBySlug(slug);
    if (plugin !== 'core') this.assertInstalled(plugin);
    const enabled = await this.enabledPlugins(tenant.id);
    const dependents = [...enabled].filter((p) => p !== 'core' && this.installed.dependenciesOf(p).includes(plugin));
    if (plugin === 'core' || dependents.length) throw coreError('PLUGIN_DEPENDENCY_DISABLED', { plugin, dependents: (plugin === 'core' ? [...enabled].filter((p) => p !== 'core') : dependents).join(', ') });
    await this.setRows(tenant.id, [plugin], false);
  }

  /** Stores the embed configuration, the HS256 secret sealed with PEYVAND_SECRET. */
  async setEmbedConfig(slug: string, config: EmbedConfig): Promise<void> {
    const tenant = await this.getBySlug(slug);
    const problems = validateEmbedConfig(config);
    if (problems.length) throw coreError('EMBED_CONFIG_INVALID', { problems: problems.join('; ') });
    await this.db.knex(this.db.table('tenants')).where({ id: tenant.id }).update({ embed_config: this.secrets.seal(JSON.stringify(config)), updated_at: Date.now() });
  }

  /** The embed configuration, or undefined when none was set. */
  async embedConfig(tenantId: string): Promise<EmbedConfig | undefined> {
    const row = await this.db.knex(this.db.table('tenants')).where({ id: tenantId }).select('embed_config').first();
    if (!row?.embed_config) return undefined;
    return JSON.parse(this.secrets.open(String(row.embed_config))) as EmbedConfig;
  }

  /** Tenant settings; pass the transaction when called inside one (SQLite has one connection). */
  async settings(tenantId: string, trx?: Executor): Promise<TenantSettings> {
    const row = await (trx ?? this.db.knex)(this.db.table('tenants')).where({ id: tenantId }).select('settings').first();
    return readJson<TenantSettings>(row?.settings, {});
  }

  async updateSettings(tenantId: string, patch: Partial<TenantSettings>): Promise<TenantSettings> {
    const next = { ...(await this.settings(tenantId)), ...patch };
    await this.db.knex(this.db.table('tenants')).where({ id: tenantId }).update({ settings: JSON.stringify(next), updated_at: Date.now() });
    return next;
  }

  /** Raw tenant row by id (auth uses it). */
  async findById(id: string): Promise<Tenant | undefined> {
    const row = await this.db.knex(this.db.table('tenants')).where({ id }).first();
    return row ? this.toTenant(row, [...(await this.enabledPlugins(id))]) : undefined;
  }

  private async setRows(tenantId: string, plugins: string[], enabled: boolean): Promise<void> {
    const now = Date.now();
    await this.db.transaction(async (trx) => {
      for (const plugin of plugins) {
        const updated = await trx(this.db.table('tenant_plugins')).where({ tenant_id: tenantId, plugin }).update({ enabled, updated_at: now });
        if (!updated) await trx(this.db.table('tenant_plugins')).insert({ tenant_id: tenantId, plugin, enabled, updated_at: now });
      }
    });
    this.enabledCache.delete(tenantId);
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

  private toTenant(row: Record<string, unknown>, plugins: string[]): Tenant {
    return {
      id: String(row.id),
      slug: String(row.slug),
      name: String(row.name),
      locale: row.locale === 'fa' ? 'fa' : 'en',
      timeZone: String(row.time_zone),
      plugins: plugins.filter((p) => p !== 'core').sort(),
      createdAt: new Date(readInt(row.created_at)).toISOString(),
    };
  }
}
