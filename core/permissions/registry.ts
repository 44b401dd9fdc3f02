/**
 * Permissions are data: strings declared by core and plugins, each with a description
 * key and the built-in roles that hold it by default. Roles and routes refer to them by
 * name, and the kernel refuses to boot when a route names one nobody declared.
 */
import type { BuiltInRoleName, PermissionDeclaration, RecordScope, ScopedResource } from '../plugin/types.js';
import type { PermissionRegistry as PluginPermissionRegistry, RegisteredPermission } from '../plugin/services.js';

export type { RegisteredPermission } from '../plugin/services.js';

/** The built-in roles, most powerful first. */
export const BUILT_IN_ROLES: readonly BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent', 'viewer'];

/** Every permission and scoped resource known to this deployment. */
export class PermissionRegistry implements PluginPermissionRegistry {
  private readonly permissions = new Map<string, RegisteredPermission>();
  private readonly resources = new Map<string, ScopedResource & { plugin: string }>();

  /** Adds a plugin's declarations. */
  declare(plugin: string, permissions: readonly PermissionDeclaration[], resources: readonly ScopedResource[] = []): void {
    for (const p of permissions) this.permissions.set(p.name, { ...p, plugin });
    for (const r of resources) this.resources.set(r.name, { ...r, plugin });
  }

  has(name: string): boolean {
    return this.permissions.has(name);
  }

  /** The plugin that declared a permission. */
  pluginOf(name: string): string | undefined {
    return this.permissions.get(name)?.plugin;
  }

  /** All permissions, sorted by name. */
  list(): RegisteredPermission[] {
    return [...this.permissions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Resources that have record scope. */
  scopedResources(): Array<ScopedResource & { plugin: string }> {
    return [...this.resources.values()];
  }

  /** The default permissions of a built-in role, limited to the given plugins. */
  defaultPermissions(role: BuiltInRoleName, enabledPlugins: ReadonlySet<string>): string[] {
    return this.list()
      .filter((p) => p.roles.includes(role) && enabledPlugins.has(p.plugin))
      .map((p) => p.name);
  }

  /** The default record scopes of a built-in role. */
  defaultScopes(role: BuiltInRoleName): Record<string, RecordScope> {
    const scopes: Record<string, RecordScope> = {};
    for (const r of this.resources.values()) scopes[r.name] = r.defaults?.[role] ?? 'all';
    return scopes;
  }
}

const SCOPE_RANK: Record<RecordScope, number> = { own: 0, team: 1, all: 2 };

/** The wider of two scopes: a user with two roles gets the union of what they see. */
export function widerScope(a: RecordScope | undefined, b: RecordScope): RecordScope {
  return a === undefined || SCOPE_RANK[b] > SCOPE_RANK[a] ? b : a;
}
