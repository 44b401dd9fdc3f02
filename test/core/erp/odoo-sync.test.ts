/**
 * ERP sync from the Odoo fake, through the API: connections (sealed write-only secrets,
 * the address guard, the credential test), a dry run that writes nothing, the initial
 * sync of Persian partners (companies with contacts, an existing customer matched
 * despite Arabic yeh/kaf and Persian digits), audit with the run id, idempotent re-runs,
 * an incremental run after changes, archiving and a deletion, field-ownership
 * conflicts, the legacy JSON-RPC protocol, retries through an outage, Odoo's errors as
 * clear run errors, one run per connection at a time, permissions and tenancy.
 */
import t from 'tap';
import odoo from '../../../adapters/odoo/index.js';
import { OdooFake } from '../../../adapters/odoo/testing/odoo-fake.js';
import { assertSyncEvents, bootErp } from '../../helpers/erp.js';

const fake = new OdooFake();
await fake.start();
t.teardown(() => fake.stop());
const s = await bootErp(t, [odoo]);
const other = await bootErp(t, [odoo], { p: s.p, slug: 'other' });

// The staff already know Ali, typed with Persian yeh/kaf and ASCII digits.
const ali = await s.ok<{ id: string }>('POST', '/customers', { kind: 'person', name: 'علی کریمی', phones: [{ value: '09123456789' }] });

// The ERP stored Arabic yeh/kaf and Persian digits.
const company = fake.create('res.partner', { name: 'شركت پيوند گستر', is_company: true, email: 'info@peyvand.example', phone: '021-8888 7777', street: 'خیابان ولیعصر', city: 'تهران', country_code: 'IR', vat: 'IR-123' });
const aliPartner = fake.create('res.partner', { name: 'علي كريمي', is_company: false, parent_id: company, phone: '۰۹۱۲ ۳۴۵ ۶۷۸۹' });
const maryam = fake.create('res.partner', { name: 'مریم احمدی', is_company: false, parent_id: company, email: 'maryam@peyvand.example' });
const nameless = fake.create('res.partner', { name: false, is_company: false, email: 'ghost@example.com' });

const connectionBody = { name: 'Odoo 19', adapter: 'odoo', config: { url: fake.url, database: fake.database, apiKey: 'wrong-key' } };
let connectionId = '';

t.test('connections: validation, the address guard, write-only secrets, the credential test', async (t) => {
  t.equal((await s.call(undefined, 'GET', '/erp/connections')).statusCode, 401);
  const viewer = await s.key('viewer');
  t.equal((await s.call(viewer, 'POST', '/erp/connections', connectionBody)).statusCode, 403, 'viewers cannot manage connections');
  const unknown = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, adapter: 'sap' }, { 'accept-language': 'fa' });
  t.equal(unknown.statusCode, 422);
  t.equal(unknown.json().code, 'ERP_ADAPTER_UNKNOWN');
  t.match(unknown.json().title, /مبدل/);
  const bad = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, config: { url: fake.url } });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'ERP_CONFIG_INVALID');
  const extra = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, id: 'x' });
  t.equal(extra.statusCode, 400, 'read-only fields are refused');
  const privateHost = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, config: { ...connectionBody.config, url: 'http://10.1.2.3:8069' } });
  t.equal(privateHost.statusCode, 422);
  t.equal(privateHost.json().code, 'ERP_ADDRESS_REFUSED', 'a private address not on the allowlist is refused');

  const created = await s.ok<Record<string, unknown> & { id: string }>('POST', '/erp/connections', connectionBody);
  connectionId = created.id;
  t.notOk('apiKey' in (created.config as object), 'the API key is never returned');
  t.same(created.secretsSet, ['apiKey']);
  const row = await s.p.peyvand.kernel.db.knex('crm_erp_connections').where({ id: connectionId }).first();
  t.notMatch(String(row.secrets_sealed), /wrong-key/, 'sealed at rest');

  const refused = await s.ok<{ ok: boolean; error: { code: string; message: string } }>('POST', `/erp/connections/${connectionId}/test`, undefined, 200);
  t.equal(refused.ok, false);
  t.equal(refused.error.code, 'ERP_AUTH_FAILED');
  t.match(refused.error.message, /Invalid apikey/, "Odoo's own message is kept");

  const patched = await s.ok<{ version: number; config: Record<string, unknown> }>('PATCH', `/erp/connections/${connectionId}`, { config: { apiKey: fake.apiKey } });
  t.equal(patched.version, 2);
  t.equal(patched.config.url, fake.url, 'a config patch merges');
  t.same(await s.ok('POST', `/erp/connections/${connectionId}/test`, undefined, 200), { ok: true });
  const seen = fake.requests.at(-1)!;
  t.equal(seen.path, '/json/2/res.partner/search_count');
  t.equal(seen.headers.authorization, `bearer ${fake.apiKey}`);
  t.equal(seen.headers['x-odoo-database'], fake.database);

  t.equal((await other.call(other.owner, 'GET', `/erp/connections/${connectionId}`)).statusCode, 404, "another tenant's connection is a 404");
  const listed = await s.ok<{ items: Array<{ id: string }> }>('GET', '/erp/connections');
  t.same(listed.items.map((c) => c.id), [connectionId]);
});

t.test('connections: every input is bounded (a 400 that stores nothing)', async (t) => {
  const count = async () => (await s.ok<{ items: unknown[] }>('GET', '/erp/connections')).items.length;
  const before = await count();
  const huge = 'x'.repeat(4097);
  const manyKeys = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
  const cases: Array<[string, Record<string, unknown>]> = [
    ['a config value over 4096 characters', { config: { ...connectionBody.config, database: huge } }],
    ['over 50 config keys', { config: { ...connectionBody.config, ...manyKeys } }],
    ['a config key over 100 characters', { config: { ...connectionBody.config, ['k'.repeat(101)]: 'v' } }],
    ['a nested config list over 100 items', { config: { ...connectionBody.config, hosts: Array.from({ length: 101 }, () => 'h') } }],
    ['a nested config map with a long value', { config: { ...connectionBody.config, extra: { a: huge } } }],
    ['config nested three deep', { config: { ...connectionBody.config, extra: { a: { b: 'c' } } } }],
    ['over 100 owned fields', { fieldOwnership: { customers: { fields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`customFields.f${i}`, 'erp'])) } } }],
  ];
  for (const [what, extra] of cases) {
    const created = await s.call(s.owner, 'POST', '/erp/connections', { ...connectionBody, ...extra });
    t.equal(created.statusCode, 400, `POST: ${what}`);
    t.equal(created.json().code, 'VALIDATION_FAILED', `POST: ${what}`);
    const patched = await s.call(s.owner, 'PATCH', `/erp/connections/${connectionId}`, extra);
    t.equal(patched.statusCode, 400, `PATCH: ${what}`);
  }
  t.equal(await count(), before, 'nothing created');
  t.match(await s.ok('GET', `/erp/connections/${connectionId}`), { version: 2 }, 'nothing changed');
});

t.test('a dry run says what would change and writes nothing', async (t) => {
  const eventsBefore = await s.p.peyvand.kernel.db.knex('crm_outbox').count({ n: '*' }).first();
  const run = await s.run(connectionId, { dryRun: true });
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.equal(run.dryRun, true);
  t.same(run.countsByEntity.customers, { created: 2, updated: 1, unchanged: 0, deleted: 0, failed: 1, conflicts: 0 });
  t.same(run.counts, run.countsByEntity.customers, 'counts sum the entities');
  const customers = await s.ok<{ items: unknown[] }>('GET', '/customers');
  t.equal(customers.items.length, 1, 'no customer created');
  const eventsAfter = await s.p.peyvand.kernel.db.knex('crm_outbox').count({ n: '*' }).first();
  t.equal(Number(eventsAfter!.n) - Number(eventsBefore!.n), 1, 'only the run-finished event');
  const cursors = await s.p.peyvand.kernel.db.knex('crm_erp_cursors').where({ connection_id: connectionId });
  t.same(cursors, [], 'no cursor moved');
});

let runId = '';
t.test('initial sync: companies with contacts, Persian matching, issues with the raw payload, audit with the run id', async (t) => {
  const run = await s.run(connectionId);
  runId = run.id;
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.same(run.countsByEntity.customers, { created: 2, updated: 1, unchanged: 0, deleted: 0, failed: 1, conflicts: 0 });
  t.same(run.countsByEntity.orders, { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 });
  t.ok(run.startedAt && run.finishedAt);

  const found = await s.ok<{ items: Array<{ id: string; name: string; kind: string; externalRefs: unknown[] }> }>('GET', `/customers?q=${encodeURIComponent('شرکت پیوند')}`);
  t.equal(found.items.length, 1, 'the company is found with Persian yeh/kaf');
  const org = found.items[0]!;
  t.equal(org.kind, 'organization');
  t.same(org.externalRefs, [{ source: 'odoo', id: String(company) }]);

  const matched = await s.ok<{ id: string; name: string; organizationId: string; phones: unknown[]; externalRefs: unknown[] }>('GET', `/customers/${ali.id}`);
  t.equal(matched.organizationId, org.id, 'the contact belongs to its company');
  t.same(matched.externalRefs, [{ source: 'odoo', id: String(aliPartner) }], 'the existing customer got the ref instead of a duplicate');
  t.equal(matched.name, 'علی کریمی', 'the same name in another spelling is no change: what the staff typed stays');
  t.same(matched.phones, [{ value: '09123456789' }], 'the same number in Persian digits too');

  const issues = await s.issues(run.id);
  t.equal(issues.length, 1);
  t.match(issues[0], { entity: 'customers', externalId: String(nameless), code: 'ERP_RECORD_INVALID', message: /no name/ });
  t.equal(issues[0]!.payload.email, 'ghost@example.com', 'the raw ERP payload is on the issue');

  const audit = await s.ok<{ items: Array<{ action: string; requestId: string; actor: string }> }>('GET', `/audit?entityType=customer&entityId=${ali.id}`);
  t.equal(audit.items[0]!.action, 'customer.update');
  t.equal(audit.items[0]!.requestId, `erp-run:${run.id}`, 'audited with the run id as context');
  t.equal(audit.items[0]!.actor, `system:erp:${connectionId}`);
  const events = await s.ok<{ items: Array<{ type: string }> }>('GET', '/events?types=customer.*&limit=50');
  t.equal(events.items.filter((e) => e.type === 'customer.created').length, 3, 'the normal events are emitted (one by the staff, two by the sync)');
});

t.test('re-runs are idempotent: incremental sees nothing new, a full run finds everything unchanged', async (t) => {
  const incremental = await s.run(connectionId);
  t.same(incremental.counts, { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 });
  const full = await s.run(connectionId, { full: true });
  t.equal(full.full, true);
  t.same(full.countsByEntity.customers, { created: 0, updated: 0, unchanged: 3, deleted: 0, failed: 1, conflicts: 0 });
});

t.test('incremental after changes, an archived partner and a deletion found by the full comparison', async (t) => {
  fake.tick();
  fake.write('res.partner', maryam, { phone: '+98 912 000 1111' });
  const gone = fake.create('res.partner', { name: 'فروشگاه موقت', is_company: true });
  const first = await s.run(connectionId);
  t.same(first.countsByEntity.customers, { created: 1, updated: 1, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 });

  fake.tick();
  fake.write('res.partner', maryam, { active: false });
  const archived = await s.run(connectionId);
  t.same(archived.countsByEntity.customers, { created: 0, updated: 0, unchanged: 0, deleted: 1, failed: 0, conflicts: 0 }, 'archiving in Odoo deletes where the ERP owns customers');
  const maryamLeft = await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('مریم')}`);
  t.same(maryamLeft.items, []);

  fake.unlink('res.partner', gone);
  const incremental = await s.run(connectionId);
  t.equal(incremental.counts.deleted, 0, 'an unlinked record is invisible to an incremental read');
  const full = await s.run(connectionId, { full: true });
  t.equal(full.countsByEntity.customers.deleted, 1, 'the full comparison finds it');
  const goneLeft = await s.ok<{ items: unknown[] }>('GET', `/customers?q=${encodeURIComponent('فروشگاه موقت')}`);
  t.same(goneLeft.items, []);
});

t.test('conflicts are settled by field ownership and logged', async (t) => {
  await s.ok('PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: { customers: { default: 'erp', fields: { phones: 'crm', name: 'newest' } } } });
  await s.ok('PATCH', `/customers/${ali.id}`, { phones: [{ value: '09351112233' }], name: 'علی کریمی (فروش)' });
  // Odoo changes both fields after the CRM did: the ERP's name is newer, the phone is the CRM's.
  fake.now = new Date(Date.now() + 60_000);
  fake.write('res.partner', aliPartner, { name: 'علی کریمی‌نژاد', phone: '09120000000' });
  const run = await s.run(connectionId);
  t.same(run.countsByEntity.customers, { created: 0, updated: 1, unchanged: 0, deleted: 0, failed: 0, conflicts: 1 });
  const after = await s.ok<{ name: string; phones: Array<{ value: string }> }>('GET', `/customers/${ali.id}`);
  t.equal(after.name, 'علی کریمی‌نژاد', 'newest: the later ERP change wins');
  t.same(after.phones.map((p) => p.value), ['09351112233'], 'crm: the CRM phone is kept');
  const [issue] = await s.issues(run.id);
  t.equal(issue!.code, 'FIELD_CONFLICT');
  t.match(issue!.message, /phones: CRM value kept/);
  t.match(issue!.message, /name: ERP value applied/);

  // Customers owned by the CRM: a deletion in the ERP is a conflict, the customer stays.
  await s.ok('PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: { customers: 'crm' } });
  fake.unlink('res.partner', aliPartner);
  const full = await s.run(connectionId, { full: true });
  t.equal(full.countsByEntity.customers.deleted, 0);
  t.equal(full.countsByEntity.customers.conflicts, 1);
  const deletedIssue = (await s.issues(full.id)).find((i) => i.code === 'DELETED_IN_ERP');
  t.equal(deletedIssue?.externalId, String(aliPartner));
  t.equal((await s.call(s.owner, 'GET', `/customers/${ali.id}`)).statusCode, 200, 'kept');
});

t.test('legacy JSON-RPC (Odoo ≤ 18): login then execute_kw; refused credentials fail the run with a clear error', async (t) => {
  const bad = await s.ok<{ id: string }>('POST', '/erp/connections', { name: 'Odoo 17', adapter: 'odoo', config: { url: fake.url, database: fake.database, apiKey: 'nope', protocol: 'jsonrpc', login: fake.login } });
  const failed = await s.run(bad.id);
  t.equal(failed.status, 'failed');
  t.equal(failed.error?.code, 'ERP_AUTH_FAILED');
  const good = await s.ok<{ id: string }>('POST', '/erp/connections', { name: 'Odoo 17 ok', adapter: 'odoo', config: { url: fake.url, database: fake.database, apiKey: fake.apiKey, protocol: 'jsonrpc', login: fake.login }, mapping: { source: 'odoo17' } });
  const before = fake.requests.length;
  const run = await s.run(good.id, { dryRun: true });
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.equal(run.countsByEntity.customers.failed, 1, 'the nameless partner again');
  t.ok(run.countsByEntity.customers.created + run.countsByEntity.customers.updated >= 1);
  const calls = fake.requests.slice(before).map((r) => r.body as { params: { service: string; method: string } });
  t.same(calls.slice(0, 2).map((c) => `${c.params.service}.${c.params.method}`), ['common.login', 'object.execute_kw']);
});

t.test('retries: an outage shorter than the retries is invisible; a longer one fails the run after its attempts', async (t) => {
  await s.ok('PATCH', `/erp/connections/${connectionId}`, { fieldOwnership: {} });
  fake.tick();
  fake.write('res.partner', company, { phone: '021-1111 2222' });
  fake.failNext(503, 502);
  const run = await s.run(connectionId);
  t.equal(run.status, 'succeeded', JSON.stringify(run.error));
  t.equal(run.counts.updated, 1);
  fake.failNext(...new Array(12).fill(503));
  const down = await s.run(connectionId);
  t.equal(down.status, 'failed');
  t.equal(down.error?.code, 'ERP_SERVER_ERROR');
  const attempts = await s.p.peyvand.kernel.db.knex('crm_erp_runs').where({ id: down.id }).first();
  t.equal(Number(attempts.attempts), 3, 'the run was tried three times');
});

t.test('one run per connection at a time, across nodes', async (t) => {
  const knex = s.p.peyvand.kernel.db.knex;
  // Another node holds the connection's lease.
  await knex('crm_erp_connections').where({ id: connectionId }).update({ lease_owner: 'other-node', lease_until: Date.now() + 3_600_000 });
  const queued = await s.ok<{ id: string; status: string }>('POST', `/erp/connections/${connectionId}/runs`, {}, 202);
  t.equal(queued.status, 'queued');
  await s.p.peyvand.kernel.erp.runner.idle();
  t.equal((await s.ok<{ status: string }>('GET', `/erp/runs/${queued.id}`)).status, 'queued', 'waits while another node runs this connection');
  // That node died: its lease lapses, this node takes the queued run.
  await knex('crm_erp_connections').where({ id: connectionId }).update({ lease_until: 0 });
  const second = await s.ok<{ id: string }>('POST', `/erp/connections/${connectionId}/runs`, {}, 202);
  const [a, b] = [await s.waitRun(queued.id), await s.waitRun(second.id)];
  t.equal(a.status, 'succeeded');
  t.equal(b.status, 'succeeded');
  t.ok(Date.parse(b.startedAt!) >= Date.parse(a.finishedAt!), 'the second started after the first ended');
});

t.test('runs: permissions, tenancy, bad input', async (t) => {
  const viewer = await s.key('viewer');
  t.equal((await s.call(viewer, 'GET', `/erp/runs/${runId}`)).statusCode, 403);
  const manager = await s.key('manager');
  t.equal((await s.call(manager, 'GET', `/erp/runs/${runId}`)).statusCode, 200, 'managers read runs');
  t.equal((await s.call(manager, 'POST', `/erp/connections/${connectionId}/runs`, {})).statusCode, 403, 'but cannot start them');
  t.equal((await other.call(other.owner, 'GET', `/erp/runs/${runId}`)).statusCode, 404);
  t.equal((await other.call(other.owner, 'GET', `/erp/runs/${runId}/issues`)).statusCode, 404);
  t.equal((await s.call(s.owner, 'POST', `/erp/connections/${connectionId}/runs`, { dryRun: 'yes' })).statusCode, 400);
  t.equal((await s.call(s.owner, 'GET', `/erp/runs/${runId}/issues?cursor=garbage`)).statusCode, 400);
  t.equal((await s.call(s.owner, 'DELETE', `/erp/connections/${connectionId}`)).statusCode, 204);
  t.equal((await s.call(s.owner, 'GET', `/erp/runs/${runId}`)).statusCode, 404, 'runs go with their connection');
  t.equal((await s.call(s.owner, 'GET', `/customers/${ali.id}`)).statusCode, 200, 'synced customers stay');
});

t.test('the events the sync wrote carry exactly what their data schemas say', async (t) => {
  await assertSyncEvents(t, s, ['customer.created', 'customer.updated', 'customer.deleted']);
});
