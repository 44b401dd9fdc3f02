/**
 * `ctx.data`: every query it builds stays inside one tenant — reads, updates, deletes,
 * inserts, joins, an `orWhere` added by the caller, clones and transactions.
 */
import t from 'tap';
import { freshKnex } from '../../helpers/database.js';
import { Database } from '../../../core/db/database.js';
import { TenantDataLayer, TenantScopeError } from '../../../core/db/tenant-data.js';

t.test('the tenant cannot be forgotten', async (t) => {
  const { knex } = await freshKnex(t);
  await knex.schema.createTable('px_notes', (tb) => {
    tb.string('id', 36).primary();
    tb.string('tenant_id', 36).notNullable();
    tb.string('body');
    tb.string('tag_id', 36);
  });
  await knex.schema.createTable('px_tags', (tb) => {
    tb.string('id', 36);
    tb.string('tenant_id', 36).notNullable();
    tb.string('label');
  });
  const data = new TenantDataLayer(new Database(knex, 'px_'));
  const a = data.forTenant('a');
  const b = data.forTenant('b');

  await a.fromUntyped('notes').insert([{ id: 'n1', body: 'first of a', tag_id: 't1' }, { id: 'n2', body: 'second of a', tag_id: 't1' }]);
  await b.fromUntyped('notes').insert({ id: 'n3', body: 'of b', tag_id: 't1' });
  await a.fromUntyped('tags').insert({ id: 't1', label: 'tag of a' });
  await b.fromUntyped('tags').insert({ id: 't1', label: 'tag of b' });
  t.same(await knex('px_notes').orderBy('id').pluck('tenant_id'), ['a', 'a', 'b'], 'inserts are stamped with the tenant');

  t.same(await a.fromUntyped('notes').orderBy('id').pluck('id'), ['n1', 'n2'], 'reads see one tenant');
  t.same(await a.fromUntyped('notes').where('body', 'first of a').orWhere('body', 'of b').orderBy('id').pluck('id'), ['n1'], 'an orWhere cannot widen the query past the tenant');
  t.same(await a.fromUntyped('notes').where('id', 'n3').clone().orWhere('id', 'n1').pluck('id'), ['n1'], 'a clone keeps the scope');
  const sql = a.fromUntyped('notes').where('id', 'x').orWhere('id', 'y').toSQL().sql;
  t.match(sql, /where "?`?px_notes"?`?\."?`?tenant_id"?`? = \? and \(/i, 'the caller conditions are wrapped after the tenant condition');

  const joined = await a.fromUntyped('notes', 'n').leftJoin('px_tags as tg', 'tg.id', 'n.tag_id').orderBy('n.id').select('n.id', 'tg.label');
  t.same(joined, [{ id: 'n1', label: 'tag of a' }, { id: 'n2', label: 'tag of a' }], 'a joined table is joined on the same tenant (no row of b\'s tag)');

  t.equal(await b.fromUntyped('notes').where('id', 'n1').update({ body: 'hijacked' }), 0, 'another tenant cannot update');
  t.equal(await b.fromUntyped('notes').where('id', 'n1').delete(), 0, 'another tenant cannot delete');
  t.equal(await a.fromUntyped('notes').where('id', 'n1').update({ body: 'edited' }), 1, 'the owner can');

  t.throws(() => data.forTenant(''), TenantScopeError, 'no query without a tenant');
  t.throws(() => a.fromUntyped('notes').insert({ id: 'n9', tenant_id: 'b' }), /another tenant/, 'an insert cannot name another tenant');
  t.throws(() => a.fromUntyped('notes').update({ tenant_id: 'b' }), /another tenant/, 'an update cannot move rows');
  t.throws(() => a.fromUntyped('notes').joinRaw('join px_tags on 1 = 1'), TenantScopeError, 'a raw join is refused');
  t.throws(() => a.fromUntyped('notes').crossJoin(knex.raw('px_tags')), TenantScopeError, 'a cross join is refused');

  await t.rejects(
    data.transaction(async (trx) => {
      await data.forTenant('a', trx).fromUntyped('notes').insert({ id: 'n4', body: 'rolled back' });
      t.equal((await data.forTenant('a', trx).fromUntyped('notes').where('id', 'n4').first())?.body, 'rolled back', 'visible inside its transaction');
      throw new Error('abort');
    }),
    /abort/,
  );
  t.equal(await a.fromUntyped('notes').where('id', 'n4').first(), undefined, 'scoped writes share the transaction and roll back with it');
  t.same(await knex('px_notes').where('id', 'n1').pluck('body'), ['edited'], 'nothing else changed');
});

t.test('an upsert stays in the tenant on every dialect', async (t) => {
  const { knex } = await freshKnex(t);
  await knex.schema.createTable('px_hits', (tb) => {
    tb.string('tenant_id', 36).notNullable();
    tb.string('form_id', 36).notNullable();
    tb.integer('hits').notNullable();
    tb.unique(['tenant_id', 'form_id']);
  });
  const data = new TenantDataLayer(new Database(knex, 'px_'));
  const hit = (tenant: string) => data.forTenant(tenant).fromUntyped('hits').insert({ form_id: 'f', hits: 1 }).onConflict(['tenant_id', 'form_id']).merge({ hits: data.raw('?? + 1', ['px_hits.hits']) });
  await hit('a');
  await hit('a');
  await hit('b');
  t.same(await knex('px_hits').orderBy('tenant_id').select('tenant_id', 'hits'), [{ tenant_id: 'a', hits: 2 }, { tenant_id: 'b', hits: 1 }]);
});
