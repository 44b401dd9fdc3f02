/**
 * ERP sync from the ERPNext fake, through the API: a connection with write-only key and
 * secret, the credential test failing then passing, a dry run that writes nothing, the
 * initial sync of Persian customers (an existing customer matched despite Arabic yeh/kaf
 * and Persian digits), sales orders and invoices in minor units with the site's time
 * zone, keyset paging through equal `modified` stamps, an incremental run after changes,
 * a disabled customer and deletions found by a full run, conflicts settled by field
 * ownership, refused credentials and an outage failing a run with a clear error.
 */
import t from 'tap';
import erpnext from '../../../adapters/erpnext/index.js';
import { ErpNextFake } from '../../../adapters/erpnext/testing/erpnext-fake.js';
import { frappeTimestamp } from '../../../adapters/erpnext/erpnext-time.js';
import { assertSyncEvents, bootErp } from '../../helpers/erp.js';

const fake = new ErpNextFake();
await fake.start();
t.teardown(() => fake.stop());
// Two rows a page, so every read pages and a run of equal `modified` spans a page boundary.
const s = await bootErp(t, [erpnext], { peyvand: { pluginOptions: { 'erp-erpnext': { pageSize: 2 } } } });

// The staff already know Ali, typed with Persian yeh/kaf and ASCII digits.
const ali = await s.ok<{ id: string }>('POST', '/customers', { kind: 'person', name: 'علی کریمی', phones: [{ value: '09123456789' }] });

// ERPNext stored Arabic yeh/kaf and Persian digits; a Customer is named by its customer_name.
const address = fake.insert('Address', { address_title: 'شركت پيوند گستر', address_line1: 'خیابان ولیعصر، پلاک ۱۲', city: 'تهران', pincode: '1966733111', country: 'Iran' });
const company = fake.insert('Customer', { customer_name: 'شركت پيوند گستر', customer_type: 'Company', email_id: 'info@peyvand.example', mobile_no: '021-8888 7777', customer_primary_address: address, disabled: 0 });
const aliCustomer = fake.insert('Customer', { customer_name: 'علي كريمي', customer_type: 'Individual', mobile_no: '۰۹۱۲ ۳۴۵ ۶۷۸۹', disabled: 0 });
const maryam = fake.insert('Customer', { customer_name: 'مریم احمدی', customer_type: 'Individual', email_id: 'maryam@peyvand.example', disabled: 0 });
const chairs = [{ item_code: 'CHAIR-01', item_name: 'صندلی اداری', qty: 2, rate: 5_000_000 }, { item_code: 'DESK-02', item_name: 'میز کار', qty: 1, rate: 2_500_000 }];
const bigOrder = fake.insert('Sales Order', { customer: company, docstatus: 1, status: 'To Deliver and Bill', per_delivered: 0, transaction_date: '2026-11-30', grand_total: 12_500_000, currency: 'IRR', items: chairs });
const aliOrder = fake.insert('Sales Order', { customer: aliCustomer, docstatus: 1, status: 'Completed', per_delivered: 100, transaction_date: '2026-11-28', grand_total: 199.99, currency: 'USD', items: [{ item_code: 'LAMP', item_name: 'چراغ', qty: 1, rate: 199.99 }] });
fake.insert('Sales Order', { customer: maryam, docstatus: 0, status: 'Draft', transaction_date: '2026-12-01', grand_total: 10, currency: 'IRR', items: [] });
const noCurrency = fake.insert('Sales Order', { customer: maryam, docstatus: 1, status: 'To Bill', transaction_date: '2026-12-01', grand_total: 10, currency: null, items: [] });
const invoice = fake.insert('Sales Invoice', { customer: company, docstatus: 1, status: 'Unpaid', is_return: 0, posting_date: '2026-12-01', due_date: '2026-12-31', grand_total: 12_500_000, outstanding_amount: 12_500_000, currency: 'IRR', items: [{ item_code: 'CHAIR-01', qty: 2, rate: 5_000_000, sales_order: bigOrder }] });
fake.insert('Sales Invoice', { customer: company, docstatus: 1, status: 'Return', is_return: 1, posting_date: '2026-12-02', due_date: '2026-12-02', grand_total: -5_000_000, outstanding_amount: 0, currency: 'IRR', items: [] });

const connectionBody = { name: 'ERPNext', adapter: 'erpnext', config: { url: fake.url, apiKey: fake.apiKey, apiSecret: 'wrong-secret' } };
let connectionId = '';
const zero = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 };

t.test('connections: config checked, key and secret write-only, the credential test fails then passes', async (t) => {
  const missing = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, config: { url: fake.url, apiKey: fake.apiKey } });
  t.equal(missing.statusCode, 400);
  t.equal(missing.json().code, 'ERP_CONFIG_INVALID', 'the secret is required');
  const colon = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, config: { ...connectionBody.config, apiKey: 'a:b' } });
  t.equal(colon.json().code, 'ERP_CONFIG_INVALID', 'a key with ":" would split the token');

  const created = await s.ok<Record<string, unknown> & { id: string; config: Record<string, unknown> }>('POST', '/erp/connections', connectionBody);
  connectionId = created.id;
  t.same(created.config, { url: fake.url, keyField: 'customer_pos_id' }, 'neither key nor secret is returned; the key field defaults');
  t.same(created.secretsSet, ['apiKey', 'apiSecret']);
  const row = await s.p.peyvand.kernel.db.knex('crm_erp_connections').where({ id: connectionId }).first();
  t.notMatch(String(row.secrets_sealed), /wrong-secret|3f2a9c1e7b5d4a0/, 'sealed at rest');

  const refused = await s.ok<{ ok: boolean; error: { code: string; message: string } }>('POST', `/erp/connections/${connectionId}/test`, undefined, 200);
  t.equal(refused.ok, false);
  t.equal(refused.error.code, 'ERP_AUTH_FAILED');
  t.match(refused.error.message, /ERPNext refused the credentials.*AuthenticationError/);

  await s.ok('PATCH', `/erp/connections/${connectionId}`, { config: { apiSecret: fake.apiSecret } });
  t.same(await s.ok('POST', `/erp/connections/${connectionId}/test`, undefined, 200), { ok: true });
  const seen = fake.requests.at(-1)!;
  t.equal(seen.path, '/api/resource/Customer');
  t.equal(seen.headers.authorization, `token ${fake.apiKey}:${fake.apiSecret}`);
});

t.test('a dry run says what would change and writes nothing', async (t) => {
  const run = await s.run(connectionId, { dryRun: true });
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.same(run.countsByEntity.customers, { ...zero, created: 2, updated: 1 });
  t.same(run.countsByEntity.orders, { ...zero, created: 2, failed: 1 }, 'the draft is not an order; the one without a currency fails');
  t.same(run.countsByEntity.invoices, { ...zero, created: 1 }, 'the return is not an invoice');
  t.equal((await s.ok<{ items: unknown[] }>('GET', '/customers')).items.length, 1, 'no customer created');
  t.same((await s.ok<{ items: unknown[] }>('GET', '/orders')).items, [], 'no order created');
  t.same(await s.p.peyvand.kernel.db.knex('crm_erp_cursors').where({ connection_id: connectionId }), [], 'no cursor moved');
});

t.test('initial sync: Persian customers matched, orders and invoices in minor units and UTC', async (t) => {
  const run = await s.run(connectionId);
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.same(run.countsByEntity.customers, { ...zero, created: 2, updated: 1 });
  t.same(run.countsByEntity.orders, { ...zero, created: 2, failed: 1 });
  t.same(run.countsByEntity.invoices, { ...zero, created: 1 });

  const found = await s.ok<{ items: Array<{ id: string; kind: string; externalRefs: unknown[]; addresses: unknown[]; emails: unknown[] }> }>('GET', `/customers?q=${encodeURIComponent('شرکت پیوند')}`);
  t.equal(found.items.length, 1, 'the company is found with Persian yeh/kaf');
  const org = found.items[0]!;
  t.equal(org.kind, 'organization');
  t.same(org.externalRefs, [{ source: 'erpnext', id: company }]);
  t.match(org.addresses, [{ line1: 'خیابان ولیعصر، پلاک ۱۲', city: 'تهران', postalCode: '1966733111' }], 'the primary Address is read');

  const matched = await s.ok<{ name: string; phones: unknown[]; externalRefs: unknown[] }>('GET', `/customers/${ali.id}`);
  t.same(matched.externalRefs, [{ source: 'erpnext', id: aliCustomer }], 'the existing customer got the ref instead of a duplicate');
  t.equal(matched.name, 'علی کریمی', 'the same name in Arabic letters is no change');
  t.same(matched.phones, [{ value: '09123456789' }], 'the same number in Persian digits too');

  const orders = await s.ok<{ items: Array<Record<string, unknown>> }>('GET', `/orders?customerId=${org.id}`);
  t.equal(orders.items.length, 1);
  t.match(orders.items[0], { number: bigOrder, status: 'placed', currency: 'IRR', total: 12_500_000, externalRef: { source: 'erpnext', id: bigOrder } });
  t.equal(Date.parse(String(orders.items[0]!.placedAt)), Date.parse('2026-11-29T20:30:00Z'), 'a date is midnight in the site zone (Asia/Tehran)');
  t.match(orders.items[0]!.lines, [{ sku: 'CHAIR-01', name: 'صندلی اداری', quantity: 2, unitPrice: 5_000_000 }, { sku: 'DESK-02', quantity: 1, unitPrice: 2_500_000 }]);
  const aliOrders = await s.ok<{ items: Array<Record<string, unknown>> }>('GET', `/orders?customerId=${ali.id}`);
  t.match(aliOrders.items, [{ number: aliOrder, status: 'delivered', currency: 'USD', total: 19_999 }], 'USD in cents; Completed is delivered');

  const invoices = await s.ok<{ items: Array<Record<string, unknown>> }>('GET', `/invoices?customerId=${org.id}`);
  t.match(invoices.items, [{ number: invoice, status: 'issued', amount: 12_500_000, orderRef: bigOrder, orderId: String }]);

  const issues = await s.issues(run.id);
  t.equal(issues.length, 1);
  t.match(issues[0], { entity: 'orders', externalId: noCurrency, code: 'ERP_RECORD_INVALID', message: /no ISO currency/ });
  t.equal(issues[0]!.payload.name, noCurrency, 'the raw ERPNext document is on the issue');

  const lists = fake.requests.filter((r) => r.path === '/api/resource/Sales Order');
  t.ok(lists.length >= 2, 'orders were paged');
  t.same(JSON.parse(lists[0]!.query.get('filters')!), [['docstatus', 'in', [1, 2]]]);
  t.equal(lists[0]!.query.get('order_by'), 'modified asc, name asc');
  t.equal(lists[0]!.query.get('limit_page_length'), '2');
});

t.test('incremental after changes: equal modified stamps across a page boundary, a paid invoice', async (t) => {
  t.same((await s.run(connectionId)).counts, zero, 'nothing new, nothing read twice');
  fake.tick(60);
  fake.update('Customer', maryam, { mobile_no: '+98 912 000 1111' });
  fake.update('Sales Invoice', invoice, { status: 'Paid', outstanding_amount: 0 });
  // One bulk import: three customers with the very same `modified`.
  fake.tick(60);
  const same = frappeTimestamp(fake.now, fake.timeZone);
  const shops = ['فروشگاه الف', 'فروشگاه ب', 'فروشگاه پ'].map((n) => fake.insert('Customer', { customer_name: n, customer_type: 'Company', disabled: 0 }, same));
  const run = await s.run(connectionId);
  t.same(run.countsByEntity.customers, { ...zero, created: 3, updated: 1 });
  t.same(run.countsByEntity.invoices, { ...zero, updated: 1 });
  t.same(run.countsByEntity.orders, zero);
  const paid = await s.ok<{ items: Array<{ status: string }> }>('GET', '/invoices?status=paid');
  t.equal(paid.items.length, 1);
  t.equal((await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('فروشگاه')}`)).items.length, 3, 'every shop, none skipped');
  const ties = fake.requests.filter((r) => r.path === '/api/resource/Customer' && (r.query.get('filters') ?? '').includes('"modified","="'));
  t.ok(ties.length > 0, 'the rest of a run of equal stamps is read by name');
  t.same((await s.run(connectionId)).counts, zero, 'and read once');
  for (const shop of shops.slice(1)) fake.remove('Customer', shop);
});

t.test('a disabled customer is deleted; deletions are found by a full run', async (t) => {
  fake.tick(60);
  fake.update('Customer', maryam, { disabled: 1 });
  const disabled = await s.run(connectionId);
  t.same(disabled.countsByEntity.customers, { ...zero, deleted: 1 }, 'disabling in ERPNext deletes where the ERP owns customers');
  t.same((await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('مریم')}`)).items, []);

  fake.remove('Sales Order', aliOrder);
  t.same((await s.run(connectionId)).counts, zero, 'a deleted document is invisible to an incremental read');
  const full = await s.run(connectionId, { full: true });
  t.equal(full.full, true);
  t.same(full.countsByEntity.customers, { ...zero, deleted: 2, unchanged: 3 }, 'the two removed shops');
  t.same(full.countsByEntity.orders, { ...zero, unchanged: 1, failed: 1, conflicts: 1 });
  const issue = (await s.issues(full.id)).find((i) => i.code === 'DELETED_IN_ERP');
  t.equal(issue?.externalId, aliOrder, 'an order is never deleted by a sync, it is reported');
  t.equal((await s.ok<{ items: unknown[] }>('GET', `/orders?customerId=${ali.id}`)).items.length, 1, 'kept');
  t.equal((await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('فروشگاه')}`)).items.length, 1);
});

t.test('conflicts are settled by field ownership, with the site time zone deciding "newest"', async (t) => {
  await s.ok('PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: { customers: { default: 'erp', fields: { phones: 'crm', name: 'newest' } } } });
  await s.ok('PATCH', `/customers/${ali.id}`, { phones: [{ value: '09351112233' }], name: 'علی کریمی (فروش)' });
  // ERPNext changed all three ten minutes before the CRM did. Its wall clock is Tehran's
  // (UTC+3:30): read as UTC, its change would look newer and win the name.
  fake.now = new Date(Date.now() - 10 * 60_000);
  fake.update('Customer', aliCustomer, { customer_name: 'علی کریمی‌نژاد', mobile_no: '09120000000', email_id: 'ali@peyvand.example' });
  const run = await s.run(connectionId);
  t.same(run.countsByEntity.customers, { ...zero, updated: 1, conflicts: 1 });
  const after = await s.ok<{ name: string; phones: Array<{ value: string }>; emails: Array<{ value: string }> }>('GET', `/customers/${ali.id}`);
  t.equal(after.name, 'علی کریمی (فروش)', 'newest: the later CRM change wins');
  t.same(after.phones.map((p) => p.value), ['09351112233'], 'crm: the CRM phone is kept');
  t.same(after.emails.map((e) => e.value), ['ali@peyvand.example'], 'erp: the ERP email is applied');
  const [issue] = await s.issues(run.id);
  t.equal(issue!.code, 'FIELD_CONFLICT');
  t.match(issue!.message, /phones: CRM value kept/);
  t.match(issue!.message, /name: CRM value kept/);
});

t.test('refused credentials and a long outage fail the run with a clear error', async (t) => {
  const bad = await s.ok<{ id: string }>('POST', '/erp/connections', { ...connectionBody, name: 'ERPNext (old secret)' });
  const failed = await s.run(bad.id);
  t.equal(failed.status, 'failed');
  t.equal(failed.error?.code, 'ERP_AUTH_FAILED');
  t.match(failed.error?.message, /ERPNext refused the credentials \(API key and secret\): AuthenticationError/);
  t.same(failed.counts, zero, 'nothing written');

  await s.ok('PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: {} });
  fake.tick(60);
  fake.update('Customer', company, { mobile_no: '021-1111 2222' });
  fake.failNext(503, 502);
  const brief = await s.run(connectionId);
  t.equal(brief.status, 'succeeded', 'an outage shorter than the retries is invisible');
  t.equal(brief.counts.updated, 1);
  fake.failNext(...new Array(12).fill(503));
  const down = await s.run(connectionId);
  t.equal(down.status, 'failed');
  t.equal(down.error?.code, 'ERP_SERVER_ERROR');
  t.match(down.error?.message, /ERPNext answered 503/);
});

t.test('the events the sync wrote carry exactly what their data schemas say', async (t) => {
  await assertSyncEvents(t, s, ['customer.created', 'customer.updated', 'customer.deleted', 'order.placed', 'invoice.issued', 'erp.run_finished']);
});
