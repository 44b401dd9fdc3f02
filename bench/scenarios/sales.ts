/**
 * sales: the sales plugin over 100,000 deals (`--deals`), one request at a time (latency,
 * not throughput): `GET /api/v1/sales/deals?limit=50` on page 1 and on the page reached
 * by following `nextCursor` to page 1,000, and `GET /api/v1/sales/reports/forecast` over
 * 24 Persian months — each against a bare fastify route running the same SQL by hand on
 * the same database (`baseline/bare-sales.ts`). Both answer the same JSON; the scenario
 * checks that before measuring. On SQLite, and on PostgreSQL when it is reachable (a
 * database of its own, dropped afterwards).
 */
import fs from 'node:fs';
import path from 'node:path';
import { compare, fmt, measure } from '../http.js';
import { withPostgresDatabase } from '../postgres.js';
import { startWorker, type Message, type Worker } from '../proc.js';
import type { Context, ResultRow, Scenario } from '../scenario.js';
import { FORECAST_QUERY, type SalesDatasetMeta } from '../sales-dataset.js';

const LIST_TARGET_MS = 20;
const FORECAST_TARGET_MS = 250;

type Page = { items: Array<{ id: string; customerName: string | null }>; nextCursor: string | null };

async function getJson<T>(url: string, token?: string): Promise<T> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

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
      { name: `GET /deals?limit=50, page 1`, peyvand: first, bare: '/deals?limit=50', target: LIST_TARGET_MS },
      { name: `GET /deals?limit=50, page ${fmt(deepPage)}`, peyvand: deep, bare: bareDeep, target: LIST_TARGET_MS },
      { name: 'GET /reports/forecast, 24 Persian months', peyvand: `/api/v1/sales/reports/forecast?${FORECAST_QUERY}`, bare: `/forecast?${FORECAST_QUERY}`, target: FORECAST_TARGET_MS },
    ];
    // The baseline must do the same work: same deals (and customer names) on each page, same forecast figures.
    for (const t of targets) {
      const [a, b] = [await getJson<Record<string, unknown>>(`${url}${t.peyvand}`, meta.token), await getJson<Record<string, unknown>>(`${bareUrl}${t.bare}`)];
      const pick = (x: Record<string, unknown>) => JSON.stringify(x.items ? (x.items as Page['items']).map((d) => [d.id, d.customerName]) : x.periods);
      if (pick(a) !== pick(b)) throw new Error(`${t.name}: the baseline answers differently`);
    }

    const rows: ResultRow[] = [];
    const warmup = Math.max(10, Math.floor(config.salesRequests / 5));
    for (const t of targets) {
      ctx.log(`${label}: ${t.name}, ${config.salesRequests} requests × ${config.rounds} rounds`);
      const run = (target: string, token: string | undefined, p: string) => async () => {
        await measure(config, { url: target, ...(token && { token }), connections: 1, amount: warmup, paths: [p] });
        return measure(config, { url: target, ...(token && { token }), connections: 1, amount: config.salesRequests, paths: [p] });
      };
      const { a: base, b: pv } = await compare(config, run(bareUrl, undefined, t.bare), run(url, meta.token, t.peyvand));
      rows.push({
        scenario: `sales (${label}, ${fmt(config.deals)} deals): ${t.name}`,
        peyvand: pv.p95,
        baseline: base.p95,
        unit: 'ms p95',
        ratio: pv.p95 / base.p95,
        ratioLabel: 'Peyvand / bare',
        target: `p95 ≤ ${t.target} ms`,
        pass: pv.p95 <= t.target,
        details: `p50 ${fmt(pv.p50, 1)} vs ${fmt(base.p50, 1)} ms`,
      });
    }
    return rows;
  } finally {
    for (const w of stops.reverse()) await w.stop();
  }
}

export const salesScenario: Scenario = {
  name: 'sales',
  async run(ctx): Promise<ResultRow[]> {
    const file = path.join(ctx.config.dataDir, `sales-${ctx.config.deals}.sqlite`);
    const remove = () => {
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    };
    remove();
    try {
      const rows = await salesRows(ctx, 'SQLite', `sqlite:${file}`);
      if (ctx.config.postgresUrl) rows.push(...(await withPostgresDatabase(ctx, ctx.config.postgresUrl, { scenario: 'sales (PostgreSQL)', unit: 'ms p95', target: '—' }, (url) => salesRows(ctx, 'PostgreSQL', url))));
      return rows;
    } finally {
      if (!ctx.config.keepData) remove();
    }
  },
};
