import t from 'tap';
import { freshKnex } from '../../helpers/database.js';
import { TenantModel, bindModel, TenantScopeMissingError } from '../../../core/plugin/tenant-model.js';

class Note extends TenantModel {
  static override table = 'notes';
  declare id: number;
  declare body: string;
}

t.test('tenant-owned models are always scoped', async (t) => {
  const { knex } = await freshKnex(t);
  await knex.schema.createTable('px_notes', (tb) => {
    tb.increments('id');
    tb.string('tenant_id', 36).notNullable();
    tb.string('body');
  });
  const Bound = bindModel(Note, knex, 'px_');
  t.equal(Bound.tableName, 'px_notes', 'the prefix comes from the binding');

  await Bound.forTenant('a').insert({ body: 'of a' });
  await Bound.forTenant('b').insert({ body: 'of b' });
  const rows = await knex('px_notes').select('tenant_id', 'body').orderBy('id');
  t.same(rows, [{ tenant_id: 'a', body: 'of a' }, { tenant_id: 'b', body: 'of b' }], 'inserts get the tenant');

  const seenByA = await Bound.forTenant('a');
  t.same(seenByA.map((n) => n.body), ['of a'], 'finds see one tenant');

  const patched = await Bound.forTenant('a').patch({ body: 'changed' });
  t.equal(patched, 1, 'patch touches only the tenant rows');
  const deleted = await Bound.forTenant('b').delete().where('body', 'of a');
  t.equal(deleted, 0, 'another tenant cannot delete');
  t.equal((await Bound.forTenant('b').findById(1)), undefined, 'another tenant cannot read by id');

  await t.rejects(async () => await Bound.query(), TenantScopeMissingError, 'an unscoped find throws');
  await t.rejects(async () => await Bound.query().insert({ body: 'x' }), TenantScopeMissingError, 'an unscoped insert throws');
  await t.rejects(async () => await Bound.query().patch({ body: 'x' }), TenantScopeMissingError, 'an unscoped patch throws');
  await t.rejects(async () => await Bound.forTenant('a').insert({ body: 'x', tenantId: 'b' } as never), /another tenant/, 'cannot insert into another tenant');
  const all = await knex('px_notes').count({ n: '*' }).first();
  t.equal(Number(all?.n), 2, 'nothing was written by the refused calls');
});
