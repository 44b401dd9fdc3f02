/**
 * support: a queue view and the support plugin's yearly reports over `--tickets` tickets (1,000,000 at full
 * size, the issue's figure; each with two SLA targets), one request at a time (latency):
 * a queue view (`GET /api/v1/support/tickets?queueId=…&status=open&limit=50`, the newest
 * open tickets of a queue with their SLA clocks), and
 * `GET /api/v1/support/reports/response-times` and `/reports/sla` over the twelve Persian
 * months of 1404 (from the per-day report summary, which the loader fills with migration
 * 006's backfill) — each against a bare fastify route running the same SQL by hand on the
 * same database (`baseline/bare-support.ts`). Both answer the same figures; the scenario
 * checks that before measuring. On SQLite, and on PostgreSQL when it is reachable.
 */
import { fmt } from '../http.js';
import fs from 'node:fs';
import { getJson, latencyRows, onSqliteAndPostgres, type KeptDataset } from '../latency.js';
import { startWorker, type Message, type Worker } from '../proc.js';
import type { Context, ResultRow, Scenario } from '../scenario.js';
import { SUPPORT_REPORT_QUERY, type SupportDatasetMeta } from '../support-dataset.js';

const REPORT_TARGET_MS = 1_000;
/** A queue view is what an agent opens all day: a list's target (docs/performance.md). */
const QUEUE_TARGET_MS = 20;

type Periods = { periods: Array<Record<string, unknown>> };
type Items = { items: Array<{ id: unknown }> };

/** Measures the two reports on one database; `label` names it in the table. */
async function supportRows(ctx: Context, label: string, databaseUrl: string, keep?: KeptDataset): Promise<ResultRow[]> {
  const { config } = ctx;
  const stops: Worker[] = [];
  try {
    // A kept dataset of an earlier `--keep-data` run is opened as it is (`--reuse`).
    const kept = keep?.reuse ? (JSON.parse(fs.readFileSync(keep.kept, 'utf8')) as SupportDatasetMeta) : undefined;
    const server = startWorker('server', { kind: 'peyvand', databaseUrl, support: { tickets: config.tickets, seed: config.seed, ...(kept && { kept: { ...kept, databaseUrl } }) } });
    stops.push(server);
    const t0 = Date.now();
    const { meta } = await server.next<Message & { meta: SupportDatasetMeta }>('loaded');
    const { url } = await server.next<Message & { url: string }>('ready');
    if (keep && !kept) fs.writeFileSync(keep.kept, JSON.stringify(meta));
    ctx.log(kept ? `${label}: ${fmt(kept.tickets)} tickets of an earlier run reopened` : `${label}: ${fmt(config.tickets)} tickets loaded in ${fmt((Date.now() - t0) / 1000, 1)} s`);
    const bare = startWorker('server', { kind: 'bare-support', databaseUrl, tenantId: meta.tenantId });
    stops.push(bare);
    const { url: bareUrl } = await bare.next<Message & { url: string }>('ready');

    const queue = `queueId=${meta.queueId}&status=open`;
    // The yearly reports read the per-day summary (a few thousand rows a year) and the
    // targets not decided yet; at the sizes 30 requests in one round each side, so
    // a run fits in the 15 minutes a bench may hold the shared lock.
    const report = config.tickets > 100_000 ? { requests: 30, rounds: 1, warmup: 3 } : {};
    const targets = [
      { name: 'GET /tickets?queueId&status=open&limit=50 (a queue view)', peyvand: `/api/v1/support/tickets?${queue}&limit=50`, bare: `/queue?${queue}`, targetMs: QUEUE_TARGET_MS, same: (b: unknown) => (b as Items).items.map((i) => i.id) },
      { name: 'GET /reports/response-times, 12 Persian months', peyvand: `/api/v1/support/reports/response-times?${SUPPORT_REPORT_QUERY}`, bare: `/response-times?${SUPPORT_REPORT_QUERY}`, targetMs: REPORT_TARGET_MS, ...report, same: (b: unknown) => (b as Periods).periods.map((p) => [p.key, p.firstResponse, p.resolution]) },
      { name: 'GET /reports/sla, 12 Persian months', peyvand: `/api/v1/support/reports/sla?${SUPPORT_REPORT_QUERY}`, bare: `/sla?${SUPPORT_REPORT_QUERY}`, targetMs: REPORT_TARGET_MS, ...report, same: (b: unknown) => (b as Periods).periods.map((p) => [p.key, p.met, p.breached, p.open]) },
    ];
    // The baseline must do the same work: the same tickets, the same figures in every period.
    for (const t of targets) {
      const [a, b] = [await getJson<unknown>(`${url}${t.peyvand}`, meta.token), await getJson<unknown>(`${bareUrl}${t.bare}`)];
      if (JSON.stringify(t.same(a)) !== JSON.stringify(t.same(b))) throw new Error(`${t.name}: the baseline answers differently`);
    }

    return await latencyRows(ctx, { label: `support (${label}, ${fmt(config.tickets)} tickets)`, url, token: meta.token, bareUrl, targets, warmup: Math.max(5, Math.floor(config.salesRequests / 5)) });
  } finally {
    for (const w of stops.reverse()) await w.stop();
  }
}

export const supportScenario: Scenario = onSqliteAndPostgres('support', (ctx) => ctx.config.tickets, supportRows, true);
