/**
 * Who may do what with warranty claims, and which built-in roles hold it by default.
 * Agents handle their own claims, managers their team's (record scope below).
 */
import type { BuiltInRoleName, PermissionDeclaration, ScopedResource } from 'peyvand/plugin';

const permission = (action: string, roles: BuiltInRoleName[]): PermissionDeclaration => ({
  name: `warranty.claim.${action}`,
  description: `warranty:permissions.claim_${action}`,
  roles,
});

/** Every permission the warranty plugin declares. */
export const warrantyPermissions: readonly PermissionDeclaration[] = [
  permission('read', ['owner', 'admin', 'manager', 'agent', 'viewer']),
  permission('create', ['owner', 'admin', 'manager', 'agent']),
  permission('update', ['owner', 'admin', 'manager', 'agent']),
  permission('delete', ['owner', 'admin', 'manager']),
];

/** Claims have an owner: an agent sees the claims they opened, a manager their team's. */
export const warrantyScopedResources: readonly ScopedResource[] = [{ name: 'claim', defaults: { agent: 'own', manager: 'team' } }];
