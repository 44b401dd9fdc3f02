/**
 * Core's row declarations (`core/db/rows/`, the `CoreTables` map) against the tables the
 * migrations create: every declared table exists with exactly the declared columns on the
 * dialect under test (`PEYVAND_TEST_DB`). The column lists below are checked against the
 * declarations by `npm run typecheck`: a column declared but not listed, or listed but not
 * declared, does not compile, and neither does a declared table left out. So a migration
 * that adds, drops or renames a column fails here until its row says so. The
 * `@ts-expect-error` lines check that `db.rows` types what it opens.
 */
import t from 'tap';
import { bootPeyvand } from '../../helpers/peyvand.js';
import type { CoreTable, CoreTables, CustomerRow } from '../../../core/db/rows/index.js';
import type { Database } from '../../../core/db/database.js';

/** `C` when it names exactly the columns of `T`'s row, else `never` (a compile error at the call). */
type Exactly<T extends CoreTable, C extends readonly string[]> = [Exclude<keyof CoreTables[T], C[number]>] extends [never] ? ([Exclude<C[number], keyof CoreTables[T]>] extends [never] ? C : never) : never;
const columns = <T extends CoreTable>() => <const C extends readonly string[]>(list: C & Exactly<T, C>): readonly string[] => list;

const DECLARED: { [T in CoreTable]: readonly string[] } = {
  api_keys: columns<'api_keys'>()(['id', 'tenant_id', 'key_id', 'secret_hash', 'name', 'role', 'created_at', 'revoked_at']),
  audit_log: columns<'audit_log'>()(['id', 'tenant_id', 'actor', 'actor_kind', 'action', 'entity_type', 'entity_id', 'before', 'after', 'request_id', 'occurred_at']),
  auth_epoch: columns<'auth_epoch'>()(['id', 'epoch']),
  customer_identities: columns<'customer_identities'>()(['tenant_id', 'kind', 'value', 'customer_id']),
  customer_refs: columns<'customer_refs'>()(['tenant_id', 'source', 'external_id', 'customer_id']),
  customer_tags: columns<'customer_tags'>()(['tenant_id', 'tag', 'customer_id']),
  customers: columns<'customers'>()(['id', 'tenant_id', 'kind', 'name', 'given_name', 'family_name', 'organization_id', 'emails', 'phones', 'addresses', 'tags', 'custom_fields', 'external_refs', 'locale', 'owner_id', 'team_id', 'version', 'created_at', 'updated_at']),
  erp_connections: columns<'erp_connections'>()(['id', 'tenant_id', 'name', 'adapter', 'config', 'secrets_sealed', 'mapping', 'field_ownership', 'schedule', 'next_run_at', 'lease_owner', 'lease_until', 'created_at', 'updated_at', 'version']),
  erp_cursors: columns<'erp_cursors'>()(['connection_id', 'entity', 'tenant_id', 'cursor', 'updated_at']),
  erp_inbound_signatures: columns<'erp_inbound_signatures'>()(['connection_id', 'signature', 'received_at']),
  erp_records: columns<'erp_records'>()(['connection_id', 'entity', 'external_id', 'tenant_id', 'local_id', 'base', 'synced_at']),
  erp_run_issues: columns<'erp_run_issues'>()(['id', 'tenant_id', 'run_id', 'entity', 'external_id', 'code', 'message', 'payload']),
  erp_runs: columns<'erp_runs'>()(['id', 'tenant_id', 'connection_id', 'trigger', 'status', 'dry_run', 'full', 'counts', 'error_code', 'error_message', 'payload', 'attempts', 'not_before', 'created_at', 'started_at', 'finished_at', 'source_event']),
  idempotency_keys: columns<'idempotency_keys'>()(['tenant_id', 'principal', 'idem_key', 'request_hash', 'status_code', 'response_body', 'content_type', 'created_at']),
  import_errors: columns<'import_errors'>()(['id', 'import_id', 'row_number', 'cells', 'error']),
  imports: columns<'imports'>()(['id', 'tenant_id', 'entity', 'status', 'dry_run', 'format', 'encoding', 'mapping', 'header', 'file_path', 'actor', 'undo_actor', 'rows_read', 'committed_rows', 'created', 'updated', 'unchanged', 'failed', 'error', 'lease_token', 'lease_until', 'created_at', 'updated_at', 'finished_at']),
  inbound_rejected: columns<'inbound_rejected'>()(['id', 'tenant_id', 'transport', 'subject', 'event_id', 'type', 'reason', 'payload', 'received_at']),
  inbound_seen: columns<'inbound_seen'>()(['tenant_id', 'event_id', 'outbox_id', 'received_at']),
  invoices: columns<'invoices'>()(['id', 'tenant_id', 'customer_id', 'customer_source', 'customer_external_id', 'source', 'external_id', 'number', 'order_ref', 'order_id', 'currency', 'amount', 'issued_at', 'due_at', 'status', 'erp_status', 'overdue_claim', 'created_at', 'updated_at', 'version']),
  migrations: columns<'migrations'>()(['plugin', 'name', 'batch', 'migrated_at']),
  order_lines: columns<'order_lines'>()(['id', 'tenant_id', 'order_id', 'position', 'product_ref', 'sku', 'name', 'quantity', 'unit_price', 'returned_quantity']),
  orders: columns<'orders'>()(['id', 'tenant_id', 'customer_id', 'customer_source', 'customer_external_id', 'source', 'external_id', 'number', 'status', 'currency', 'total', 'placed_at', 'paid_at', 'delivered_at', 'returned_at', 'created_at', 'updated_at', 'version']),
  outbox: columns<'outbox'>()(['seq', 'id', 'tenant_id', 'type', 'aggregate_type', 'aggregate_id', 'data', 'occurred_at']),
  people: columns<'people'>()(['tenant_id', 'subject', 'name', 'kind', 'updated_at']),
  permission_catalog: columns<'permission_catalog'>()(['name', 'plugin', 'first_seen_at']),
  rate_limit_counts: columns<'rate_limit_counts'>()(['limit_key', 'window_start', 'hits']),
  roles: columns<'roles'>()(['tenant_id', 'name', 'permissions', 'scopes', 'updated_at']),
  subscriber_failures: columns<'subscriber_failures'>()(['subscriber_id', 'event_seq', 'tenant_id', 'attempts', 'status', 'next_attempt_at', 'last_error', 'updated_at']),
  subscriber_progress: columns<'subscriber_progress'>()(['subscriber_id', 'last_seq', 'updated_at', 'lease_owner', 'lease_until', 'lease_token']),
  tenant_origins: columns<'tenant_origins'>()(['origin', 'tenant_id']),
  tenant_plugins: columns<'tenant_plugins'>()(['tenant_id', 'plugin', 'enabled', 'updated_at']),
  tenants: columns<'tenants'>()(['id', 'slug', 'name', 'locale', 'time_zone', 'settings', 'embed_config', 'created_at', 'updated_at', 'rate_limit_per_minute']),
  timeline: columns<'timeline'>()(['id', 'tenant_id', 'customer_id', 'channel', 'direction', 'summary', 'occurred_at', 'actor', 'source', 'created_at']),
  webhook_attempts: columns<'webhook_attempts'>()(['id', 'delivery_id', 'webhook_id', 'tenant_id', 'attempt', 'trigger', 'started_at', 'status_code', 'latency_ms', 'error', 'next_attempt_at']),
  webhook_deliveries: columns<'webhook_deliveries'>()(['id', 'tenant_id', 'webhook_id', 'event_seq', 'event_id', 'event_type', 'aggregate_key', 'status', 'attempts', 'next_attempt_at', 'lease_until', 'last_status_code', 'last_error', 'created_at', 'updated_at', 'delivered_at']),
  webhooks: columns<'webhooks'>()(['id', 'tenant_id', 'url', 'events', 'secret_sealed', 'active', 'paused_reason', 'paused_at', 'consecutive_failures', 'created_at', 'updated_at']),
};

// What `db.rows` gives, and what it refuses (compile time only: never called).
export async function typed(db: Database): Promise<unknown[]> {
  const row: CustomerRow | undefined = await db.rows('customers').where({ id: 'x' }).first();
  const picked: Array<Pick<CustomerRow, 'id' | 'name'>> = await db.rows('customers').select('id', 'name');
  // @ts-expect-error -- `nme` is not a column of `customers`
  await db.rows('customers').update({ nme: 'x' });
  // @ts-expect-error -- a customer's `version` is a number
  await db.rows('customers').update({ version: 'two' });
  // @ts-expect-error -- `widgets` is not a core table
  db.rows('widgets');
  // @ts-expect-error -- an insert names every column of the row (here `emails` and more are missing)
  await db.insertRows('customers', db.knex, [{ id: 'x', tenant_id: 't', kind: 'person', name: 'n' }]);
  return [row, picked];
}

const p = await bootPeyvand(t);
const { db } = p.peyvand.kernel;

t.test('every declared core table has exactly the declared columns', async (t) => {
  for (const [table, declared] of Object.entries(DECLARED)) {
    const actual = Object.keys(await db.knex(db.table(table)).columnInfo());
    t.same([...actual].sort(), [...declared].sort(), `${db.dialect}: ${db.table(table)}`);
  }
});

t.test('db.rows opens the prefixed table, on the executor given', async (t) => {
  t.equal(db.rows('customers').toSQL().sql.includes(db.table('customers')), true);
  await db.knex.transaction(async (trx) => {
    t.equal(await db.rows('auth_epoch', trx).where({ id: 1 }).first().then((row) => row?.id), 1);
  });
});
