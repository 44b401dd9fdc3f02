/**
 * The sql adapter: customers, orders and invoices read straight from an ERP's
 * PostgreSQL or MySQL/MariaDB tables through a declarative mapping (`sql-config.ts`), for
 * ERPs with no API. Read-only: nothing is written to the ERP's database.
 *
 * Per entity one of two modes:
 * - change column: pages in `(change, id)` order with the cursor `[change, id]` (JSON of
 *   the values as text), so any number of rows sharing one timestamp are neither skipped
 *   nor read twice across pages; deletions are found by a full run (schedule
 *   `fullEveryHours`), which reads every row by id and compares ids;
 * - full compare (no change column): every run reads every row by id; a row whose values
 *   equal the ones last applied writes nothing (the sync state keeps them per record), and
 *   ids no longer there are deletions.
 *
 * @module
 */
import { ErpRunError, type AdapterRuntime, type ChangePage, type ErpAdapter, type ErpConnector, type ErpEntity, type ErpRecord } from '../../core/plugin/index.js';
import { sqlConfigOf, sqlConfigSchema, type EntityMapping, type SqlConfig } from './sql-config.js';
import { customerOfRow, invoiceOfRow, isoOfText, orderOfRow, rawOf } from './sql-records.js';
import { CHANGE, ID, SqlSource, type SourceRow } from './sql-source.js';

/** Options of the erp-sql plugin. */
export interface SqlAdapterOptions {
  /** Rows per query (default 500). */
  pageSize: number;
}

/** Creates the adapter. */
export function sqlAdapter(options: SqlAdapterOptions): ErpAdapter {
  return {
    name: 'sql',
    configSchema: sqlConfigSchema,
    secretFields: ['databaseUrl'],
    pulls: true,
    async connect(raw: Record<string, unknown>, runtime: AdapterRuntime): Promise<ErpConnector> {
      const config = sqlConfigOf(raw);
      const source = await SqlSource.open(config.databaseUrl, runtime);
      const order: ErpEntity[] = ['customers', 'orders', 'invoices'];
      return {
        entities: order.filter((e) => config.entities[e] !== undefined),
        readsAll: (entity) => config.entities[entity] !== undefined && config.entities[entity].change === undefined,
        async test() {
          for (const entity of order) {
            const m = config.entities[entity];
            if (m) await source.probe(m.table, [m.id, ...(m.change ? [m.change] : []), ...columnsOf(m)]);
          }
          if (config.orderLines) await source.probe(config.orderLines.table, Object.values(config.orderLines.columns));
        },
        readChanges: (entity, cursor) => readEntity(source, config, entity, cursor, options.pageSize),
        async readById(entity, externalId) {
          const m = config.entities[entity];
          if (!m) return undefined;
          const [row] = await source.withIds(m, columnsOf(m), [externalId]);
          if (!row) return undefined;
          const [record] = await mapRows(source, config, entity, m, [row]);
          return record && typeof record.data !== 'string' ? (record as ErpRecord<unknown>) : undefined;
        },
        close: () => source.close(),
      };
    },
  };
}

/** The columns a mapping reads besides the id and change columns. */
function columnsOf(m: EntityMapping): string[] {
  return [...Object.values(m.columns), ...m.extra];
}

function parseCursor(cursor: string | null): { change: string; id: string } | null {
  if (!cursor) return null;
  try {
    const [change, id] = JSON.parse(cursor) as [unknown, unknown];
    if (typeof change === 'string' && typeof id === 'string') return { change, id };
  } catch {
    // A cursor this adapter did not write: read from the beginning.
  }
  return null;
}

/** Reads one entity from the cursor (change mode) or whole (a full run, or full-compare mode). */
async function* readEntity(source: SqlSource, config: SqlConfig, entity: ErpEntity, cursor: string | null, pageSize: number): AsyncGenerator<ChangePage<unknown>> {
  const m = config.entities[entity];
  if (!m) return;
  const columns = columnsOf(m);
  if (m.change && cursor !== null) {
    let after = parseCursor(cursor);
    for (;;) {
      const rows = await source.changedAfter(m, columns, after, pageSize);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = { change: String(last[CHANGE]), id: String(last[ID]) };
      yield await pageOf(source, config, entity, m, rows, JSON.stringify([after.change, after.id]));
      if (rows.length < pageSize) return;
    }
  }
  // Where a full read of a change-mode entity leaves the cursor: the newest row before it starts
  // (rows changed while it reads are read again by the next incremental run).
  const newest = m.change ? await source.newest(m) : null;
  let afterId: string | null = null;
  for (;;) {
    const rows = await source.byId(m, columns, afterId, pageSize);
    const end = rows.length < pageSize;
    const cursorAfter = end && newest ? JSON.stringify([newest.change, newest.id]) : null;
    if (rows.length === 0) {
      if (cursorAfter) yield { records: [], cursor: cursorAfter };
      return;
    }
    afterId = String(rows[rows.length - 1]![ID]);
    yield await pageOf(source, config, entity, m, rows, cursorAfter);
    if (end) return;
  }
}

async function pageOf(source: SqlSource, config: SqlConfig, entity: ErpEntity, m: EntityMapping, rows: SourceRow[], cursor: string | null): Promise<ChangePage<unknown>> {
  const page: ChangePage<unknown> = { records: [], rejected: [], cursor };
  for (const r of await mapRows(source, config, entity, m, rows)) {
    if (typeof r.data === 'string') page.rejected!.push({ externalId: r.externalId, message: r.data, raw: r.raw });
    else page.records.push(r);
  }
  return page;
}

/** Maps rows (with their order lines); `data` is the reason where a row cannot be a record. */
async function mapRows(source: SqlSource, config: SqlConfig, entity: ErpEntity, m: EntityMapping, rows: SourceRow[]): Promise<Array<ErpRecord<unknown>>> {
  const linesByOrder = new Map<string, SourceRow[]>();
  if (entity === 'orders' && config.orderLines) {
    const { table, columns } = config.orderLines;
    const lines = await source.lines(table, columns, rows.map((r) => String(r[ID])));
    for (const l of lines) {
      const key = String(l[columns.orderId!]);
      linesByOrder.set(key, [...(linesByOrder.get(key) ?? []), l]);
    }
  }
  return rows.map((row) => {
    const externalId = row[ID];
    if (externalId === null || externalId === undefined) throw new ErpRunError('ERP_MAPPING_INVALID', `the id column ${m.id} of ${m.table} holds NULL`);
    const data = entity === 'customers' ? customerOfRow(row, m) : entity === 'orders' ? orderOfRow(row, m, config, linesByOrder.get(externalId) ?? []) : invoiceOfRow(row, m, config);
    const lines = linesByOrder.get(externalId);
    const raw = { ...rawOf(row), ...(lines && { lines: lines.map(rawOf) }) };
    const modifiedAt = m.change ? isoOfText(row[CHANGE]) : undefined;
    return { externalId, ...(modifiedAt && { modifiedAt }), data, raw };
  });
}
