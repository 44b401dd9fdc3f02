/**
 * Per-tenant roles. Built-in roles take their permissions from the declarations of the
 * plugins the tenant has enabled, until a tenant edits them; custom roles are whatever
 * the tenant stored. `owner` cannot be edited, so a tenant cannot lock itself out.
 */
import type { Database } from '../db/database.js';
import { readJson } from '../db/database.js';
import { coreError } from '../errors.js';
import type { BuiltInRoleName, RecordScope } from '../kernel/plugin.js';
import { BUILT_IN_ROLES, widerScope, type PermissionRegistry } from './registry.js';
import type { ChangeAuthor } from '../audit/audit-log.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';

/** A role as the API shows it. */
export interface Role {
  name: string;
  builtIn: boolean;
  /** Whether the tenant changed a built-in role from its defaults. */
  customized: boolean;
  permissions: string[];
  scopes: Record<string, RecordScope>;
}

/** The permissions and scopes a set of role names grants. */
export interface Grant {
  permissions: Set<string>;
  scopes: Record<string, RecordScope>;
}

const isBuiltIn = (name: string): name is BuiltInRoleName => (BUILT_IN_ROLES as readonly string[]).includes(name);

/** Reads and edits roles. */
export class RoleService {
  // Bumped by every role edit made through this service, so whoever caches grants
  // (the authenticator) sees the edit on the next request.
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly registry: PermissionRegistry,
    private readonly changes: ChangeRecorder,
  ) {}

  /** Every role of a tenant: the built-in ones first, then custom ones by name. */
  async list(tenantId: string, enabledPlugins: ReadonlySet<string>): Promise<Role[]> {
    const stored = await this.db.knex(this.db.table('roles')).where({ tenant_id: tenantId }).orderBy('name');
    const byName = new Map(stored.map((r) => [String(r.name), r]));
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
      const updated = await trx(this.db.table('roles')).where({ tenant_id: tenantId, name }).update(row);
      if (!updated) await trx(this.db.table('roles')).insert({ tenant_id: tenantId, name, ...row });
      await this.changes.record(trx, by, { action: 'role.put', entityType: 'role', entityId: name, before: current ?? null, after: { name, permissions, scopes } }, { type: 'role.updated', data: { role: { name, permissions, scopes } } });
    });
    this.generations.set(tenantId, this.generation(tenantId) + 1);
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

  /** A number that changes whenever a role of the tenant is edited through this service. */
  generation(tenantId: string): number {
    return this.generations.get(tenantId) ?? 0;
  }

  /** Whether a role name exists for the tenant. */
  async exists(tenantId: string, name: string): Promise<boolean> {
    if (isBuiltIn(name)) return true;
    return Boolean(await this.db.knex(this.db.table('roles')).where({ tenant_id: tenantId, name }).first());
  }

  private defaultScopes(name: string): Record<string, RecordScope> {
    if (isBuiltIn(name)) return this.registry.defaultScopes(name);
    // A new custom role starts narrow: it sees its own records until told otherwise.
    return Object.fromEntries(this.registry.scopedResources().map((r) => [r.name, 'own' as RecordScope]));
  }

  private toRole(name: string, row: Record<string, unknown> | undefined, enabledPlugins: ReadonlySet<string>): Role {
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
