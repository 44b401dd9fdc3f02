/**
 * ERP sync from an ERP's own database with the sql adapter, through the API, against a
 * real source database: PostgreSQL under `PEYVAND_TEST_DB=postgres`, MariaDB under
 * `mysql`, and both under the default SQLite run (Peyvand's own database is SQLite there;
 * the ERP's side has no SQLite mode). A source server that cannot be reached fails the
 * test under CI=true and is skipped, with the reason, elsewhere.
 *
 * Covered: the database URL write-only and sealed, names that are not plain identifiers
 * refused, a dry run that writes nothing, the initial sync (an existing customer matched
 * despite Arabic yeh/kaf and Persian digits, a company with its contact, orders with lines
 * and invoices in minor units, an unmapped status as an issue with the raw row), many rows
 * sharing one timestamp across page boundaries, an incremental run after changes,
 * deletions (a full run in change-column mode, every run in full-compare mode), a conflict
 * settled by field ownership, and an unknown table or column as a clear run error.
 */
import t, { type Test } from 'tap';
import type { Knex } from 'knex';
import sql from '../../../adapters/sql/index.js';
import { connect } from '../../../core/db/connect.js';
import { createTestDatabase, testDialect } from '../../helpers/database.js';
import { bootErp, type ErpTenant } from '../../helpers/erp.js';

type SourceDialect = 'postgres' | 'mysql';
const dialects: SourceDialect[] = testDialect() === 'sqlite' ? ['postgres', 'mysql'] : [testDialect() as SourceDialect];
const zero = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 };
const at = (iso: string) => new Date(iso);

/** The ERP's tables: customers and orders with a change column, invoices without (full compare). */
async function createErpTables(erp: Knex): Promise<void> {
  await erp.schema.createTable('erp_customers', (t) => {
    t.integer('id').primary();
    t.string('full_name', 200);
    t.boolean('is_company').notNullable().defaultTo(false);
    t.string('email', 200);
    t.string('mobile', 50);
    t.string('city', 100);
    t.integer('parent_id');
    t.string('vip_level', 20);
    t.datetime('updated_at', { precision: 6 });
  });
  await erp.schema.createTable('erp_orders', (t) => {
    t.integer('id').primary();
    t.integer('customer_id');
    t.string('order_no', 40);
    t.string('state', 20);
    t.decimal('total', 14, 2);
    t.string('currency', 3);
    t.date('ordered_on');
    t.bigInteger('row_version');
  });
  await erp.schema.createTable('erp_order_lines', (t) => {
    t.integer('id').primary();
    t.integer('order_id');
    t.string('sku', 40);
    t.string('title', 200);
    t.decimal('qty', 10, 2);
    t.decimal('price', 14, 2);
  });
  await erp.schema.createTable('erp_invoices', (t) => {
    t.string('code', 40).primary();
    t.integer('customer_id');
    t.integer('order_id');
    t.decimal('amount', 14, 0);
    t.date('issued');
    t.date('due');
    t.boolean('paid').notNullable().defaultTo(false);
  });
}

const mapping = {
  customersTable: 'erp_customers',
  customersId: 'id',
  customersChange: 'updated_at',
  customersColumns: { name: 'full_name', isCompany: 'is_company', email: 'email', mobile: 'mobile', city: 'city', organizationRef: 'parent_id' },
  customersExtraColumns: ['vip_level'],
  ordersTable: 'erp_orders',
  ordersId: 'id',
  ordersChange: 'row_version',
  ordersColumns: { customerRef: 'customer_id', number: 'order_no', status: 'state', total: 'total', currency: 'currency', placedAt: 'ordered_on' },
  ordersStatusMap: { confirmed: 'placed', done: 'delivered', void: 'cancelled' },
  orderLinesTable: 'erp_order_lines',
  orderLinesColumns: { orderId: 'order_id', lineId: 'id', sku: 'sku', name: 'title', quantity: 'qty', unitPrice: 'price' },
  invoicesTable: 'erp_invoices',
  invoicesId: 'code',
  invoicesColumns: { customerRef: 'customer_id', orderRef: 'order_id', amount: 'amount', number: 'code', issuedAt: 'issued', dueAt: 'due', status: 'paid' },
  invoicesStatusMap: { true: 'paid', false: 'issued', 1: 'paid', 0: 'issued' },
};

// Peyvand itself runs on the dialect of this test run; two rows a page so every read pages.
const first = await bootErp(t, [sql], { peyvand: { pluginOptions: { 'erp-sql': { pageSize: 2 } } } });

for (const dialect of dialects) {
  let source: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let unavailable: string | false = false;
  try {
    source = await createTestDatabase(dialect);
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    unavailable = `no ${dialect} server for the ERP's side: ${(err as Error).message}`;
  }
  t.test(`sql adapter on ${dialect === 'postgres' ? 'PostgreSQL' : 'MariaDB'}`, { skip: unavailable }, async (t) => {
    const erp = connect(source!.url);
    t.teardown(async () => {
      await erp.destroy();
      await source!.drop();
    });
    await createErpTables(erp);
    await syncSuite(t, await bootErp(t, [sql], { p: first.p, slug: `sql-${dialect}` }), erp, source!.url);
  });
}

async function syncSuite(t: Test, s: ErpTenant, erp: Knex, databaseUrl: string): Promise<void> {
  // The staff already know Ali, typed with Persian yeh/kaf and ASCII digits.
  const ali = await s.ok<{ id: string }>('POST', '/customers', { kind: 'person', name: 'علی کریمی', phones: [{ value: '09123456789' }] });
  // The ERP stored Arabic yeh/kaf and Persian digits.
  await erp('erp_customers').insert([
    { id: 1, full_name: 'شركت پيوند گستر', is_company: true, email: 'info@peyvand.example', mobile: '021-8888 7777', city: 'تهران', vip_level: 'gold', updated_at: at('2026-12-01T08:00:00.000001Z') },
    { id: 2, full_name: 'علي كريمي', is_company: false, mobile: '۰۹۱۲ ۳۴۵ ۶۷۸۹', parent_id: 1, updated_at: at('2026-12-01T08:00:01Z') },
    { id: 3, full_name: 'مریم احمدی', is_company: false, email: 'maryam@peyvand.example', parent_id: 1, updated_at: at('2026-12-01T08:00:02Z') },
    { id: 4, full_name: '  ', is_company: false, email: 'ghost@example.com', updated_at: at('2026-12-01T08:00:03Z') },
  ]);
  await erp('erp_orders').insert([
    { id: 10, customer_id: 1, order_no: 'SO-10', state: 'confirmed', total: 12500000, currency: 'IRR', ordered_on: '2026-11-30', row_version: 1 },
    { id: 11, customer_id: 2, order_no: 'SO-11', state: 'done', total: 199.99, currency: 'USD', ordered_on: '2026-11-28', row_version: 2 },
    { id: 12, customer_id: 3, order_no: 'SO-12', state: 'on-hold', total: 10, currency: 'IRR', ordered_on: '2026-12-01', row_version: 3 },
  ]);
  await erp('erp_order_lines').insert([
    { id: 101, order_id: 10, sku: 'CHAIR-01', title: 'صندلی اداری', qty: 2, price: 5000000 },
    { id: 102, order_id: 10, sku: 'DESK-02', title: 'میز کار', qty: 1, price: 2500000 },
    { id: 103, order_id: 11, sku: 'LAMP', title: 'چراغ', qty: 1, price: 199.99 },
  ]);
  await erp('erp_invoices').insert({ code: 'INV-1', customer_id: 1, order_id: 10, amount: 12500000, issued: '2026-12-01', due: '2026-12-31', paid: false });

  const body = { name: 'Legacy ERP', adapter: 'sql', config: { databaseUrl, currency: 'IRR', ...mapping }, mapping: { customers: { customFields: { vip: 'vip_level' } } } };
  let connectionId = '';

  await t.test('names that are not plain identifiers are refused; the database URL is write-only', async (t) => {
    for (const [key, value] of [
      ['customersTable', 'erp_customers; DROP TABLE erp_orders'],
      ['customersId', 'id" OR 1=1 --'],
      ['customersColumns', { ...mapping.customersColumns, name: 'full_name`, (SELECT 1)' }],
      ['customersTable', 'a.b.c'],
    ] as const) {
      const res = await s.call(s.owner, 'POST', '/erp/connections', { ...body, config: { ...body.config, [key]: value } });
      t.equal(res.statusCode, 400, `${key}: ${JSON.stringify(value)}`);
      t.equal(res.json().code, 'ERP_CONFIG_INVALID');
      t.match(res.json().errors, [{ path: new RegExp(`^/config/${key}`) }]);
    }
    const unknownField = await s.call(s.owner, 'POST', '/erp/connections', { ...body, config: { ...body.config, customersColumns: { ...mapping.customersColumns, shoeSize: 'x' } } });
    t.equal(unknownField.statusCode, 400, 'a Peyvand field the adapter does not know');
    t.equal(Number((await erp('erp_orders').count({ n: '*' }))[0]!.n), 3, 'nothing was dropped');

    const created = await s.ok<{ id: string; config: Record<string, unknown>; secretsSet: string[] }>('POST', '/erp/connections', body);
    connectionId = created.id;
    t.notOk('databaseUrl' in created.config, 'the URL (with its password) is not returned');
    t.same(created.secretsSet, ['databaseUrl']);
    const row = await s.p.peyvand.kernel.db.knex('crm_erp_connections').where({ id: connectionId }).first();
    t.notMatch(String(row.secrets_sealed), /127\.0\.0\.1/, 'sealed at rest');
    t.same(await s.ok('POST', `/erp/connections/${connectionId}/test`, undefined, 200), { ok: true });
  });

  await t.test('a dry run says what would change and writes nothing', async (t) => {
    const run = await s.run(connectionId, { dryRun: true });
    t.equal(run.status, 'succeeded', JSON.stringify(run.error));
    t.same(run.countsByEntity.customers, { ...zero, created: 2, updated: 1, failed: 1 });
    t.same(run.countsByEntity.orders, { ...zero, created: 2, failed: 1 });
    t.same(run.countsByEntity.invoices, { ...zero, created: 1 });
    t.equal((await s.ok<{ items: unknown[] }>('GET', '/customers')).items.length, 1, 'no customer created');
    t.same((await s.ok<{ items: unknown[] }>('GET', '/orders')).items, [], 'no order created');
    t.same(await s.p.peyvand.kernel.db.knex('crm_erp_cursors').where({ connection_id: connectionId }), [], 'no cursor moved');
  });

  await t.test('initial sync: the Persian customer matched, documents in minor units, bad rows as issues', async (t) => {
    const run = await s.run(connectionId);
    t.equal(run.status, 'succeeded', JSON.stringify(run.error));
    t.same(run.countsByEntity.customers, { ...zero, created: 2, updated: 1, failed: 1 });
    t.same(run.countsByEntity.orders, { ...zero, created: 2, failed: 1 });
    t.same(run.countsByEntity.invoices, { ...zero, created: 1 });

    const matched = await s.ok<{ name: string; phones: unknown[]; externalRefs: unknown[]; organizationId: string }>('GET', `/customers/${ali.id}`);
    t.same(matched.externalRefs, [{ source: 'sql', id: '2' }], 'the existing customer got the ref instead of a duplicate');
    t.equal(matched.name, 'علی کریمی', 'the same name in Arabic letters is no change');
    t.same(matched.phones, [{ value: '09123456789' }], 'the same number in Persian digits too');
    const found = await s.ok<{ items: Array<{ id: string; kind: string; customFields: Record<string, unknown>; addresses: unknown[] }> }>('GET', `/customers?q=${encodeURIComponent('شرکت پیوند')}`);
    t.equal(found.items.length, 1, 'the company is found with Persian yeh/kaf');
    const org = found.items[0]!;
    t.equal(org.kind, 'organization');
    t.equal(matched.organizationId, org.id, 'the contact belongs to its company');
    t.equal(org.customFields.vip, 'gold', 'an extra column reaches a custom field');

    const orders = await s.ok<{ items: Array<Record<string, unknown>> }>('GET', `/orders?customerId=${org.id}`);
    t.match(orders.items, [{ number: 'SO-10', status: 'placed', currency: 'IRR', total: 12_500_000, externalRef: { source: 'sql', id: '10' } }]);
    t.match(orders.items[0]!.lines, [{ sku: 'CHAIR-01', name: 'صندلی اداری', quantity: 2, unitPrice: 5_000_000 }, { sku: 'DESK-02', quantity: 1, unitPrice: 2_500_000 }]);
    t.equal(Date.parse(String(orders.items[0]!.placedAt)), Date.parse('2026-11-30T00:00:00Z'));
    const aliOrders = await s.ok<{ items: Array<Record<string, unknown>> }>('GET', `/orders?customerId=${ali.id}`);
    t.match(aliOrders.items, [{ number: 'SO-11', status: 'delivered', currency: 'USD', total: 19_999 }], 'USD in cents; "done" mapped to delivered');
    const invoices = await s.ok<{ items: Array<Record<string, unknown>> }>('GET', `/invoices?customerId=${org.id}`);
    t.match(invoices.items, [{ number: 'INV-1', status: 'issued', amount: 12_500_000, orderRef: '10', orderId: String }]);

    const issues = await s.issues(run.id);
    t.equal(issues.length, 2);
    t.match(issues.find((i) => i.entity === 'customers'), { externalId: '4', code: 'ERP_RECORD_INVALID', message: /no name/, payload: { email: 'ghost@example.com' } });
    t.match(issues.find((i) => i.entity === 'orders'), { externalId: '12', code: 'ERP_RECORD_INVALID', message: /status "on-hold" is not mapped/, payload: { order_no: 'SO-12', state: 'on-hold' } });
    t.same((await s.run(connectionId)).counts, { ...zero, unchanged: 1 }, 'a re-run reads nothing new (the compare-mode invoice is re-read, unchanged)');
  });

  await t.test('incremental: many rows sharing one timestamp across pages, an update, a serial change column', async (t) => {
    const same = at('2026-12-02T09:00:00Z');
    await erp('erp_customers').insert([20, 21, 22, 23, 24].map((id) => ({ id, full_name: `فروشگاه ${id}`, is_company: true, updated_at: same })));
    await erp('erp_customers').where({ id: 3 }).update({ mobile: '+98 912 000 1111', updated_at: same });
    await erp('erp_orders').where({ id: 12 }).update({ state: 'void', row_version: 4 });
    await erp('erp_invoices').where({ code: 'INV-1' }).update({ paid: true });
    const run = await s.run(connectionId);
    t.equal(run.status, 'succeeded', JSON.stringify(run.error));
    t.same(run.countsByEntity.customers, { ...zero, created: 5, updated: 1 }, 'six rows with one timestamp, two a page: none skipped');
    t.same(run.countsByEntity.orders, { ...zero, created: 1 }, 'the fixed order, by its row version');
    t.same(run.countsByEntity.invoices, { ...zero, updated: 1 }, 'full compare found the paid invoice');
    t.equal((await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('فروشگاه')}`)).items.length, 5);
    t.equal((await s.ok<{ items: unknown[] }>('GET', '/invoices?status=paid')).items.length, 1);
    t.same((await s.run(connectionId)).counts, { ...zero, unchanged: 1 }, 'and none read twice');
  });

  await t.test('deletions: a full run finds them in change mode, every run in full-compare mode', async (t) => {
    await erp('erp_customers').whereIn('id', [23, 24]).delete();
    t.same((await s.run(connectionId)).countsByEntity.customers, zero, 'a deleted row is invisible to a change column');
    const full = await s.run(connectionId, { full: true });
    t.equal(full.status, 'succeeded', JSON.stringify(full.error));
    t.same(full.countsByEntity.customers, { ...zero, deleted: 2, unchanged: 6, failed: 1 });
    t.equal((await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('فروشگاه')}`)).items.length, 3);
    t.match(await s.p.peyvand.kernel.db.knex('crm_erp_cursors').where({ connection_id: connectionId, entity: 'customers' }).first(), { cursor: /"2026-12-02 09:00:00(\.0+)?(\+00)?","24"|"2026-12-02 09:00:00(\.0+)?(\+00)?","22"/ }, 'a full run leaves the cursor at the newest row');

    await erp('erp_invoices').where({ code: 'INV-1' }).delete();
    const compare = await s.run(connectionId);
    t.same(compare.countsByEntity.invoices, { ...zero, conflicts: 1 }, 'an incremental run of a full-compare entity sees the deletion');
    const issue = (await s.issues(compare.id)).find((i) => i.code === 'DELETED_IN_ERP');
    t.equal(issue?.externalId, 'INV-1', 'documents are reported, never deleted by a sync');
    t.equal((await s.ok<{ items: unknown[] }>('GET', '/invoices')).items.length, 1, 'kept');
  });

  await t.test('a conflict is settled by field ownership', async (t) => {
    await s.ok('PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: { customers: { default: 'erp', fields: { phones: 'crm' } } } });
    await s.ok('PATCH', `/customers/${ali.id}`, { phones: [{ value: '09351112233' }] });
    await erp('erp_customers').where({ id: 2 }).update({ mobile: '09120000000', email: 'ali@peyvand.example', updated_at: at('2026-12-03T10:00:00Z') });
    const run = await s.run(connectionId);
    t.same(run.countsByEntity.customers, { ...zero, updated: 1, conflicts: 1 });
    const after = await s.ok<{ phones: Array<{ value: string }>; emails: Array<{ value: string }> }>('GET', `/customers/${ali.id}`);
    t.same(after.phones.map((p) => p.value), ['09351112233'], 'crm: the CRM phone is kept');
    t.same(after.emails.map((e) => e.value), ['ali@peyvand.example'], 'erp: the ERP email is applied');
    const [issue] = await s.issues(run.id);
    t.match(issue, { code: 'FIELD_CONFLICT', externalId: '2', message: /phones: CRM value kept/ });
  });

  await t.test('an unknown table or column is a clear run error, not a crash', async (t) => {
    for (const config of [{ customersColumns: { ...mapping.customersColumns, email: 'e_mail' } }, { ordersTable: 'sales_orders' }]) {
      const bad = await s.ok<{ id: string }>('POST', '/erp/connections', { ...body, name: `bad ${Object.keys(config)[0]}`, config: { ...body.config, ...config } });
      const tested = await s.ok<{ ok: boolean; error: { code: string; message: string } }>('POST', `/erp/connections/${bad.id}/test`, undefined, 200);
      t.equal(tested.ok, false);
      t.equal(tested.error.code, 'ERP_MAPPING_INVALID');
      t.match(tested.error.message, /e_mail|sales_orders/, 'the message names what is missing');
      const run = await s.run(bad.id);
      t.equal(run.status, 'failed');
      t.equal(run.error?.code, 'ERP_MAPPING_INVALID');
      const fa = await s.call(s.owner, 'GET', `/erp/runs/${run.id}`, undefined, { 'accept-language': 'fa' });
      t.match(fa.json().error.message, /نگاشت/, 'the run error in Persian');
    }
  });
}
