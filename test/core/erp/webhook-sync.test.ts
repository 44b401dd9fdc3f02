/**
 * The webhook adapter, through the API: the ERP posts signed changes to
 * `POST /api/v1/erp/inbound/{connectionId}` (`Peyvand-Signature: t=…,v1=HMAC-SHA256(secret,
 * "<t>.<raw body>")`). A good signature starts an inbound run with the normal counts,
 * issues and matching (Persian yeh/kaf, Persian digits); a missing or wrong signature and
 * a timestamp outside the replay window are 401s that change nothing; the very same
 * signed request twice is a 409, and the same changes re-sent under a new signature
 * change nothing the second time; a bad record in a batch is an issue with the posted
 * change as its payload while the others apply; deletions follow the ownership rules.
 */
import t from 'tap';
import webhook from '../../../adapters/webhook/index.js';
import { signatureHeader } from '../../../core/plugin/webhook-signature.js';
import { assertSyncEvents, bootErp } from '../../helpers/erp.js';

const s = await bootErp(t, [webhook]);
const secret = 'erp-shared-secret-0123456789';
const zero = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 };
const now = () => Math.floor(Date.now() / 1000);

// The staff already know Ali, typed with Persian yeh/kaf and ASCII digits.
const ali = await s.ok<{ id: string }>('POST', '/customers', { kind: 'person', name: 'علی کریمی', phones: [{ value: '09123456789' }] });
let connectionId = '';

/** Posts a body signed with `key` at `t` (the raw bytes are what is signed). */
function push(body: unknown, options: { key?: string; t?: number; header?: string | null; connection?: string } = {}) {
  const raw = Buffer.from(JSON.stringify(body));
  const header = options.header === undefined ? signatureHeader(options.key ?? secret, options.t ?? now(), raw) : options.header;
  return s.call(undefined, 'POST', `/erp/inbound/${options.connection ?? connectionId}`, raw.toString('utf8'), { 'content-type': 'application/json', ...(header !== null && { 'peyvand-signature': header }) });
}

const runCount = async () => Number((await s.p.peyvand.kernel.db.knex('crm_erp_runs').where({ connection_id: connectionId }).count({ n: '*' }))[0]!.n);
const customerCount = async () => (await s.ok<{ items: unknown[] }>('GET', '/customers')).items.length;

const batch = {
  changes: [
    { entity: 'customers', externalId: 'C-1', action: 'upsert', modifiedAt: '2026-12-01T08:00:00Z', data: { kind: 'organization', name: 'شركت پيوند گستر', emails: [{ value: 'info@peyvand.example' }] } },
    { entity: 'customers', externalId: 'C-2', action: 'upsert', data: { kind: 'person', name: 'علي كريمي', phones: [{ value: '۰۹۱۲ ۳۴۵ ۶۷۸۹' }], organizationRef: 'C-1' } },
    { entity: 'orders', externalId: 'SO-1', action: 'upsert', data: { customerRef: 'C-1', number: 'SO-1', status: 'placed', currency: 'IRR', total: 12_500_000, placedAt: '2026-11-30T10:00:00Z', lines: [{ sku: 'CHAIR-01', name: 'صندلی اداری', quantity: 2, unitPrice: 6_250_000 }] } },
    { entity: 'invoices', externalId: 'INV-1', action: 'upsert', data: { customerRef: 'C-1', number: 'INV-1', orderRef: 'SO-1', currency: 'IRR', amount: 12_500_000, issuedAt: '2026-12-01T00:00:00Z', dueAt: '2026-12-31T00:00:00Z', status: 'issued' } },
  ],
};

t.test('a webhook connection: secret write-only, no pulled runs', async (t) => {
  const short = await s.call(s.owner, 'POST', '/erp/connections', { name: 'Push ERP', adapter: 'webhook', config: { secret: 'short' } });
  t.equal(short.statusCode, 400);
  t.equal(short.json().code, 'ERP_CONFIG_INVALID');
  const created = await s.ok<{ id: string; config: Record<string, unknown>; secretsSet: string[] }>('POST', '/erp/connections', { name: 'Push ERP', adapter: 'webhook', config: { secret } });
  connectionId = created.id;
  t.same(created.config, {}, 'the secret is not returned');
  t.same(created.secretsSet, ['secret']);
  const manual = await s.call(s.owner, 'POST', `/erp/connections/${connectionId}/runs`, {});
  t.equal(manual.statusCode, 422);
  t.equal(manual.json().code, 'ERP_ADAPTER_PUSH_ONLY');
  t.same(await s.ok('POST', `/erp/connections/${connectionId}/test`, undefined, 200), { ok: true });
});

t.test('wrong, missing and stale signatures are 401 and change nothing', async (t) => {
  for (const [what, options] of [
    ['a wrong secret', { key: 'another-secret-0123456789' }],
    ['no signature', { header: null }],
    ['a garbled header', { header: 'v1=deadbeef' }],
    ['a timestamp ten minutes old', { t: now() - 600 }],
    ['a timestamp ten minutes ahead', { t: now() + 600 }],
  ] as const) {
    const res = await push(batch, options);
    t.equal(res.statusCode, 401, what);
    t.equal(res.json().code, 'ERP_SIGNATURE_INVALID', what);
  }
  const fa = await s.call(undefined, 'POST', `/erp/inbound/${connectionId}`, JSON.stringify(batch), { 'content-type': 'application/json', 'accept-language': 'fa' });
  t.match(fa.json().title, /امضا/, 'the problem in Persian');
  const unknown = await push(batch, { connection: 'no-such-connection' });
  t.equal(unknown.statusCode, 404);
  t.equal(await runCount(), 0, 'no run was queued');
  t.equal(await customerCount(), 1, 'no customer created');
});

t.test('a good signature applies the batch as an inbound run; Persian data matches the existing customer', async (t) => {
  const accepted = await push(batch);
  t.equal(accepted.statusCode, 202, accepted.body);
  const run = await s.waitRun(accepted.json().id);
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.equal((run as unknown as { trigger: string }).trigger, 'inbound');
  t.same(run.countsByEntity.customers, { ...zero, created: 1, updated: 1 });
  t.same(run.countsByEntity.orders, { ...zero, created: 1 });
  t.same(run.countsByEntity.invoices, { ...zero, created: 1 });
  const matched = await s.ok<{ name: string; phones: unknown[]; externalRefs: unknown[]; organizationId: string }>('GET', `/customers/${ali.id}`);
  t.same(matched.externalRefs, [{ source: 'webhook', id: 'C-2' }], 'the existing customer got the ref instead of a duplicate');
  t.equal(matched.name, 'علی کریمی');
  t.same(matched.phones, [{ value: '09123456789' }]);
  const org = (await s.ok<{ items: Array<{ id: string }> }>('GET', `/customers?q=${encodeURIComponent('شرکت پیوند')}`)).items[0]!;
  t.equal(matched.organizationId, org.id, 'the contact belongs to its company');
  t.match((await s.ok<{ items: unknown[] }>('GET', `/orders?customerId=${org.id}`)).items, [{ number: 'SO-1', total: 12_500_000, status: 'placed' }]);
  t.match((await s.ok<{ items: unknown[] }>('GET', `/invoices?customerId=${org.id}`)).items, [{ number: 'INV-1', orderRef: 'SO-1', orderId: String }]);
});

t.test('the same delivery twice does nothing twice', async (t) => {
  const at = now();
  const first = await push({ changes: [{ entity: 'customers', externalId: 'C-3', action: 'upsert', data: { kind: 'person', name: 'مریم احمدی' } }] }, { t: at });
  t.equal(first.statusCode, 202);
  t.same((await s.waitRun(first.json().id)).counts, { ...zero, created: 1 });
  const runs = await runCount();
  const replay = await push({ changes: [{ entity: 'customers', externalId: 'C-3', action: 'upsert', data: { kind: 'person', name: 'مریم احمدی' } }] }, { t: at });
  t.equal(replay.statusCode, 409, 'the very same signed request');
  t.equal(replay.json().code, 'ERP_SIGNATURE_REPLAYED');
  t.equal(await runCount(), runs, 'no run for the replay');
  // The ERP's retry: the same changes, signed again later.
  const retry = await push({ changes: [{ entity: 'customers', externalId: 'C-3', action: 'upsert', data: { kind: 'person', name: 'مریم احمدی' } }] }, { t: at + 1 });
  t.equal(retry.statusCode, 202);
  t.same((await s.waitRun(retry.json().id)).counts, { ...zero, unchanged: 1 }, 'applied once');
  t.equal(await customerCount(), 3, 'Ali (matched), the company, Maryam');
});

t.test('a bad record in a batch is an issue with its payload; the others apply', async (t) => {
  const nameless = { entity: 'customers', externalId: 'C-4', action: 'upsert', data: { kind: 'person', emails: [{ value: 'ghost@example.com' }] } };
  const badCountry = { entity: 'customers', externalId: 'C-5', action: 'upsert', data: { kind: 'person', name: 'رضا', addresses: [{ line1: 'خیابان آزادی', country: 'IRN' }] } };
  const noData = { entity: 'orders', externalId: 'SO-3', action: 'upsert' };
  const badStatus = { entity: 'orders', externalId: 'SO-2', action: 'upsert', data: { customerRef: 'C-1', number: 'SO-2', status: 'lost', currency: 'IRR', total: 1, placedAt: '2026-12-02T10:00:00Z', lines: [] } };
  const good = { entity: 'customers', externalId: 'C-6', action: 'upsert', data: { kind: 'person', name: 'سارا' } };
  const res = await push({ changes: [nameless, badCountry, noData, badStatus, good] });
  t.equal(res.statusCode, 202, res.body);
  const run = await s.waitRun(res.json().id);
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.same(run.countsByEntity.customers, { ...zero, created: 1, failed: 2 });
  t.same(run.countsByEntity.orders, { ...zero, failed: 2 });
  const issues = await s.issues(run.id);
  const byId = new Map(issues.map((i) => [i.externalId, i]));
  t.match(byId.get('C-4'), { code: 'ERP_RECORD_INVALID', message: /name/, payload: nameless });
  t.match(byId.get('C-5'), { entity: 'customers', code: 'ERP_RECORD_INVALID', message: /country/, payload: badCountry });
  t.match(byId.get('SO-3'), { code: 'ERP_RECORD_INVALID', message: /needs data/, payload: noData });
  t.match(byId.get('SO-2'), { code: 'VALIDATION_FAILED', message: /status/, payload: badStatus });
  t.equal((await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('سارا')}`)).items.length, 1, 'the good one applied');
});

t.test('a signed body that does not fit the schema is a 400 and queues nothing', async (t) => {
  const runs = await runCount();
  for (const body of [{ changes: [] }, { changes: [{ entity: 'leads', externalId: 'L-1', action: 'upsert', data: {} }] }, { changes: [{ entity: 'customers', externalId: 'C-7', action: 'upsert', modifiedAt: 'yesterday', data: { kind: 'person', name: 'x' } }] }]) {
    const res = await push(body);
    t.equal(res.statusCode, 400, JSON.stringify(body));
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
  t.equal(await runCount(), runs);
});

t.test('deletions: a customer is deleted where the ERP owns customers, a document is reported', async (t) => {
  const res = await push({ changes: [{ entity: 'customers', externalId: 'C-3', action: 'delete' }, { entity: 'orders', externalId: 'SO-1', action: 'delete' }] });
  const run = await s.waitRun(res.json().id);
  t.same(run.countsByEntity.customers, { ...zero, deleted: 1 });
  t.same(run.countsByEntity.orders, { ...zero, conflicts: 1 });
  t.same((await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('مریم')}`)).items, []);
  t.match(await s.issues(run.id), [{ entity: 'orders', externalId: 'SO-1', code: 'DELETED_IN_ERP' }]);
});

t.test('a conflict is settled by field ownership', async (t) => {
  await s.ok('PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: { customers: { default: 'erp', fields: { phones: 'crm' } } } });
  await s.ok('PATCH', `/customers/${ali.id}`, { phones: [{ value: '09351112233' }] });
  const res = await push({ changes: [{ entity: 'customers', externalId: 'C-2', action: 'upsert', data: { kind: 'person', name: 'علی کریمی', phones: [{ value: '09120000000' }], emails: [{ value: 'ali@peyvand.example' }], organizationRef: 'C-1' } }] });
  const run = await s.waitRun(res.json().id);
  t.same(run.countsByEntity.customers, { ...zero, updated: 1, conflicts: 1 });
  const after = await s.ok<{ phones: Array<{ value: string }>; emails: Array<{ value: string }> }>('GET', `/customers/${ali.id}`);
  t.same(after.phones.map((p) => p.value), ['09351112233'], 'crm: the CRM phone is kept');
  t.same(after.emails.map((e) => e.value), ['ali@peyvand.example'], 'erp: the ERP email is applied');
});

t.test('the events the sync wrote carry exactly what their data schemas say', async (t) => {
  await assertSyncEvents(t, s, ['customer.created', 'customer.updated', 'customer.deleted', 'erp.run_finished']);
});
