/**
 * The ERP's orders and invoices through the HTTP API: upsert by reference (created,
 * updated, replayed), the customer resolved through its external refs, the lifecycle
 * events of ORDERS-CONTRACT.md, record scope through the customer, another tenant's
 * documents, bad input, the overdue scheduler, and the read service plugins get.
 */
import t from 'tap';
import type { OrderDto } from '../../../core/index.js';
import { bootSales, eventsOf, type SalesTenant } from '../../helpers/sales.js';

const s = await bootSales(t, { peyvand: { plugins: [] }, tenant: { plugins: [] } });
const other = await bootSales(t, { p: s.p, slug: 'other', tenant: { plugins: [] } });
const { admin } = s;
const kernel = s.p.peyvand.kernel;

type Order = { id: string; customerId: string | null; status: string; paidAt: string | null; deliveredAt: string | null; returnedLines: unknown; version: number; lines: unknown[]; total: number };
type Invoice = { id: string; status: string; orderId: string | null; customerId: string | null; version: number; dueAt: string };

const line = (sku: string, quantity = 1, unitPrice = 1_000_000) => ({ sku, productRef: `p-${sku}`, name: `کالای ${sku}`, quantity, unitPrice });
const order = (extra: Record<string, unknown> = {}) => ({ number: 'SO-1', status: 'placed', currency: 'IRR', total: 3_000_000, placedAt: '2025-03-01T10:00:00+03:30', lines: [line('A', 2), line('B', 1)], ...extra });
const putOrder = (tenant: SalesTenant, id: string, body: Record<string, unknown>, token = tenant.admin) => tenant.call(token, 'PUT', `/api/v1/orders/by-ref/odoo/${id}`, body);

/** Order events of one order, oldest first. */
async function orderEvents(id: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  return (await eventsOf(s, 'order.*')).filter((e) => e.data.id === id);
}

t.test('orders: create, replay, lifecycle events, returns', async (t) => {
  const customer = await s.ok<{ id: string }>(admin, 'PUT', '/api/v1/customers/by-ref/odoo/P-7', { kind: 'person', name: 'مریم رضایی' }, 201);
  const created = await putOrder(s, 'SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' } }));
  t.equal(created.statusCode, 201, created.body);
  const o = created.json() as Order;
  t.match(o, { customerId: customer.id, externalRef: { source: 'odoo', id: 'SO-1' }, status: 'placed', placedAt: '2025-03-01T06:30:00.000Z', paidAt: null, returnedLines: null, version: 1 }, 'customer resolved through its ref; times in UTC');
  t.same(o.lines, [{ productRef: 'p-A', sku: 'A', name: 'کالای A', quantity: 2, unitPrice: 1_000_000 }, { productRef: 'p-B', sku: 'B', name: 'کالای B', quantity: 1, unitPrice: 1_000_000 }]);

  const replay = await putOrder(s, 'SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' } }));
  t.equal(replay.statusCode, 200);
  t.equal((replay.json() as Order).version, 1, 'a replay changes nothing');
  t.same((await orderEvents(o.id)).map((e) => e.type), ['order.placed'], 'and emits nothing');

  const paid = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' }, status: 'paid', paidAt: '2025-03-02T08:00:00Z' }));
  t.match(paid, { status: 'paid', paidAt: '2025-03-02T08:00:00.000Z', version: 2 });
  await s.ok(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' }, status: 'shipped' }));
  const delivered = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' }, status: 'delivered', deliveredAt: '2025-03-05T08:00:00Z' }));
  t.equal(delivered.paidAt, '2025-03-02T08:00:00.000Z', 'paidAt left out keeps the stored one');
  const partial = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' }, status: 'returned', returnedLines: [{ sku: 'A', quantity: 1 }] }));
  t.same(partial.returnedLines, [{ sku: 'A', productRef: 'p-A', quantity: 1 }], 'a partial return');
  await s.ok(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' }, status: 'returned', returnedLines: [{ sku: 'A', quantity: 1 }] }));
  const more = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-1', order({ customerRef: { source: 'odoo', id: 'P-7' }, status: 'returned', returnedLines: [{ sku: 'A', quantity: 2 }, { productRef: 'p-B', quantity: 1 }] }));
  const events = await orderEvents(o.id);
  t.same(events.map((e) => e.type), ['order.placed', 'order.paid', 'order.shipped', 'order.delivered', 'order.returned', 'order.returned'], 'one event per status change; a replayed return emits nothing, more returned emits again');
  t.same(events.at(-1)!.data, more, 'the event data is the whole DTO after the write');
  t.same(events.at(-1)!.data.returnedLines, [{ sku: 'A', productRef: 'p-A', quantity: 2 }, { sku: 'B', productRef: 'p-B', quantity: 1 }], 'cumulative returned lines');

  const whole = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-2', order({ number: 'SO-2', customerId: customer.id, status: 'delivered', paidAt: '2025-03-01T12:00:00Z' }), 201);
  t.same((await orderEvents(whole.id)).map((e) => e.type), ['order.paid', 'order.delivered'], 'an order arriving delivered and paid: paid once, then its status');
  const back = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-2', order({ number: 'SO-2', customerId: customer.id, status: 'returned', paidAt: '2025-03-01T12:00:00Z' }));
  t.equal(back.returnedLines, null, 'a whole return has no returned lines');
  const audit = await s.ok<{ items: Array<{ action: string }> }>(admin, 'GET', `/api/v1/audit?entityType=order&entityId=${whole.id}`);
  t.same(audit.items.map((a) => a.action), ['order.update', 'order.create'], 'every write audited');
  const corrected = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-2', order({ number: 'SO-2', customerId: customer.id, status: 'returned', paidAt: '2025-03-01T12:00:00Z', total: 2_900_000 }));
  t.equal(corrected.total, 2_900_000);
  t.same((await orderEvents(whole.id)).map((e) => e.type).at(-1), 'order.updated', 'a change without a new status is order.updated');
});

t.test('orders: an unknown customerRef, linked by a later write', async (t) => {
  const res = await putOrder(s, 'SO-9', order({ customerRef: { source: 'odoo', id: 'P-404' } }));
  t.equal(res.statusCode, 201, res.body);
  t.equal((res.json() as Order).customerId, null, 'nobody holds the ref: unlinked, not refused');
  const customer = await s.ok<{ id: string }>(admin, 'PUT', '/api/v1/customers/by-ref/odoo/P-404', { kind: 'organization', name: 'شرکت دیررس' }, 201);
  const again = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-9', order({ customerRef: { source: 'odoo', id: 'P-404' } }));
  t.match(again, { customerId: customer.id, version: 2 }, 'the next sync links it');
  const list = await s.ok<{ items: Order[] }>(admin, 'GET', `/api/v1/orders?customerId=${customer.id}`);
  t.same(list.items.map((x) => x.id), [again.id]);
});

t.test('orders: bad input changes nothing', async (t) => {
  const customer = await s.customer(admin, 'ورودی بد');
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['bad status', order({ status: 'lost' }), 400, 'VALIDATION_FAILED'],
    ['negative total', order({ total: -1 }), 400, 'VALIDATION_FAILED'],
    ['negative unit price', order({ lines: [{ ...line('A'), unitPrice: -5 }] }), 400, 'VALIDATION_FAILED'],
    ['zero quantity', order({ lines: [{ ...line('A'), quantity: 0 }] }), 400, 'VALIDATION_FAILED'],
    ['bad currency', order({ currency: 'rial' }), 400, 'VALIDATION_FAILED'],
    ['bad date', order({ placedAt: '1403-12-11' }), 400, 'VALIDATION_FAILED'],
    ['both customer forms', order({ customerId: customer.id, customerRef: { source: 'odoo', id: 'x' } }), 400, 'VALIDATION_FAILED'],
    ['unknown customerId', order({ customerId: '01890a5d-ac96-774b-bcce-b302099a8057' }), 422, 'CUSTOMER_LINK_INVALID'],
    ['return of a product not ordered', order({ status: 'returned', returnedLines: [{ sku: 'Z', quantity: 1 }] }), 422, 'ORDER_RETURN_INVALID'],
    ['more returned than ordered', order({ status: 'returned', returnedLines: [{ sku: 'B', quantity: 2 }] }), 422, 'ORDER_RETURN_INVALID'],
  ];
  for (const [name, body, status, code] of cases) {
    const res = await putOrder(s, 'SO-BAD', body);
    t.equal(res.statusCode, status, `${name}: ${res.body}`);
    t.equal(res.json().code, code, name);
  }
  const fa = await s.call(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-BAD', order({ status: 'returned', returnedLines: [{ sku: 'Z', quantity: 1 }] }), { 'accept-language': 'fa' });
  t.equal(fa.json().title, 'مرجوعی نامعتبر', 'localized');
  t.equal((await s.call(admin, 'PUT', '/api/v1/orders/by-ref/Odoo!/SO-BAD', order())).statusCode, 400, 'a bad source');
  t.equal((await s.call(admin, 'GET', '/api/v1/orders?status=lost')).statusCode, 400);
  t.equal((await s.call(admin, 'GET', '/api/v1/orders?cursor=nonsense')).json().code, 'BAD_CURSOR');
  const list = await s.ok<{ items: Order[] }>(admin, 'GET', '/api/v1/orders?limit=200');
  t.notOk(list.items.some((x) => (x as unknown as { number: string }).number === 'SO-BAD'), 'nothing was written');
  const viewer = await s.key('viewer');
  t.equal((await putOrder(s, 'SO-V', order(), viewer)).statusCode, 403, 'a viewer reads but does not write');
  t.equal((await s.call(viewer, 'GET', '/api/v1/orders')).statusCode, 200);
});

t.test('orders: tenants, record scope, paging', async (t) => {
  const mine = await s.customer(await s.user('agent-1', ['agent']), 'مشتری نماینده');
  const theirs = await s.customer(admin, 'مشتری دیگر');
  const a = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/shop/A1', order({ customerId: mine.id, placedAt: '2025-05-01T00:00:00Z' }), 201);
  const b = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/shop/B1', order({ customerId: theirs.id, placedAt: '2025-05-02T00:00:00Z' }), 201);
  const agent = await s.user('agent-1', ['agent']);
  const seen = await s.ok<{ items: Order[] }>(agent, 'GET', '/api/v1/orders?limit=200');
  t.ok(seen.items.some((x) => x.id === a.id), 'the agent sees orders of own customers');
  t.notOk(seen.items.some((x) => x.id === b.id || x.customerId === null), 'not others’, nor unlinked ones');
  t.equal((await s.call(agent, 'GET', `/api/v1/orders/${b.id}`)).statusCode, 404, 'another customer’s order is a 404');

  t.equal((await other.call(other.admin, 'GET', `/api/v1/orders/${a.id}`)).statusCode, 404, 'another tenant’s order is a 404');
  t.equal((await other.ok<{ items: Order[] }>(other.admin, 'GET', '/api/v1/orders')).items.length, 0);
  const theirOwn = await putOrder(other, 'A1', order());
  t.equal(theirOwn.statusCode, 201, 'the same ref in another tenant is another order');
  t.not((theirOwn.json() as Order).id, a.id);

  const first = await s.ok<{ items: Order[]; nextCursor: string }>(admin, 'GET', '/api/v1/orders?limit=1&status=placed');
  const second = await s.ok<{ items: Order[]; nextCursor: string | null }>(admin, 'GET', `/api/v1/orders?limit=1&status=placed&cursor=${first.nextCursor}`);
  t.same([first.items[0]!.id, second.items[0]!.id], [b.id, a.id], 'newest placed first, by cursor');
});

t.test('invoices: upsert, order link, overdue scheduler exactly once', async (t) => {
  const customer = await s.ok<{ id: string }>(admin, 'PUT', '/api/v1/customers/by-ref/odoo/P-INV', { kind: 'person', name: 'علی کریمی' }, 201);
  const o = await s.ok<Order>(admin, 'PUT', '/api/v1/orders/by-ref/odoo/SO-INV', order({ customerRef: { source: 'odoo', id: 'P-INV' } }), 201);
  const body = { customerRef: { source: 'odoo', id: 'P-INV' }, number: 'INV/2025/0001', orderRef: 'SO-INV', currency: 'IRR', amount: 3_000_000, issuedAt: '2025-03-01T00:00:00Z', dueAt: '2025-03-31T00:00:00Z', status: 'issued' };
  const created = await s.call(admin, 'PUT', '/api/v1/invoices/by-ref/odoo/INV-1', body);
  t.equal(created.statusCode, 201, created.body);
  const inv = created.json() as Invoice;
  t.match(inv, { customerId: customer.id, orderId: o.id, orderRef: 'SO-INV', status: 'issued', version: 1 });
  t.equal((await s.call(admin, 'PUT', '/api/v1/invoices/by-ref/odoo/INV-1', { ...body, amount: -1 })).statusCode, 400, 'a negative amount');
  t.equal((await s.call(admin, 'PUT', '/api/v1/invoices/by-ref/odoo/INV-1', { ...body, status: 'late' })).statusCode, 400, 'a bad status');

  const overdue = kernel.overdue;
  t.equal(await overdue.runOnce(Date.parse('2025-03-30T00:00:00Z')), 0, 'not due yet');
  t.equal(await overdue.runOnce(Date.parse('2025-04-01T00:00:00Z')), 1, 'claimed once due');
  t.equal(await overdue.runOnce(Date.parse('2025-04-02T00:00:00Z')), 0, 'and never again');
  t.match(await s.ok<Invoice>(admin, 'GET', `/api/v1/invoices/${inv.id}`), { status: 'overdue', version: 2 });
  const replay = await s.ok<Invoice>(admin, 'PUT', '/api/v1/invoices/by-ref/odoo/INV-1', body);
  t.match(replay, { status: 'overdue', version: 2 }, 'the ERP repeating "issued" neither clears overdue nor writes');
  const overdueList = await s.ok<{ items: Invoice[] }>(admin, 'GET', `/api/v1/invoices?customerId=${customer.id}&status=overdue`);
  t.same(overdueList.items.map((i) => i.id), [inv.id]);
  const extended = await s.ok<Invoice>(admin, 'PUT', '/api/v1/invoices/by-ref/odoo/INV-1', { ...body, dueAt: '2025-06-30T00:00:00Z' });
  t.equal(extended.status, 'issued', 'a new due date clears the claim');
  const paid = await s.ok<Invoice>(admin, 'PUT', '/api/v1/invoices/by-ref/odoo/INV-1', { ...body, dueAt: '2025-06-30T00:00:00Z', status: 'paid' });
  t.equal(paid.status, 'paid');
  t.equal(await overdue.runOnce(Date.parse('2025-07-01T00:00:00Z')), 0, 'a paid invoice is never overdue');
  const types = (await eventsOf(s, 'invoice.*')).filter((e) => e.data.id === inv.id).map((e) => e.type);
  t.same(types, ['invoice.issued', 'invoice.overdue', 'invoice.issued', 'invoice.paid']);
  const audit = await s.ok<{ items: Array<{ action: string; actor: string }> }>(admin, 'GET', `/api/v1/audit?entityType=invoice&entityId=${inv.id}`);
  t.ok(audit.items.some((a) => a.action === 'invoice.overdue' && a.actor === 'system:invoice-scheduler'), 'the scheduler’s change is audited');
  t.equal((await other.call(other.admin, 'GET', `/api/v1/invoices/${inv.id}`)).statusCode, 404, 'another tenant’s invoice is a 404');
});

t.test('ctx.orders: the read service plugins back-fill from', async (t) => {
  const reader = kernel.context('core').orders;
  const all: OrderDto[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.list(s.id, { limit: 2, ...(cursor && { cursor }) });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const api = await s.ok<{ items: Order[] }>(admin, 'GET', '/api/v1/orders?limit=200');
  t.same(all.map((o) => o.id).sort(), api.items.map((o) => o.id).sort(), 'every order of the tenant, page by page');
  t.ok(all.every((o, i) => i === 0 || o.updatedAt >= all[i - 1]!.updatedAt), 'by updatedAt ascending');
  const latest = all.at(-1)!;
  t.same((await reader.list(s.id, { limit: 10, updatedAfter: all.at(-2)!.updatedAt })).items.map((o) => o.id).includes(latest.id), true, 'updatedAfter for catching up');
  t.same(await reader.get(s.id, latest.id), latest);
  t.equal(await reader.get(other.id, latest.id), undefined, 'tenant-bound');
  t.equal((await reader.list(s.id, { limit: 200, status: 'returned' })).items.every((o) => o.status === 'returned'), true);
});
