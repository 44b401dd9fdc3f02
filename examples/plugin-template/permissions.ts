/** What the plugin lets a caller do, and which built-in roles may do it by default. */
import type { PermissionDeclaration } from 'peyvand/plugin';

/** Every permission of my-plugin; `description` is a key of its locale files. */
export const myPluginPermissions: readonly PermissionDeclaration[] = [
  { name: 'my-plugin.item.create', description: 'my-plugin:permissions.item_create', roles: ['owner', 'admin', 'manager', 'agent'] },
  { name: 'my-plugin.item.read', description: 'my-plugin:permissions.item_read', roles: ['owner', 'admin', 'manager', 'agent', 'viewer'] },
];
