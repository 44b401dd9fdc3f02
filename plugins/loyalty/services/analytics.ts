/**
 * Customer analytics in SQL over the plugin's order projection: RFM quintiles and named
 * segments, the Pareto (80/20) report with its curve, and the win-back list. Revenue is
 * what customers paid less what they returned, in the program's currency.
 *
 * RFM scores: each of recency (last paid order), frequency (paid orders) and monetary
 * (revenue) is ranked over the tenant's paying customers with `rank()` — ties share a
 * rank — and the score is `floor((rank − 1) · 5 / n) + 1`, so 1 is the lowest fifth and
 * 5 the highest (5 = most recent, most frequent, most valuable).
 */
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor, readInt, type Actor, type BigIntColumn, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import { loyaltyError } from '../errors.js';
import { DAY_MS, localDayStart, yearOf } from './dates.js';
import type { ProgramService } from './program.js';
import { lapseAfterDays, MIN_LAPSE_DAYS, stageOf, usualIntervalDays, type StageService } from './stages.js';
import type { LoyaltyStore } from './store.js';
import type { AsOfQuery, ParetoQuery, WinBackQuery } from '../schemas/report-queries.js';
import { SEGMENTS, type customerRfmSchema, type paretoSchema, type rfmReportSchema, type winBackSchema } from '../schemas/report-schemas.js';

export { SEGMENTS };

/** An RFM segment key. */
export type Segment = (typeof SEGMENTS)[number];

/**
 * The usual RFM segment map on recency and frequency scores (monetary travels with
 * frequency): champions R5 F4–5, loyal R3–4 F4–5, potential loyalists R4–5 F2–3, new
 * R5 F1, promising R4 F1, need attention R3 F3, about to sleep R3 F1–2, at risk R1–2
 * F3–4, can't lose R1–2 F5, hibernating R1–2 F1–2 except lost R1 F1.
 */
export function segmentOf(r: number, f: number): Segment {
  if (r >= 5 && f >= 4) return 'champions';
  if (r >= 3 && f >= 4) return 'loyal';
  if (r >= 4 && f >= 2) return 'potential_loyalists';
  if (r === 5) return 'new';
  if (r === 4) return 'promising';
  if (r === 3) return f === 3 ? 'need_attention' : 'about_to_sleep';
  if (f === 5) return 'cant_lose';
  if (f >= 3) return 'at_risk';
  return r === 1 && f === 1 ? 'lost' : 'hibernating';
}

/** The segment distribution (GET /reports/rfm). */
export type RfmReport = SchemaType<typeof rfmReportSchema>;

/** One customer's scores; the response schema types `segment` as a string, narrowed here to the segment keys. */
export type CustomerRfm = Omit<SchemaType<typeof customerRfmSchema>, 'segment'> & { segment: Segment | null };

/** The Pareto report. */
export type ParetoReport = SchemaType<typeof paretoSchema>;

/** The win-back list. */
export type WinBackList = SchemaType<typeof winBackSchema>;

/** A win-back candidate. */
export type WinBackItem = WinBackList['items'][number];

/**
 * A row of the RFM ranking query. Sums, ranks and counts come back as numbers on SQLite and
 * as strings on PostgreSQL (bigint, numeric) and MariaDB (DECIMAL sums): read with `readInt`.
 */
interface RankedScoreRow {
  customer_id: string;
  revenue: BigIntColumn;
  r: BigIntColumn;
  f: BigIntColumn;
  m: BigIntColumn;
}

/** A point of the Pareto query: the k-th best customer, the revenue up to it, the customer count and the total. */
interface ParetoPointRow {
  k: BigIntColumn;
  cum: BigIntColumn;
  n: BigIntColumn;
  total: BigIntColumn;
}

/** A paid order of a quiet customer, for the win-back list (`value`: total less returned). */
interface WinBackOrderRow {
  customer_id: string;
  paid_at: BigIntColumn;
  value: BigIntColumn;
}

/** {@link RankedScoreRow} read into numbers. */
interface ScoreRow {
  customerId: string;
  revenue: number;
  r: number;
  f: number;
  m: number;
}

/** Runs the reports. */
export class AnalyticsService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
    private readonly programs: ProgramService,
    private readonly stages: StageService,
  ) {}

  /** Rows of a raw query, whatever the driver's result shape; `Row` is the query's select list. */
  private rowsOf<Row>(result: unknown): Row[] {
    const dialect = this.ctx.db.dialect;
    return (dialect === 'postgres' ? (result as { rows: unknown }).rows : dialect === 'mysql' ? (result as unknown[])[0] : result) as Row[];
  }

  /** Integer division in the dialect (MySQL's `/` is decimal). */
  private div(a: string, b: string): string {
    return this.ctx.db.dialect === 'mysql' ? `(${a}) div (${b})` : `(${a}) / (${b})`;
  }

  /** The currency revenue is counted in: the program's (all orders while there is none). */
  private async currency(tenantId: string): Promise<string | undefined> {
    return (await this.programs.find(tenantId))?.currency;
  }

  /**
   * Paid, not wholly returned orders of the tenant before `before` (in `currency`). Not
   * async on purpose: awaiting a query builder runs it.
   */
  private paidOrders(tenantId: string, currency: string | undefined, before: number, from?: number): Knex.QueryBuilder {
    const q = this.store.rows(this.ctx.db.knex, 'orders', tenantId).whereNotNull('customer_id').whereNotNull('paid_at').where('paid_at', '<', before).whereRaw('total > returned');
    if (from !== undefined) q.where('paid_at', '>=', from);
    if (currency) q.where('currency', currency);
    return q;
  }

  /** RFM scores of every paying customer as of an instant (optionally one customer only). */
  private async scores(tenantId: string, asOf: number, customerId?: string): Promise<ScoreRow[]> {
    const base = this.paidOrders(tenantId, await this.currency(tenantId), asOf).groupBy('customer_id').select('customer_id', this.ctx.db.knex.raw('max(paid_at) as last_paid'), this.ctx.db.knex.raw('count(*) as orders'), this.ctx.db.knex.raw('sum(total - returned) as revenue'));
    const inner = base.toSQL();
    const score = (rank: string) => `${this.div(`(${rank} - 1) * 5`, 'n')} + 1`;
    const sql = `select customer_id, revenue, ${score('r_rank')} as r, ${score('f_rank')} as f, ${score('m_rank')} as m from (
      select customer_id, revenue, rank() over (order by last_paid) as r_rank, rank() over (order by orders) as f_rank, rank() over (order by revenue) as m_rank, count(*) over () as n
      from (${inner.sql}) c) ranked${customerId ? ' where customer_id = ?' : ''}`;
    const result = await this.ctx.db.knex.raw(sql, customerId ? [...inner.bindings, customerId] : inner.bindings);
    const rows = this.rowsOf<RankedScoreRow>(result);
    return rows.map((row) => ({ customerId: row.customer_id, revenue: readInt(row.revenue), r: readInt(row.r), f: readInt(row.f), m: readInt(row.m) }));
  }

  /**
   * The end of the local day `asOf` (exclusive), by default of today: a report as of a day,
   * not of an instant, so the same question asked twice in a day gets the same answer.
   */
  private asOfInstant(asOf: string | undefined, timeZone: string): number {
    const day = asOf ?? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    return localDayStart(day, timeZone) + DAY_MS;
  }

  /** The segment distribution. */
  async rfm(actor: Actor, query: AsOfQuery, timeZone: string, lng: string): Promise<RfmReport> {
    const asOf = this.asOfInstant(query.asOf, timeZone);
    const rows = await this.scores(actor.tenantId, asOf);
    const by = new Map<Segment, { count: number; revenue: number }>(SEGMENTS.map((s) => [s, { count: 0, revenue: 0 }]));
    for (const row of rows) {
      const bucket = by.get(segmentOf(row.r, row.f))!;
      bucket.count++;
      bucket.revenue += row.revenue;
    }
    return { asOf: new Date(asOf).toISOString(), customers: rows.length, segments: SEGMENTS.map((key) => ({ key, name: this.ctx.t(`segments.${key}`, { lng }), ...by.get(key)! })) };
  }

  /** One customer's scores, segment and lifecycle stage; 404 when the caller cannot see the customer. */
  async customer(actor: Actor, customerId: string, query: AsOfQuery, timeZone: string): Promise<CustomerRfm> {
    await this.ctx.customers.get(actor, customerId);
    const asOf = this.asOfInstant(query.asOf, timeZone);
    const [row] = await this.scores(actor.tenantId, asOf, customerId);
    const times = (await this.stages.paidTimes(this.ctx.db.knex, actor.tenantId, customerId)).filter((t) => t < asOf);
    const stage = stageOf(times, Math.min(asOf, Date.now()));
    return row ? { r: row.r, f: row.f, m: row.m, segment: segmentOf(row.r, row.f), stage } : { r: null, f: null, m: null, segment: null, stage };
  }

  /** The Pareto report for local days `[from, to]` (default: this year in `calendar`). */
  async pareto(actor: Actor, query: ParetoQuery, timeZone: string): Promise<ParetoReport> {
    const calendar = query.calendar ?? 'gregorian';
    const year = yearOf(Date.now(), calendar, timeZone);
    const from = query.from ? localDayStart(query.from, timeZone) : year.from;
    const to = query.to ? localDayStart(query.to, timeZone) + DAY_MS : year.to;
    if (to <= from) throw loyaltyError('REPORT_RANGE_INVALID', { from: query.from ?? '', to: query.to ?? '' });
    const base = this.paidOrders(actor.tenantId, await this.currency(actor.tenantId), to, from).groupBy('customer_id').select('customer_id', this.ctx.db.knex.raw('sum(total - returned) as revenue'));
    const inner = base.toSQL();
    const order = 'order by revenue desc, customer_id';
    const sql = `select k, cum, n, total from (
      select row_number() over (${order}) as k, sum(revenue) over (${order} rows unbounded preceding) as cum, count(*) over () as n, sum(revenue) over () as total from (${inner.sql}) c
    ) ranked where ${this.div('k * 100', 'n')} > ${this.div('(k - 1) * 100', 'n')} order by k`;
    const result = await this.ctx.db.knex.raw(sql, inner.bindings);
    const rows = this.rowsOf<ParetoPointRow>(result).map((r) => ({ k: readInt(r.k), cum: readInt(r.cum), n: readInt(r.n), total: readInt(r.total) }));
    const n = rows[0]?.n ?? 0;
    const total = rows[0]?.total ?? 0;
    const share = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);
    const top = rows.find((r) => r.k >= Math.ceil(0.2 * n));
    const day = (ms: number) => new Date(ms).toISOString();
    return {
      from: day(from),
      to: day(to),
      calendar,
      customers: n,
      revenue: total,
      topCustomersShare: 0.2,
      revenueShare: top ? share(top.cum, total) : 0,
      curve: n === 0 ? [] : [[0, 0], ...rows.map((r): [number, number] => [share(r.k, n), share(r.cum, total)])],
    };
  }

  /** Customers gone quiet beyond their own rhythm (or `inactiveDays`), most valuable first. */
  async winBack(actor: Actor, query: WinBackQuery, now = Date.now()): Promise<WinBackList> {
    const floor = query.inactiveDays ?? MIN_LAPSE_DAYS;
    const currency = await this.currency(actor.tenantId);
    const quiet = this.paidOrders(actor.tenantId, currency, now).groupBy('customer_id').havingRaw('max(paid_at) < ?', [now - floor * DAY_MS]).select('customer_id');
    const rows = await this.paidOrders(actor.tenantId, currency, now).whereIn('customer_id', quiet).orderBy(['customer_id', 'paid_at']).select<WinBackOrderRow[]>('customer_id', 'paid_at', this.ctx.db.knex.raw('total - returned as value'));
    const customers = new Map<string, { times: number[]; value: number }>();
    for (const row of rows) {
      const c = customers.get(row.customer_id) ?? { times: [], value: 0 };
      c.times.push(readInt(row.paid_at));
      c.value += readInt(row.value);
      customers.set(row.customer_id, c);
    }
    const items: WinBackItem[] = [];
    for (const [customerId, { times, value }] of customers) {
      const last = Math.max(...times);
      const daysSince = Math.floor((now - last) / DAY_MS);
      const usual = usualIntervalDays(times);
      const threshold = query.inactiveDays ?? lapseAfterDays(times);
      if ((now - last) / DAY_MS <= threshold) continue;
      const reason = query.inactiveDays !== undefined ? 'inactive_days' : usual === null ? 'no_repeat_order' : 'beyond_usual_interval';
      items.push({ customerId, lastOrderAt: new Date(last).toISOString(), usualIntervalDays: usual === null ? null : Math.round(usual * 10) / 10, daysSince, pastValue: value, reason });
    }
    items.sort((a, b) => b.pastValue - a.pastValue || (a.customerId < b.customerId ? -1 : 1));
    let start = 0;
    if (query.cursor) {
      const [value, id] = decodeCursor(query.cursor, ['integer', 'string']) as [number, string];
      start = items.findIndex((i) => i.pastValue < value || (i.pastValue === value && i.customerId > id));
      if (start < 0) start = items.length;
    }
    const page = items.slice(start, start + query.limit);
    const last = page[page.length - 1];
    return { items: page, nextCursor: start + query.limit < items.length && last ? encodeCursor([last.pastValue, last.customerId]) : null };
  }
}
