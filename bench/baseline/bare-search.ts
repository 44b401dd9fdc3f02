/**
 * The search baseline's SQL: the query Peyvand runs for `q=`, written by hand (bound
 * parameters, no query builder). Tokens come from Peyvand's own normalization, because
 * the index holds normalized terms; only the framework around the query is left out.
 * SQLite walks the FTS5 hits newest first and stops at the page (as `ranked` does);
 * PostgreSQL filters by the tsvector index and orders by id (as `matching` does).
 */
import { queryTokensOf } from '../../core/customers/identities.js';
import { hex, queryShape, tenantKey } from '../../core/customers/search-index/terms.js';

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
  const operand = (token: string) => `'${`${tenant}:${token}`.replaceAll('\\', '\\\\').replaceAll("'", "''")}':*`;
  let query = `(${shape.all.map(operand).join(' & ')})`;
  if (shape.joined !== null) query += ` | ${operand(shape.joined)}`;
  const sql = `select * from crm_customers where tenant_id = $1 and id in (select customer_id from crm_customer_search where tenant_id = $1 and terms @@ $2::tsquery) order by id desc limit 51`;
  return { sql, params: [tenantId, query] };
}
