/**
 * The SQL of a PostgreSQL customer search, as text with `?` placeholders: built here once
 * so that Peyvand's index (`postgres.ts`) and the bench's bare baseline run the same
 * statement.
 *
 * The terms table holds one row per (tenant, customer, term). Beside the per-customer
 * index, two B-trees key each term by its first letters:
 * `(tenant_id, left(term, 3), customer_id)` and, for terms of 6+ letters,
 * `(tenant_id, left(term, 6), customer_id)`. A query token of 3+ letters is then an
 * equality on one of those heads, whose entries are already in customer order: walking
 * them from the newest customer down and stopping at the page reads ~50 entries, however
 * many customers share the prefix. (A GIN index, or a range over the terms, has to hand
 * over every match of a common prefix — a tenth of a million customers for «عل» — before
 * the newest fifty can be picked; that cost 80 ms at the p95 of a million customers.)
 * Letters past the head are checked on each walked entry; the 6-letter head keeps that
 * walk short for long, selective tokens (phone numbers share their first 3 digits with
 * a fifth of all customers).
 *
 * A query of several tokens walks each token of 3+ letters and the glued alternative
 * («می دانم» → «میدانم»), merges the walks in customer order and groups them per
 * customer (see {@link search}); tokens of 1–2 letters, which no head indexes, are checked
 * on the customers that pass. Only a query with no token of 3 letters walks a range of
 * heads, which is not in customer order: it reads and sorts every match, as GIN did.
 *
 * The statement must run after {@link PLANNER_SETTINGS} (same transaction), or the
 * planner sorts instead of walking.
 */
import { queryShape } from './terms.js';

/** Head lengths with an index of their own, longest first. */
export const HEADS = [6, 3] as const;

const letters = (token: string): number => Array.from(token).length;

/** SQL text with `?` placeholders and their values, in order. */
export interface SqlText {
  sql: string;
  bindings: string[];
}

/** The terms table of a table prefix. */
export const termsTable = (prefix: string): string => `${prefix}customer_search_terms`;

/**
 * The smallest string greater than every string starting with `token`, or null when its
 * last letter cannot be incremented (U+10FFFF).
 */
function successor(token: string): string | null {
  const chars = Array.from(token);
  const last = chars.pop()!.codePointAt(0)! + 1;
  if (last > 0x10ffff) return null;
  return chars.join('') + String.fromCodePoint(last === 0xd800 ? 0xe000 : last);
}

/**
 * The rows `t` of a walk for `token`, and whether each row's term starts with the whole
 * token (letters past the head). That test is projected, not filtered: filtered, it made
 * the planner guess a handful of rows (it multiplies the head's selectivity by a guess
 * for the test) and sort them all instead of walking in order.
 */
function walk(tenantId: string, token: string): { where: SqlText; hit: SqlText } {
  const length = letters(token);
  const head = HEADS.find((h) => length >= h);
  const hit = (test: boolean): SqlText => (test ? { sql: 'starts_with(t.term, ?)', bindings: [token] } : { sql: 'true', bindings: [] });
  if (head !== undefined) {
    const sql = `t.tenant_id = ? and left(t.term, ${head}) = ?${head === 6 ? ' and char_length(t.term) >= 6' : ''}`;
    return { where: { sql, bindings: [tenantId, Array.from(token).slice(0, head).join('')] }, hit: hit(length > head) };
  }
  const upper = successor(token);
  const range = upper === null ? 'left(t.term, 3) >= ?' : 'left(t.term, 3) >= ? and left(t.term, 3) < ?';
  return { where: { sql: `t.tenant_id = ? and ${range}`, bindings: [tenantId, token, ...(upper === null ? [] : [upper])] }, hit: hit(true) };
}

/** Walk `k`: `(customer_id, k, hit)` of the rows of `token`'s head, newest customer first. */
function walkSelect(table: string, tenantId: string, token: string, k: number): SqlText {
  const w = walk(tenantId, token);
  return { sql: `(select t.customer_id, ${k} as k, ${w.hit.sql} as hit from ${table} t where ${w.where.sql} order by t.customer_id desc)`, bindings: [...w.hit.bindings, ...w.where.bindings] };
}

/** Whether customer `g` has a term starting with `token` (its few rows, by the customer index). */
function probe(table: string, tenantId: string, token: string): SqlText {
  return { sql: `exists (select 1 from ${table} p where p.tenant_id = ? and p.customer_id = g.customer_id and starts_with(p.term, ?))`, bindings: [tenantId, token] };
}

/**
 * "Walks 0…n-1 all hit this customer", per group: a bit per walk while they fit a bigint
 * (a distinct count sorts within every group, which cost more than the walks).
 */
function everyWalk(n: number): string {
  if (n > 62) return `count(distinct u.k) filter (where u.hit and u.k < ${n}) = ${n}`;
  const all = (2n ** BigInt(n) - 1n).toString();
  return `bit_or(case when u.hit then 1::bigint << u.k else 0 end) & ${all} = ${all}`;
}

/**
 * The search as `select customer_id …` in customer order, newest first: the walks of the
 * tokens of 3+ letters and of the glued alternative, merged in customer order and grouped
 * per customer, which matches when every token's walk met it or the glued one did; the
 * shorter tokens (no head indexes them) are then checked on each customer that passed.
 * Everything streams, so a reader that stops at the page stops the walks too. When no
 * token has 3 letters, the longest is walked as a range of heads, which is sorted.
 */
function search(prefix: string, tenantId: string, queryTokens: string[], order: { beforeId?: string } | null): SqlText | null {
  const shape = queryShape(queryTokens);
  if (!shape) return null;
  const table = termsTable(prefix);
  let walked = shape.all.filter((t) => letters(t) >= 3);
  if (walked.length === 0) walked = [shape.all.reduce((best, t) => (letters(t) > letters(best) ? t : best))];
  const probed = shape.all.filter((t) => !walked.includes(t));
  const m = walked.length;
  const walks = [...walked, ...(shape.joined === null ? [] : [shape.joined])].map((token, k) => walkSelect(table, tenantId, token, k));
  const beforeId = order?.beforeId;
  const after = beforeId === undefined ? { sql: '', bindings: [] } : { sql: ' where u.customer_id < ?', bindings: [beforeId] };
  // Ordered at the grouping's own level: only there does PostgreSQL group in the walks'
  // (descending) order instead of sorting them ascending first.
  const orderBy = order ? ' order by u.customer_id desc' : '';
  const grouped = (having: string, extra: string): SqlText => ({
    sql: `select u.customer_id${extra} from (${walks.map((w) => w.sql).join(' union all ')}) u${after.sql} group by u.customer_id${having}${orderBy}`,
    bindings: [...walks.flatMap((w) => w.bindings), ...after.bindings],
  });
  if (shape.joined === null) return grouped(' having bool_or(u.hit)', '');
  const glued = `bool_or(u.hit and u.k = ${m})`;
  const g = grouped(` having ${everyWalk(m)} or ${glued}`, `, ${glued} as glued`);
  const probes = probed.map((t) => probe(table, tenantId, t));
  const where = probes.length === 0 ? '' : ` where g.glued or (${probes.map((q) => q.sql).join(' and ')})`;
  return { sql: `select g.customer_id from (${g.sql}) g${where}`, bindings: [...g.bindings, ...probes.flatMap((q) => q.bindings)] };
}

/**
 * The ids (`customer_id`) of the tenant's customers matching the query tokens (semantics
 * in `index.ts`); null when nothing is searchable.
 */
export function matchingSql(prefix: string, tenantId: string, queryTokens: string[]): SqlText | null {
  return search(prefix, tenantId, queryTokens, null);
}

/**
 * The matching ids, newest first (below `beforeId` when given), for a reader that stops
 * at the page. Null when nothing is searchable.
 */
export function orderedHitsSql(prefix: string, tenantId: string, queryTokens: string[], beforeId?: string): SqlText | null {
  const hits = search(prefix, tenantId, queryTokens, beforeId === undefined ? {} : { beforeId });
  return hits && { sql: `select s.customer_id from (${hits.sql}) s order by s.customer_id desc`, bindings: hits.bindings };
}

/**
 * Planner settings for the search statement, `SET LOCAL` in its own transaction. The
 * planner cannot count the customers the merged walks will group into (it assumes 200),
 * so it judges the whole result small and sorts it, which reads every match of a common
 * prefix — 2 s for «omid.s» at a million customers. Without sorts, hash aggregation and
 * parallel workers the walks stream and stop at the page; a search with no walk in
 * customer order (no token of 3+ letters) still sorts, as it must. No JIT: a plan's cost
 * is meaningless with sorting disabled, and compiling costs more than such a query runs.
 */
export const PLANNER_SETTINGS = 'set local enable_sort = off; set local enable_hashagg = off; set local max_parallel_workers_per_gather = 0; set local jit = off';
