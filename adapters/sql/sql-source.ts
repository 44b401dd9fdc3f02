/**
 * Reading the ERP's own database: a small knex pool on its PostgreSQL or MySQL/MariaDB,
 * queries built from the mapping with every name quoted (the names were validated as
 * plain identifiers already; quoting is the second wall) and every value bound. Each
 * mapped column is read as text (`CAST(… AS TEXT|CHAR)`), so a timestamp keeps its full
 * precision in the cursor and values look the same on both dialects.
 *
 * @module
 */
import knexFactory, { type Knex } from 'knex';
import { ErpRunError, type AdapterRuntime } from '../../core/plugin/index.js';
import type { EntityMapping } from './sql-config.js';

/** A row as read: the id and change value as text, then each selected column by its name. */
export type SourceRow = Record<string, string | null>;

/** Column aliases the adapter adds; mapped columns keep their own names. */
export const ID = '__peyvand_id';
export const CHANGE = '__peyvand_change';

/** A connection to the source database. */
export class SqlSource {
  readonly dialect: 'postgres' | 'mysql';

  private constructor(private readonly knex: Knex, dialect: 'postgres' | 'mysql') {
    this.dialect = dialect;
  }

  /** Opens a pool on the database of `url`, once its host passed the address guard. */
  static async open(url: string, runtime: AdapterRuntime): Promise<SqlSource> {
    let parsed: URL;
    try {
      parsed = new URL(url.replace(/^(mariadb|postgresql):/, (_, s: string) => (s === 'mariadb' ? 'mysql:' : 'postgres:')));
    } catch {
      throw new ErpRunError('ERP_CONFIG_INVALID', 'databaseUrl is not a URL');
    }
    const dialect = parsed.protocol === 'postgres:' ? 'postgres' : 'mysql';
    const port = parsed.port ? Number(parsed.port) : dialect === 'postgres' ? 5432 : 3306;
    await runtime.checkHost(parsed.hostname.replace(/^\[|\]$/g, ''), port);
    const connection = {
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    };
    const knex = dialect === 'postgres'
      ? knexFactory({ client: 'pg', connection: { ...connection, connectionTimeoutMillis: 10_000 }, pool: { min: 0, max: 2 } })
      : knexFactory({ client: 'mysql2', connection: { ...connection, charset: 'utf8mb4', connectTimeout: 10_000 }, pool: { min: 0, max: 2 } });
    return new SqlSource(knex, dialect);
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }

  /** A quoted name (`schema.table` → two quoted parts). */
  quote(name: string): string {
    const q = this.dialect === 'postgres' ? '"' : '`';
    return name.split('.').map((part) => `${q}${part.split(q).join(q + q)}${q}`).join('.');
  }

  /** A column read as text. */
  private text(column: string): string {
    return `CAST(${this.quote(column)} AS ${this.dialect === 'postgres' ? 'TEXT' : 'CHAR'})`;
  }

  /** The select list: id, change (if any), then every mapped and extra column under its own name. */
  private selectList(m: EntityMapping, columns: readonly string[]): string {
    const list = [`${this.text(m.id)} AS ${this.quote(ID)}`];
    if (m.change) list.push(`${this.text(m.change)} AS ${this.quote(CHANGE)}`);
    for (const c of new Set(columns)) list.push(`${this.text(c)} AS ${this.quote(c)}`);
    return list.join(', ');
  }

  /** Rows changed after `(change, id)` (null: from the first), in change then id order. */
  async changedAfter(m: EntityMapping, columns: readonly string[], after: { change: string; id: string } | null, limit: number): Promise<SourceRow[]> {
    const c = this.quote(m.change!);
    const i = this.quote(m.id);
    const where = after ? `${c} > ? OR (${c} = ? AND ${i} > ?)` : `${c} IS NOT NULL`;
    const bindings = after ? [after.change, after.change, after.id, limit] : [limit];
    return this.select(`SELECT ${this.selectList(m, columns)} FROM ${this.quote(m.table)} WHERE ${where} ORDER BY ${c}, ${i} LIMIT ?`, bindings);
  }

  /** Every row after `afterId` in id order (full reads and full-compare mode). */
  async byId(m: EntityMapping, columns: readonly string[], afterId: string | null, limit: number): Promise<SourceRow[]> {
    const i = this.quote(m.id);
    const where = afterId === null ? '' : `WHERE ${i} > ?`;
    return this.select(`SELECT ${this.selectList(m, columns)} FROM ${this.quote(m.table)} ${where} ORDER BY ${i} LIMIT ?`, afterId === null ? [limit] : [afterId, limit]);
  }

  /** The rows with these ids. */
  async withIds(m: EntityMapping, columns: readonly string[], ids: readonly string[]): Promise<SourceRow[]> {
    if (ids.length === 0) return [];
    return this.select(`SELECT ${this.selectList(m, columns)} FROM ${this.quote(m.table)} WHERE ${this.quote(m.id)} IN (${ids.map(() => '?').join(', ')}) ORDER BY ${this.quote(m.id)}`, ids);
  }

  /** The newest `(change, id)` now: where a full read leaves the cursor. */
  async newest(m: EntityMapping): Promise<{ change: string; id: string } | null> {
    const c = this.quote(m.change!);
    const [row] = await this.select(`SELECT ${this.text(m.change!)} AS ${this.quote(CHANGE)}, ${this.text(m.id)} AS ${this.quote(ID)} FROM ${this.quote(m.table)} WHERE ${c} IS NOT NULL ORDER BY ${c} DESC, ${this.quote(m.id)} DESC LIMIT 1`, []);
    return row ? { change: String(row[CHANGE]), id: String(row[ID]) } : null;
  }

  /** Lines of these orders, in order then line order. */
  async lines(table: string, columns: Record<string, string>, orderIds: readonly string[]): Promise<SourceRow[]> {
    if (orderIds.length === 0) return [];
    const orderBy = [columns.orderId!, ...(columns.lineId ? [columns.lineId] : [])].map((c) => this.quote(c)).join(', ');
    const list = [...new Set(Object.values(columns))].map((c) => `${this.text(c)} AS ${this.quote(c)}`).join(', ');
    return this.select(`SELECT ${list} FROM ${this.quote(table)} WHERE ${this.quote(columns.orderId!)} IN (${orderIds.map(() => '?').join(', ')}) ORDER BY ${orderBy}`, orderIds);
  }

  /** Checks that a table has these columns (reads no row). */
  async probe(table: string, columns: readonly string[]): Promise<void> {
    await this.select(`SELECT ${[...new Set(columns)].map((c) => this.quote(c)).join(', ')} FROM ${this.quote(table)} WHERE 1 = 0`, []);
  }

  private async select(sql: string, bindings: readonly unknown[]): Promise<SourceRow[]> {
    try {
      const result: unknown = await this.knex.raw(sql, bindings as Knex.RawBinding[]);
      // pg: {rows}; mysql2: [rows, fields].
      const rows = this.dialect === 'postgres' ? (result as { rows: SourceRow[] }).rows : (result as [SourceRow[]])[0];
      return rows;
    } catch (err) {
      throw runErrorOf(err);
    }
  }
}

/** A database error as a run error with a code an integrator can act on. */
export function runErrorOf(err: unknown): ErpRunError {
  const e = err as { code?: string; errno?: number; message?: string };
  const message = String(e.message ?? err).replace(/^SELECT .* - /s, '');
  const code = String(e.code ?? '');
  if (['42P01', '42703', '3F000', 'ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_BAD_TABLE_ERROR'].includes(code)) {
    return new ErpRunError('ERP_MAPPING_INVALID', `the mapping names a table or column the database does not have: ${message}`);
  }
  if (['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', '42501', 'ER_TABLEACCESS_DENIED_ERROR'].includes(code)) {
    return new ErpRunError('ERP_AUTH_FAILED', `the database refused the credentials or the access: ${message}`);
  }
  if (['3D000', 'ER_BAD_DB_ERROR'].includes(code)) return new ErpRunError('ERP_NOT_FOUND', `the database does not exist: ${message}`);
  if (['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', '57P01', '57P03', 'PROTOCOL_CONNECTION_LOST'].includes(code) || /timeout/i.test(message)) {
    return new ErpRunError('ERP_UNREACHABLE', `the database cannot be reached: ${message}`, true);
  }
  return new ErpRunError('ERP_QUERY_FAILED', `the database refused the query: ${message}`);
}
