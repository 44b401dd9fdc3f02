/**
 * The search baseline's SQL: the query Peyvand runs for `q=`, written by hand (bound
 * parameters, no query builder). Tokens come from Peyvand's own normalization, because
 * the index holds normalized terms; only the framework around the query is left out.
 * SQLite walks the FTS5 hits newest first and stops at the page (as `ranked` does);
 * PostgreSQL walks the terms' head B-trees newest first and stops at the page (as `page` does).
 */
import { queryTokensOf } from '../../core/customers/identities.js';
import { hex, queryShape, tenantKey } from '../../core/customers/search-index/terms.js';
import { orderedHitsSql } from '../../core/customers/search-index/postgres-sql.js';

/** The first page (51 rows: 50 and one to know there is more) of customers matching q, or null. */
export function searchSql(dialect: 'sqlite' | 'postgres', tenantId: string, q: string): { sql: string; params: unknown[] } | null {
  const shape = queryShape(queryTokensOf(q ?? ''));
  if (!shape) return null;
  const tenant = tenantKey(tenantId);
  if (dialect === 'sqlite') {
    const prefix = (token: string) => `"${tenant}z${hex(token)}"*`;
    let expression = `(${shape.all.map(prefix).join(' AND ')})`;
    if (shape.joined !== null) expression += ` OR ${prefix(shape.joined)}`;
    const sql = `select c.* from crm_customers c join crm_customer_search_docs d on d.customer_id = c.id join crm_customer_search s on s.rowid = d.doc_id
      where c.tenant_id = ? and +d.tenant_id = ? and crm_customer_search match ? order by s.rowid desc limit 51`;
    return { sql, params: [tenantId, tenantId, expression] };
  }
  // PostgreSQL: the SQL Peyvand's index builds (postgres-sql.ts), as text, walked from the
  // newest match and looked up in the customers table; the caller runs it after
  // PLANNER_SETTINGS in one transaction, as Peyvand does.
  const hits = orderedHitsSql('crm_', tenantId, queryTokensOf(q ?? ''))!;
  const lookup = 'select * from crm_customers where crm_customers.tenant_id = ? and crm_customers.id = h.customer_id limit 1';
  let n = 0;
  const sql = `select c.* from (${hits.sql}) as h cross join lateral (${lookup}) as c order by h.customer_id desc limit 51`.replace(/\?/g, () => `$${++n}`);
  return { sql, params: [...hits.bindings, tenantId] };
}
