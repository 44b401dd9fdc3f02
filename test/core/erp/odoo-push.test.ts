/**
 * ERP write-back to the Odoo fake, through the API: a push configuration refused where
 * the field is not the CRM's or the adapter cannot write it; a CRM edit of a CRM-owned
 * field reaches Odoo (JSON-2 `write`, only that field) through a `push` run audited with
 * the connection; an ERP-owned field is not pushed; the next incremental pull reads the
 * written partner back as unchanged (no echo); a customer made in the CRM is created in
 * Odoo and linked; an outage is retried then recorded as an issue, a refusal (4xx) is an
 * issue at once; a dry run never pushes; the legacy JSON-RPC protocol pushes too.
 */
import t from 'tap';
import odoo from '../../../adapters/odoo/index.js';
import sql from '../../../adapters/sql/index.js';
import webhook from '../../../adapters/webhook/index.js';
import { OdooFake } from '../../../adapters/odoo/testing/odoo-fake.js';
import { bootErp, type ErpTenant } from '../../helpers/erp.js';

const fake = new OdooFake();
await fake.start();
t.teardown(() => fake.stop());
const s = await bootErp(t, [odoo, sql, webhook], { peyvand: { dispatcher: { gapGraceMs: 0 } } });

const sara = fake.create('res.partner', { name: 'سارا رحیمی', is_company: false, email: 'sara@peyvand.example', phone: '09120000001' });
// Phones and emails are the CRM's; everything else (the name) stays the ERP's.
const ownership = { customers: { default: 'erp', fields: { phones: 'crm', emails: 'crm' } } };
const connectionBody = {
  name: 'Odoo 19',
  adapter: 'odoo',
  config: { url: fake.url, database: fake.database, apiKey: fake.apiKey },
  fieldOwnership: ownership,
  mapping: { customers: { push: { fields: ['phones', 'emails'] } } },
};
let connectionId = '';
let saraId = '';

const writesSeen = () => fake.requests.filter((r) => /\/(create|write)$/.test(r.path) || JSON.stringify(r.body).includes('"execute_kw"') && /"(create|write)"/.test(JSON.stringify(r.body)));
const partner = (id: number) => fake.get('res.partner', id)!;

t.test('a push is configured only for CRM-owned fields an adapter can write (localized 422)', async (t) => {
  const notOwned = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, mapping: { customers: { push: { fields: ['name'] } } } }, { 'accept-language': 'fa' });
  t.equal(notOwned.statusCode, 422);
  t.equal(notOwned.json().code, 'ERP_PUSH_NOT_CRM_OWNED');
  t.match(notOwned.json().title, /فقط فیلدهایی/);
  t.match(notOwned.json().detail, /«name»/);
  const sqlPush = await s.call(s.owner, 'POST', '/erp/connections', { name: 'Legacy', adapter: 'sql', config: { databaseUrl: 'postgres://reader:x@127.0.0.1:5432/erp', customersTable: 'c', customersId: 'id', customersColumns: { name: 'name' } }, fieldOwnership: ownership, mapping: { customers: { push: { fields: ['phones'] } } } });
  t.equal(sqlPush.statusCode, 422, 'the sql adapter is read-only');
  t.equal(sqlPush.json().code, 'ERP_PUSH_UNSUPPORTED');
  t.match(sqlPush.json().detail, /sql adapter cannot write “phones”/);
  const webhookPush = await s.call(s.owner, 'POST', '/erp/connections', { name: 'Pushing ERP', adapter: 'webhook', config: { secret: 'a-secret-of-sixteen-chars' }, fieldOwnership: ownership, mapping: { customers: { push: { fields: ['emails'] } } } });
  t.equal(webhookPush.statusCode, 422, 'a webhook ERP pushes to Peyvand, it is not written to');
  t.equal(webhookPush.json().code, 'ERP_PUSH_UNSUPPORTED');
  const orders = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, mapping: { orders: { push: { fields: ['name'] } } } });
  t.equal(orders.statusCode, 400, "orders are the ERP's documents: no push");
  t.equal((await s.ok<{ items: unknown[] }>('GET', '/erp/connections')).items.length, 0, 'nothing created');

  connectionId = (await s.ok<{ id: string }>('POST', '/erp/connections', connectionBody)).id;
  const demoted = await s.call(s.owner, 'PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: { customers: 'erp' } });
  t.equal(demoted.statusCode, 422, 'ownership cannot move away from a pushed field');
  t.equal(demoted.json().code, 'ERP_PUSH_NOT_CRM_OWNED');
});

t.test('a CRM edit of a CRM-owned field reaches Odoo, audited with the connection; the next pull is no echo', async (t) => {
  const initial = await s.run(connectionId);
  t.equal(initial.countsByEntity.customers.created, 1, JSON.stringify(initial));
  t.same(await s.pushes(connectionId), [], 'customers the sync created are not pushed back');
  const customers = await s.ok<{ items: Array<{ id: string; name: string }> }>('GET', '/customers');
  saraId = customers.items.find((c) => c.name === 'سارا رحیمی')!.id;

  const writesBefore = writesSeen().length;
  fake.tick(5);
  await s.ok('PATCH', `/customers/${saraId}`, { phones: [{ value: '۰۹۱۲ ۲۲۲ ۳۳۴۴', label: 'mobile' }] });
  const [push] = await s.pushes(connectionId);
  t.equal(push?.status, 'succeeded', JSON.stringify(push));
  t.same(push!.countsByEntity.customers, { created: 0, updated: 1, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 });
  const written = writesSeen().slice(writesBefore);
  t.equal(written.length, 1, 'one write');
  t.equal(written[0]!.path, '/json/2/res.partner/write');
  t.same(written[0]!.body, { ids: [sara], vals: { phone: '09122223344' }, context: { active_test: false } }, 'only the changed CRM-owned field, in canonical form');
  t.equal(partner(sara).phone, '09122223344');
  t.equal(partner(sara).email, 'sara@peyvand.example', 'an unchanged field is not sent');

  const audit = await s.ok<{ items: Array<{ action: string; requestId: string; actor: string }> }>('GET', `/audit?entityType=customer&entityId=${saraId}`);
  t.equal(audit.items[0]!.action, 'erp.customer.push');
  t.equal(audit.items[0]!.requestId, `erp-run:${push!.id}`);
  t.equal(audit.items[0]!.actor, `system:erp:${connectionId}`);

  const next = await s.run(connectionId);
  t.same(next.countsByEntity.customers, { created: 0, updated: 0, unchanged: 1, deleted: 0, failed: 0, conflicts: 0 }, 'Odoo answers the written partner (new write_date): unchanged');
  const after = await s.ok<{ phones: Array<{ value: string }>; version: number }>('GET', `/customers/${saraId}`);
  t.equal(after.phones[0]!.value, '۰۹۱۲ ۲۲۲ ۳۳۴۴', 'the CRM keeps what the staff typed');
  t.same(await s.issues(next.id), []);
  t.equal((await s.pushes(connectionId)).length, 1, 'the pull queued no push');
});

t.test('the runs list: push runs newest first, erp.run.read, tenant-scoped', async (t) => {
  const viewer = await s.key('viewer');
  t.equal((await s.call(viewer, 'GET', `/erp/connections/${connectionId}/runs`)).statusCode, 403, 'viewers cannot read runs');
  const all = await s.ok<{ items: Array<{ trigger: string }>; nextCursor: string | null }>('GET', `/erp/connections/${connectionId}/runs?limit=1`);
  t.equal(all.items.length, 1);
  t.equal(all.items[0]!.trigger, 'manual', 'the newest run is the last pull');
  const older = await s.ok<{ items: Array<{ trigger: string }> }>('GET', `/erp/connections/${connectionId}/runs?limit=50&cursor=${encodeURIComponent(all.nextCursor!)}`);
  t.same(older.items.map((r) => r.trigger), ['push', 'manual'], 'the cursor pages back in time');
  const stranger = await bootErp(t, [odoo], { p: s.p, slug: 'stranger' });
  t.equal((await stranger.call(stranger.owner, 'GET', `/erp/connections/${connectionId}/runs`)).statusCode, 404, "another tenant's connection");
});

t.test('an ERP-owned field is not pushed', async (t) => {
  const writesBefore = writesSeen().length;
  await s.ok('PATCH', `/customers/${saraId}`, { name: 'سارا رحیمی‌نژاد' });
  t.equal((await s.pushes(connectionId)).length, 1, 'no push run');
  t.equal(writesSeen().length, writesBefore, 'nothing written to Odoo');
  t.equal(partner(sara).name, 'سارا رحیمی');
});

t.test('an outage is retried with backoff; a lasting one and a refusal become issues with the payload', async (t) => {
  // 4 tries a request, the run 3 times: five failures are over by the second run attempt.
  fake.failNext(503, 503, 503, 503, 503);
  await s.ok('PATCH', `/customers/${saraId}`, { emails: [{ value: 'sara.r@peyvand.example' }] });
  const [recovered] = await s.pushes(connectionId);
  t.equal(recovered!.status, 'succeeded', JSON.stringify(recovered));
  t.equal(partner(sara).email, 'sara.r@peyvand.example');

  fake.failNext(...Array.from({ length: 12 }, () => 503));
  await s.ok('PATCH', `/customers/${saraId}`, { emails: [{ value: 'sara@new.example' }] });
  const [down] = await s.pushes(connectionId);
  t.equal(down!.status, 'failed');
  t.equal(down!.error?.code, 'ERP_SERVER_ERROR');
  t.same(down!.countsByEntity.customers.failed, 1);
  const [issue] = await s.issues(down!.id);
  t.match(issue, { entity: 'customers', externalId: String(sara), code: 'ERP_SERVER_ERROR', payload: { customerId: saraId, externalId: String(sara), fields: { emails: [{ value: 'sara@new.example' }] } } });
  t.equal(partner(sara).email, 'sara.r@peyvand.example', 'Odoo unchanged');

  fake.rejectNextWrites('The phone number is not valid for Iran');
  await s.ok('PATCH', `/customers/${saraId}`, { phones: [{ value: '09125556677' }] });
  const [refused] = await s.pushes(connectionId);
  t.equal(refused!.status, 'failed');
  t.equal(refused!.error?.code, 'ERP_REQUEST_REJECTED');
  const [rejection] = await s.issues(refused!.id);
  t.equal(rejection!.code, 'ERP_REQUEST_REJECTED');
  t.match(rejection!.message, /not valid for Iran/, "Odoo's own reason");
  t.match(rejection!.payload, { fields: { phones: [{ value: '09125556677' }] } });
  const run = await s.ok<{ error: { message: string } }>('GET', `/erp/runs/${refused!.id}`, undefined, 200);
  t.ok(run.error.message.length > 0);

  // The next edit pushes what is still different, the failed emails too.
  await s.ok('PATCH', `/customers/${saraId}`, { phones: [{ value: '09125556678' }] });
  const [again] = await s.pushes(connectionId);
  t.equal(again!.status, 'succeeded');
  t.equal(partner(sara).phone, '09125556678');
  t.equal(partner(sara).email, 'sara@new.example');
});

t.test('a dry run never pushes', async (t) => {
  fake.tick();
  fake.write('res.partner', sara, { name: 'سارا رحیمی (ویرایش ERP)' });
  fake.create('res.partner', { name: 'نگار صالحی', is_company: false, phone: '09127778899' });
  const writesBefore = writesSeen().length;
  const pushesBefore = (await s.pushes(connectionId)).length;
  const dry = await s.run(connectionId, { dryRun: true });
  t.equal(dry.status, 'succeeded');
  t.equal(dry.countsByEntity.customers.created, 1);
  t.equal(writesSeen().length, writesBefore, 'nothing written to Odoo');
  t.equal((await s.pushes(connectionId)).length, pushesBefore, 'no push queued');
});

t.test('a customer made in the CRM is created in Odoo and linked, once', async (t) => {
  await s.ok('PATCH', `/erp/connections/${connectionId}`, { mapping: { customers: { push: { fields: ['phones', 'emails'], create: true } } } });
  fake.tick();
  const pushesBefore = (await s.pushes(connectionId)).length;
  const made = await s.ok<{ id: string }>('POST', '/customers', { kind: 'organization', name: 'شرکت آوا', emails: [{ value: 'hello@ava.example' }] });
  const [created] = await s.pushes(connectionId);
  t.equal(created!.status, 'succeeded', JSON.stringify(created));
  t.equal(created!.countsByEntity.customers.created, 1);
  const customer = await s.ok<{ externalRefs: Array<{ source: string; id: string }> }>('GET', `/customers/${made.id}`);
  const ref = customer.externalRefs.find((r) => r.source === 'odoo');
  t.ok(ref, 'linked by a ref');
  t.match(partner(Number(ref!.id)), { name: 'شرکت آوا', is_company: true, email: 'hello@ava.example', phone: false });
  t.equal((await s.pushes(connectionId)).length, pushesBefore + 1, 'adding the ref did not push again');

  const pull = await s.run(connectionId);
  t.equal(pull.status, 'succeeded');
  const all = await s.ok<{ items: Array<{ name: string }> }>('GET', '/customers?limit=200');
  t.equal(all.items.filter((c) => c.name === 'شرکت آوا').length, 1, 'not created twice by the pull');
  t.notOk((await s.issues(pull.id)).some((i) => i.externalId === ref!.id), 'no conflict on the created partner');
});

t.test('the legacy JSON-RPC protocol pushes through execute_kw', async (t) => {
  const legacy: ErpTenant = await bootErp(t, [odoo], { p: s.p, slug: 'legacy' });
  const id = (await legacy.ok<{ id: string }>('POST', '/erp/connections', { ...connectionBody, config: { ...connectionBody.config, protocol: 'jsonrpc', login: fake.login } })).id;
  t.equal((await legacy.run(id)).status, 'succeeded');
  const customers = await legacy.ok<{ items: Array<{ id: string; name: string }> }>('GET', '/customers?limit=200');
  const target = customers.items.find((c) => c.name === 'نگار صالحی')!;
  await legacy.ok('PATCH', `/customers/${target.id}`, { emails: [{ value: 'negar@peyvand.example' }] });
  const [push] = await legacy.pushes(id);
  t.equal(push!.status, 'succeeded', JSON.stringify(push));
  const call = fake.requests.filter((r) => r.path === '/jsonrpc').map((r) => (r.body as { params: { args: unknown[] } }).params.args).find((args) => args[4] === 'write');
  const ref = (await legacy.ok<{ externalRefs: Array<{ id: string }> }>('GET', `/customers/${target.id}`)).externalRefs[0]!.id;
  t.same(call, [fake.database, 2, fake.apiKey, 'res.partner', 'write', [[Number(ref)]], { vals: { email: 'negar@peyvand.example' }, context: { active_test: false } }]);
  t.equal(partner(Number(ref)).email, 'negar@peyvand.example');
  t.equal(fake.requests.filter((r) => r.path.startsWith('/json/2/') && JSON.stringify(r.body).includes('negar@')).length, 0, 'not over JSON-2');
});
