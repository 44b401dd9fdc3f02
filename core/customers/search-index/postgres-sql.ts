/**
 * The SQL of a PostgreSQL customer search, as text with `?` placeholders: built here once
 * so that Peyvand's index (`postgres.ts`) and the bench's bare baseline run the same
 * statement.
 *
 * The terms table holds one row per (tenant, customer, term). Beside the per-customer
 * index, B-trees key each term by its first letters — 1, 2, 3 and (for terms of 6+
 * letters) 6 — in customer order: `(tenant_id, left(term, n), customer_id)`. Every query
 * token is then an equality on the longest head it covers, whose entries are already in
 * customer order: walking them from the newest customer down and stopping at the page
 * reads ~50 entries, however many customers share the prefix. (A GIN index, or a range
 * over the terms, has to hand over every match of a common prefix — a tenth of a million
 * customers for «عل» — before the newest fifty can be picked; that cost 80 ms at the p95
 * of a million customers.) Letters past the head are checked on each walked entry; the
 * 6-letter head keeps that walk short for long, selective tokens (phone numbers share
 * their first 3 digits with a fifth of all customers).
 *
 * A query of several tokens walks each token and the glued alternative («می دانم» →
 * «میدانم»), merges the walks in customer order and groups them per customer (see
 * {@link search}). The 1- and 2-letter heads (migration 017) exist for the short tokens
 * people type after a full word («sara.j», «سپیده فر»): before them such a token was
 * checked on every customer the other walks met, one index probe each — 937 probes, 75 ms
 * for «سپیده فر» at a million customers — where walking its head reads a few thousand
 * adjacent index entries.
 *
 * The statement must run after {@link PLANNER_SETTINGS} (same transaction), or the
 * planner sorts instead of walking.
 */
import { queryShape } from './terms.js';

/** Head lengths with an index of their own, longest first; the last is 1, so every token has one. */
export const HEADS = [6, 3, 2, 1] as const;

/** SQL text with `?` placeholders and their values, in order. */
export interface SqlText {
  sql: string;
  bindings: string[];
}

/** The terms table of a table prefix. */
export const termsTable = (prefix: string): string => `${prefix}customer_search_terms`;

/**
 * Walk `k`: `(customer_id, k, hit)` of the rows of `token`'s head, newest customer first;
 * `hit` says whether the term starts with the whole token (letters past the head). That
 * test is projected, not filtered: filtered, it made the planner guess a handful of rows
 * (it multiplies the head's selectivity by a guess for the test) and sort them all
 * instead of walking in order.
 */
function walkSelect(table: string, tenantId: string, token: string, k: number): SqlText {
  const chars = Array.from(token);
  const head = HEADS.find((h) => chars.length >= h)!;
  const hit = chars.length > head ? { sql: 'starts_with(t.term, ?)', bindings: [token] } : { sql: 'true', bindings: [] };
  const where = `t.tenant_id = ? and left(t.term, ${head}) = ?${head === 6 ? ' and char_length(t.term) >= 6' : ''}`;
  return {
    sql: `(select t.customer_id, ${k} as k, ${hit.sql} as hit from ${table} t where ${where} order by t.customer_id desc)`,
    bindings: [...hit.bindings, tenantId, chars.slice(0, head).join('')],
  };
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
 * tokens and of the glued alternative, merged in customer order and grouped per customer,
 * which matches when every token's walk met it or the glued one did. Everything streams,
 * so a reader that stops at the page stops the walks too.
 */
function search(prefix: string, tenantId: string, queryTokens: string[], order: { beforeId?: string } | null): SqlText | null {
  const shape = queryShape(queryTokens);
  if (!shape) return null;
  const table = termsTable(prefix);
  const m = shape.all.length;
  const walks = [...shape.all, ...(shape.joined === null ? [] : [shape.joined])].map((token, k) => walkSelect(table, tenantId, token, k));
  const beforeId = order?.beforeId;
  const after = beforeId === undefined ? { sql: '', bindings: [] } : { sql: ' where u.customer_id < ?', bindings: [beforeId] };
  // Ordered at the grouping's own level: only there does PostgreSQL group in the walks'
  // (descending) order instead of sorting them ascending first.
  const orderBy = order ? ' order by u.customer_id desc' : '';
  const having = shape.joined === null ? ' having bool_or(u.hit)' : ` having ${everyWalk(m)} or bool_or(u.hit and u.k = ${m})`;
  return {
    sql: `select u.customer_id from (${walks.map((w) => w.sql).join(' union all ')}) u${after.sql} group by u.customer_id${having}${orderBy}`,
    bindings: [...walks.flatMap((w) => w.bindings), ...after.bindings],
  };
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
 * parallel workers the walks stream and stop at the page. No JIT: a plan's cost
 * is meaningless with sorting disabled, and compiling costs more than such a query runs.
 */
export const PLANNER_SETTINGS = 'set local enable_sort = off; set local enable_hashagg = off; set local max_parallel_workers_per_gather = 0; set local jit = off';
