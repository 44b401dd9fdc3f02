/**
 * sales: the sales plugin over 100,000 deals (`--deals`), one request at a time (latency,
 * not throughput): `GET /api/v1/sales/deals?limit=50` on page 1 and on the page reached
 * by following `nextCursor` to page 1,000, and `GET /api/v1/sales/reports/forecast` over
 * 24 Persian months — each against a bare fastify route running the same SQL by hand on
 * the same database (`baseline/bare-sales.ts`). Both answer the same JSON; the scenario
 * checks that before measuring. On SQLite, and on PostgreSQL when it is reachable (a
 * database of its own, dropped afterwards).
 */
import { fmt } from '../http.js';
import { getJson, latencyRows, onSqliteAndPostgres } from '../latency.js';
import { startWorker, type Message, type Worker } from '../proc.js';
import type { Context, ResultRow, Scenario } from '../scenario.js';
import { FORECAST_QUERY, type SalesDatasetMeta } from '../sales-dataset.js';

const LIST_TARGET_MS = 20;
const FORECAST_TARGET_MS = 250;

type Page = { items: Array<{ id: string; customerName: string | null }>; nextCursor: string | null };

/** Measures the three requests on one database; `label` names it in the table. */
async function salesRows(ctx: Context, label: string, databaseUrl: string): Promise<ResultRow[]> {
  const { config } = ctx;
  const stops: Worker[] = [];
  try {
    const server = startWorker('server', { kind: 'peyvand', databaseUrl, sales: { deals: config.deals, seed: config.seed } });
    stops.push(server);
    const t0 = Date.now();
    const { meta } = await server.next<Message & { meta: SalesDatasetMeta }>('loaded');
    const { url } = await server.next<Message & { url: string }>('ready');
    ctx.log(`${label}: ${fmt(config.deals)} deals loaded in ${fmt((Date.now() - t0) / 1000, 1)} s`);
    const bare = startWorker('server', { kind: 'bare-sales', databaseUrl, tenantId: meta.tenantId });
    stops.push(bare);
    const { url: bareUrl } = await bare.next<Message & { url: string }>('ready');

    // The deep page, reached as a client would: following the cursors the API hands out.
    const deepPage = Math.min(1_000, Math.floor(config.deals / 50) - 1);
    const first = '/api/v1/sales/deals?limit=50';
    let deep = first;
    let bareDeep = '/deals?limit=50';
    for (let page = 1; page < deepPage; page++) {
      const body = await getJson<Page>(`${url}${deep}`, meta.token);
      if (!body.nextCursor || body.items.length !== 50) throw new Error(`page ${page} of the deals ended early`);
      deep = `${first}&cursor=${encodeURIComponent(body.nextCursor)}`;
      bareDeep = `/deals?limit=50&cursor=${body.items[49]!.id}`;
    }
    const targets = [
      { name: `GET /deals?limit=50, page 1`, peyvand: first, bare: '/deals?limit=50', targetMs: LIST_TARGET_MS },
      { name: `GET /deals?limit=50, page ${fmt(deepPage)}`, peyvand: deep, bare: bareDeep, targetMs: LIST_TARGET_MS },
      { name: 'GET /reports/forecast, 24 Persian months', peyvand: `/api/v1/sales/reports/forecast?${FORECAST_QUERY}`, bare: `/forecast?${FORECAST_QUERY}`, targetMs: FORECAST_TARGET_MS },
    ];
    // The baseline must do the same work: same deals (and customer names) on each page, same forecast figures.
    for (const t of targets) {
      const [a, b] = [await getJson<Record<string, unknown>>(`${url}${t.peyvand}`, meta.token), await getJson<Record<string, unknown>>(`${bareUrl}${t.bare}`)];
      const pick = (x: Record<string, unknown>) => JSON.stringify(x.items ? (x.items as Page['items']).map((d) => [d.id, d.customerName]) : x.periods);
      if (pick(a) !== pick(b)) throw new Error(`${t.name}: the baseline answers differently`);
    }

    return await latencyRows(ctx, { label: `sales (${label}, ${fmt(config.deals)} deals)`, url, token: meta.token, bareUrl, targets, warmup: Math.max(10, Math.floor(config.salesRequests / 5)) });
  } finally {
    for (const w of stops.reverse()) await w.stop();
  }
}

export const salesScenario: Scenario = onSqliteAndPostgres('sales', (ctx) => ctx.config.deals, salesRows);
