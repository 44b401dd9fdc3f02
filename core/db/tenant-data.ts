/**
 * The tenant-scoped query builder behind `ctx.data` (contract: `core/plugin/data.ts`).
 * It hands out ordinary knex query builders with the tenant bound in: the scope is
 * structure, not discipline. How each kind of statement is kept inside the tenant:
 *
 * - reads, updates, deletes: `tenant_id = ?` is the first condition; when the caller
 *   adds an `orWhere`, its conditions are wrapped in parentheses before the SQL is built,
 *   so `a OR b` can never widen the query past the tenant;
 * - inserts: every row gets `tenant_id` (a row naming another tenant is refused);
 * - updates: changing `tenant_id` is refused;
 * - joins: each joined table is joined on the same tenant (`AND t.tenant_id = ?`), so a
 *   LEFT JOIN brings a foreign row as NULL, exactly like a missing one; raw and cross
 *   joins, which cannot be scoped, are refused.
 */
import type { Knex } from 'knex';
import type { PluginData, TenantData } from '../plugin/data.js';
import type { Database } from './database.js';
import type { Dialect } from '../plugin/sql.js';

/** A data-layer use that would leave the tenant scope. */
export class TenantScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantScopeError';
  }
}

// knex's builder internals this module relies on (stable across knex 2 and 3).
interface WhereStatement {
  grouping: string;
  type?: string;
  bool?: string;
  column?: unknown;
  value?: unknown;
  not?: boolean;
}
interface BuilderInternals {
  _statements: WhereStatement[];
}
interface JoinInternals {
  table: unknown;
  andOnVal(column: string, operator: string, value: string): unknown;
}

const JOINS = ['join', 'innerJoin', 'leftJoin', 'leftOuterJoin', 'rightJoin', 'rightOuterJoin', 'fullOuterJoin'] as const;

/** The alias a joined table is referred to by (`crm_x as c` → `c`). */
function aliasOf(table: unknown): string {
  if (typeof table !== 'string') throw new TenantScopeError('a scoped query joins tables by name only');
  const match = /^\s*(\S+)(?:\s+as\s+(\S+))?\s*$/i.exec(table);
  if (!match) throw new TenantScopeError(`cannot scope a join on "${table}"`);
  return match[2] ?? match[1]!;
}

function stamp(row: unknown, tenantId: string): Record<string, unknown> {
  const values = row as Record<string, unknown>;
  if (values.tenant_id !== undefined && values.tenant_id !== tenantId) throw new TenantScopeError('an insert names another tenant');
  return { ...values, tenant_id: tenantId };
}

/** Binds `query` (whose first condition is the tenant's) to `tenantId`. */
function bind(query: Knex.QueryBuilder, tenantId: string, isTenantCondition: (s: WhereStatement) => boolean, dialect: Dialect): Knex.QueryBuilder {
  const q = query as Knex.QueryBuilder & Record<string, unknown>;
  const insert = query.insert.bind(query);
  q.insert = ((rows: unknown, ...rest: unknown[]) => {
    // An insert's tenant is in its rows. Elsewhere the condition stays and restricts an
    // upsert's DO UPDATE to the tenant's row; MySQL's ON DUPLICATE KEY UPDATE takes no
    // WHERE (knex refuses it), so there the conflicting row is the one the unique key names.
    if (dialect === 'mysql') {
      const internals = query as unknown as BuilderInternals;
      internals._statements = internals._statements.filter((s) => !(s.grouping === 'where' && isTenantCondition(s)));
    }
    return (insert as (...a: unknown[]) => unknown)(Array.isArray(rows) ? rows.map((r) => stamp(r, tenantId)) : stamp(rows, tenantId), ...rest);
  }) as Knex.QueryBuilder['insert'];
  const update = query.update.bind(query);
  q.update = ((values: unknown, ...rest: unknown[]) => {
    if (values && typeof values === 'object' && 'tenant_id' in values) throw new TenantScopeError('an update cannot move rows to another tenant');
    return (update as (...a: unknown[]) => unknown)(values, ...rest);
  }) as Knex.QueryBuilder['update'];
  for (const method of JOINS) {
    const join = (query[method] as (...a: unknown[]) => Knex.QueryBuilder).bind(query);
    q[method] = (...args: unknown[]) => {
      join(...args);
      const statements = (query as unknown as BuilderInternals)._statements;
      const clause = statements[statements.length - 1] as unknown as JoinInternals;
      clause.andOnVal(`${aliasOf(clause.table)}.tenant_id`, '=', tenantId);
      return query;
    };
  }
  for (const method of ['joinRaw', 'crossJoin'] as const) {
    q[method] = () => {
      throw new TenantScopeError(`${method} cannot be tenant-scoped; use join with a table name`);
    };
  }
  const toSQL = query.toSQL.bind(query);
  q.toSQL = ((...args: unknown[]) => {
    wrapCallerConditions(query as unknown as BuilderInternals, isTenantCondition);
    return (toSQL as (...a: unknown[]) => Knex.Sql)(...args);
  }) as Knex.QueryBuilder['toSQL'];
  const clone = query.clone.bind(query);
  q.clone = () => bind(clone(), tenantId, isTenantCondition, dialect);
  return query;
}

/** Puts the caller's conditions in parentheses when one of them is an OR. */
function wrapCallerConditions(builder: BuilderInternals, isTenantCondition: (s: WhereStatement) => boolean): void {
  const callers = builder._statements.filter((s) => s.grouping === 'where' && !isTenantCondition(s));
  if (!callers.some((s) => s.bool === 'or')) return;
  builder._statements = builder._statements.filter((s) => !callers.includes(s));
  builder._statements.push({
    grouping: 'where',
    type: 'whereWrapped',
    bool: 'and',
    not: false,
    value(this: BuilderInternals) {
      this._statements.push(...callers);
    },
  });
}

/** `ctx.data` of one deployment. */
export class TenantDataLayer implements PluginData {
  constructor(private readonly db: Database) {}

  get dialect() {
    return this.db.dialect;
  }

  forTenant(tenantId: string, trx?: Knex.Transaction): TenantData {
    if (typeof tenantId !== 'string' || tenantId === '') throw new TenantScopeError('a query needs a tenant');
    const executor = trx ?? this.db.knex;
    const prefix = this.db.prefix;
    const dialect = this.db.dialect;
    const from = (table: string, alias?: string): Knex.QueryBuilder => {
      const name = alias ?? prefix + table;
      const query = executor(alias ? `${prefix}${table} as ${alias}` : prefix + table).where(`${name}.tenant_id`, tenantId);
      const column = `${name}.tenant_id`;
      return bind(query, tenantId, (s) => s.type === 'whereBasic' && s.column === column && s.value === tenantId && s.bool !== 'or', dialect);
    };
    // One builder for both: the row types of `from` are the compiler's only.
    return { tenantId, from, fromUntyped: from };
  }

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  table(name: string): string {
    return this.db.table(name);
  }

  raw(sql: string, bindings: readonly Knex.RawBinding[] = []): Knex.Raw {
    return this.db.knex.raw(sql, bindings as Knex.RawBinding[]);
  }

  forUpdate<Q extends Knex.QueryBuilder>(query: Q): Q {
    return this.db.dialect === 'sqlite' ? query : (query.forUpdate() as Q);
  }
}
