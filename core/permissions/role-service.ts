/**
 * Per-tenant roles. Built-in roles take their permissions from the declarations of the
 * plugins the tenant has enabled, until a tenant edits them; custom roles are whatever
 * the tenant stored. `owner` cannot be edited, so a tenant cannot lock itself out.
 */
import type { Database } from '../db/database.js';
import { readInt, readJson } from '../db/database.js';
import type { RoleRow } from '../db/rows/access.js';
import { coreError } from '../plugin/errors.js';
import type { BuiltInRoleName, RecordScope } from '../plugin/contract.js';
import { BUILT_IN_ROLES, widerScope, type PermissionRegistry } from './registry.js';
import type { ChangeAuthor } from '../audit/audit-log.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import type { AuthEpoch } from '../auth/auth-epoch.js';

/** A role as the API shows it. */
export interface Role {
  name: string;
  builtIn: boolean;
  /** Whether the tenant changed a built-in role from its defaults. */
  customized: boolean;
  permissions: string[];
  scopes: Record<string, RecordScope>;
}

/** A stored role's permissions that it has not been reviewed for since they appeared. */
export interface PendingRolePermissions {
  role: string;
  builtIn: boolean;
  permissions: Array<{
    name: string;
    plugin: string;
    /** i18n key of the permission's description. */
    description: string;
    /** Whether the plugin grants it to this role by default (built-in roles only). */
    suggested: boolean;
    /** When this deployment first saw it (ISO). */
    since: string;
  }>;
}

/** The permissions and scopes a set of role names grants. */
export interface Grant {
  permissions: Set<string>;
  scopes: Record<string, RecordScope>;
}

const isBuiltIn = (name: string): name is BuiltInRoleName => (BUILT_IN_ROLES as readonly string[]).includes(name);

/** Reads and edits roles. */
export class RoleService {
  constructor(
    private readonly db: Database,
    private readonly registry: PermissionRegistry,
    private readonly changes: ChangeRecorder,
    /** Raised by every role edit, so cached grants (the authenticator's) are dropped on every node. */
    private readonly epoch: AuthEpoch,
  ) {}

  /** Every role of a tenant: the built-in ones first, then custom ones by name. */
  async list(tenantId: string, enabledPlugins: ReadonlySet<string>): Promise<Role[]> {
    const stored = await this.db.rows('roles').where({ tenant_id: tenantId }).orderBy('name');
    const byName = new Map(stored.map((r) => [r.name, r]));
    const roles: Role[] = BUILT_IN_ROLES.map((name) => this.toRole(name, byName.get(name), enabledPlugins));
    for (const [name, row] of byName) if (!isBuiltIn(name)) roles.push(this.toRole(name, row, enabledPlugins));
    return roles;
  }

  /** Creates or replaces a role's permissions (and optionally its record scopes). */
  async put(by: ChangeAuthor, name: string, input: { permissions: string[]; scopes?: Record<string, RecordScope> }, enabledPlugins: ReadonlySet<string>): Promise<Role> {
    const tenantId = by.tenantId;
    if (name === 'owner') throw coreError('BUILTIN_ROLE_LOCKED', { role: name });
    const unknown = input.permissions.filter((p) => !this.registry.has(p));
    if (unknown.length) throw coreError('UNKNOWN_PERMISSION', { permissions: unknown.join(', ') });
    const resources = new Set(this.registry.scopedResources().map((r) => r.name));
    const badScopes = Object.keys(input.scopes ?? {}).filter((r) => !resources.has(r));
    if (badScopes.length) throw coreError('UNKNOWN_PERMISSION', { permissions: badScopes.join(', ') });
    const current = (await this.list(tenantId, enabledPlugins)).find((r) => r.name === name);
    const scopes = { ...(current?.scopes ?? this.defaultScopes(name)), ...(input.scopes ?? {}) };
    const row = { permissions: JSON.stringify([...new Set(input.permissions)].sort()), scopes: JSON.stringify(scopes), updated_at: Date.now() };
    const permissions = [...new Set(input.permissions)].sort();
    await this.db.transaction(async (trx) => {
      const updated = await this.db.rows('roles', trx).where({ tenant_id: tenantId, name }).update(row);
      if (!updated) await this.db.rows('roles', trx).insert({ tenant_id: tenantId, name, ...row });
      await this.changes.record(trx, by, { action: 'role.put', entityType: 'role', entityId: name, before: current ?? null, after: { name, permissions, scopes } }, { type: 'role.updated', data: { role: { name, permissions, scopes } } });
      await this.epoch.raise(trx);
    });
    this.epoch.invalidate();
    return (await this.list(tenantId, enabledPlugins)).find((r) => r.name === name)!;
  }

  /** What holding these role names grants: the union of permissions, the widest scope per resource. */
  async grant(tenantId: string, roleNames: readonly string[], enabledPlugins: ReadonlySet<string>): Promise<Grant> {
    const roles = (await this.list(tenantId, enabledPlugins)).filter((r) => roleNames.includes(r.name));
    const permissions = new Set<string>();
    const scopes: Record<string, RecordScope> = {};
    for (const role of roles) {
      for (const p of role.permissions) {
        // A permission of a plugin the tenant has switched off grants nothing.
        const plugin = this.registry.pluginOf(p);
        if (plugin && enabledPlugins.has(plugin)) permissions.add(p);
      }
      for (const [resource, scope] of Object.entries(role.scopes)) scopes[resource] = widerScope(scopes[resource], scope);
    }
    return { permissions, scopes };
  }

  /**
   * Records the permissions declared by the installed plugins in the catalog, each with
   * when it was first seen. Run at boot after migrations. The first fill of an empty
   * catalog dates every permission 0 (they existed before the catalog did, so nothing is
   * pending for roles edited before); later arrivals — a plugin upgraded or installed —
   * get the time of the boot that first saw them.
   */
  async recordCatalog(now = Date.now()): Promise<void> {
    const known = new Set((await this.db.rows('permission_catalog').select('name')).map((r) => r.name));
    const firstFill = known.size === 0;
    const fresh = this.registry.list().filter((p) => !known.has(p.name));
    if (fresh.length === 0) return;
    const rows = fresh.map((p) => ({ name: p.name, plugin: p.plugin, first_seen_at: firstFill ? 0 : now }));
    // Several nodes may boot at once: the first insert of a name wins, the others change nothing.
    await this.db.rows('permission_catalog').insert(rows).onConflict('name').ignore();
  }

  /**
   * Stored roles (custom ones and built-in ones the tenant edited) and the permissions of
   * the tenant's enabled plugins that appeared after the role was last saved and that it
   * does not hold: a plugin upgrade never grants them silently, and an admin approves
   * them by saving the role (`PUT /roles/{name}`), which also marks the rest as reviewed.
   * Roles that follow the plugins' defaults (built-ins never edited) have nothing pending.
   */
  async pending(tenantId: string, enabledPlugins: ReadonlySet<string>): Promise<PendingRolePermissions[]> {
    const catalog = new Map((await this.db.rows('permission_catalog').select('name', 'first_seen_at')).map((r) => [r.name, readInt(r.first_seen_at)]));
    const stored = await this.db.rows('roles').where({ tenant_id: tenantId }).whereNot({ name: 'owner' }).orderBy('name');
    const declared = this.registry.list().filter((p) => enabledPlugins.has(p.plugin));
    const out: PendingRolePermissions[] = [];
    for (const row of stored) {
      const name = row.name;
      const reviewedAt = readInt(row.updated_at);
      const held = new Set(readJson<string[]>(row.permissions, []));
      const permissions = declared
        .filter((p) => !held.has(p.name) && (catalog.get(p.name) ?? 0) > reviewedAt)
        .map((p) => ({ name: p.name, plugin: p.plugin, description: p.description, suggested: isBuiltIn(name) && p.roles.includes(name), since: new Date(catalog.get(p.name)!).toISOString() }));
      if (permissions.length) out.push({ role: name, builtIn: isBuiltIn(name), permissions });
    }
    return out;
  }

  /** Whether a role name exists for the tenant. */
  async exists(tenantId: string, name: string): Promise<boolean> {
    if (isBuiltIn(name)) return true;
    return Boolean(await this.db.rows('roles').where({ tenant_id: tenantId, name }).first());
  }

  private defaultScopes(name: string): Record<string, RecordScope> {
    if (isBuiltIn(name)) return this.registry.defaultScopes(name);
    // A new custom role starts narrow: it sees its own records until told otherwise.
    return Object.fromEntries(this.registry.scopedResources().map((r) => [r.name, 'own' as RecordScope]));
  }

  private toRole(name: string, row: RoleRow | undefined, enabledPlugins: ReadonlySet<string>): Role {
    const builtIn = isBuiltIn(name);
    if (builtIn && (!row || name === 'owner')) {
      return { name, builtIn, customized: false, permissions: this.registry.defaultPermissions(name, enabledPlugins), scopes: this.registry.defaultScopes(name) };
    }
    return {
      name,
      builtIn,
      customized: builtIn,
      permissions: readJson<string[]>(row?.permissions, []),
      scopes: { ...this.defaultScopes(name), ...readJson<Record<string, RecordScope>>(row?.scopes, {}) },
    };
  }
}
