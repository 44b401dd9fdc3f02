/**
 * The customer search index, on the dialect of PEYVAND_TEST_DB. A minimal customers table
 * stands in for the real one so the subquery is exercised the way the caller uses it:
 * `whereIn('id', subquery)`.
 */
import t from 'tap';
import type { Knex } from 'knex';
import { freshKnex } from '../../helpers/database.js';
import { newId } from '../../../core/plugin/ids.js';
import { MAX_TOKEN_CHARS, searchIndexFor } from '../../../core/customers/search-index/index.js';

const PREFIX = 'crm_';
const CUSTOMERS = `${PREFIX}customers`;
const { knex, dialect } = await freshKnex(t);
const index = searchIndexFor(dialect);
await index.up(knex, PREFIX);
// Same column types as the real customers table (core/migrations/002_customers.ts).
await knex.schema.createTable(CUSTOMERS, (c) => {
  c.string('id', 36).primary();
  c.string('tenant_id', 36).notNullable();
  c.string('label', 64).notNullable();
});

const T1 = newId();
const T2 = newId();

/** Creates a fake customer and indexes it; fields are space-separated token lists. */
async function customer(tenantId: string, label: string, ...fields: string[]): Promise<string> {
  const id = newId();
  await knex(CUSTOMERS).insert({ id, tenant_id: tenantId, label });
  await index.put(knex, PREFIX, { tenantId, customerId: id, fields: fields.map((f) => f.split(' ')) });
  return id;
}

/** Labels of the tenant's customers matching the tokens, sorted; null for "no filter". */
async function search(tenantId: string, tokens: string[], db: Knex | Knex.Transaction = knex): Promise<string[] | null> {
  const sub = index.matching(db, PREFIX, tenantId, tokens);
  if (sub === null) return null;
  const rows = await db(CUSTOMERS).whereIn('id', sub).select('label');
  return rows.map((r) => String(r.label)).sort();
}

/** The subquery itself, for a query that is known to be non-empty. */
function subquery(tenantId: string, tokens: string[]): Knex.QueryBuilder {
  const sub = index.matching(knex, PREFIX, tenantId, tokens);
  if (sub === null) throw new Error(`no subquery for ${tokens.join(' ')}`);
  return sub;
}

const ali = await customer(T1, 'ali', 'علی کریمی', '09123456789', 'ali karimi example com');
await customer(T1, 'alireza', 'علیرضا احمدی', '09351112233');
await customer(T1, 'spaced', 'می دانم');
await customer(T1, 'joined', 'میدانم');
await customer(T1, 'split-fields', 'می', 'دانم');
const ali2 = await customer(T2, 'ali-t2', 'علی کریمی', '09123456789');

t.test('prefix matching', async (t) => {
  t.same(await search(T1, ['علی']), ['ali', 'alireza']);
  t.same(await search(T1, ['علیر']), ['alireza']);
  t.same(await search(T1, ['کری']), ['ali']);
  t.same(await search(T1, ['کریمی']), ['ali'], 'a whole token is its own prefix');
  t.same(await search(T1, ['ریمی']), [], 'prefix, not infix');
  t.same(await search(T1, ['kar']), ['ali']);
  t.same(await search(T1, ['xyz']), []);
});

t.test('all tokens must match (AND)', async (t) => {
  t.same(await search(T1, ['علی', 'کر']), ['ali']);
  t.same(await search(T1, ['علی', 'احم']), ['alireza']);
  t.same(await search(T1, ['کر', 'علی']), ['ali'], 'order does not matter');
  t.same(await search(T1, ['علی', 'ناصری']), []);
  t.same(await search(T1, ['ali', 'example']), ['ali']);
});

t.test('«می دانم» and «میدانم» meet in both directions', async (t) => {
  t.same(await search(T1, ['میدانم']), ['joined', 'spaced'], 'no-space query finds the spaced name');
  t.same(await search(T1, ['می', 'دانم']), ['joined', 'spaced', 'split-fields'], 'spaced query finds the joined name');
  t.same(await search(T1, ['میدا']), ['joined', 'spaced']);
  t.same(await search(T1, ['می', 'دا']), ['joined', 'spaced', 'split-fields'], 'the joined alternative is a prefix too');
  t.same(await search(T1, ['علیکر']), ['ali'], 'adjacent pairs of any field');
  t.notOk((await search(T1, ['میدانم']))?.includes('split-fields'), 'pairs never span two fields');
});

t.test('digits: phone keys match by prefix', async (t) => {
  t.same(await search(T1, ['0912']), ['ali']);
  t.same(await search(T1, ['09']), ['ali', 'alireza']);
  t.same(await search(T1, ['09123456789']), ['ali']);
  t.same(await search(T1, ['912']), []);
});

t.test('tenants never mix', async (t) => {
  t.same(await search(T2, ['علی']), ['ali-t2']);
  t.same(await search(T2, ['0912']), ['ali-t2']);
  t.same(await search(T2, ['می', 'دانم']), []);
  t.same(await search(newId(), ['علی']), [], 'an empty tenant finds nothing');
  const ids = (await knex.select('*').from(subquery(T1, ['علی', 'کریمی']).as('m'))).map((r) => String(r.customer_id));
  t.same(ids, [ali], 'the subquery alone returns only tenant T1 ids');
  t.notOk(ids.includes(ali2));
  await index.remove(knex, PREFIX, T2, ali);
  t.same(await search(T1, ['کریمی']), ['ali'], "removing under the wrong tenant leaves T1's entry");
});

t.test('put replaces, and is idempotent', async (t) => {
  const id = await customer(T1, 'changing', 'حسین رضایی');
  t.same(await search(T1, ['حسین']), ['changing']);
  await index.put(knex, PREFIX, { tenantId: T1, customerId: id, fields: [['حسن', 'رضایی']] });
  await index.put(knex, PREFIX, { tenantId: T1, customerId: id, fields: [['حسن', 'رضایی']] });
  t.same(await search(T1, ['حسین']), [], 'old tokens are gone');
  t.same(await search(T1, ['حسن']), ['changing']);
  t.same(await search(T1, ['حسنر']), ['changing'], 'new pairs are indexed');
  t.same(await search(T1, ['حسینر']), [], 'old pairs are gone');
  t.equal((await knex.select('*').from(subquery(T1, ['حسن']).as('m'))).length, 1, 'one row, not one per put');
  await index.put(knex, PREFIX, { tenantId: T1, customerId: id, fields: [[], ['']] });
  t.same(await search(T1, ['حسن']), [], 'no tokens left: not indexed');
});

t.test('remove', async (t) => {
  const id = await customer(T1, 'leaving', 'پرویز');
  t.same(await search(T1, ['پرو']), ['leaving']);
  await index.remove(knex, PREFIX, T1, id);
  t.same(await search(T1, ['پرو']), []);
  await index.remove(knex, PREFIX, T1, id);
  t.pass('removing twice is a no-op');
  await index.put(knex, PREFIX, { tenantId: T1, customerId: id, fields: [['پرویز']] });
  t.same(await search(T1, ['پرو']), ['leaving'], 'can be indexed again');
  await index.remove(knex, PREFIX, T1, id);
});

t.test("runs inside the caller's transaction", async (t) => {
  const id = newId();
  await knex(CUSTOMERS).insert({ id, tenant_id: T1, label: 'rolled-back' });
  await knex
    .transaction(async (trx) => {
      await index.put(trx, PREFIX, { tenantId: T1, customerId: id, fields: [['بهرام']] });
      t.same(await search(T1, ['بهر'], trx), ['rolled-back'], 'visible inside the transaction');
      throw new Error('roll back');
    })
    .catch(() => undefined);
  t.same(await search(T1, ['بهر']), [], 'gone after rollback');
});

t.test('empty queries', async (t) => {
  t.equal(index.matching(knex, PREFIX, T1, []), null);
  t.equal(index.matching(knex, PREFIX, T1, ['', '']), null, 'nothing searchable');
  t.same(await search(T1, ['', 'علیر']), ['alireza'], 'an empty token is ignored');
});

t.test('metacharacters are literal, never syntax', async (t) => {
  const id = await customer(T1, 'meta', 'and or not near', 'a%b c_d e\\f g"h i\'j k*l m:n');
  const nasty = ['"', "'", '*', ':', '&', '|', '!', '(', ')', '%', '_', '\\', 'NEAR', 'AND', 'OR', 'NOT', '""', "''", 'a"*', '%%', '!%', "'; drop table crm_customers; --", '") OR ("', "' | 'x':*", 'a:*', 'a & b', 'NEAR(a b)', '-', '^a', '{terms}:a'];
  for (const token of nasty) {
    t.same(await search(T1, [token]), [], `[${JSON.stringify(token)}] matches nothing`);
    t.same(await search(T1, ['علی', token]), [], `[علی, ${JSON.stringify(token)}] matches nothing`);
  }
  // NUL and lone surrogates cannot be stored anywhere; they are dropped like empty tokens.
  t.equal(await search(T1, ['\u0000', '\ud800']), null, 'unstorable characters leave nothing to search');
  t.same(await search(T1, ['علیر\u0000']), ['alireza']);
  t.same(await search(T1, ['and']), ['meta'], 'lower-case keywords are ordinary tokens');
  t.same(await search(T1, ['not', 'near']), ['meta']);
  t.same(await search(T1, ['a%']), ['meta'], '% matches itself');
  t.same(await search(T1, ['a']), ['ali', 'meta'], 'plain prefix');
  t.same(await search(T1, ['c_']), ['meta'], '_ matches itself');
  t.same(await search(T1, ['cx']), [], '_ is not a wildcard');
  t.same(await search(T1, ['e\\']), ['meta'], 'backslash matches itself');
  t.same(await search(T1, ['g"']), ['meta']);
  t.same(await search(T1, ["i'"]), ['meta']);
  t.same(await search(T1, ['k*']), ['meta']);
  t.same(await search(T1, ['m:n']), ['meta']);
  t.equal((await knex(CUSTOMERS).count({ n: '*' }))[0]?.n !== undefined, true, 'customers table still there');
  await index.remove(knex, PREFIX, T1, id);
});

t.test('long tokens are cut, not rejected', async (t) => {
  const long = 'ب'.repeat(MAX_TOKEN_CHARS + 50);
  const id = await customer(T1, 'long', `${long} ${long}`);
  t.same(await search(T1, ['ببب']), ['long']);
  t.same(await search(T1, [long]), ['long']);
  await index.remove(knex, PREFIX, T1, id);
});

t.test('up → down → up', async (t) => {
  await index.down(knex, PREFIX);
  t.notOk(await knex.schema.hasTable(`${PREFIX}customer_search`), 'down drops the index');
  await index.down(knex, PREFIX);
  t.pass('down twice is harmless');
  await index.up(knex, PREFIX);
  t.same(await search(T1, ['علی']), [], 'a fresh index is empty');
  await index.put(knex, PREFIX, { tenantId: T1, customerId: ali, fields: [['علی', 'کریمی']] });
  t.same(await search(T1, ['علی']), ['ali']);
});
