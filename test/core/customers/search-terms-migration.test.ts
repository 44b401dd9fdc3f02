/**
 * Migration 016 on PostgreSQL converts a filled customer search index both ways: the
 * tsvector lexemes (`<tenantKey>:<term>`) become terms rows and back, and the same
 * searches find the same customers after up → down → up. Other dialects: a no-op.
 */
import t from 'tap';
import { freshSearchIndex, PREFIX } from '../../helpers/search-index.js';
import { newId } from '../../../core/plugin/ids.js';
import { customerSearchTermsMigration } from '../../../core/migrations/016_customer_search_terms.js';

const { knex, dialect, index, ctx } = await freshSearchIndex(t);

const T1 = newId();
const T2 = 'tenant:not-a-uuid'; // tenantKey's `x` + hex form
const ids: Record<string, string> = {};
for (const [tenantId, label, fields] of [
  [T1, 'ali', ['علی کریمی', '09123456789']],
  [T1, 'spaced', ['می دانم']],
  [T1, 'quote', ["o'brien 50%_off back\\slash"]],
  [T2, 'ali-t2', ['علی کریمی']],
] as const) {
  ids[label] = newId();
  await index.put(knex, PREFIX, { tenantId, customerId: ids[label]!, fields: fields.map((f) => f.split(' ')) });
}
const labelOf = new Map(Object.entries(ids).map(([label, id]) => [id, label]));

/** What each query finds, as labels, so a conversion that loses or moves a term shows. */
async function findings(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [tenantId, tokens] of [[T1, ['علی']], [T1, ['کری', 'عل']], [T1, ['میدانم']], [T1, ["o'b"]], [T1, ['50%_']], [T1, ['back\\']], [T1, ['0912345']], [T2, ['علی']]] as const) {
    const sub = index.matching(knex, PREFIX, tenantId, [...tokens]);
    const rows = sub ? await sub : [];
    out[`${tenantId === T1 ? 'T1' : 'T2'} ${tokens.join(' ')}`] = rows.map((r: { customer_id: string }) => labelOf.get(r.customer_id) ?? '?').sort();
  }
  return out;
}

const expected = {
  'T1 علی': ['ali'],
  'T1 کری عل': ['ali'],
  'T1 میدانم': ['spaced'],
  "T1 o'b": ['quote'],
  'T1 50%_': ['quote'],
  'T1 back\\': ['quote'],
  'T1 0912345': ['ali'],
  'T2 علی': ['ali-t2'],
};
t.same(await findings(), expected, 'the index as a fresh database builds it');

t.test('down → up → down → up keeps every term', async (t) => {
  if (dialect !== 'postgres') {
    await customerSearchTermsMigration.down(ctx);
    await customerSearchTermsMigration.up(ctx);
    t.same(await findings(), expected, 'other dialects: nothing converted, nothing lost');
    return;
  }
  const has = (name: string) => knex.schema.hasTable(`${PREFIX}${name}`);
  await customerSearchTermsMigration.down(ctx);
  t.same([await has('customer_search'), await has('customer_search_terms')], [true, false], 'down: the tsvector table replaces the terms table');
  const lexemes = await knex.raw(`select (unnest(terms)).lexeme as l from ${PREFIX}customer_search where tenant_id = ?`, [T2]);
  t.ok(lexemes.rows.some((r: { l: string }) => r.l === `x${Buffer.from(T2).toString('hex')}:علی`), 'a lexeme is the tenant key, a colon and the term, as before 016');
  await customerSearchTermsMigration.up(ctx);
  t.same([await has('customer_search'), await has('customer_search_terms')], [false, true], 'up: the terms table replaces the tsvector table');
  t.same(await findings(), expected, 'the same searches find the same customers');
  await customerSearchTermsMigration.down(ctx);
  await customerSearchTermsMigration.up(ctx);
  t.same(await findings(), expected, 'and again');
  await customerSearchTermsMigration.up(ctx);
  t.same(await findings(), expected, 'up on a converted database changes nothing');
});
