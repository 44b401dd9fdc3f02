/**
 * A create the ERP commits but whose reply is lost (the connection drops after the commit)
 * must not make a second ERP record when it is retried: the adapter looks the record up by
 * the CRM's id (Odoo `ref`, ERPNext `customer_pos_id`) and updates it instead. Both the
 * retry inside the push (the lookup right after the lost reply) and the retry of the whole
 * push run (the lookup failing too — `loseNextCreateReply(1, 4)` — the next attempt looking first) end with exactly one
 * record in the fake ERP, which the CRM customer links to.
 */
import t from 'tap';
import odoo from '../../../adapters/odoo/index.js';
import erpnext from '../../../adapters/erpnext/index.js';
import { OdooFake } from '../../../adapters/odoo/testing/odoo-fake.js';
import { ErpNextFake } from '../../../adapters/erpnext/testing/erpnext-fake.js';
import { bootErp } from '../../helpers/erp.js';

const odooFake = new OdooFake();
const erpnextFake = new ErpNextFake();
await odooFake.start();
await erpnextFake.start();
t.teardown(async () => {
  await odooFake.stop();
  await erpnextFake.stop();
});
const s = await bootErp(t, [odoo, erpnext], { peyvand: { dispatcher: { gapGraceMs: 0 } } });
// A tenant per ERP: a customer made for one is not pushed to the other (both create).
const e = await bootErp(t, [odoo, erpnext], { p: s.p, slug: 'erpnext' });
const push = { fields: ['name', 'phones'], create: true };
const ownership = { customers: { default: 'erp', fields: { name: 'crm', phones: 'crm' } } };

/** Partners of that name, asked of the fake over its own API (what an Odoo user would see). */
async function odooPartners(name: string): Promise<Array<{ id: number; ref: string | false }>> {
  const res = await fetch(`${odooFake.url}/json/2/res.partner/search_read`, { method: 'POST', headers: { authorization: `bearer ${odooFake.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ domain: [['name', '=', name]], fields: ['ref'], context: { active_test: false } }) });
  return (await res.json()) as Array<{ id: number; ref: string | false }>;
}

/** Customers of that name in the ERPNext fake, over its REST API. */
async function erpnextCustomers(name: string): Promise<Array<{ name: string; customer_pos_id: string | null }>> {
  const query = new URLSearchParams({ fields: JSON.stringify(['name', 'customer_pos_id']), filters: JSON.stringify([['customer_name', '=', name]]), limit_page_length: '0' });
  const res = await fetch(`${erpnextFake.url}/api/resource/Customer?${query.toString()}`, { headers: { authorization: `token ${erpnextFake.apiKey}:${erpnextFake.apiSecret}` } });
  return ((await res.json()) as { data: Array<{ name: string; customer_pos_id: string | null }> }).data;
}

async function refOf(customerId: string, source: string, tenant = s): Promise<string | undefined> {
  const customer = await tenant.ok<{ externalRefs: Array<{ source: string; id: string }> }>('GET', `/customers/${customerId}`);
  return customer.externalRefs.find((r) => r.source === source)?.id;
}

t.test('Odoo: a lost create reply, then the retry, makes one partner, linked', async (t) => {
  const connectionId = (await s.ok<{ id: string }>('POST', '/erp/connections', { name: 'Odoo', adapter: 'odoo', config: { url: odooFake.url, database: odooFake.database, apiKey: odooFake.apiKey }, fieldOwnership: ownership, mapping: { customers: { push } } })).id;

  odooFake.loseNextCreateReply();
  const made = await s.ok<{ id: string }>('POST', '/customers', { kind: 'organization', name: 'شرکت بی‌پاسخ', phones: [{ value: '02188776655' }] });
  const [first] = await s.pushes(connectionId);
  t.equal(first!.status, 'succeeded', JSON.stringify(first));
  t.equal(first!.countsByEntity.customers.created, 1);
  const partners = await odooPartners('شرکت بی‌پاسخ');
  t.equal(partners.length, 1, 'exactly one partner');
  t.equal(partners[0]!.ref, made.id, "the partner carries the CRM's id in ref");
  t.equal(await refOf(made.id, 'odoo'), String(partners[0]!.id), 'the customer links to it');

  // The reply is lost and the lookup after it fails too: the run's next attempt looks first.
  odooFake.loseNextCreateReply(1, 4);
  const second = await s.ok<{ id: string }>('POST', '/customers', { kind: 'person', name: 'نیما بی‌پاسخ', phones: [{ value: '09127770000' }] });
  const [retried] = await s.pushes(connectionId);
  t.equal(retried!.status, 'succeeded', JSON.stringify(retried));
  const nima = await odooPartners('نیما بی‌پاسخ');
  t.equal(nima.length, 1, 'exactly one partner after the run was retried');
  t.equal(await refOf(second.id, 'odoo'), String(nima[0]!.id));
  const lookups = odooFake.requests.filter((r) => r.path === '/json/2/res.partner/search_read' && JSON.stringify(r.body).includes(`["ref","=","${second.id}"]`));
  t.equal(lookups.length, 1 + 4 + 1, 'looked up before the create, 4 failed tries after the lost reply, then first thing in the next run attempt');
  const creates = odooFake.requests.filter((r) => r.path === '/json/2/res.partner/create');
  t.equal(creates.length, 2, 'one create request per customer: the retries looked the partner up');
});

t.test('ERPNext: a lost insert reply, then the retry, makes one Customer, linked', async (t) => {
  const connectionId = (await e.ok<{ id: string }>('POST', '/erp/connections', { name: 'ERPNext', adapter: 'erpnext', config: { url: erpnextFake.url, apiKey: erpnextFake.apiKey, apiSecret: erpnextFake.apiSecret }, fieldOwnership: ownership, mapping: { customers: { push } } })).id;

  erpnextFake.loseNextCreateReply();
  const made = await e.ok<{ id: string }>('POST', '/customers', { kind: 'organization', name: 'بازرگانی بی‌پاسخ', phones: [{ value: '09351110000' }] });
  const [first] = await e.pushes(connectionId);
  t.equal(first!.status, 'succeeded', JSON.stringify(first));
  const customers = await erpnextCustomers('بازرگانی بی‌پاسخ');
  t.same(customers, [{ name: 'بازرگانی بی‌پاسخ', customer_pos_id: made.id }], 'exactly one Customer, carrying the CRM id');
  t.equal(await refOf(made.id, 'erpnext', e), 'بازرگانی بی‌پاسخ', 'the customer links to it');
  t.equal(erpnextFake.get('Customer', 'بازرگانی بی‌پاسخ')!.mobile_no, '09351110000', 'its primary Contact holds the mobile');

  erpnextFake.loseNextCreateReply(1, 4);
  const second = await e.ok<{ id: string }>('POST', '/customers', { kind: 'person', name: 'سمیرا بی‌پاسخ' });
  const [retried] = await e.pushes(connectionId);
  t.equal(retried!.status, 'succeeded', JSON.stringify(retried));
  t.equal((await erpnextCustomers('سمیرا بی‌پاسخ')).length, 1, 'exactly one Customer after the run was retried');
  t.equal(await refOf(second.id, 'erpnext', e), 'سمیرا بی‌پاسخ');
  const inserts = erpnextFake.requests.filter((r) => r.method === 'POST' && r.path === '/api/resource/Customer');
  t.equal(inserts.length, 2, 'one insert request per customer');
});
