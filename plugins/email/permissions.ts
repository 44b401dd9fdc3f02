/**
 * Email permissions and their default holders. Messages have no owner of their own: a
 * message linked to a customer is visible exactly when that customer is (record scope
 * `customer`), an unlinked one to whoever may read mail at `all` scope.
 */
import type { BuiltInRoleName, PermissionDeclaration } from '../../core/plugin/index.js';

const permission = (name: string, roles: BuiltInRoleName[]): PermissionDeclaration => ({ name: `email.${name}`, description: `email:permissions.${name.replace(/\./g, '_')}`, roles });

/** Every permission the email plugin declares. */
export const emailPermissions: readonly PermissionDeclaration[] = [
  permission('account.manage', ['owner', 'admin']),
  permission('message.read', ['owner', 'admin', 'manager', 'agent', 'viewer']),
  permission('message.send', ['owner', 'admin', 'manager', 'agent']),
];
