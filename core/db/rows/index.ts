/**
 * The row type of each core table, by its name without the deployment prefix: the core
 * counterpart of the plugins' `PluginTables`, in the same column vocabulary
 * (`BigIntColumn`, `BoolColumn`, `JsonTextColumn`). `Database.rows(table, trx)` reads it,
 * so a query on a declared table is typed without its call site naming the row.
 *
 * knex's own mechanism (augmenting `Tables` in `knex/types/tables`) keys rows by the real
 * table name, which here carries the deployment's prefix (`crm_customers`, or the host's
 * own): it cannot type `trx(db.table('customers'))`, and a global augmentation would leak
 * into every program that loads Peyvand.
 *
 * @module
 */
import type { CustomerTables } from './customers.js';
import type { EventTables } from './events.js';
import type { WebhookTables } from './webhooks.js';
import type { AccessTables } from './access.js';
import type { RequestTables } from './requests.js';
import type { ImportTables } from './imports.js';
import type { MigrationTables } from './migrations.js';
import type { TenantOriginRow, TenantPluginRow, TenantRow } from '../../tenancy/tenant-rows.js';
import type { InvoiceRow, OrderLineRow, OrderRow } from '../../orders/order-types.js';
import type { ErpConnectionRow, ErpCursorRow, ErpInboundSignatureRow, ErpRecordRow, ErpRunIssueRow, ErpRunRow } from '../../erp/erp-rows.js';

export type * from './customers.js';
export type * from './events.js';
export type * from './webhooks.js';
export type * from './access.js';
export type * from './requests.js';
export type * from './imports.js';
export type * from './migrations.js';

/** Every declared core table and its row. */
export interface CoreTables extends CustomerTables, EventTables, WebhookTables, AccessTables, RequestTables, ImportTables, MigrationTables {
  tenants: TenantRow;
  tenant_plugins: TenantPluginRow;
  tenant_origins: TenantOriginRow;
  orders: OrderRow;
  order_lines: OrderLineRow;
  invoices: InvoiceRow;
  erp_connections: ErpConnectionRow;
  erp_runs: ErpRunRow;
  erp_run_issues: ErpRunIssueRow;
  erp_cursors: ErpCursorRow;
  erp_records: ErpRecordRow;
  erp_inbound_signatures: ErpInboundSignatureRow;
}

/** A core table declared in {@link CoreTables}. */
export type CoreTable = keyof CoreTables & string;
