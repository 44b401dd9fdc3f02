/**
 * The embedding example: an ERP's fastify app with its own table and routes, Peyvand
 * mounted under `/crm` on the ERP's knex. Runs on the dialect of `PEYVAND_TEST_DB`.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fastify, { type LightMyRequestResponse } from 'fastify';
import { buildHostApp } from '../../examples/embed-fastify/host-app.js';
import { peyvandFastify } from '../../core/peyvand.js';
import { connect } from '../../core/db/connect.js';
import { scaffoldPlugin } from '../../core/cli/scaffold.js';
import type { AnyPlugin } from '../../core/index.js';
import { createTestDatabase } from '../helpers/database.js';

// The ERP's own plugin, from a folder outside this repository: `peyvand plugin new`'s
// output, with `peyvand` installed as npm would (node_modules/peyvand → this package).
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-erp-plugin-'));
t.teardown(() => fs.rmSync(outside, { recursive: true, force: true }));
scaffoldPlugin('host-notes', path.join(outside, 'host-notes'));
fs.mkdirSync(path.join(outside, 'node_modules'));
fs.symlinkSync(path.resolve(fileURLToPath(import.meta.url), '../../..'), path.join(outside, 'node_modules', 'peyvand'), 'dir');
const hostNotes = ((await import(pathToFileURL(path.join(outside, 'host-notes', 'index.ts')).href)) as { default: AnyPlugin }).default;

const db = await createTestDatabase();
const adminKey = `admin_${randomBytes(16).toString('hex')}`;
const secret = randomBytes(32).toString('base64url');
const app = await buildHostApp({ databaseUrl: db.url, secret, adminKey, plugins: [hostNotes] });
t.teardown(async () => {
  // Closing the host closes Peyvand (dispatcher, plugins) and then the host's pool; the
  // test process exiting afterwards is the proof that no handle was left behind.
  await app.close();
  await db.drop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const problemType = (r: LightMyRequestResponse) => String(r.headers['content-type']);

/** Peyvand's per-request headers; none of them may show up on a host route. */
function assertNoPeyvandHeaders(t: Test, r: LightMyRequestResponse): void {
  t.notOk(r.headers['x-request-id'], 'no x-request-id from Peyvand\'s auth hook');
  t.notOk(r.headers['content-security-policy'], 'no helmet headers');
  t.notOk(r.headers['x-ratelimit-limit'], 'no rate-limit headers');
}

t.test('the host\'s own routes keep the host\'s behaviour', async (t) => {
  let r = await app.inject({ method: 'GET', url: '/erp/invoices' });
  t.equal(r.statusCode, 200);
  t.same(r.json(), { items: [] });
  assertNoPeyvandHeaders(t, r);

  // fastify's default ajv removes unknown fields instead of refusing them (Peyvand's
  // strict validator must not apply here), and needs no credential.
  r = await app.inject({ method: 'POST', url: '/erp/invoices', payload: { number: 'INV-1', customerName: 'شرکت نمونه', amountRials: 1_500_000, discountCode: 'not-in-schema' } });
  t.equal(r.statusCode, 201, r.body);
  t.match(r.json(), { number: 'INV-1', customerName: 'شرکت نمونه', amountRials: 1_500_000, crmCustomerId: null });
  t.notOk('discountCode' in r.json(), 'unknown field silently removed, per fastify defaults');
  assertNoPeyvandHeaders(t, r);

  // Query strings are coerced by the host's ajv ('1' → 1).
  await app.inject({ method: 'POST', url: '/erp/invoices', payload: { number: 'INV-2', customerName: 'Acme', amountRials: 10 } });
  r = await app.inject({ method: 'GET', url: '/erp/invoices?limit=1' });
  t.equal(r.statusCode, 200);
  t.equal(r.json().items.length, 1);

  // A validation error on a host route is fastify's default JSON error, not problem+json.
  r = await app.inject({ method: 'POST', url: '/erp/invoices', payload: { number: 'INV-3' } });
  t.equal(r.statusCode, 400);
  t.match(problemType(r), /^application\/json/);
  t.match(r.json(), { statusCode: 400, code: 'FST_ERR_VALIDATION', error: 'Bad Request', message: /required property/ });
  t.notOk('type' in r.json(), 'no problem+json fields');

  // A 404 outside /crm is fastify's default 404, not Peyvand's ROUTE_NOT_FOUND.
  r = await app.inject({ method: 'GET', url: '/erp/nowhere' });
  t.equal(r.statusCode, 404);
  t.match(problemType(r), /^application\/json/);
  t.same(r.json(), { message: 'Route GET:/erp/nowhere not found', error: 'Not Found', statusCode: 404 });
  assertNoPeyvandHeaders(t, r);

  // The host keeps its own /health; Peyvand's is under the prefix.
  r = await app.inject({ method: 'GET', url: '/health' });
  t.same(r.json(), { status: 'ok', service: 'erp' });
});

t.test('Peyvand answers under /crm', async (t) => {
  let r = await app.inject({ method: 'GET', url: '/crm/health' });
  t.equal(r.statusCode, 200);
  t.same(r.json(), { status: 'ok' });

  r = await app.inject({ method: 'GET', url: '/crm/ready' });
  t.equal(r.statusCode, 200, 'migrations ran on the host\'s knex');

  // Inside the prefix an unknown path is Peyvand's 404 problem, credential or not.
  r = await app.inject({ method: 'GET', url: '/crm/api/v1/nowhere' });
  t.equal(r.statusCode, 404);
  t.equal(r.json().code, 'ROUTE_NOT_FOUND');
  t.match(problemType(r), /^application\/problem\+json/);

  r = await app.inject({ method: 'GET', url: '/crm/api/v1/customers' });
  t.equal(r.statusCode, 401, 'Peyvand routes need a credential');
  t.match(problemType(r), /^application\/problem\+json/);
});

t.test('serves a customer', async (t) => {
  let r = await app.inject({ method: 'POST', url: '/crm/api/v1/admin/tenants', headers: bearer(adminKey), payload: { slug: 'acme', name: 'شرکت آکمه', locale: 'fa' } });
  t.equal(r.statusCode, 201, r.body);
  t.equal(r.json().slug, 'acme');

  r = await app.inject({ method: 'POST', url: '/crm/api/v1/admin/tenants/acme/api-keys', headers: bearer(adminKey), payload: { name: 'erp-sync', role: 'admin' } });
  t.equal(r.statusCode, 201, r.body);
  const key = r.json().key as string;
  t.match(key, /^pvk_/);

  const name = 'مریم رضایی';
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/customers', headers: bearer(key), payload: { kind: 'person', name, phones: [{ value: '۰۹۱۲ ۳۴۵ ۶۷۸۹' }] } });
  t.equal(r.statusCode, 201, r.body);
  const id = r.json().id as string;
  t.equal(r.headers.location, `/crm/api/v1/customers/${id}`, 'Location carries the host\'s prefix');

  r = await app.inject({ method: 'GET', url: `/crm/api/v1/customers/${id}`, headers: bearer(key) });
  t.equal(r.statusCode, 200, r.body);
  t.equal(r.headers.etag, '"1"');
  t.match(r.json(), { id, kind: 'person', name, version: 1 });

  // Same database: the ERP reads the CRM row with its own knex and can link its invoice to it.
  const row = (await app.erpDb('crm_customers').where({ id }).first()) as { name: string } | undefined;
  t.equal(row?.name, name);
  r = await app.inject({ method: 'POST', url: '/erp/invoices', payload: { number: 'INV-10', customerName: name, amountRials: 99, crmCustomerId: id } });
  t.equal(r.statusCode, 201, r.body);
  const joined = (await app.erpDb('erp_invoices as i').join('crm_customers as c', 'c.id', 'i.crm_customer_id').where('i.number', 'INV-10').select('c.name')) as Array<{ name: string }>;
  t.same(joined.map((j) => j.name), [name]);

  // With a credential, an unknown path under /crm is Peyvand's 404 problem.
  r = await app.inject({ method: 'GET', url: '/crm/api/v1/nowhere', headers: bearer(key) });
  t.equal(r.statusCode, 404);
  t.match(problemType(r), /^application\/problem\+json/);
  t.equal(r.json().code, 'ROUTE_NOT_FOUND');

  // Peyvand's strict validation applies inside /crm: an unknown field is a 400 problem.
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/customers', headers: bearer(key), payload: { kind: 'person', name: 'x', bogus: 1 } });
  t.equal(r.statusCode, 400);
  t.match(problemType(r), /^application\/problem\+json/);
  t.match(r.json(), { status: 400, code: 'VALIDATION_FAILED', errors: [{ path: '/bogus' }] });
});

t.test('the sales plugin the host passed in serves deals', async (t) => {
  let r = await app.inject({ method: 'POST', url: '/crm/api/v1/admin/tenants', headers: bearer(adminKey), payload: { slug: 'traders', name: 'Traders', locale: 'en', plugins: ['sales'] } });
  t.equal(r.statusCode, 201, r.body);
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/admin/tenants/traders/api-keys', headers: bearer(adminKey), payload: { name: 'erp', role: 'admin' } });
  const key = r.json().key as string;
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/customers', headers: bearer(key), payload: { kind: 'organization', name: 'Pars Trading' } });
  const customerId = r.json().id as string;
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/sales/pipelines', headers: bearer(key), payload: { name: 'B2B', currency: 'IRR', stages: [{ name: 'Qualify', probability: 20 }, { name: 'Negotiate', probability: 60 }] } });
  t.equal(r.statusCode, 201, r.body);
  const pipelineId = r.json().id as string;
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/sales/deals', headers: bearer(key), payload: { title: '200 pumps', customerId, pipelineId, amount: 1_500_000_000, currency: 'IRR' } });
  t.equal(r.statusCode, 201, r.body);
  const dealId = r.json().id as string;
  r = await app.inject({ method: 'GET', url: `/crm/api/v1/sales/deals/${dealId}`, headers: bearer(key) });
  t.equal(r.statusCode, 200, r.body);
  t.match(r.json(), { id: dealId, title: '200 pumps', customerId, customerName: 'Pars Trading', status: 'open' });
  r = await app.inject({ method: 'GET', url: '/crm/api/v1/openapi.json' });
  t.ok(Object.keys(r.json().paths as object).some((p) => p.startsWith('/crm/api/v1/sales/deals')), 'the plugin\'s routes are in the OpenAPI document');
  // A tenant that did not switch sales on gets a 404 from it, like a route that does not exist.
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/admin/tenants/acme/api-keys', headers: bearer(adminKey), payload: { name: 'other', role: 'admin' } });
  r = await app.inject({ method: 'GET', url: '/crm/api/v1/sales/deals', headers: bearer(r.json().key as string) });
  t.equal(r.statusCode, 404, 'sales is off for acme');
});

t.test('the ERP\'s own plugin, from a folder outside the package, serves its route', async (t) => {
  let r = await app.inject({ method: 'POST', url: '/crm/api/v1/admin/tenants', headers: bearer(adminKey), payload: { slug: 'notes-co', name: 'Notes Co', locale: 'fa', plugins: ['host-notes'] } });
  t.equal(r.statusCode, 201, r.body);
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/admin/tenants/notes-co/api-keys', headers: bearer(adminKey), payload: { name: 'erp', role: 'agent' } });
  const key = r.json().key as string;
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/host-notes/items', headers: bearer(key), payload: { title: 'پیگیری فاکتور ۱۲' } });
  t.equal(r.statusCode, 201, r.body);
  t.match(r.json(), { title: 'پیگیری فاکتور ۱۲' });
  r = await app.inject({ method: 'POST', url: '/crm/api/v1/host-notes/items', headers: bearer(key), payload: { title: '' } });
  t.equal(r.statusCode, 400);
  t.match(problemType(r), /^application\/problem\+json/);
  r = await app.inject({ method: 'GET', url: '/crm/api/v1/openapi.json' });
  t.equal((r.json().paths as Record<string, Record<string, { operationId?: string }>>)['/crm/api/v1/host-notes/items']?.post?.operationId, 'host-notes.item.create');
});

t.test('Peyvand\'s tables are crm_… in the host\'s database, next to the host\'s', async (t) => {
  const knex = app.erpDb;
  for (const table of ['erp_invoices', 'crm_tenants', 'crm_api_keys', 'crm_customers', 'crm_outbox', 'crm_audit_log']) {
    t.ok(await knex.schema.hasTable(table), `${table} exists`);
  }
  for (const table of ['tenants', 'customers', 'outbox']) {
    t.notOk(await knex.schema.hasTable(table), `no unprefixed ${table}`);
  }
  const names = await tableNames();
  const foreign = names.filter((n) => n !== 'erp_invoices' && !n.startsWith('crm_') && !n.startsWith('sqlite_'));
  t.same(foreign, [], 'every other table is Peyvand\'s and prefixed');
});

t.test('Peyvand never destroys a knex it was given', async (t) => {
  // Mounted into a bare fastify app with a knex this test owns: after close, the pool
  // still works, because closing it is the owner's job.
  const own = await createTestDatabase();
  const knex = connect(own.url);
  t.teardown(async () => {
    await knex.destroy();
    await own.drop();
  });
  const host = fastify();
  await host.register(peyvandFastify, { prefix: '/crm', knex, tablePrefix: 'crm_', secret });
  await host.ready();
  t.equal((await host.inject({ method: 'GET', url: '/crm/health' })).statusCode, 200);
  await host.close();
  t.ok(await knex.schema.hasTable('crm_customers'), 'the host\'s knex is still usable after close');
});

async function tableNames(): Promise<string[]> {
  const knex = app.erpDb;
  if (db.dialect === 'sqlite') {
    return ((await knex.raw(`select name from sqlite_master where type = 'table'`)) as Array<{ name: string }>).map((r) => r.name);
  }
  if (db.dialect === 'postgres') {
    const res = (await knex.raw(`select table_name as name from information_schema.tables where table_schema = current_schema()`)) as { rows: Array<{ name: string }> };
    return res.rows.map((r) => r.name);
  }
  const [rows] = (await knex.raw(`select table_name as name from information_schema.tables where table_schema = database()`)) as [Array<{ name?: string; NAME?: string }>];
  return rows.map((r) => String(r.name ?? r.NAME));
}
