/**
 * MySQL/MariaDB: a token table `(tenant_id, token, customer_id)` whose primary key starts
 * with `(tenant_id, token)`. A prefix search is `tenant_id = ? and token like 'abc%'`,
 * which InnoDB answers as a range scan of that key: only the tenant's tokens starting
 * with `abc` are read. (InnoDB's own FULLTEXT has a minimum token size and stop words,
 * and cannot put the tenant in front of the token.)
 *
 * `tenant_id` and `token` use `utf8mb4_bin`: tokens are compared byte for byte (the caller
 * normalized them; a `_ci` collation would fold more than the other dialects do), and a
 * tenant id is never equal to a differently-cased one. `customer_id` is a plain
 * `char(36)` in the table's default collation, as knex creates the customers table's id,
 * so `id in (subquery)` compares like with like (no "illegal mix of collations").
 *
 * LIKE patterns escape `%`, `_` and the escape character itself. The escape character
 * is `!`, named in the SQL, rather than the default `\`: a backslash's meaning in a
 * string depends on the server's NO_BACKSLASH_ESCAPES mode; with `!` a `\` in a token is
 * an ordinary character either way.
 */
import { insertMany } from '../../db/database.js';
import type { SearchIndex } from './search-index-types.js';
import { indexTerms, queryShape } from './terms.js';

const table = (prefix: string): string => `${prefix}customer_search`;

/** A LIKE pattern matching strings that start with `token`, for `escape '!'`. */
function likePrefix(token: string): string {
  return `${token.replace(/[!%_]/g, '!$&')}%`;
}

const LIKE = "?? like ? escape '!'";

/** The MySQL/MariaDB (token table) search index. */
export const mysqlSearchIndex: SearchIndex = {
  async up(knex, prefix) {
    await knex.schema.createTable(table(prefix), (t) => {
      t.string('tenant_id', 36).collate('utf8mb4_bin').notNullable();
      t.string('token', 191).collate('utf8mb4_bin').notNullable();
      t.string('customer_id', 36).notNullable();
      t.primary(['tenant_id', 'token', 'customer_id']);
      // For put/remove, which find a customer's rows without knowing its tokens.
      t.index(['tenant_id', 'customer_id'], `${table(prefix)}_customer`);
      t.engine('InnoDB');
    });
  },

  async down(knex, prefix) {
    await knex.schema.dropTableIfExists(table(prefix));
  },

  put(db, prefix, entry) {
    return mysqlSearchIndex.putMany(db, prefix, [entry]);
  },

  async putMany(db, prefix, entries, options = {}) {
    const rows: Array<{ tenant_id: string; token: string; customer_id: string }> = [];
    for (const entry of entries) {
      if (!options.isNew) await mysqlSearchIndex.remove(db, prefix, entry.tenantId, entry.customerId);
      // utf8mb4_bin is a PAD SPACE collation on MariaDB: "a" and "a " are one key. Tokens
      // have no spaces, but a defensive dedupe keeps a stray one from failing the put.
      const unique = new Map(indexTerms(entry.fields).map((t) => [t.trimEnd(), t] as const));
      for (const token of unique.values()) rows.push({ tenant_id: entry.tenantId, token, customer_id: entry.customerId });
    }
    await insertMany(db, table(prefix), rows);
  },

  async remove(db, prefix, tenantId, customerId) {
    // A plain read first, then deletes by exact primary key: a DELETE with this WHERE is
    // a locking scan that can walk other customers' uncommitted rows of the tenant and
    // wait on them, which made concurrent creations queue behind each other.
    const tokens = await db(table(prefix)).where({ tenant_id: tenantId, customer_id: customerId }).pluck('token');
    for (let i = 0; i < tokens.length; i += 500) {
      await db(table(prefix)).where({ tenant_id: tenantId, customer_id: customerId }).whereIn('token', tokens.slice(i, i + 500)).delete();
    }
  },

  matching(db, prefix, tenantId, queryTokens) {
    const shape = queryShape(queryTokens);
    if (!shape) return null;
    const patterns = shape.all.map(likePrefix);
    const joined = shape.joined === null ? null : likePrefix(shape.joined);
    // One range scan per pattern over (tenant_id, token), grouped by customer; HAVING
    // then asks that every token matched (or the joined alternative did).
    const query = db
      .select('customer_id')
      .from(table(prefix))
      .where('tenant_id', tenantId)
      .where((w) => {
        for (const p of joined === null ? patterns : [...patterns, joined]) w.orWhereRaw(LIKE, ['token', p]);
      })
      .groupBy('customer_id');
    if (patterns.length === 1 && joined === null) return query;
    const every = patterns.map(() => `max(${LIKE}) = 1`).join(' and ');
    const bindings = patterns.flatMap((p) => ['token', p]);
    if (joined === null) return query.havingRaw(every, bindings);
    return query.havingRaw(`(${every}) or max(${LIKE}) = 1`, [...bindings, 'token', joined]);
  },
};
