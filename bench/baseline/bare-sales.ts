/**
 * The sales baseline: a bare fastify app (no logger, hooks, auth, record scope or schemas)
 * answering the deal list and the forecast with hand-written SQL on the same database —
 * the same queries Peyvand's sales plugin runs, and for the forecast the plugin's own pure
 * period arithmetic (as the search baseline uses Peyvand's normalization). What is left
 * out is the framework and the plugin around the query: credential, tenant, permission,
 * settings and time-zone lookups, record scope, validation and response schemas.
 */
import fastify, { type FastifyInstance } from 'fastify';
import Sqlite, { type Statement } from 'better-sqlite3';
import pg from 'pg';
import { dealViewFromRow } from '../../plugins/sales/services/records.js';
import type { DealViewRow } from '../../plugins/sales/services/rows.js';
import { forecastFrame, sumByPeriod, type ForecastRow } from '../../plugins/sales/services/forecast.js';

const DEALS = 'crm_sales_deals';
const STAGES = 'crm_sales_stages';
const CUSTOMERS = 'crm_customers';
const TIME_ZONE = 'Asia/Tehran';

/** Runs a statement with `?` placeholders, whichever the database. */
type Query = (sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>;

function sqliteQuery(file: string): { query: Query; close(): void } {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  const prepared = new Map<string, Statement>();
  return {
    query: async (sql, params) => (prepared.get(sql) ?? prepared.set(sql, db.prepare(sql)).get(sql)!).all(...params),
    close: () => db.close(),
  };
}

function postgresQuery(url: string): { query: Query; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return {
    query: async (sql, params) => {
      let n = 0;
      return (await pool.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
    },
    close: () => pool.end(),
  };
}

/** Hand-written SQL on `databaseUrl` (`sqlite:…` or `postgres://…`), whichever the database; the support baseline shares it. */
export function bareQuery(databaseUrl: string): { query: Query; close(): void | Promise<void> } {
  return databaseUrl.startsWith('postgres') ? postgresQuery(databaseUrl) : sqliteQuery(databaseUrl.replace(/^sqlite:/, ''));
}

/** The bare sales server over `databaseUrl` (`sqlite:…` or `postgres://…`), for one tenant. */
export async function bareSalesServer(databaseUrl: string, tenantId: string): Promise<FastifyInstance> {
  const app = fastify();
  const db = bareQuery(databaseUrl);
  app.addHook('onClose', async () => db.close());

  // The first page, or the page after `cursor` (the last id seen), newest first, each deal with its customer's name.
  app.get<{ Querystring: { limit?: string; cursor?: string } }>('/deals', async (request) => {
    const limit = Number(request.query.limit ?? 50);
    const after = request.query.cursor;
    const rows = await db.query(
      `select d.*, c.name as customer_name from ${DEALS} d left join ${CUSTOMERS} c on c.id = d.customer_id and c.tenant_id = d.tenant_id
       where d.tenant_id = ?${after ? ' and d.id < ?' : ''} order by d.id desc limit ?`,
      after ? [tenantId, after, limit + 1] : [tenantId, limit + 1],
    );
    const items = (rows as unknown as DealViewRow[]).slice(0, limit).map(dealViewFromRow);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
  });

  app.get<{ Querystring: { from: string; to: string; period: 'month' | 'quarter'; calendar: 'gregorian' | 'persian' } }>('/forecast', async (request) => {
    const frame = forecastFrame(request.query, TIME_ZONE);
    const rows = (await db.query(
      `select expected_close_date as day, stage_id as stage, count(*) as n, sum(amount) as total from ${DEALS}
       where tenant_id = ? and status = 'open' and currency = 'IRR' and expected_close_date >= ? and expected_close_date < ?
       group by expected_close_date, pipeline_id, stage_id`,
      [tenantId, frame.firstDay, frame.endDay],
    )) as unknown as ForecastRow[];
    const stages = await db.query(`select id, probability from ${STAGES} where tenant_id = ?`, [tenantId]);
    const probability = new Map(stages.map((s) => [String(s.id), Number(s.probability)]));
    return { currency: 'IRR', timeZone: TIME_ZONE, calendar: request.query.calendar, period: request.query.period, periods: sumByPeriod(frame, rows, probability, 'fa') };
  });
  return app;
}
