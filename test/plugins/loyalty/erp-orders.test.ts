/**
 * Loyalty fed by the ERP end to end: orders arrive through core's
 * `PUT /api/v1/orders/by-ref/{source}/{externalId}` (what an ERP adapter or the ERP itself
 * calls), core emits `order.*` through the outbox, and the plugin's subscriber earns and
 * reverses. A re-synced paid order earns once; a partial, then a whole return take the
 * points back; an order of a customer the CRM has not matched earns nothing until it is.
 */
import t from 'tap';
import { bootLoyalty } from '../../helpers/loyalty.js';

const s = await bootLoyalty(t);
const kernel = s.p.peyvand.kernel;
type Entry = { type: string; points: number; source: { type: string; id: string | null } };

const line = (sku: string, quantity: number, unitPrice: number) => ({ sku, productRef: `p-${sku}`, name: `کالای ${sku}`, quantity, unitPrice });
const order = (extra: Record<string, unknown> = {}) => ({
  number: 'SO-100',
  customerRef: { source: 'odoo', id: 'P-1' },
  status: 'placed',
  currency: 'IRR',
  total: 3_000_000,
  placedAt: '2026-11-20T10:00:00+03:30',
  lines: [line('A', 2, 1_000_000), line('B', 1, 1_000_000)],
  ...extra,
});
/** Upserts the order as the ERP would, then delivers what core emitted. */
async function sync(externalId: string, body: Record<string, unknown>, status: number): Promise<{ id: string }> {
  const res = await s.call(s.admin, 'PUT', `/api/v1/orders/by-ref/odoo/${externalId}`, body);
  if (res.statusCode !== status) throw new Error(`PUT order ${externalId}: ${res.statusCode} ${res.body}`);
  await kernel.dispatcher.drain();
  return res.json() as { id: string };
}
const ledger = async (customerId: string) => (await s.ok<{ items: Entry[] }>(s.admin, 'GET', `/accounts/${customerId}/ledger?limit=200`)).items;

t.test('an ERP order earns once when paid and gives the points back when returned', async (t) => {
  await s.program();
  const customer = await s.ok<{ id: string }>(s.admin, 'PUT', '/api/v1/customers/by-ref/odoo/P-1', { kind: 'person', name: 'مریم رضایی' }, 201);

  await sync('SO-100', order(), 201);
  t.match(await s.account(customer.id), { available: 0, lifetime: 0 }, 'a placed order earns nothing');

  const paid = await sync('SO-100', order({ status: 'paid', paidAt: '2026-11-21T09:00:00Z' }), 200);
  t.match(await s.account(customer.id), { available: 300, lifetime: 300 }, '3,000,000 IRR at 1 point per 10,000');

  await sync('SO-100', order({ status: 'paid', paidAt: '2026-11-21T09:00:00Z' }), 200);
  await sync('SO-100', order({ status: 'delivered', paidAt: '2026-11-21T09:00:00Z', deliveredAt: '2026-11-23T09:00:00Z' }), 200);
  t.match(await s.account(customer.id), { available: 300 }, 'the ERP re-sending the paid order, then delivering it, earns nothing more');
  t.same((await ledger(customer.id)).map((e) => [e.type, e.points, e.source]), [['earn', 300, { type: 'order', id: paid.id }]], 'one earn entry, sourced to the order');

  await sync('SO-100', order({ status: 'returned', paidAt: '2026-11-21T09:00:00Z', returnedLines: [{ sku: 'A', quantity: 1 }] }), 200);
  t.match(await s.account(customer.id), { available: 200 }, 'one of three equal units returned takes 100 back');
  await sync('SO-100', order({ status: 'returned', paidAt: '2026-11-21T09:00:00Z' }), 200);
  t.match(await s.account(customer.id), { available: 0, lifetime: 0 }, 'the whole order returned takes the rest');
  const entries = await ledger(customer.id);
  t.same(entries.map((e) => e.type).sort(), ['earn', 'reverse', 'reverse'], 'returns are new entries, never edits');
  t.equal(entries.reduce((sum, e) => sum + e.points, 0), 0, 'the ledger sums to the balance');
});

t.test('an order the CRM cannot match to a customer earns once it is matched', async (t) => {
  const unmatched = await sync('SO-200', order({ number: 'SO-200', customerRef: { source: 'odoo', id: 'P-2' }, status: 'paid', paidAt: '2026-11-22T09:00:00Z', total: 1_000_000, lines: [line('C', 1, 1_000_000)] }), 201);
  const res = await s.call(s.admin, 'GET', `/api/v1/orders/${unmatched.id}`);
  t.equal(res.json().customerId, null, 'the order is kept without a customer');
  const customer = await s.ok<{ id: string }>(s.admin, 'PUT', '/api/v1/customers/by-ref/odoo/P-2', { kind: 'person', name: 'علی کاظمی' }, 201);
  await sync('SO-200', order({ number: 'SO-200', customerRef: { source: 'odoo', id: 'P-2' }, status: 'paid', paidAt: '2026-11-22T09:00:00Z', total: 1_000_000, lines: [line('C', 1, 1_000_000)] }), 200);
  t.match(await s.account(customer.id), { available: 100 }, 'the ERP re-sending the order after the customer exists earns for them');
});
