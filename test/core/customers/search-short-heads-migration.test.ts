/**
 * Migration 017 on PostgreSQL adds the 1- and 2-letter head indexes of the customer
 * search and drops them again; searches with short tokens find the same customers with
 * and without them, and the page walk uses them once they exist. Other dialects: a no-op.
 */
import t from 'tap';
import { freshSearchIndex, PREFIX } from '../../helpers/search-index.js';
import { newId } from '../../../core/plugin/ids.js';
import { orderedHitsSql, PLANNER_SETTINGS } from '../../../core/customers/search-index/postgres-sql.js';
import { customerSearchShortHeadsMigration } from '../../../core/migrations/017_customer_search_short_heads.js';

const { knex, dialect, index, ctx } = await freshSearchIndex(t);

const T1 = newId();
const labelOf = new Map<string, string>();
for (const [label, fields] of [
  ['sara', ['sara johnson', 'sara.johnson12 example com']],
  ['sepideh', ['سپیده کریم فر']],
  ['sara-other', ['sara smith']],
] as const) {
  const id = newId();
  labelOf.set(id, label);
  await index.put(knex, PREFIX, { tenantId: T1, customerId: id, fields: fields.map((f) => f.split(' ')) });
}

/** What each query with a 1- or 2-letter token finds, as labels. */
async function findings(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const tokens of [['sara', 'j'], ['sara', 'jo'], ['سپیده', 'فر'], ['s'], ['سپ'], ['sara', 'x']]) {
    const sub = index.matching(knex, PREFIX, T1, tokens);
    const rows: Array<{ customer_id: string }> = sub ? await sub : [];
    out[tokens.join(' ')] = rows.map((r) => labelOf.get(r.customer_id) ?? '?').sort();
  }
  return out;
}

const expected = { 'sara j': ['sara'], 'sara jo': ['sara'], 'سپیده فر': ['sepideh'], s: ['sara', 'sara-other'], سپ: ['sepideh'], 'sara x': [] };
t.same(await findings(), expected, 'the index as a fresh database builds it');

const heads = async (): Promise<string[]> => {
  const rows = await knex('pg_indexes').where({ tablename: `${PREFIX}customer_search_terms` }).select('indexname');
  return rows.map((r: { indexname: string }) => r.indexname.replace(`${PREFIX}customer_search_terms_`, '')).filter((n: string) => n.startsWith('head')).sort();
};

t.test('up → down → up', async (t) => {
  if (dialect !== 'postgres') {
    await customerSearchShortHeadsMigration.down(ctx);
    await customerSearchShortHeadsMigration.up(ctx);
    t.same(await findings(), expected, 'other dialects: nothing changes');
    return;
  }
  t.same(await heads(), ['head1', 'head2', 'head3', 'head6'], 'a fresh database has every head');
  await customerSearchShortHeadsMigration.up(ctx);
  t.same(await heads(), ['head1', 'head2', 'head3', 'head6'], 'up on a database that has them adds nothing');
  await customerSearchShortHeadsMigration.down(ctx);
  t.same(await heads(), ['head3', 'head6'], 'down drops the short heads');
  t.same(await findings(), expected, 'without them the same searches find the same customers');
  await customerSearchShortHeadsMigration.up(ctx);
  t.same(await heads(), ['head1', 'head2', 'head3', 'head6'], 'up adds them back');
  t.same(await findings(), expected, 'and the same customers again');
  // The page statement walks the 1-letter head for «j» instead of probing each customer.
  const hits = orderedHitsSql(PREFIX, T1, ['sara', 'j'])!;
  const plan = await knex.transaction(async (trx) => {
    await trx.raw(PLANNER_SETTINGS);
    await trx.raw(`analyze ${PREFIX}customer_search_terms`);
    return (await trx.raw(`explain ${hits.sql}`, hits.bindings)) as { rows: Array<{ 'QUERY PLAN': string }> };
  });
  const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  t.match(text, /customer_search_terms_head1/, 'the short token walks its head index');
});
