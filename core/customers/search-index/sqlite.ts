/**
 * SQLite: an FTS5 inverted index. FTS5 keeps one posting list per term and answers
 * `"abc"*` by walking only the terms that start with `abc`, so a prefix search never scans
 * the customers.
 *
 * Two tables:
 * - `<prefix>customer_search` — FTS5, contentless (`content=''`: the terms are only
 *   needed as keys, never read back) with `contentless_delete=1` so a customer's row can
 *   be deleted by rowid, and `detail=none` (no positions: we never ask for phrases or
 *   columns). Its text is the customer's terms, space-separated.
 * - `<prefix>customer_search_docs` — which FTS rowid belongs to which (tenant, customer).
 *
 * Each FTS term is `<tenantKey>z<hex(token)>`. The tenant prefix makes tenancy part of
 * the MATCH itself, so `"<tenant>z<query>"*` only walks that tenant's terms (a small
 * tenant stays fast next to a big one). Hex makes every term a run of `[0-9a-fxz]`:
 * the tokenizer cannot split, fold or strip anything, and the MATCH string we build can
 * only contain quoted hex, so no token can inject FTS5 syntax (`*`, `:`, `NEAR`, `OR`…).
 * Prefixes survive the encoding: UTF-8 is prefix-free per character, so string `q` is a
 * prefix of `t` exactly when `hex(q)` is a prefix of `hex(t)`.
 */
import type { Knex } from 'knex';
import type { SearchIndex } from './index.js';
import { hex, indexTerms, queryShape, tenantKey } from './terms.js';

const ftsTable = (prefix: string): string => `${prefix}customer_search`;
const docsTable = (prefix: string): string => `${prefix}customer_search_docs`;

/** The FTS term for a token of a tenant. */
function term(tenant: string, token: string): string {
  return `${tenant}z${hex(token)}`;
}

/** The FTS rowid of a customer, if indexed. */
async function docId(db: Knex | Knex.Transaction, prefix: string, tenantId: string, customerId: string): Promise<number | null> {
  const row = await db(docsTable(prefix)).where({ tenant_id: tenantId, customer_id: customerId }).first('doc_id');
  return row ? Number(row.doc_id) : null;
}

/** The SQLite (FTS5) search index. */
export const sqliteSearchIndex: SearchIndex = {
  async up(knex, prefix) {
    await knex.schema.createTable(docsTable(prefix), (t) => {
      t.increments('doc_id');
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36).notNullable();
      t.unique(['tenant_id', 'customer_id']);
    });
    // unicode61 is the default tokenizer; with hex terms any tokenizer would do, and
    // remove_diacritics 0 just says there is nothing for it to fold.
    await knex.raw(
      `create virtual table ?? using fts5(terms, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0')`,
      [ftsTable(prefix)],
    );
  },

  async down(knex, prefix) {
    await knex.raw('drop table if exists ??', [ftsTable(prefix)]);
    await knex.schema.dropTableIfExists(docsTable(prefix));
  },

  async put(db, prefix, entry) {
    const terms = indexTerms(entry.fields);
    const existing = await docId(db, prefix, entry.tenantId, entry.customerId);
    if (existing !== null) await db(ftsTable(prefix)).where('rowid', existing).delete();
    if (terms.length === 0) {
      if (existing !== null) await db(docsTable(prefix)).where('doc_id', existing).delete();
      return;
    }
    let id = existing;
    if (id === null) {
      const [inserted] = await db(docsTable(prefix)).insert({ tenant_id: entry.tenantId, customer_id: entry.customerId });
      id = Number(inserted);
    }
    const tenant = tenantKey(entry.tenantId);
    await db(ftsTable(prefix)).insert({ rowid: id, terms: terms.map((t) => term(tenant, t)).join(' ') });
  },

  async remove(db, prefix, tenantId, customerId) {
    const existing = await docId(db, prefix, tenantId, customerId);
    if (existing === null) return;
    await db(ftsTable(prefix)).where('rowid', existing).delete();
    await db(docsTable(prefix)).where('doc_id', existing).delete();
  },

  matching(db, prefix, tenantId, queryTokens) {
    const shape = queryShape(queryTokens);
    if (!shape) return null;
    const tenant = tenantKey(tenantId);
    // Quoted hex needs no escaping: the string holds nothing but [0-9a-fxz].
    const prefixOf = (token: string): string => `"${term(tenant, token)}"*`;
    let expression = `(${shape.all.map(prefixOf).join(' AND ')})`;
    if (shape.joined !== null) expression += ` OR ${prefixOf(shape.joined)}`;
    const hits = db.select('rowid').from(ftsTable(prefix)).whereRaw('?? match ?', [ftsTable(prefix), expression]);
    // The tenant test is redundant with the tenant-keyed terms; it stays as a second lock.
    return db.select('customer_id').from(docsTable(prefix)).where('tenant_id', tenantId).whereIn('doc_id', hits);
  },
};
