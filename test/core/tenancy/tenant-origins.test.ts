/**
 * The origin index behind CORS for requests that name no tenant (preflights, refused
 * credentials, public routes): what a tenant allows takes effect at once, on every node
 * of one database; two tenants may share an origin; migration 007 fills the index from
 * the embed configurations saved before it and needs PEYVAND_SECRET to do so.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createPeyvand } from '../../../core/peyvand.js';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { createSecretBox } from '../../../core/auth/secret-box.js';
import { bootPeyvand, type TestPeyvand } from '../../helpers/peyvand.js';
import { freshKnex } from '../../helpers/database.js';

const secret = randomBytes(32).toString('base64url');
const hs256Secret = 'an-embed-secret-that-is-long-enough-0123456789';
const p = await bootPeyvand(t, { secret });
const acme = await p.tenant('acme');
const globex = await p.tenant('globex');
const acmeKey = await acme.key('viewer');
const globexKey = await globex.key('viewer');
// A second node on the same database, as a multi-node deployment runs.
const b = await createPeyvand({ databaseUrl: p.databaseUrl, secret, adminKey: p.adminKey, logger: pino({ level: 'silent' }), dispatch: false });
t.teardown(() => b.close());
const nodeB: Pick<TestPeyvand, 'call' | 'admin'> = {
  call: (token, o) => b.app.inject({ ...o, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(o.headers ?? {}) } }),
  admin: (o) => nodeB.call(p.adminKey, o),
};

const embed = (node: Pick<TestPeyvand, 'admin'>, slug: string, allowedOrigins: string[]) =>
  node.admin({ method: 'PUT', url: `/api/v1/admin/tenants/${slug}/embed`, payload: { hs256Secret, algorithms: ['HS256'], allowedOrigins } });

/** What a browser learns from a preflight sent by a page on `origin`: the origin it may use, or undefined. */
async function preflight(origin: string, node: Pick<TestPeyvand, 'call'> = p): Promise<string | undefined> {
  const res = await node.call(undefined, { method: 'OPTIONS', url: '/api/v1/customers', headers: { origin, 'access-control-request-method': 'POST' } });
  if (res.statusCode !== 204) throw new Error(`preflight from ${origin}: ${res.statusCode} ${res.body}`);
  return res.headers['access-control-allow-origin'] as string | undefined;
}

t.test('a preflight is answered for the origins some tenant allows, and only those', async (t) => {
  t.equal(await preflight('https://erp.acme.example'), undefined, 'nothing is allowed before any embed config');
  t.equal((await embed(p, 'acme', ['https://erp.acme.example', 'http://localhost:8080'])).statusCode, 204);
  t.equal(await preflight('https://erp.acme.example'), 'https://erp.acme.example');
  t.equal(await preflight('http://localhost:8080'), 'http://localhost:8080', 'a port is part of the origin');
  for (const other of ['https://evil.example', 'http://erp.acme.example', 'https://erp.acme.example:8443', 'http://localhost:8081', 'https://ERP.acme.example', 'https://erp.acme.example/', 'null']) {
    t.equal(await preflight(other), undefined, `${other} is not allowed`);
  }
  const full = await p.call(undefined, { method: 'OPTIONS', url: '/api/v1/customers', headers: { origin: 'https://erp.acme.example', 'access-control-request-method': 'POST' } });
  t.match(full.headers, { 'access-control-allow-methods': /POST/, 'access-control-allow-headers': /Authorization/, vary: 'Origin' });
  const refused = await p.call('pvk_not-a-key', { method: 'GET', url: '/api/v1/me', headers: { origin: 'https://erp.acme.example' } });
  t.equal(refused.statusCode, 401);
  t.equal(refused.headers['access-control-allow-origin'], 'https://erp.acme.example', 'the widget can read its 401');
});

t.test('a changed list takes effect at once; a removed origin stops working', async (t) => {
  t.equal((await embed(p, 'acme', ['https://new.acme.example'])).statusCode, 204);
  t.equal(await preflight('https://new.acme.example'), 'https://new.acme.example', 'the added origin');
  t.equal(await preflight('https://erp.acme.example'), undefined, 'the origin no longer listed');
  t.equal(await preflight('http://localhost:8080'), undefined);
  t.equal((await embed(p, 'acme', [])).statusCode, 204);
  t.equal(await preflight('https://new.acme.example'), undefined, 'an empty list allows nothing');
  const refused = await p.call('pvk_not-a-key', { method: 'GET', url: '/api/v1/me', headers: { origin: 'https://new.acme.example' } });
  t.notOk(refused.headers['access-control-allow-origin'], 'nor its 401');
});

t.test('a refused config changes nothing; a repeated origin is kept once', async (t) => {
  t.equal((await embed(p, 'acme', ['https://erp.acme.example', 'https://erp.acme.example'])).statusCode, 204, 'listed twice is not an error');
  const bad = await embed(p, 'acme', ['https://other.acme.example', 'https://ERP.acme.example']);
  t.equal(bad.statusCode, 422);
  t.equal(bad.json().code, 'EMBED_CONFIG_INVALID');
  t.equal(await preflight('https://other.acme.example'), undefined, 'the refused list was not indexed');
  t.equal(await preflight('https://erp.acme.example'), 'https://erp.acme.example', 'the saved one still holds');
  const long = `https://${'a.'.repeat(150)}example`;
  await t.rejects(p.peyvand.kernel.tenants.setEmbedConfig('acme', { hs256Secret, algorithms: ['HS256'], allowedOrigins: [long] }), { code: 'EMBED_CONFIG_INVALID' }, 'an origin longer than the index holds is refused by the service too');
  const rows = await p.peyvand.kernel.db.knex('crm_tenant_origins').where({ tenant_id: acme.id }).select('origin');
  t.same(rows.map((r) => r.origin), ['https://erp.acme.example']);
});

t.test('two tenants with the same origin', async (t) => {
  const shared = 'https://erp.integrator.example';
  t.equal((await embed(p, 'acme', [shared])).statusCode, 204);
  t.equal((await embed(p, 'globex', [shared, 'https://globex.example'])).statusCode, 204);
  t.equal(await preflight(shared), shared);
  const me = (key: string) => p.call(key, { method: 'GET', url: '/api/v1/me', headers: { origin: shared } });
  t.equal((await me(acmeKey)).statusCode, 200);
  t.equal((await me(globexKey)).statusCode, 200);

  t.equal((await embed(p, 'acme', [])).statusCode, 204);
  t.equal(await preflight(shared), shared, 'still allowed: globex lists it');
  const refused = await me(acmeKey);
  t.equal(refused.statusCode, 403, 'but a request is checked against its own tenant');
  t.equal(refused.json().code, 'ORIGIN_NOT_ALLOWED');
  t.equal((await me(globexKey)).statusCode, 200);

  t.equal((await embed(p, 'globex', ['https://globex.example'])).statusCode, 204);
  t.equal(await preflight(shared), undefined, 'no tenant lists it any more');
  t.equal(await preflight('https://globex.example'), 'https://globex.example');
});

t.test('a change saved on one node is seen by another node of the same database at once', async (t) => {
  t.equal(await preflight('https://globex.example', nodeB), 'https://globex.example', 'B sees what A saved before it started');
  t.equal((await embed(p, 'globex', ['https://moved.globex.example'])).statusCode, 204, 'saved on A');
  t.equal(await preflight('https://moved.globex.example', nodeB), 'https://moved.globex.example', 'B allows the new origin');
  t.equal(await preflight('https://globex.example', nodeB), undefined, 'B no longer allows the old one');
});

t.test('saves of one tenant racing on two nodes leave the index as the config saved last', async (t) => {
  const lists = Array.from({ length: 12 }, (_, i) => ['https://shared.globex.example', `https://n${i}.globex.example`]);
  const statuses = await Promise.all(lists.map((list, i) => embed(i % 2 ? nodeB : p, 'globex', list).then((r) => r.statusCode)));
  t.same(statuses, lists.map(() => 204), 'every save succeeds');
  const saved = (await p.peyvand.kernel.tenants.embedConfig(globex.id))?.allowedOrigins ?? [];
  const indexed = await p.peyvand.kernel.db.knex('crm_tenant_origins').where({ tenant_id: globex.id }).orderBy('origin').select('origin');
  t.equal(saved.length, 2);
  t.same(indexed.map((r) => r.origin), [...saved].sort(), 'exactly the origins of the config that won');
});

t.test('migration 007 indexes the embed configs saved before it, up → down → up', async (t) => {
  const { knex } = await freshKnex(t);
  const db = new Database(knex, 'crm_');
  const box = createSecretBox(secret);
  const core = corePlugin.migrations ?? [];
  const before = [{ plugin: 'core', migrations: core.filter((m) => m.name !== '007_tenant_origins') }];
  const all = [{ plugin: 'core', migrations: core }];
  await new Migrator(db, box).latest(before);
  const tenant = (id: string, allowedOrigins: string[] | null) => ({
    id, slug: id, name: id, locale: 'en', time_zone: 'UTC', settings: '{}', created_at: 1, updated_at: 1,
    embed_config: allowedOrigins && box.seal(JSON.stringify({ hs256Secret, algorithms: ['HS256'], allowedOrigins })),
  });
  // More tenants than one page of the backfill reads, so paging is exercised too.
  const many = Array.from({ length: 520 }, (_, i) => tenant(`bulk-${String(i).padStart(4, '0')}`, [`https://erp${i}.bulk.example`]));
  for (let i = 0; i < many.length; i += 100) await knex('crm_tenants').insert(many.slice(i, i + 100));
  await knex('crm_tenants').insert([
    tenant('acme', ['https://erp.acme.example', 'http://localhost:8080']),
    tenant('globex', ['https://erp.acme.example']),
    tenant('initech', null),
    // Saved before the route refused such values: not what a browser sends, so not indexed.
    tenant('legacy', ['https://Legacy.example/', 'https://ok.legacy.example', 'https://ok.legacy.example']),
  ]);
  const index = async () => (await knex('crm_tenant_origins').select('origin', 'tenant_id')).map((r) => `${r.tenant_id} ${r.origin}`).sort();
  const expected = [
    'acme http://localhost:8080', 'acme https://erp.acme.example', 'globex https://erp.acme.example', 'legacy https://ok.legacy.example',
    ...many.map((m, i) => `${m.id} https://erp${i}.bulk.example`),
  ].sort();

  await t.rejects(new Migrator(db).latest(all), /007_tenant_origins needs PEYVAND_SECRET/, 'without the secret it refuses');
  t.notOk(await knex.schema.hasTable('crm_tenant_origins'), 'and changes nothing');
  await t.rejects(new Migrator(db, createSecretBox(randomBytes(32).toString('base64url'))).latest(all), /cannot open the embed configuration of tenant "acme"/, 'a wrong secret names the tenant');
  t.notOk(await knex.schema.hasTable('crm_tenant_origins'), 'and changes nothing');

  const migrator = new Migrator(db, box);
  t.same(await migrator.latest(all), ['core/007_tenant_origins'], 'up');
  t.same(await index(), expected, 'every saved origin indexed, once, per tenant');
  t.same(await migrator.rollback(all), ['core/007_tenant_origins'], 'down');
  t.notOk(await knex.schema.hasTable('crm_tenant_origins'), 'the table is gone');
  t.same(await migrator.latest(all), ['core/007_tenant_origins'], 'up again');
  t.same(await index(), expected, 'the same index');
  // Peyvand has no tenant removal yet; the foreign key cleans up after one done in SQL.
  await knex('crm_tenants').where({ id: 'legacy' }).delete();
  t.same(await index(), expected.filter((row) => !row.startsWith('legacy ')), 'a removed tenant takes its origins along');

  // On the database's own connection, closed before the database is.
  const node = await createPeyvand({ knex, secret, logger: pino({ level: 'silent' }), dispatch: false });
  try {
    const viaNode = { call: (_: string | undefined, o: Parameters<TestPeyvand['call']>[1]) => node.app.inject(o) };
    t.equal(await preflight('https://erp.acme.example', viaNode), 'https://erp.acme.example', 'a backfilled origin answers preflights');
    t.equal(await preflight('https://erp519.bulk.example', viaNode), 'https://erp519.bulk.example', 'from the last page too');
    t.equal(await preflight('https://Legacy.example/', viaNode), undefined);
  } finally {
    await node.close();
  }
});
