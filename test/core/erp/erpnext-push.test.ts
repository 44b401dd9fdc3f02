/**
 * ERP write-back to the ERPNext fake, through the API: every field the mapping pushes
 * lands where ERPNext keeps it — `customer_name` and the mapped `tax_id`,
 * `customer_group`, `territory` on the Customer (`PUT /api/resource/Customer/{name}`), the
 * email and mobile on its primary Contact (its `email_ids`/`phone_nos` rows; the Customer's
 * `email_id`/`mobile_no` are copies ERPNext fetches), a Contact made and linked where the
 * Customer had none; a `newest` field is not pushed over a newer ERP change; an unmapped
 * custom field is a 422; the next pull is no echo; a customer made in the CRM is inserted
 * with `POST /api/resource/Customer` (ERPNext makes its Contact); a Frappe refusal (417)
 * and an outage (5xx, retried) become issues with the payload; a dry run never pushes.
 */
import t from 'tap';
import erpnext from '../../../adapters/erpnext/index.js';
import { ErpNextFake } from '../../../adapters/erpnext/testing/erpnext-fake.js';
import { bootErp } from '../../helpers/erp.js';

const fake = new ErpNextFake();
await fake.start();
t.teardown(() => fake.stop());
const s = await bootErp(t, [erpnext], { peyvand: { dispatcher: { gapGraceMs: 0 } } });

// Reza has a primary Contact (as ERPNext made it from the quick entry); Maryam has none.
const rezaContact = fake.insert('Contact', { first_name: 'رضا مرادی', is_primary_contact: 1, email_ids: [{ email_id: 'reza@old.example', is_primary: 1 }, { email_id: 'reza@work.example', is_primary: 0 }], phone_nos: [{ phone: '09121112233', is_primary_mobile_no: 1 }], links: [{ link_doctype: 'Customer', link_name: 'رضا مرادی' }], email_id: 'reza@old.example', mobile_no: '09121112233' });
const reza = fake.insert('Customer', { customer_name: 'رضا مرادی', customer_type: 'Individual', customer_group: 'Individual', territory: 'All Territories', customer_primary_contact: rezaContact, email_id: 'reza@old.example', mobile_no: '09121112233', disabled: 0 });
const maryam = fake.insert('Customer', { customer_name: 'شرکت مریم', customer_type: 'Company', customer_group: 'Commercial', disabled: 0 });
const customFields = { taxId: 'tax_id', group: 'customer_group', territory: 'territory' };
const pushed = ['name', 'emails', 'phones', 'customFields.taxId', 'customFields.group', 'customFields.territory'];
const connectionBody = {
  name: 'ERPNext',
  adapter: 'erpnext',
  config: { url: fake.url, apiKey: fake.apiKey, apiSecret: fake.apiSecret },
  fieldOwnership: { customers: { default: 'crm', fields: { 'customFields.group': 'newest', addresses: 'erp' } } },
  mapping: { customers: { customFields, push: { fields: pushed } } },
};
let connectionId = '';
let rezaId = '';
let maryamId = '';
const saves = () => fake.requests.filter((r) => r.method === 'POST' || r.method === 'PUT');

t.test('a pushed custom field needs its ERP field; an ERP-owned one cannot be pushed', async (t) => {
  const unmapped = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, mapping: { customers: { push: { fields: ['customFields.vat'] } } } }, { 'accept-language': 'fa' });
  t.equal(unmapped.statusCode, 422);
  t.equal(unmapped.json().code, 'ERP_PUSH_FIELD_UNMAPPED');
  t.match(unmapped.json().detail, /«vat»/);
  const erpOwned = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, fieldOwnership: { customers: { default: 'crm', fields: { 'customFields.taxId': 'erp' } } } });
  t.equal(erpOwned.statusCode, 422);
  t.equal(erpOwned.json().code, 'ERP_PUSH_NOT_CRM_OWNED');
  connectionId = (await s.ok<{ id: string }>('POST', '/erp/connections', connectionBody)).id;
  t.equal((await s.run(connectionId)).countsByEntity.customers.created, 2);
  t.same(await s.pushes(connectionId), [], 'customers the sync created are not pushed back');
  const items = (await s.ok<{ items: Array<{ id: string; name: string; customFields: Record<string, unknown> }> }>('GET', '/customers')).items;
  rezaId = items.find((c) => c.name === 'رضا مرادی')!.id;
  maryamId = items.find((c) => c.name === 'شرکت مریم')!.id;
  t.same(items.find((c) => c.id === rezaId)!.customFields, { group: 'Individual', territory: 'All Territories' }, 'mapped fields are read');
});

t.test('every pushed field lands where ERPNext keeps it; the next pull is no echo', async (t) => {
  const before = saves().length;
  fake.tick(2);
  await s.ok('PATCH', `/customers/${rezaId}`, { name: 'رضا مرادی‌فر', emails: [{ value: 'reza@new.example' }], phones: [{ value: '۰۹۱۲ ۰۰۰ ۰۰۰۰' }], customFields: { taxId: '10320894567', group: 'Commercial', territory: 'Iran' } });
  const [push] = await s.pushes(connectionId);
  t.equal(push!.status, 'succeeded', JSON.stringify(push));
  t.equal(push!.countsByEntity.customers.updated, 1);
  t.same(saves().slice(before).map((r) => `${r.method} ${r.path}`), [`PUT /api/resource/Contact/${rezaContact}`, `PUT /api/resource/Customer/${reza}`], 'the Contact first, then the Customer');
  t.match(fake.get('Customer', reza), { name: reza, customer_name: 'رضا مرادی‌فر', tax_id: '10320894567', customer_group: 'Commercial', territory: 'Iran', customer_primary_contact: rezaContact, email_id: 'reza@new.example', mobile_no: '09120000000' });
  const contact = fake.get('Contact', rezaContact)!;
  t.same((contact.email_ids as Array<Record<string, unknown>>).map((r) => [r.email_id, r.is_primary]), [['reza@new.example', 1], ['reza@work.example', 0]], 'the primary email row changed, the other row is kept');
  t.same((contact.phone_nos as Array<Record<string, unknown>>).map((r) => [r.phone, r.is_primary_mobile_no]), [['09120000000', 1]], 'the mobile in canonical form');

  const next = await s.run(connectionId);
  t.same(next.counts, { created: 0, updated: 0, unchanged: 1, deleted: 0, failed: 0, conflicts: 0 }, 'read back unchanged, no conflict');
  const after = await s.ok<{ name: string; customFields: Record<string, unknown> }>('GET', `/customers/${rezaId}`);
  t.same(after.customFields, { taxId: '10320894567', group: 'Commercial', territory: 'Iran' });
});

t.test('a Customer without a primary Contact gets one, linked; a refused link value is an issue', async (t) => {
  await s.ok('PATCH', `/customers/${maryamId}`, { emails: [{ value: 'info@maryam.example' }], phones: [{ value: '09351234567' }] });
  const [push] = await s.pushes(connectionId);
  t.equal(push!.status, 'succeeded', JSON.stringify(push));
  const customer = fake.get('Customer', maryam)!;
  const contact = fake.get('Contact', String(customer.customer_primary_contact))!;
  t.ok(contact, 'a Contact was made');
  t.match(contact, { is_primary_contact: 1, email_id: 'info@maryam.example', mobile_no: '09351234567', company_name: 'شرکت مریم' });
  t.same((contact.links as Array<Record<string, unknown>>).map((l) => [l.link_doctype, l.link_name]), [['Customer', maryam]], 'linked to the Customer by a Dynamic Link');
  t.match(customer, { email_id: 'info@maryam.example', mobile_no: '09351234567' });

  await s.ok('PATCH', `/customers/${maryamId}`, { customFields: { territory: 'Mars' } });
  const [refused] = await s.pushes(connectionId);
  t.equal(refused!.status, 'failed');
  t.match((await s.issues(refused!.id))[0], { code: 'ERP_REQUEST_REJECTED', message: /Could not find Territory: Mars/, payload: { fields: { erpFields: { territory: 'Mars' } } } });
  await s.ok('PATCH', `/customers/${maryamId}`, { customFields: { territory: 'Iran' } });
  t.equal((await s.pushes(connectionId))[0]!.status, 'succeeded');
});

t.test('a newest field is not pushed over a newer ERP change', async (t) => {
  await s.ok('PATCH', `/customers/${rezaId}`, { customFields: { group: 'Individual' } });
  // The ERP changes the group after the CRM did, before the push runs.
  fake.tick(5);
  fake.now = new Date(Date.now() + 60_000);
  fake.update('Customer', reza, { customer_group: 'All Customer Groups' });
  const [push] = await s.pushes(connectionId);
  t.equal(push!.status, 'succeeded', JSON.stringify(push));
  t.equal(push!.countsByEntity.customers.unchanged, 1, 'nothing left to push');
  t.equal(fake.get('Customer', reza)!.customer_group, 'All Customer Groups', "the ERP's newer value stays");
  await s.run(connectionId);
  t.equal((await s.ok<{ customFields: Record<string, unknown> }>('GET', `/customers/${rezaId}`)).customFields.group, 'All Customer Groups', 'the pull takes it');
});

t.test("Frappe's refusal and an outage become issues with the payload", async (t) => {
  fake.rejectNextWrites('Customer Name cannot contain digits');
  await s.ok('PATCH', `/customers/${rezaId}`, { name: 'رضا ۲' });
  const [refused] = await s.pushes(connectionId);
  t.equal(refused!.status, 'failed');
  t.equal(refused!.error?.code, 'ERP_REQUEST_REJECTED');
  const [issue] = await s.issues(refused!.id);
  t.match(issue, { entity: 'customers', externalId: reza, code: 'ERP_REQUEST_REJECTED', message: /cannot contain digits/, payload: { customerId: rezaId, externalId: reza, fields: { name: 'رضا ۲' } } });

  const puts = saves().filter((r) => r.method === 'PUT').length;
  fake.failNext(...Array.from({ length: 12 }, () => 502));
  await s.ok('PATCH', `/customers/${rezaId}`, { name: 'رضا مرادی' });
  const [down] = await s.pushes(connectionId);
  t.equal(down!.status, 'failed');
  t.equal(down!.error?.code, 'ERP_SERVER_ERROR');
  t.equal(saves().filter((r) => r.method === 'PUT').length - puts, 12, 'retried: 4 requests in each of 3 attempts');
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
