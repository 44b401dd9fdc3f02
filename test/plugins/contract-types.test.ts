/**
 * The contract's DTOs and the event payloads come from their schemas too (issue 11: one
 * source per shape), like the plugins' response types (response-types.test.ts): `RunDto`,
 * `Tenant`, `OrderDto`, `InvoiceDto`, `CustomerDto`, `TimelineEntryDto` and the data of the
 * customer, tenant, role, API-key, webhook, ERP and email events (and the example's claim
 * events) are `SchemaType` of the schemas that describe them. The `@ts-expect-error` lines are checked by `npm run typecheck`:
 * should one of these types be written by hand again, or its schema loosened, the error
 * they expect disappears and the typecheck fails.
 */
import t from 'tap';
import { Ajv } from 'ajv';
import type { Address, CustomerDto, ExternalRef, LabeledValue, PeyvandEvents, Tenant, TimelineEntryDto, TimelineInput } from '../../core/plugin/index.js';
import { orderSchema, type CustomerLink, type DocumentRef, type InvoiceDto, type InvoiceInput, type OrderDto, type OrderInput, type OrderLine, type ReturnedLine } from '../../core/plugin/orders.js';
import { runSchema, type RunCounts, type RunDto, type RunIssue } from '../../core/erp/erp-schemas.js';
import { runFromRow } from '../../core/erp/runs.js';
import { orderFromRows } from '../../core/orders/order-types.js';
import { customerFromRow } from '../../core/customers/customer-types.js';
import { customerSchema } from '../../core/plugin/customers.js';
import type { CreatedWebhook, DeliveryAttemptDto, DeliveryDto, DeliveryStatus, PauseReason, WebhookDto, WebhookInput, WebhookPatch } from '../../core/webhooks/webhook-types.js';
import type { ImportDto } from '../../core/imports/import-service.js';
import type { LeadStatus, TaskStatus, TaskType } from '../../plugins/sales/services/records.js';
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
same<LabeledValue, { value: string; label?: string }>(true);
same<Address, { line1: string; line2?: string; city?: string; region?: string; postalCode?: string; country?: string }>(true);
same<ExternalRef, { source: string; id: string }>(true);
same<CustomerDto['kind'], 'person' | 'organization'>(true);
same<CustomerDto['locale'], 'fa' | 'en' | undefined>(true);
same<CustomerDto['customFields'], { [key: string]: unknown }>(true);
same<TimelineEntryDto['channel'], 'email' | 'phone' | 'sms' | 'chat' | 'web' | 'social' | 'in_person' | 'erp' | 'note'>(true);
same<TimelineEntryDto['direction'], 'inbound' | 'outbound' | null>(true);
same<PeyvandEvents['customer.updated'], { customer: CustomerDto; changed: string[] }>(true);
same<PeyvandEvents['customer.merged'], { survivorId: string; mergedIds: string[]; customer: CustomerDto }>(true);
same<PeyvandEvents['customer.timeline_added'], { customerId: string; entry: TimelineEntryDto }>(true);
same<Flat<CustomerLink>, { customerId?: string; customerRef?: { source: string; id: string } }>(true);
same<OrderInput['lines'][number], { productRef?: string | null; sku?: string | null; name: string; quantity: number; unitPrice: number }>(true);
same<OrderInput['paidAt'], string | null | undefined>(true);
same<InvoiceInput['status'], InvoiceDto['status']>(true);
same<InvoiceInput['orderRef'], string | null | undefined>(true);
same<Flat<WebhookDto>, { id: string; url: string; events: string[]; active: boolean; pausedReason: string | null; pausedAt: string | null; consecutiveFailures: number; createdAt: string; updatedAt: string }>(true);
same<Exclude<keyof CreatedWebhook, keyof WebhookDto>, 'secret'>(true);
same<DeliveryStatus, 'pending' | 'retrying' | 'delivered' | 'dead'>(true);
same<Flat<DeliveryAttemptDto>, { attempt: number; trigger: 'schedule' | 'manual'; at: string; statusCode: number | null; latencyMs: number; error: string | null; nextAttemptAt: string | null }>(true);
same<DeliveryDto['attempts'], DeliveryAttemptDto[]>(true);
same<TimelineInput, { channel: TimelineEntryDto['channel']; direction?: 'inbound' | 'outbound'; summary: string; occurredAt?: string }>(true);
same<WebhookInput, { url: string; events: string[]; secret?: string }>(true);
same<WebhookPatch, { url?: string; events?: string[]; active?: boolean }>(true);
same<LeadStatus, 'new' | 'contacted' | 'qualified' | 'disqualified' | 'converted'>(true);
same<TaskType, 'call' | 'meeting' | 'todo'>(true);
same<TaskStatus, 'open' | 'done' | 'cancelled'>(true);
same<ImportDto, { id: string; entity: string; status: 'queued' | 'running' | 'succeeded' | 'failed' | 'undone'; dryRun: boolean; rowsRead: number; created: number; updated: number; unchanged: number; failed: number }>(true);

// A field the schema lacks does not compile, nor does a missing required one.
export function shapes(run: RunDto, tenant: Tenant, order: OrderDto, invoice: InvoiceDto, customer: CustomerDto, entry: TimelineEntryDto): unknown[] {
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
  // @ts-expect-error -- `score` is not a field of the customer schema
  const scored: CustomerDto = { ...customer, score: 3 };
  // @ts-expect-error -- a customer's locale is one the schema lists
  const germanCustomer: CustomerDto = { ...customer, locale: 'de' };
  // @ts-expect-error -- the customer schema requires `externalRefs` (empty when none)
  const { externalRefs: _refs, ...unlinked }: CustomerDto = customer; const noRefs: CustomerDto = unlinked;
  // @ts-expect-error -- `fax` is not a timeline channel
  const faxed: TimelineEntryDto = { ...entry, channel: 'fax' };
  // @ts-expect-error -- an order body's lines are required (an empty list when there are none)
  const lineless: OrderInput = { number: 'SO-1', status: 'placed', currency: 'IRR', total: 0, placedAt: order.placedAt };
  // @ts-expect-error -- a returned line names its product by `sku` or `productRef`
  const unnamed: NonNullable<OrderInput['returnedLines']>[number] = { quantity: 1 };
  // @ts-expect-error -- `tax` is not a field of the invoice body
  const taxed: InvoiceInput = { number: 'INV-1', currency: 'IRR', amount: 1, issuedAt: invoice.issuedAt, dueAt: invoice.dueAt, status: 'issued', tax: 0 };
  return [counts, byEntity, unfinished, unborn, german, discounted, noOrder, scored, germanCustomer, noRefs, faxed, lineless, unnamed, taxed];
}

// The webhook DTOs: every field of the served schema, nothing else, and never the secret but on create.
export function webhookShapes(webhook: WebhookDto, delivery: DeliveryDto): unknown[] {
  // @ts-expect-error -- the service always answers `pausedAt` (null while active)
  const { pausedAt: _at, ...unpaused }: WebhookDto = webhook; const noPause: WebhookDto = unpaused;
  // @ts-expect-error -- a subscription as listed never carries its secret
  const leaked: WebhookDto = { ...webhook, secret: 's' };
  // @ts-expect-error -- an attempt is scheduled or manual
  const replayed: DeliveryAttemptDto = { ...delivery.attempts[0]!, trigger: 'replay' };
  return [noPause, leaked, replayed];
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
  // @ts-expect-error -- `customer.updated` names the fields it changed
  const updated: PeyvandEvents['customer.updated'] = { customer: data['customer.created'].customer };
  // @ts-expect-error -- `customer.deleted` carries the customer, not only its id
  const deleted: PeyvandEvents['customer.deleted'] = { customerId: 'c' };
  return [received, unsubscribed, created, paused, key, moved, updated, deleted];
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

t.test('a mapped customer is exactly what its response schema allows', async (t) => {
  const customer = customerFromRow({
    id: 'c1', tenant_id: 't1', kind: 'organization', name: 'شرکت نمونه', given_name: null, family_name: null, organization_id: null, locale: 'fa', owner_id: 'u1', team_id: null,
    emails: JSON.stringify([{ value: 'info@example.com', label: 'work' }]), phones: '[]', addresses: JSON.stringify([{ line1: 'خیابان آزادی', city: 'تهران', country: 'IR' }]),
    tags: JSON.stringify(['vip']), custom_fields: JSON.stringify({ tier: 'gold' }), external_refs: JSON.stringify([{ source: 'odoo', id: '42' }]),
    created_at: 1_767_225_600_000, updated_at: 1_767_312_000_000, version: 3,
  });
  const validateCustomer = ajv.compile(customerSchema);
  t.ok(validateCustomer(customer), ajv.errorsText(validateCustomer.errors));
  t.notOk('givenName' in customer, 'a null column is an absent optional field, as the schema has it');
});
