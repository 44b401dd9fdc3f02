/**
 * Sales reports, each one grouped SQL query over indexed columns, within the actor's
 * record scope: weighted pipeline by stage (or owner, or team), win rate with the average
 * sales cycle, and the lead-to-customer funnel. The forecast is in `forecast.ts`.
 */
import type { Knex } from 'knex';
import { localDayStart, readInt, type Actor, type BigIntColumn, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { funnelSchema, pipelineReportSchema, winRateSchema } from '../schemas/report-schemas.js';
import type { ForecastService } from './forecast.js';
import type { PipelineService } from './pipelines.js';
import type { SalesStore } from './store.js';

/** A group key as selected (`k`): an owner or team id, a stage id, or `'all'`. */
type GroupKey = string | null;

/** A (key, stage) group of open deals, as the pipeline report's query returns it. */
interface PipelineGroup {
  k: GroupKey;
  s: string;
  n: BigIntColumn;
  total: BigIntColumn;
}

/** A (key, status) group of closed deals, as the win-rate query returns it. */
interface WinRateGroup {
  k: GroupKey;
  status: string;
  n: BigIntColumn;
  /** Sum of close minus create instants, ms. */
  cycle: BigIntColumn | null;
}

/** A group of leads, as the funnel query returns it. */
interface FunnelGroup {
  k: GroupKey;
  created: BigIntColumn;
  contacted: BigIntColumn;
  qualified: BigIntColumn;
  converted: BigIntColumn;
  disqualified: BigIntColumn;
  won: BigIntColumn | null;
}

/** How a report splits its rows. */
export type ReportGrouping = 'none' | 'owner' | 'team';

/** The pipeline report; a row's `key` is a stage, owner or team id (`null`: no owner / no team). */
export type PipelineReport = SchemaType<typeof pipelineReportSchema>;
/** A row of the pipeline report. */
export type PipelineRow = PipelineReport['items'][number];

/**
 * The win-rate report: `winRate` is won / (won + lost), null when nothing closed;
 * `averageCycleDays` the mean days from creation to winning, null when nothing was won.
 */
export type WinRateReport = SchemaType<typeof winRateSchema>;
/** A row of the win-rate report. */
export type WinRateRow = WinRateReport['items'][number];

/**
 * The funnel: how many leads created in the range reached each step; `won` counts
 * converted leads whose deal was won, `conversionRate` is converted / created (null
 * without leads).
 */
export type FunnelReport = SchemaType<typeof funnelSchema>;
/** A row of the funnel. */
export type FunnelRow = FunnelReport['items'][number];

const DAY_MS = 86_400_000;
const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

/** Computes the reports. */
export class ReportService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly pipelines: PipelineService,
    private readonly forecasts: ForecastService,
  ) {}

  /** Open deals' value and weighted value (amount × stage probability) by stage, owner or team. */
  async pipeline(actor: Actor, query: { pipelineId?: string; currency?: string; groupBy: 'stage' | 'owner' | 'team' }): Promise<PipelineReport> {
    const currency = await this.forecasts.currencyOf(actor.tenantId, query);
    const deals = this.store.table('deals');
    const key = query.groupBy === 'stage' ? `${deals}.stage_id` : `${deals}.${query.groupBy}_id`;
    const q = this.store.scoped(undefined, 'deals', actor).where(`${deals}.status`, 'open').where(`${deals}.currency`, currency);
    if (query.pipelineId) q.where(`${deals}.pipeline_id`, query.pipelineId);
    // Sums per (key, stage), weighted here by the stage's probability: no join, few rows.
    // By stage, grouped in the order of the pipeline-and-stage index (no sort).
    const groups = query.groupBy === 'stage' ? [`${deals}.pipeline_id`, `${deals}.stage_id`] : [key, `${deals}.stage_id`];
    // groupBy before select: knex's types would take the grouped columns for the result.
    const rows = await q.groupBy(groups).select<PipelineGroup[]>(this.ctx.data.raw(`${key} as k, ${deals}.stage_id as s, COUNT(*) as n, SUM(${deals}.amount) as total`));
    const probability = await this.pipelines.probabilities(actor.tenantId);
    const byKey = new Map<string | null, PipelineRow>();
    for (const r of rows) {
      const k = r.k;
      const row = byKey.get(k) ?? { key: k, count: 0, total: 0, weighted: 0 };
      row.count += readInt(r.n);
      row.total += readInt(r.total);
      row.weighted += (readInt(r.total) * (probability.get(r.s) ?? 0)) / 100;
      byKey.set(k, row);
    }
    const items = [...byKey.values()].map((i) => ({ ...i, weighted: Math.round(i.weighted) }));
    if (query.groupBy !== 'stage') return { currency, items: items.sort((a, b) => b.weighted - a.weighted) };
    // By stage: every stage in pipeline order, empty ones included, so a chart has all columns.
    const stageRows = query.pipelineId ? (await this.pipelines.get(actor.tenantId, query.pipelineId)).stages : await this.allStages(actor.tenantId);
    const byStage = new Map(items.map((i) => [i.key, i]));
    return { currency, items: stageRows.map((s) => ({ ...(byStage.get(s.id) ?? { count: 0, total: 0, weighted: 0 }), key: s.id, name: s.name, probability: s.probability })) };
  }

  /** Deals closed in `[from, to)` (local days): won, lost, win rate, average days to win. */
  async winRate(actor: Actor, query: { from?: string; to?: string; pipelineId?: string; groupBy: ReportGrouping }): Promise<WinRateReport> {
    const deals = this.store.table('deals');
    const q = this.store.scoped(undefined, 'deals', actor).whereIn(`${deals}.status`, ['won', 'lost']);
    await this.range(q, actor.tenantId, `${deals}.closed_at`, query);
    if (query.pipelineId) q.where(`${deals}.pipeline_id`, query.pipelineId);
    const key = grouping(deals, query.groupBy);
    // Grouped by status as well: no owner or team index can then save the sort, so every
    // dialect reads the covering close-time index, and won and lost are summed here.
    const groups = q.groupBy(query.groupBy === 'none' ? [`${deals}.status`] : [key, `${deals}.status`]).select<WinRateGroup[]>(this.ctx.data.raw(`${key} as k, ${deals}.status as status, COUNT(*) as n, SUM(${deals}.closed_at - ${deals}.created_at) as cycle`));
    const byKey = new Map<string | null, { won: number; lost: number; cycle: number }>();
    for (const r of await groups) {
      const k = r.k;
      const row = byKey.get(k) ?? { won: 0, lost: 0, cycle: 0 };
      if (r.status === 'won') {
        row.won += readInt(r.n);
        row.cycle += Number(r.cycle);
      } else row.lost += readInt(r.n);
      byKey.set(k, row);
    }
    return {
      items: [...byKey].map(([k, r]) => ({
        key: k,
        won: r.won,
        lost: r.lost,
        winRate: ratio(r.won, r.won + r.lost),
        averageCycleDays: r.won > 0 ? Math.round((r.cycle / r.won / DAY_MS) * 10) / 10 : null,
      })),
    };
  }

  /** Leads created in `[from, to)` and how far they got, through to a won deal. */
  async funnel(actor: Actor, query: { from?: string; to?: string; groupBy: ReportGrouping }): Promise<FunnelReport> {
    const leads = this.store.table('leads');
    const deals = this.store.table('deals');
    const q = this.store.scoped(undefined, 'leads', actor).leftJoin(deals, (j) => j.on(`${deals}.id`, '=', `${leads}.deal_id`).andOn(`${deals}.tenant_id`, '=', `${leads}.tenant_id`));
    await this.range(q, actor.tenantId, `${leads}.created_at`, query);
    const key = grouping(leads, query.groupBy);
    const groups = q.select<FunnelGroup[]>(this.ctx.data.raw(`${key} as k, COUNT(*) as created, COUNT(${leads}.contacted_at) as contacted, COUNT(${leads}.qualified_at) as qualified, COUNT(${leads}.converted_at) as converted, COUNT(${leads}.disqualified_at) as disqualified, SUM(CASE WHEN ${deals}.status = 'won' THEN 1 ELSE 0 END) as won`));
    if (query.groupBy !== 'none') groups.groupBy(key);
    const rows = await groups;
    return {
      items: rows.filter((r) => readInt(r.created) > 0).map((r) => {
        const n = (c: Exclude<keyof FunnelGroup, 'k'>) => readInt(r[c] ?? 0);
        return { key: r.k, created: n('created'), contacted: n('contacted'), qualified: n('qualified'), converted: n('converted'), disqualified: n('disqualified'), won: n('won'), conversionRate: ratio(n('converted'), n('created')) };
      }),
    };
  }

  /** Limits an instant column to `[from, to)` given as local days of the tenant. */
  private async range(q: Knex.QueryBuilder, tenantId: string, column: string, query: { from?: string; to?: string }): Promise<void> {
    if (!query.from && !query.to) return;
    const timeZone = (await this.ctx.tenants.findById(tenantId))?.timeZone ?? 'UTC';
    if (query.from) q.where(column, '>=', localDayStart(query.from, timeZone).getTime());
    if (query.to) q.where(column, '<', localDayStart(query.to, timeZone).getTime());
  }

  private async allStages(tenantId: string): Promise<Array<{ id: string; name: string; probability: number }>> {
    const rows = await this.store.rows(undefined, 'stages', tenantId).orderBy([{ column: 'pipeline_id' }, { column: 'position' }]);
    return rows.map((s) => ({ id: s.id, name: s.name, probability: s.probability }));
  }
}

/** The grouping column, or a constant for one overall row. */
function grouping(table: string, groupBy: ReportGrouping): string {
  return groupBy === 'none' ? `'all'` : `${table}.${groupBy}_id`;
}
