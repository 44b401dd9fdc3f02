/**
 * The contract's DTOs and the event payloads come from their schemas too (issue 11: one
 * source per shape), like the plugins' response types (response-types.test.ts): `RunDto`,
 * `Tenant`, `OrderDto`, `InvoiceDto` and the data of the tenant, role, API-key, webhook,
 * ERP and email events (and the example's claim events) are `SchemaType` of the schemas
 * that describe them. The `@ts-expect-error` lines are checked by `npm run typecheck`:
 * should one of these types be written by hand again, or its schema loosened, the error
 * they expect disappears and the typecheck fails.
 */
import t from 'tap';
import { Ajv } from 'ajv';
import type { PeyvandEvents, Tenant } from '../../core/plugin/index.js';
import { orderSchema, type DocumentRef, type InvoiceDto, type OrderDto, type OrderLine, type ReturnedLine } from '../../core/plugin/orders.js';
import { runSchema, type RunCounts, type RunDto, type RunIssue } from '../../core/erp/erp-schemas.js';
import { runFromRow } from '../../core/erp/runs.js';
import { orderFromRows } from '../../core/orders/order-types.js';
import type { PauseReason } from '../../core/webhooks/webhook-types.js';
import type {} from '../../plugins/email/events.js';
import type {} from '../../examples/custom-plugin/events.js';

/** True when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(check: Equal<A, B>): Equal<A, B> => check;
/** An intersection (a narrowed DTO) as one object type, to compare it with `same`. */
type Flat<T> = { [K in keyof T]: T[K] };

// What the schemas say, and where the contract narrows a looser served schema.
same<RunCounts, { created: number; updated: number; unchanged: number; deleted: number; failed: number; conflicts: number }>(true);
same<keyof RunDto['countsByEntity'], 'customers' | 'orders' | 'invoices'>(true);
same<RunDto['error'], { code: string; message: string } | undefined>(true);
same<RunIssue['payload'], unknown>(true);
same<Flat<Tenant>, { id: string; slug: string; name: string; locale: 'en' | 'fa'; timeZone: string; plugins: string[]; rateLimitPerMinute: number | null; createdAt: string }>(true);
same<DocumentRef, { source: string; id: string }>(true);
same<OrderLine, { productRef: string | null; sku: string | null; name: string; quantity: number; unitPrice: number }>(true);
same<ReturnedLine, { sku: string | null; productRef: string | null; quantity: number }>(true);
same<InvoiceDto['status'], 'issued' | 'paid' | 'overdue' | 'cancelled'>(true);
same<PauseReason, { code: 'failing'; deadInARow: number; attempts: number; lastError: string } | { code: 'manual'; by: string }>(true);
same<PeyvandEvents['email.bounced'], { id: string | null; recipient: string; status: string; diagnostic: string }>(true);
same<PeyvandEvents['tenant.created']['tenant']['locale'], 'en' | 'fa'>(true);
same<PeyvandEvents['erp.run_finished'], { connectionId: string; run: RunDto }>(true);

// A field the schema lacks does not compile, nor does a missing required one.
export function shapes(run: RunDto, tenant: Tenant, order: OrderDto, invoice: InvoiceDto): unknown[] {
  // @ts-expect-error -- `skipped` is not a count the run schema has
  const counts: RunCounts = { ...run.counts, skipped: 0 };
  // @ts-expect-error -- `countsByEntity` has every ERP entity
  const byEntity: RunDto['countsByEntity'] = { customers: run.counts, orders: run.counts };
  // @ts-expect-error -- the run schema requires `finishedAt` (null while running)
  const unfinished: RunDto = { id: run.id, connectionId: run.connectionId, trigger: 'manual', status: 'running', dryRun: false, full: false, counts: run.counts, countsByEntity: run.countsByEntity, startedAt: null };
  // @ts-expect-error -- the admin API always answers `createdAt`, so the tenant type requires it
  const unborn: Tenant = { id: tenant.id, slug: tenant.slug, name: tenant.name, locale: 'fa', timeZone: 'Asia/Tehran', plugins: [], rateLimitPerMinute: null };
  // @ts-expect-error -- a tenant's locale is one of Peyvand's languages
  const german: Tenant = { ...tenant, locale: 'de' };
  // @ts-expect-error -- `discount` is not a field of the order schema
  const discounted: OrderDto = { ...order, discount: 5 };
  // @ts-expect-error -- the invoice schema requires `orderId` (null until the order is known)
  const { orderId: _dropped, ...orphan }: InvoiceDto = invoice; const noOrder: InvoiceDto = orphan;
  return [counts, byEntity, unfinished, unborn, german, discounted, noOrder];
}

// Event data is checked against the type of the event's schema: closed and complete.
export function eventData(data: PeyvandEvents): unknown[] {
  // @ts-expect-error -- `html` is not in the `email.received` data schema
  const received: PeyvandEvents['email.received'] = { ...data['email.received'], html: '<p>Hi</p>' };
  // @ts-expect-error -- `email.unsubscribed` always says when
  const { unsubscribedAt: _when, ...undated }: PeyvandEvents['email.unsubscribed'] = data['email.unsubscribed']; const unsubscribed: PeyvandEvents['email.unsubscribed'] = undated;
  // @ts-expect-error -- `tenant.created` carries the plugins enabled with the tenant
  const created: PeyvandEvents['tenant.created'] = { tenant: { id: 't', slug: 's', name: 'n', locale: 'en', timeZone: 'UTC' } };
  // @ts-expect-error -- a manual pause names who paused it
  const paused: PeyvandEvents['webhook.paused'] = { webhookId: 'w', reason: { code: 'manual' } };
  // @ts-expect-error -- the secret is never in `api_key.created`
  const key: PeyvandEvents['api_key.created'] = { apiKey: { id: 'k', name: 'n', role: 'owner', key: 'secret' } };
  // @ts-expect-error -- `from` is a claim status
  const moved: PeyvandEvents['warranty.claim.status_changed'] = { ...data['warranty.claim.status_changed'], from: 'closed' };
  return [received, unsubscribed, created, paused, key, moved];
}

const ajv = new Ajv({ strict: false });

t.test('a mapped run and order are exactly what their response schemas allow', async (t) => {
  const run = runFromRow({
    id: 'r1', tenant_id: 't1', connection_id: 'c1', trigger: 'manual', status: 'failed', dry_run: 0, full: 1,
    counts: JSON.stringify({ customers: { created: 2, updated: 1, unchanged: 0, deleted: 0, failed: 1, conflicts: 0 } }),
    error_code: 'ERP_UNREACHABLE', error_message: 'refused', payload: null, attempts: 1, source_event: null,
    not_before: 1_767_225_600_000, created_at: 1_767_225_600_000, started_at: 1_767_225_600_000, finished_at: 1_767_225_660_000,
  });
  const validateRun = ajv.compile(runSchema);
  t.ok(validateRun(run), ajv.errorsText(validateRun.errors));
  t.same(run.countsByEntity.orders, { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 }, 'an entity the run did not touch counts zero');
  t.same(run.counts, { created: 2, updated: 1, unchanged: 0, deleted: 0, failed: 1, conflicts: 0 }, 'the totals sum the entities');
  const order = orderFromRows({
    id: 'o1', tenant_id: 't1', customer_id: null, customer_source: 'odoo', customer_external_id: 'C-9', source: 'odoo', external_id: 'SO-1', number: 'SO-1', status: 'paid', currency: 'IRR',
    total: 1000, placed_at: 1_767_225_600_000, paid_at: 1_767_312_000_000, delivered_at: null, returned_at: null, created_at: 1_767_225_600_000, updated_at: 1_767_312_000_000, version: 2,
  }, [{ id: 'l1', tenant_id: 't1', order_id: 'o1', position: 0, product_ref: null, sku: 'TEA-1', name: 'Tea', quantity: '2', unit_price: 500, returned_quantity: 0 }]);
  const validateOrder = ajv.compile(orderSchema);
  t.ok(validateOrder(order), ajv.errorsText(validateOrder.errors));
});
