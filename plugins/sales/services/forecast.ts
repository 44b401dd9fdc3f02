/**
 * The forecast: open deals by expected close date, cut into months or quarters of the
 * Gregorian or Persian calendar in the tenant's time zone, weighted by their stage's
 * win probability. One grouped query sums the deals per close day and stage from the
 * close-date index alone (no deal is loaded); the days then fall into periods whose
 * boundaries are local dates, the form expected close dates are stored in.
 */
import { addMonths, applyRecordScope, localDateOf, localDayStart, periodLabel, periodsBetween, readInt, type Actor, type BigIntColumn, type CalendarKind, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { forecastQuery, forecastSchema } from '../schemas/report-schemas.js';
import { salesError } from '../errors.js';
import type { PipelineService } from './pipelines.js';
import type { SettingsService } from './settings.js';
import type { SalesStore } from './store.js';

/**
 * Query of the forecast report. `calendar` defaults to the tenant's (persian for a fa
 * tenant); `from`/`to` are local days, default the period holding today and the next 11
 * months (or 3 quarters); only deals in `currency` are summed (default the pipeline's).
 */
export type ForecastQuery = SchemaType<typeof forecastQuery>;

/** A forecast: the response of GET /reports/forecast. */
export type Forecast = SchemaType<typeof forecastSchema>;

/** One period of the forecast; `weighted` is the sum of amount × stage probability, minor units. */
export type ForecastPeriod = Forecast['periods'][number];

/** At most ten years of months. */
const MAX_PERIODS = 120;

/** Computes forecasts. */
export class ForecastService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly pipelines: PipelineService,
    private readonly settings: SettingsService,
  ) {}

  async forecast(actor: Actor, query: ForecastQuery, language: 'fa' | 'en'): Promise<Forecast> {
    const tenant = await this.ctx.tenants.findById(actor.tenantId);
    const timeZone = tenant?.timeZone ?? 'UTC';
    const calendar = query.calendar ?? (tenant?.locale === 'fa' ? 'persian' : 'gregorian');
    const currency = await this.currencyOf(actor.tenantId, query);
    const frame = forecastFrame({ ...query, calendar }, timeZone);

    const deals = this.store.table('deals');
    const q = this.store.rows(undefined, 'deals', actor.tenantId)
      .where(`${deals}.status`, 'open')
      .where(`${deals}.currency`, currency)
      .where(`${deals}.expected_close_date`, '>=', frame.firstDay)
      .where(`${deals}.expected_close_date`, '<', frame.endDay);
    if (query.pipelineId) q.where(`${deals}.pipeline_id`, query.pipelineId);
    if (query.ownerId) q.where(`${deals}.owner_id`, query.ownerId);
    if (query.teamId) q.where(`${deals}.team_id`, query.teamId);
    applyRecordScope(q, actor, 'deal', { owner: `${deals}.owner_id`, team: `${deals}.team_id` });
    // Sums per close day and stage, read in the close-date index's own order (grouping by
    // pipeline too keeps that order: no sort) and from that index alone: at most
    // days × stages rows, however many deals. Days fall into periods and the stage's
    // probability weights its sum here, on those few rows.
    // groupBy before select: knex's types would take the grouped columns for the result.
    const rows = await q
      .groupBy(`${deals}.expected_close_date`, `${deals}.pipeline_id`, `${deals}.stage_id`)
      .select<ForecastRow[]>(`${deals}.expected_close_date as day`, `${deals}.stage_id as stage`, this.ctx.data.raw(`COUNT(*) as n, SUM(${deals}.amount) as total`));
    const periods = sumByPeriod(frame, rows, await this.pipelines.probabilities(actor.tenantId), language);
    return { currency, timeZone, calendar, period: query.period, periods };
  }

  /** The currency a money report sums. */
  async currencyOf(tenantId: string, query: { pipelineId?: string; currency?: string }): Promise<string> {
    if (query.currency) return query.currency;
    if (query.pipelineId) return (await this.pipelines.get(tenantId, query.pipelineId)).currency;
    return (await this.settings.get(tenantId)).acceptedCurrencies[0] ?? 'IRR';
  }
}

/** The periods a forecast covers, and their boundaries as local days of the tenant. */
export interface ForecastFrame {
  calendar: CalendarKind;
  periods: ReturnType<typeof periodsBetween>;
  /** Local day each period starts on; close dates compare with these as text. */
  bounds: string[];
  /** First local day counted, and the first one past the last period. */
  firstDay: string;
  endDay: string;
}

/** Deals summed per close day and stage, as the forecast query groups them. */
export interface ForecastRow {
  day: string;
  stage: string;
  n: BigIntColumn;
  total: BigIntColumn;
}

/** Periods of a forecast without `to`: a year, each month or quarter once. */
const DEFAULT_PERIODS = { month: 12, quarter: 4 } as const;

/**
 * The periods of a forecast query in a time zone: those holding `from` (default today)
 * to `to`, at most {@link MAX_PERIODS}; a 422 otherwise. Without `to`, a year of whole
 * periods — twelve months or four quarters — so no month shows twice.
 */
export function forecastFrame(query: Pick<ForecastQuery, 'from' | 'to' | 'period'> & { calendar: CalendarKind }, timeZone: string, today = new Date()): ForecastFrame {
  const from = query.from ?? localDateOf(today, timeZone);
  const count = DEFAULT_PERIODS[query.period];
  const to = query.to ?? addMonths(from, 12 + 3);
  if (to <= from) throw salesError('REPORT_RANGE_INVALID', { from, to }, [{ path: '/querystring/to', message: 'must be after from', key: 'sales:validation.rangeOrder' }]);
  const all = periodsBetween(localDayStart(from, timeZone), localDayStart(to, timeZone), { calendar: query.calendar, period: query.period, timeZone });
  const periods = query.to ? all : all.slice(0, count);
  if (periods.length > MAX_PERIODS) throw salesError('REPORT_RANGE_INVALID', { from, to }, [{ path: '/querystring/to', message: `at most ${MAX_PERIODS} periods`, key: 'sales:validation.rangeTooLong', params: { max: MAX_PERIODS } }]);
  // Period boundaries are local midnights, so their local dates compare exactly with close dates.
  const bounds = periods.map((p) => localDateOf(p.start, timeZone));
  return { calendar: query.calendar, periods, bounds, firstDay: bounds[0]!, endDay: localDateOf(periods[periods.length - 1]!.end, timeZone) };
}

/** Sums the grouped rows into the frame's periods, weighting each stage's sum by its win probability (percent). */
export function sumByPeriod(frame: ForecastFrame, rows: readonly ForecastRow[], probability: ReadonlyMap<string, number>, language: 'fa' | 'en'): ForecastPeriod[] {
  const sums = frame.periods.map(() => ({ count: 0, total: 0, weighted100: 0 }));
  for (const r of rows) {
    const sum = sums[periodIndex(frame.bounds, r.day)];
    if (!sum) continue;
    sum.count += readInt(r.n);
    sum.total += readInt(r.total);
    sum.weighted100 += readInt(r.total) * (probability.get(r.stage) ?? 0);
  }
  return frame.periods.map((p, i) => ({
    key: p.key,
    label: periodLabel(p.key, frame.calendar, language),
    start: p.start.toISOString(),
    end: p.end.toISOString(),
    weighted: Math.round(sums[i]!.weighted100 / 100),
    total: sums[i]!.total,
    count: sums[i]!.count,
  }));
}

/** The period a local day belongs to: the last boundary not after it (binary search). */
function periodIndex(bounds: readonly string[], day: string): number {
  let lo = 0;
  let hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= day) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
