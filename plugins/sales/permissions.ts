/**
 * Sales permissions and their default holders among the built-in roles, and the owned
 * resources subject to record scope. Agents work their own leads, deals and tasks;
 * managers their team's; admins and owners everything; viewers read.
 */
import type { BuiltInRoleName, PermissionDeclaration, ScopedResource } from '../../core/plugin/index.js';

const ALL: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent', 'viewer'];
const WRITERS: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent'];
const MANAGERS: BuiltInRoleName[] = ['owner', 'admin', 'manager'];
const ADMINS: BuiltInRoleName[] = ['owner', 'admin'];

const permission = (name: string, roles: BuiltInRoleName[]): PermissionDeclaration => ({ name: `sales.${name}`, description: `sales:permissions.${name.replace(/\./g, '_')}`, roles });

/** Every permission the sales plugin declares. */
export const salesPermissions: readonly PermissionDeclaration[] = [
  permission('lead.read', ALL),
  permission('lead.create', WRITERS),
  permission('lead.update', WRITERS),
  permission('lead.assign', MANAGERS),
  permission('lead.convert', WRITERS),
  permission('deal.read', ALL),
  permission('deal.create', WRITERS),
  permission('deal.update', WRITERS),
  permission('deal.delete', MANAGERS),
  permission('deal.assign', MANAGERS),
  permission('task.read', ALL),
  permission('task.create', WRITERS),
  permission('task.update', WRITERS),
  permission('task.assign', MANAGERS),
  permission('pipeline.manage', MANAGERS),
  permission('report.read', ALL),
  permission('settings.manage', ADMINS),
];

/** Owned resources: the SQL of every list, read, write and report obeys their scope. */
export const salesScopedResources: readonly ScopedResource[] = [
  { name: 'lead', defaults: { agent: 'own', manager: 'team' } },
  { name: 'deal', defaults: { agent: 'own', manager: 'team' } },
  { name: 'task', defaults: { agent: 'own', manager: 'team' } },
];
