/**
 * ERP write-back to the ERPNext fake, through the API: only `name` can be pushed (email
 * and mobile belong to ERPNext's Contact: a push of them is a 422); a CRM rename reaches
 * the Customer's `customer_name` through `PUT /api/resource/Customer/{name}` (its id, the
 * document name, stays); the next pull is no echo; a customer made in the CRM is
 * inserted with `POST /api/resource/Customer`; a Frappe refusal (417) and an outage
 * (5xx, retried) become issues with the payload; a dry run never pushes.
 */
import t from 'tap';
import erpnext from '../../../adapters/erpnext/index.js';
import { ErpNextFake } from '../../../adapters/erpnext/testing/erpnext-fake.js';
import { bootErp } from '../../helpers/erp.js';

const fake = new ErpNextFake();
await fake.start();
t.teardown(() => fake.stop());
const s = await bootErp(t, [erpnext], { peyvand: { dispatcher: { gapGraceMs: 0 } } });

const reza = fake.insert('Customer', { customer_name: 'رضا مرادی', customer_type: 'Individual', mobile_no: '09121112233', disabled: 0 });
const connectionBody = {
  name: 'ERPNext',
  adapter: 'erpnext',
  config: { url: fake.url, apiKey: fake.apiKey, apiSecret: fake.apiSecret },
  fieldOwnership: { customers: { default: 'erp', fields: { name: 'crm' } } },
  mapping: { customers: { push: { fields: ['name'] } } },
};
let connectionId = '';
let rezaId = '';
const saves = () => fake.requests.filter((r) => r.method === 'POST' || r.method === 'PUT');

t.test('only the name can be pushed to ERPNext', async (t) => {
  const phones = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, fieldOwnership: { customers: 'crm' }, mapping: { customers: { push: { fields: ['name', 'phones'] } } } });
  t.equal(phones.statusCode, 422);
  t.equal(phones.json().code, 'ERP_PUSH_UNSUPPORTED');
  t.match(phones.json().detail, /cannot write “phones”.*fields it can write: name/);
  connectionId = (await s.ok<{ id: string }>('POST', '/erp/connections', connectionBody)).id;
  t.equal((await s.run(connectionId)).countsByEntity.customers.created, 1);
  t.same(await s.pushes(connectionId), [], 'customers the sync created are not pushed back');
  rezaId = (await s.ok<{ items: Array<{ id: string; name: string }> }>('GET', '/customers')).items.find((c) => c.name === 'رضا مرادی')!.id;
});

t.test('a CRM rename reaches the Customer; the next pull is no echo', async (t) => {
  const before = saves().length;
  fake.tick(2);
  await s.ok('PATCH', `/customers/${rezaId}`, { name: 'رضا مرادی‌فر', phones: [{ value: '09120000000' }] });
  const [push] = await s.pushes(connectionId);
  t.equal(push!.status, 'succeeded', JSON.stringify(push));
  t.equal(push!.countsByEntity.customers.updated, 1);
  const sent = saves().slice(before);
  t.same(sent.map((r) => `${r.method} ${r.path}`), [`PUT /api/resource/Customer/${reza}`]);
  t.equal(fake.get('Customer', reza)!.customer_name, 'رضا مرادی‌فر');
  t.equal(fake.get('Customer', reza)!.mobile_no, '09121112233', 'an ERP-owned field is not pushed');

  const next = await s.run(connectionId);
  // The phone is the ERP's: the pull puts it back (a conflict on phones), the name is unchanged.
  t.equal(next.countsByEntity.customers.conflicts, 1);
  const [issue] = await s.issues(next.id);
  t.match(issue!.message, /^phones: ERP value applied/);
  t.notMatch(issue!.message, /name/, 'the pushed name is no conflict: the ERP holds it');
  const after = await s.ok<{ name: string; phones: Array<{ value: string }> }>('GET', `/customers/${rezaId}`);
  t.equal(after.name, 'رضا مرادی‌فر');
  t.equal(after.phones[0]!.value, '09121112233');
  const quiet = await s.run(connectionId);
  t.same(quiet.counts, { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 }, 'nothing new');
});

t.test("Frappe's refusal and an outage become issues with the payload", async (t) => {
  fake.rejectNextWrites('Customer Name cannot contain digits');
  await s.ok('PATCH', `/customers/${rezaId}`, { name: 'رضا ۲' });
  const [refused] = await s.pushes(connectionId);
  t.equal(refused!.status, 'failed');
  t.equal(refused!.error?.code, 'ERP_REQUEST_REJECTED');
  const [issue] = await s.issues(refused!.id);
  t.match(issue, { entity: 'customers', externalId: reza, code: 'ERP_REQUEST_REJECTED', message: /cannot contain digits/, payload: { customerId: rezaId, externalId: reza, fields: { name: 'رضا ۲' } } });

  fake.failNext(...Array.from({ length: 12 }, () => 502));
  await s.ok('PATCH', `/customers/${rezaId}`, { name: 'رضا مرادی' });
  const [down] = await s.pushes(connectionId);
  t.equal(down!.status, 'failed');
  t.equal(down!.error?.code, 'ERP_SERVER_ERROR');
  t.equal(saves().filter((r) => r.method === 'PUT').length, 1 + 1 + 12, 'retried: 4 requests in each of 3 attempts');
  t.match((await s.issues(down!.id))[0], { code: 'ERP_SERVER_ERROR', payload: { fields: { name: 'رضا مرادی' } } });
  t.equal(fake.get('Customer', reza)!.customer_name, 'رضا مرادی‌فر');
});

t.test('a dry run never pushes; a customer made in the CRM is inserted', async (t) => {
  await s.ok('PATCH', `/erp/connections/${connectionId}`, { mapping: { customers: { push: { fields: ['name'], create: true } } } });
  fake.tick(2);
  fake.insert('Customer', { customer_name: 'لیلا نوری', customer_type: 'Individual', disabled: 0 });
  const before = saves().length;
  const pushes = (await s.pushes(connectionId)).length;
  const dry = await s.run(connectionId, { dryRun: true });
  t.equal(dry.countsByEntity.customers.created, 1);
  t.equal(saves().length, before, 'nothing written to ERPNext');
  t.equal((await s.pushes(connectionId)).length, pushes, 'no push queued');

  const made = await s.ok<{ id: string }>('POST', '/customers', { kind: 'organization', name: 'بازرگانی تابان' });
  const [created] = await s.pushes(connectionId);
  t.equal(created!.countsByEntity.customers.created, 1, JSON.stringify(created));
  const post = saves().at(-1)!;
  t.equal(`${post.method} ${post.path}`, 'POST /api/resource/Customer');
  t.match(fake.get('Customer', 'بازرگانی تابان'), { customer_name: 'بازرگانی تابان', customer_type: 'Company' });
  const customer = await s.ok<{ externalRefs: Array<{ source: string; id: string }> }>('GET', `/customers/${made.id}`);
  t.same(customer.externalRefs, [{ source: 'erpnext', id: 'بازرگانی تابان' }]);
  const pull = await s.run(connectionId);
  t.equal(pull.countsByEntity.customers.created, 1, 'only Leila is new; the inserted customer is not created again');
  t.equal(pull.countsByEntity.customers.conflicts, 0);
});
