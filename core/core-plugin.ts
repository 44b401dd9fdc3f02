/** Core described as a plugin: its permissions, owned resources and migrations. */
import { definePlugin, type BuiltInRoleName, type PermissionDeclaration } from './plugin/contract.js';
import { CORE_VERSION } from './plugin/version.js';
import { tenancyMigration } from './migrations/001_tenancy.js';
import { customersMigration } from './migrations/002_customers.js';
import { eventsMigration } from './migrations/003_events.js';
import { webhooksMigration } from './migrations/004_webhooks.js';
import { dispatchLeasesMigration } from './migrations/005_dispatch_leases.js';
import { customerSearchPrefixesMigration } from './migrations/006_customer_search_prefixes.js';
import { tenantOriginsMigration } from './migrations/007_tenant_origins.js';
import { ordersMigration } from './migrations/008_orders.js';
import { importsMigration } from './migrations/009_imports.js';
import { orderEventSchemas } from './orders/order-events.js';
import { erpMigration } from './migrations/010_erp.js';
import { erpEventSchemas } from './erp/erp-events.js';
import { coreEventSchemas } from './plugin/core-events.js';
import { webhookEventSchemas } from './webhooks/webhook-types.js';
import { peopleMigration } from './migrations/011_people.js';
import { permissionCatalogMigration } from './migrations/012_permission_catalog.js';
import { authEpochMigration } from './migrations/013_auth_epoch.js';
import { erpPushMigration } from './migrations/014_erp_push.js';
import { rateLimitsMigration } from './migrations/015_rate_limits.js';
import { customerSearchTermsMigration } from './migrations/016_customer_search_terms.js';
import { customerSearchShortHeadsMigration } from './migrations/017_customer_search_short_heads.js';

const ALL: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent', 'viewer'];
const WRITERS: BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent'];
const MANAGERS: BuiltInRoleName[] = ['owner', 'admin', 'manager'];
const ADMINS: BuiltInRoleName[] = ['owner', 'admin'];

const permission = (name: string, roles: BuiltInRoleName[]): PermissionDeclaration => ({ name: `core.${name}`, description: `core:permissions.${name.replace(/\./g, '_')}`, roles });

/** The core plugin definition. */
export const corePlugin = definePlugin({
  name: 'core',
  version: CORE_VERSION,
  core: CORE_VERSION,
  permissions: [
    permission('me.read', ALL),
    permission('person.read', ALL),
    permission('customer.read', ALL),
    permission('customer.create', WRITERS),
    permission('customer.update', WRITERS),
    permission('customer.delete', MANAGERS),
    permission('customer.merge', MANAGERS),
    permission('customer.assign', MANAGERS),
    permission('timeline.read', ALL),
    permission('timeline.write', WRITERS),
    permission('event.read', ADMINS),
    permission('audit.read', ADMINS),
    permission('role.read', MANAGERS),
    permission('role.manage', ADMINS),
    permission('settings.manage', ADMINS),
    permission('webhook.manage', ADMINS),
    // Everyone who sees customers sees their orders; writing them is the ERP sync's job.
    permission('order.read', ALL),
    permission('order.write', MANAGERS),
    permission('invoice.read', ALL),
    permission('invoice.write', MANAGERS),
    permission('import.run', MANAGERS),
    permission('import.read', MANAGERS),
    permission('import.undo', ADMINS),
    permission('export.read', MANAGERS),
  ],
  // Agents see the customers they own, managers their teams', everyone else all.
  scopedResources: [{ name: 'customer', defaults: { agent: 'own', manager: 'team' } }],
  migrations: [tenancyMigration, customersMigration, eventsMigration, webhooksMigration, dispatchLeasesMigration, customerSearchPrefixesMigration, tenantOriginsMigration, ordersMigration, importsMigration, erpMigration, peopleMigration, permissionCatalogMigration, authEpochMigration, erpPushMigration, rateLimitsMigration, customerSearchTermsMigration, customerSearchShortHeadsMigration],
  events: {
    ...coreEventSchemas,
    ...webhookEventSchemas,
    ...orderEventSchemas,
    ...erpEventSchemas,
  },
});
