/**
 * Bulk upsert (`kernel.customerImport.upsertMany`), on the dialect of the run: created,
 * updated, unchanged and invalid rows in one batch; the same rules, derived rows, audit
 * entries and events as a single upsert; one transaction that leaves nothing behind when
 * it fails; other tenants untouched. Rows come from the benchmark's seeded generator.
 */
import t from 'tap';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { assertEventData } from '../../helpers/event-schemas.js';
import { coreEventSchemas } from '../../../core/plugin/core-events.js';
import { customerAt } from '../../../bench/generate.js';
import type { Actor } from '../../../core/plugin/actor.js';
import type { ImportRow } from '../../../core/customers/customer-import.js';

const p = await bootPeyvand(t);
const kernel = p.peyvand.kernel;
const acme = await p.tenant('acme', { locale: 'fa' });
const globex = await p.tenant('globex');
const acmeAdmin = await acme.key('admin');
const actorOf = async (token: string): Promise<Actor> => (await kernel.authenticator.authenticate(token)).actor;
const admin = await actorOf(acmeAdmin);
const db = kernel.db;
const rowsOf = (from: number, count: number): ImportRow[] => Array.from({ length: count }, (_, i) => customerAt(7, from + i));

/** Rows of a Peyvand table belonging to a tenant. */
const count = async (table: string, tenantId: string, where: Record<string, unknown> = {}): Promise<number> => {
  const [row] = await db.knex(db.table(table)).where({ tenant_id: tenantId, ...where }).count({ n: '*' });
  return Number(row?.n);
};
const snapshot = async (tenantId: string) => {
  const out: Record<string, number> = {};
  for (const table of ['customers', 'customer_refs', 'customer_identities', 'customer_tags', 'audit_log', 'outbox']) out[table] = await count(table, tenantId);
  // SQLite's FTS table has no tenant column; its docs table maps entries to tenants.
  const searchTable = { sqlite: 'customer_search_docs', postgres: 'customer_search_terms', mysql: 'customer_search' }[db.dialect];
  out.search = await count(searchTable, tenantId);
  return out;
};
const search = async (token: string, q: string): Promise<string[]> => {
  const res = await p.call(token, { method: 'GET', url: `/api/v1/customers?limit=200&q=${encodeURIComponent(q)}` });
  t.equal(res.statusCode, 200);
  return res.json().items.map((c: { id: string }) => c.id);
};

t.test('created, updated, unchanged and invalid rows; events and audit per written customer', async (t) => {
  const first = await kernel.customerImport.upsertMany(admin, rowsOf(0, 40));
  t.equal(first.length, 40);
  t.ok(first.every((r) => r.status === 'created'), 'all created');
  const ids = first.map((r) => (r.status === 'invalid' ? '' : r.id));
  t.equal(new Set(ids).size, 40, 'one customer each');
  t.equal(await count('outbox', acme.id, { type: 'customer.created' }), 40, 'one created event each');
  t.equal(await count('audit_log', acme.id, { action: 'customer.create' }), 40, 'one audit entry each');

  const read = await p.call(acmeAdmin, { method: 'GET', url: `/api/v1/customers/${ids[1]}` });
  const given = customerAt(7, 1).input;
  t.match(read.json(), { name: given.name, emails: given.emails, phones: given.phones, externalRefs: [{ source: 'erp', id: 'c1' }], version: 1, ownerId: admin.subject });
  t.ok((await search(acmeAdmin, given.emails![0]!.value)).includes(ids[1]!), 'indexed for search');
  const phone = customerAt(7, 3).input.phones![0]!.value;
  t.ok((await search(acmeAdmin, phone)).includes(ids[3]!), 'phone in another digit style is searchable');

  const second = rowsOf(0, 40);
  second[2]!.input = { ...second[2]!.input, name: 'Renamed Customer', tags: ['vip'] };
  second[5]!.input = { ...second[5]!.input, phones: [{ value: '۰۹۱۲ ۰۰۰ ۰۰۰۰' }] };
  const bad = { source: 'erp', externalId: 'bad-1', input: { kind: 'person', name: 'X', bogus: true } } as unknown as ImportRow;
  const badRef = { source: 'ERP!', externalId: 'x', input: { kind: 'person', name: 'Y' } } as ImportRow;
  const results = await kernel.customerImport.upsertMany(admin, [...second, bad, badRef, customerAt(7, 40)]);
  t.same(results.map((r) => r.status).filter((s) => s !== 'unchanged'), ['updated', 'updated', 'invalid', 'invalid', 'created']);
  t.match(results[2], { status: 'updated', id: ids[2] });
  t.match(results[0], { status: 'unchanged', id: ids[0] });
  t.match(results[40], { status: 'invalid', code: 'VALIDATION_FAILED', errors: [{ path: '/bogus' }] }, 'the API body schema');
  t.match(results[41], { status: 'invalid', code: 'VALIDATION_FAILED', errors: [{ path: '/source' }] }, 'the by-ref path rules');

  const renamed = (await p.call(acmeAdmin, { method: 'GET', url: `/api/v1/customers/${ids[2]}` })).json();
  t.match(renamed, { name: 'Renamed Customer', tags: ['vip'], version: 2 });
  t.equal((await p.call(acmeAdmin, { method: 'GET', url: `/api/v1/customers/${ids[0]}` })).json().version, 1, 'unchanged rows are not rewritten');
  t.same(await search(acmeAdmin, 'Renamed'), [ids[2]], 'search follows the update');
  t.same(await search(acmeAdmin, '09120000000'), [ids[5]], 'new phone indexed');
  const updates = await db.knex(db.table('outbox')).where({ tenant_id: acme.id, type: 'customer.updated' }).orderBy('seq');
  t.same(updates.map((e) => e.aggregate_id), [ids[2], ids[5]], 'one updated event per changed customer, in row order');
  t.match(JSON.parse(String(updates[0]!.data)), { customer: { id: ids[2], version: 2 }, changed: ['name', 'tags'] });
  t.equal(await count('outbox', acme.id, { type: 'customer.created' }), 41);
  t.equal(await count('audit_log', acme.id, { action: 'customer.update' }), 2);
});

t.test('the rules of a single upsert, row by row', async (t) => {
  await kernel.customerImport.upsertMany(admin, [{ source: 'crm', externalId: 'org-1', input: { kind: 'organization', name: 'Acme Org' } }]);
  await p.call(acmeAdmin, { method: 'PUT', url: '/api/v1/settings/custom-fields', payload: { schema: { type: 'object', properties: { tier: { enum: ['gold', 'silver'] } } } } });
  const [org] = await search(acmeAdmin, 'Acme Org');
  const agent = await actorOf(await acme.key('agent'));
  const taken = { source: 'erp', id: 'c0' };
  const results = await kernel.customerImport.upsertMany(admin, [
    { source: 'crm', externalId: 'p-1', input: { kind: 'person', name: 'Works At Acme', organizationId: org! } },
    { source: 'crm', externalId: 'p-2', input: { kind: 'person', name: 'Bad Org', organizationId: '01900000-0000-7000-8000-000000000000' } },
    { source: 'crm', externalId: 'p-3', input: { kind: 'person', name: 'Bad Tier', customFields: { tier: 'bronze' } } },
    { source: 'crm', externalId: 'p-4', input: { kind: 'person', name: 'Steals A Ref', externalRefs: [taken] } },
    { source: 'crm', externalId: 'p-5', input: { kind: 'person', name: 'Twice' } },
    { source: 'crm', externalId: 'p-5', input: { kind: 'person', name: 'Twice, renamed' } },
  ]);
  t.match(results, [
    { status: 'created' },
    { status: 'invalid', code: 'ORGANIZATION_INVALID' },
    { status: 'invalid', code: 'CUSTOM_FIELDS_INVALID', errors: [{ path: '/customFields/tier' }] },
    { status: 'invalid', code: 'EXTERNAL_REF_TAKEN' },
    { status: 'created' },
    { status: 'updated' },
  ]);
  t.equal(results[4]!.status !== 'invalid' && results[5]!.status !== 'invalid' && results[4]!.id === results[5]!.id, true, 'a repeated ref updates the customer its first row created');

  const byAgent = await kernel.customerImport.upsertMany(agent, [
    { source: 'erp', externalId: 'c0', input: customerAt(7, 0).input },
    { source: 'crm', externalId: 'a-1', input: { kind: 'person', name: 'Given Away', ownerId: 'someone-else' } },
    { source: 'crm', externalId: 'a-2', input: { kind: 'person', name: 'Agent Owned' } },
  ]);
  t.match(byAgent, [{ status: 'invalid', code: 'CUSTOMER_NOT_FOUND' }, { status: 'invalid', code: 'OWNER_NOT_ALLOWED' }, { status: 'created' }], 'record scope and owner rule');

  const viewer = await actorOf(await acme.key('viewer'));
  await t.rejects(kernel.customerImport.upsertMany(viewer, [{ source: 'crm', externalId: 'v-1', input: { kind: 'person', name: 'V' } }]), { code: 'FORBIDDEN' });
  const noCreate = { ...admin, permissions: new Set([...admin.permissions].filter((x) => x !== 'core.customer.create')) };
  t.match(await kernel.customerImport.upsertMany(noCreate, [{ source: 'crm', externalId: 'n-1', input: { kind: 'person', name: 'N' } }]), [{ status: 'invalid', code: 'FORBIDDEN' }]);
  await p.call(acmeAdmin, { method: 'PUT', url: '/api/v1/settings/custom-fields', payload: { schema: { type: 'object' } } });
});

t.test('search pages come newest first, each match once, across cursors', async (t) => {
  const rows = Array.from({ length: 7 }, (_, i) => ({ source: 'pages', externalId: `p${i + 1}`, input: { kind: 'person' as const, name: `Pager ${i + 1}` } }));
  const ids = (await kernel.customerImport.upsertMany(admin, rows)).map((r) => (r.status === 'invalid' ? '' : r.id));
  const names: string[] = [];
  let url = '/api/v1/customers?limit=3&q=pager';
  for (let pages = 0; pages < 5 && url; pages++) {
    const body = (await p.call(acmeAdmin, { method: 'GET', url })).json();
    names.push(...body.items.map((c: { name: string }) => c.name));
    url = body.nextCursor ? `/api/v1/customers?limit=3&q=pager&cursor=${body.nextCursor}` : '';
  }
  t.same(names, ['Pager 7', 'Pager 6', 'Pager 5', 'Pager 4', 'Pager 3', 'Pager 2', 'Pager 1'], 'newest first, no repeats, no gaps');
  const plainCursor = Buffer.from(JSON.stringify([ids[4]])).toString('base64url');
  const after = (await p.call(acmeAdmin, { method: 'GET', url: `/api/v1/customers?limit=10&q=pager&cursor=${plainCursor}` })).json();
  t.same(after.items.map((c: { name: string }) => c.name), ['Pager 4', 'Pager 3', 'Pager 2', 'Pager 1'], 'a cursor of ids only continues after that customer');
});

t.test('a failing batch rolls back entirely', async (t) => {
  const before = await snapshot(acme.id);
  const emitMany = kernel.outbox.emitMany.bind(kernel.outbox);
  kernel.outbox.emitMany = async () => {
    throw new Error('outbox down');
  };
  const rows = [...rowsOf(100, 30), { source: 'erp', externalId: 'c2', input: { kind: 'person', name: 'Would Be Renamed' } } as ImportRow];
  await t.rejects(kernel.customerImport.upsertMany(admin, rows), /outbox down/);
  kernel.outbox.emitMany = emitMany;
  t.same(await snapshot(acme.id), before, 'no customer, derived row, search entry, audit entry or event is left');
  t.same(await search(acmeAdmin, 'Would Be Renamed'), []);
});

t.test('other tenants are untouched', async (t) => {
  const globexToken = await globex.key('admin');
  const globexAdmin = await actorOf(globexToken);
  const theirs = await kernel.customerImport.upsertMany(globexAdmin, rowsOf(0, 10));
  t.ok(theirs.every((r) => r.status === 'created'), 'the same refs are new in another tenant');
  const acmeBefore = await snapshot(acme.id);
  const globexBefore = await snapshot(globex.id);
  const changed = rowsOf(0, 10).map((r) => ({ ...r, input: { ...r.input, name: `${r.input.name} (acme)` } }));
  const ours = await kernel.customerImport.upsertMany(admin, changed);
  t.ok(ours.every((r) => r.status === 'updated'), 'acme updates its own customers');
  t.same(await snapshot(globex.id), globexBefore, 'globex has the same rows');
  const afterAcme = await snapshot(acme.id);
  t.equal(afterAcme.customers, acmeBefore.customers, 'acme created nothing new');
  const theirFirst = theirs[0]!.status === 'invalid' ? '' : theirs[0]!.id;
  const read = await p.call(globexToken, { method: 'GET', url: `/api/v1/customers/${theirFirst}` });
  t.match(read.json(), { name: customerAt(7, 0).input.name, version: 1 });
  t.same(await search(globexToken, 'acme'), [], 'acme names are not in globex search');
});

t.test('the events the imports wrote carry exactly what their data schemas say', async (t) => {
  const rows = await db.knex(db.table('outbox')).whereIn('tenant_id', [acme.id, globex.id]).select('type', 'data');
  const checked = assertEventData(t, rows.map((row: { type: string; data: string }) => ({ type: row.type, data: JSON.parse(row.data) as unknown })), coreEventSchemas);
  t.ok(checked.has('customer.created') && checked.has('customer.updated'), 'created and updated events were checked');
});
