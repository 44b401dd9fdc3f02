/**
 * PostgreSQL: one row per customer with a `tsvector` of its terms under a GIN index, and
 * prefix queries (`'term':*`), which GIN answers by walking only the matching keys.
 *
 * Why not `to_tsvector('simple', …)`: the text-search parser would re-tokenize, split at
 * punctuation and depend on the server's `lc_ctype` to know that Persian letters are
 * letters. The tokens arrive normalized, so they go in verbatim as lexemes
 * (`array_to_tsvector`) and come back verbatim in the query (a quoted `tsquery` lexeme,
 * with `'` and `\` escaped, passed as a bound parameter). `pg_trgm` would also work but is
 * an extension a host database may not allow; tsvector/GIN is built in.
 *
 * Each lexeme is `<tenantKey>:<token>`, so a prefix lookup only walks the tenant's own
 * keys in the GIN index: a short prefix in a small tenant is not slowed down by the
 * matches of a big tenant, and the index itself cannot return another tenant's rows.
 */
import { chunked } from '../../db/database.js';
import type { SearchIndex } from './search-index-types.js';
import { indexTerms, queryShape, tenantKey } from './terms.js';

const table = (prefix: string): string => `${prefix}customer_search`;

/** A lexeme as a tsquery prefix operand: quoted, with quotes doubled and backslashes escaped. */
function prefixOperand(lexeme: string): string {
  return `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}':*`;
}

/** The PostgreSQL (tsvector + GIN) search index. */
export const postgresSearchIndex: SearchIndex = {
  async up(knex, prefix) {
    await knex.schema.createTable(table(prefix), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36).notNullable();
      t.specificType('terms', 'tsvector').notNullable();
      t.primary(['tenant_id', 'customer_id']);
    });
    await knex.raw('create index ?? on ?? using gin (terms)', [`${table(prefix)}_terms_gin`, table(prefix)]);
  },

  async down(knex, prefix) {
    await knex.schema.dropTableIfExists(table(prefix));
  },

  put(db, prefix, entry) {
    return postgresSearchIndex.putMany(db, prefix, [entry]);
  },

  async putMany(db, prefix, entries, options = {}) {
    const rows = [];
    for (const entry of entries) {
      const terms = indexTerms(entry.fields);
      if (terms.length > 0) {
        const tenant = tenantKey(entry.tenantId);
        // The pg driver sends a JS array as one text[] parameter.
        rows.push({ tenant_id: entry.tenantId, customer_id: entry.customerId, terms: db.raw('array_to_tsvector(?::text[])', [terms.map((t) => `${tenant}:${t}`)]) });
      } else if (!options.isNew) {
        await postgresSearchIndex.remove(db, prefix, entry.tenantId, entry.customerId);
      }
    }
    // About 3 bound values a row; 500 rows stay far below the driver's limit.
    for (const chunk of chunked(rows)) await db(table(prefix)).insert(chunk).onConflict(['tenant_id', 'customer_id']).merge(['terms']);
  },

  async remove(db, prefix, tenantId, customerId) {
    await db(table(prefix)).where({ tenant_id: tenantId, customer_id: customerId }).delete();
  },

  matching(db, prefix, tenantId, queryTokens) {
    const shape = queryShape(queryTokens);
    if (!shape) return null;
    const tenant = tenantKey(tenantId);
    const operand = (token: string): string => prefixOperand(`${tenant}:${token}`);
    let query = `(${shape.all.map(operand).join(' & ')})`;
    if (shape.joined !== null) query += ` | ${operand(shape.joined)}`;
    // The tenant_id test is redundant with the tenant-keyed lexemes; it stays as a second lock.
    return db.select('customer_id').from(table(prefix)).where('tenant_id', tenantId).whereRaw('?? @@ ?::tsquery', ['terms', query]);
  },
};
