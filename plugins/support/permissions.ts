/**
 * Support permissions and their default holders among the built-in roles, and tickets as
 * an owned resource subject to record scope (the assignee owns a ticket). Agents work
 * their own tickets, managers their team's, admins and owners everything.
 */
import type { BuiltInRoleName, PermissionDeclaration, ScopedResource } from '../../core/plugin/index.js';

const ALL: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent', 'viewer'];
const WRITERS: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent'];
const MANAGERS: BuiltInRoleName[] = ['owner', 'admin', 'manager'];
const ADMINS: BuiltInRoleName[] = ['owner', 'admin'];

const permission = (name: string, roles: BuiltInRoleName[]): PermissionDeclaration => ({ name: `support.${name}`, description: `support:permissions.${name.replace(/\./g, '_')}`, roles });

/** Every permission the support plugin declares. */
export const supportPermissions: readonly PermissionDeclaration[] = [
  permission('ticket.read', ALL),
  permission('ticket.create', WRITERS),
  permission('ticket.update', WRITERS),
  permission('ticket.reply', WRITERS),
  permission('ticket.assign', MANAGERS),
  permission('ticket.merge', MANAGERS),
  permission('queue.manage', MANAGERS),
  permission('sla.manage', MANAGERS),
  permission('settings.manage', ADMINS),
  permission('report.read', MANAGERS),
  permission('complaint.follow_up', MANAGERS),
  permission('csat.send', WRITERS),
  permission('canned.use', WRITERS),
  permission('canned.manage', MANAGERS),
];

/** Owned resources: the SQL of every ticket list, read and write obeys their scope. */
export const supportScopedResources: readonly ScopedResource[] = [
  { name: 'ticket', defaults: { agent: 'own', manager: 'team' } },
];
