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
 *
 * At a million customers two things decide the speed (measured by `npm run bench`):
 * - Prefix indexes (`prefix=` below, migration 006). Without them FTS5 answers `"abc"*`
 *   by merging the posting lists of every term starting with `abc` into one list before
 *   the first row comes out — all of them, for a one-letter prefix like the `s` of
 *   `reza.s`. With them the short prefixes have ready-made lists that are read lazily.
 * - Walking the hits newest first and stopping at the page size ({@link ranked}). The
 *   doc id is given once, when the customer is created, in the creating transaction, so
 *   document order is creation order. Ordering by customer id instead meant looking up
 *   every hit (tens of thousands for a common name) to keep the newest fifty.
 */
import type { Knex } from 'knex';
import { chunked, flushAppends, insertAtCommit } from '../../db/database.js';
import { runningGroupOf } from '../../db/group-commit.js';
import type { RankedCustomerRow, SearchEntry, SearchIndex } from './search-index-types.js';
import { customersByTenant, hex, indexTerms, queryShape, tenantKey } from './terms.js';

const ftsTable = (prefix: string): string => `${prefix}customer_search`;
const docsTable = (prefix: string): string => `${prefix}customer_search_docs`;

/**
 * Prefix lengths with an index of their own, in characters of the FTS term: the 32-hex
 * tenant key and `z`, then 1 to 8 bytes of the token (1–8 Latin letters, 1–4 Persian
 * ones). Longer prefixes match few terms and merge cheaply. Each length costs index space
 * and write time; stopping at 6 bytes left Persian four-letter prefixes (حسین: every
 * حسین…, each glued name pair) and Latin names inside e-mail addresses (tehrani42) at
 * 20–45 ms on a million customers.
 */
export const FTS_PREFIX_LENGTHS = [35, 37, 39, 41, 43, 45, 47, 49];

/** Creates the FTS5 table, with the prefix indexes or (migration 002 as it was) without. */
export async function createFts(knex: Knex, prefix: string, prefixIndexes: boolean): Promise<void> {
  // unicode61 is the default tokenizer; with hex terms any tokenizer would do, and
  // remove_diacritics 0 just says there is nothing for it to fold.
  const prefixOption = prefixIndexes ? `, prefix='${FTS_PREFIX_LENGTHS.join(' ')}'` : '';
  await knex.raw(`create virtual table ?? using fts5(terms, content='', contentless_delete=1, detail=none${prefixOption}, tokenize='unicode61 remove_diacritics 0')`, [ftsTable(prefix)]);
}

/** The text of a customer's FTS row: its terms, tenant-keyed and hex-encoded. */
export function ftsText(tenantId: string, terms: readonly string[]): string {
  const tenant = tenantKey(tenantId);
  return terms.map((t) => term(tenant, t)).join(' ');
}

/** The MATCH expression of a query, or null when nothing is searchable. */
function matchExpression(tenantId: string, queryTokens: string[]): string | null {
  const shape = queryShape(queryTokens);
  if (!shape) return null;
  const tenant = tenantKey(tenantId);
  // Quoted hex needs no escaping: the string holds nothing but [0-9a-fxz].
  const prefixOf = (token: string): string => `"${term(tenant, token)}"*`;
  let expression = `(${shape.all.map(prefixOf).join(' AND ')})`;
  if (shape.joined !== null) expression += ` OR ${prefixOf(shape.joined)}`;
  return expression;
}

/** The FTS term for a token of a tenant. */
function term(tenant: string, token: string): string {
  return `${tenant}z${hex(token)}`;
}

/** The FTS rowid of a customer, if indexed. */
async function docId(db: Knex | Knex.Transaction, prefix: string, tenantId: string, customerId: string): Promise<number | null> {
  const row = await db(docsTable(prefix)).where({ tenant_id: tenantId, customer_id: customerId }).first('doc_id');
  return row ? Number(row.doc_id) : null;
}

/** The FTS rowids of those entries' customers that are indexed, by tenant and customer. */
async function docIds(db: Knex | Knex.Transaction, prefix: string, entries: readonly SearchEntry[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const [tenantId, customerIds] of customersByTenant(entries)) {
    for (const ids of chunked(customerIds)) {
      const rows = await db(docsTable(prefix)).where('tenant_id', tenantId).whereIn('customer_id', ids).select('doc_id', 'customer_id');
      for (const r of rows) found.set(`${tenantId}\u0000${String(r.customer_id)}`, Number(r.doc_id));
    }
  }
  return found;
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
    await createFts(knex, prefix, false);
  },

  async down(knex, prefix) {
    await knex.raw('drop table if exists ??', [ftsTable(prefix)]);
    await knex.schema.dropTableIfExists(docsTable(prefix));
  },

  put(db, prefix, entry) {
    return sqliteSearchIndex.putMany(db, prefix, [entry]);
  },

  async putMany(db, prefix, entries, options = {}) {
    const existing = options.isNew ? new Map<string, number>() : await docIds(db, prefix, entries);
    const key = (e: SearchEntry) => `${e.tenantId}\u0000${e.customerId}`;
    // A rewrite deletes rows that a group commit may still hold back (insertAtCommit below).
    if (existing.size > 0) await flushAppends(db, ftsTable(prefix));
    for (const ids of chunked([...existing.values()])) await db(ftsTable(prefix)).whereIn('rowid', ids).delete();
    // A customer keeps its doc id for life, even while it has no terms (then it has no FTS
    // row and no search finds it): doc order must stay creation order (see `ranked`).
    const fresh = entries.filter((e) => !existing.has(key(e))).map((e) => ({ tenant_id: e.tenantId, customer_id: e.customerId }));
    const group = runningGroupOf(db);
    for (const rows of chunked(fresh)) {
      // RETURNING names each new doc id's customer; the order of returned rows is not promised.
      // In a group-commit member: a prepared statement on the group's connection (no knex building).
      const inserted = group
        ? group.connection.prepare(`insert into "${docsTable(prefix)}" ("tenant_id", "customer_id") values ${rows.map(() => '(?, ?)').join(', ')} returning "doc_id", "tenant_id", "customer_id"`).all(...rows.flatMap((r) => [r.tenant_id, r.customer_id]))
        : ((await db(docsTable(prefix)).insert(rows).returning(['doc_id', 'tenant_id', 'customer_id'])) as Array<Record<string, unknown>>);
      for (const r of inserted) existing.set(`${String(r.tenant_id)}\u0000${String(r.customer_id)}`, Number(r.doc_id));
    }
    const ftsRows = entries.map((e) => ({ rowid: existing.get(key(e))!, terms: ftsText(e.tenantId, indexTerms(e.fields)) })).filter((r) => r.terms !== '');
    // In a group commit the terms are inserted for the whole group before its COMMIT: FTS5
    // writes a segment at every savepoint release otherwise (deferred-appends.ts).
    await insertAtCommit(db, ftsTable(prefix), ftsRows);
  },

  async remove(db, prefix, tenantId, customerId) {
    const existing = await docId(db, prefix, tenantId, customerId);
    if (existing === null) return;
    await flushAppends(db, ftsTable(prefix));
    await db(ftsTable(prefix)).where('rowid', existing).delete();
    await db(docsTable(prefix)).where('doc_id', existing).delete();
  },

  matching(db, prefix, tenantId, queryTokens) {
    const expression = matchExpression(tenantId, queryTokens);
    if (expression === null) return null;
    const hits = db.select('rowid').from(ftsTable(prefix)).whereRaw('?? match ?', [ftsTable(prefix), expression]);
    // The tenant test is redundant with the tenant-keyed terms; it stays as a second lock.
    // Its unary `+` keeps it off the (tenant_id, customer_id) index: without it SQLite drove
    // this subquery by that index, reading every document of the tenant (a million for a
    // big tenant) to test each against the hits, instead of looking the hits up by doc_id.
    return db.select('customer_id').from(docsTable(prefix)).whereRaw('+?? = ?', ['tenant_id', tenantId]).whereIn('doc_id', hits);
  },

  ranked(customers, prefix, tenantId, queryTokens, after) {
    const expression = matchExpression(tenantId, queryTokens);
    if (expression === null) return null;
    const fts = ftsTable(prefix);
    const docs = docsTable(prefix);
    const table = `${prefix}customers`;
    // FTS5 hands out hits in rowid order and takes the ORDER BY and the rowid bound itself,
    // so SQLite walks the hits from the newest, joins each to its customer (the caller's
    // tenant, scope and filters apply there) and stops once the page is full.
    const q = customers
      .select<RankedCustomerRow[]>(`${table}.*`, customers.client.raw('??.rowid as search_rank', [fts]))
      .join(docs, `${docs}.customer_id`, `${table}.id`)
      .join(fts, `${fts}.rowid`, `${docs}.doc_id`)
      .whereRaw('+??.?? = ?', [docs, 'tenant_id', tenantId])
      .whereRaw('?? match ?', [fts, expression])
      .orderBy(`${fts}.rowid`, 'desc');
    if (typeof after === 'number') q.where(`${fts}.rowid`, '<', after);
    else if (after !== undefined) q.where(`${fts}.rowid`, '<', customers.client.queryBuilder().select('doc_id').from(docs).where({ tenant_id: tenantId, customer_id: after }));
    return q;
  },
};
