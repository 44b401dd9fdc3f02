/**
 * Support reports by month or quarter (Gregorian or Persian, in the tenant's zone): SLA
 * targets met, first-response and resolution times in business time, CSAT, backlog by age.
 * Each is grouped SQL over indexed columns, within the actor's record scope and optionally
 * one queue; every period of the range is in the answer, an empty one with zero counts and
 * null figures. Complaints have their own report (`complaints.ts`).
 *
 * Percentiles are nearest-rank (the smallest value with at least p% of values at or under
 * it, an observed value), computed by one portable query with window functions — the same
 * integer arithmetic on SQLite, PostgreSQL and MariaDB, so the same answer on each.
 */
import type { Knex } from 'knex';
import { applyRecordScope, readInt, type Actor, type BigIntColumn, type Language, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { backlogReportSchema, csatReportSchema, responseTimesSchema, slaReportSchema } from '../schemas/report-schemas.js';
import type { QueueService } from './queues.js';
import { minutes, percent, periodHeads, periodIndexSql, periodOfDaySql, reportFrame, type PeriodQuery, type ReportFrame } from './report-frame.js';
import type { SupportStore } from './store.js';
import { bucketPercentile, dayNumbering, monthNumbering } from './summary.js';

/** A period index (`p`, `b`) or a count as the grouped queries return them. */
type Count = BigIntColumn;

/** Targets of one period, kind, policy, queue, agent and outcome, as the SLA queries group them ('' or null: none). */
interface SlaOutcomeGroup {
  p: Count;
  kind: string;
  policy: string;
  queue: string | null;
  agent: string | null;
  outcome: 'met' | 'breached' | 'open';
  n: Count;
}

/** Answers of one period and rating, as the CSAT query groups them. */
interface RatingGroup {
  p: Count;
  rating: number;
  n: Count;
}

/** A histogram bucket's count and exact sum in one period. */
interface BucketGroup {
  p: Count;
  bucket: Count;
  n: Count;
  total: BigIntColumn;
}

/** GET /reports/sla: SLA outcomes per period, with breakdowns. */
export type SlaReport = SchemaType<typeof slaReportSchema>;
/** GET /reports/response-times: first response and resolution per period. */
export type ResponseTimesReport = SchemaType<typeof responseTimesSchema>;
/** GET /reports/csat: survey answers per period. */
export type CsatReport = SchemaType<typeof csatReportSchema>;
/** GET /reports/backlog: tickets created, resolved and open per period. */
export type BacklogReport = SchemaType<typeof backlogReportSchema>;

type SlaPeriod = SlaReport['periods'][number];
/**
 * SLA outcomes of a group of targets: `open` is neither met nor breached yet;
 * `metPercent` is met / (met + breached), null when none is decided.
 */
export type SlaFigures = Pick<SlaPeriod, 'met' | 'breached' | 'open' | 'metPercent'>;
/** An SLA breakdown row: a kind, policy, queue or agent (null: none). */
export type SlaGroup = SlaPeriod['byKind'][number];
/** Time figures of one measure in one period, in business minutes. */
export type TimeFigures = ResponseTimesReport['periods'][number]['firstResponse'];
/** The header every report answer has. */
export type ReportHead = Omit<SlaReport, 'periods'>;

/** Age buckets of the backlog: upper bounds in days (the last is open-ended). */
export const AGE_BUCKETS = [
  { key: 'lt_1d', days: 1 },
  { key: '1d_3d', days: 3 },
  { key: '3d_7d', days: 7 },
  { key: '7d_30d', days: 30 },
  { key: 'gte_30d', days: Infinity },
] as const;

const DAY = 86_400_000;
const SLA_KINDS = ['first_response', 'next_response', 'resolution'] as const;

/** Computes the support reports. */
export class ReportService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly queues: QueueService,
  ) {}

  /** SLA targets by the period they started in: met, breached, open; by kind, policy, queue and agent. */
  async sla(actor: Actor, query: PeriodQuery, language: Language, now = Date.now()): Promise<SlaReport> {
    const { head, frame, knex } = await this.begin(actor, query);
    const rows = [...await this.decidedTargets(knex, actor, query, frame), ...await this.undecidedTargets(knex, actor, query, frame, now)];
    const names = await this.names(actor.tenantId);
    const periods = periodHeads(frame, language).map((h) => ({ h, total: blank(), byKind: new Map<string | null, SlaFigures>(SLA_KINDS.map((k) => [k, blank()])), byPolicy: new Map<string | null, SlaFigures>(), byQueue: new Map<string | null, SlaFigures>(), byAgent: new Map<string | null, SlaFigures>() }));
    for (const r of rows) {
      const period = periods[readInt(r.p)];
      if (!period) continue;
      const outcome = r.outcome;
      const n = readInt(r.n);
      // A summary row whose targets all moved away sums to zero: no group for it, as with no row.
      if (n === 0) continue;
      const [queue, agent] = [r.queue || null, r.agent || null];
      for (const [map, key] of [[period.byKind, r.kind], [period.byPolicy, r.policy], [period.byQueue, queue], [period.byAgent, agent]] as const) {
        const figures = map.get(key) ?? blank();
        figures[outcome] += n;
        map.set(key, figures);
      }
      period.total[outcome] += n;
    }
    const list = (map: Map<string | null, SlaFigures>, named?: Map<string, string>): SlaGroup[] =>
      [...map].map(([key, f]) => ({ key, ...(named && key !== null && named.has(key) && { name: named.get(key)! }), ...done(f) })).sort((a, b) => String(a.key ?? '').localeCompare(String(b.key ?? '')));
    return {
      ...head,
      periods: periods.map((p) => ({ ...p.h, ...done(p.total), byKind: [...p.byKind].map(([key, f]) => ({ key, ...done(f) })), byPolicy: list(p.byPolicy, names.policies), byQueue: list(p.byQueue, names.queues), byAgent: list(p.byAgent) })),
    };
  }

  /** First responses by the period they happened in, resolutions by theirs: business-time percentiles. */
  async responseTimes(actor: Actor, query: PeriodQuery, language: Language): Promise<ResponseTimesReport> {
    const { head, frame, knex } = await this.begin(actor, query);
    const [first, resolution] = [await this.percentiles(knex, actor, query, frame, 'first_response'), await this.percentiles(knex, actor, query, frame, 'resolution')];
    return { ...head, periods: periodHeads(frame, language).map((h, i) => ({ ...h, firstResponse: first[i]!, resolution: resolution[i]! })) };
  }

  /** CSAT answers by the period they were given in: count, average, share of 4 and 5, distribution 1–5. */
  async csat(actor: Actor, query: PeriodQuery, language: Language): Promise<CsatReport> {
    const { head, frame, knex } = await this.begin(actor, query);
    const c = this.ctx.data.table('support_csat_responses');
    const t = this.store.table('tickets');
    const inner = this.scoped(knex(c).join(t, (j) => j.on(`${t}.id`, '=', `${c}.ticket_id`).andOn(`${t}.tenant_id`, '=', `${c}.tenant_id`)), actor, query)
      .where(`${c}.tenant_id`, actor.tenantId)
      .where(`${c}.answered_at`, '>=', frame.start).where(`${c}.answered_at`, '<', frame.end)
      .select(knex.raw(`${periodIndexSql(knex, `${c}.answered_at`, frame).toQuery()} as p`), `${c}.rating as rating`);
    const rows = await knex.from(inner.as('x')).groupBy('p', 'rating').select<RatingGroup[]>('p', 'rating', knex.raw('COUNT(*) as n'));
    const counts = frame.periods.map(() => [0, 0, 0, 0, 0]);
    for (const r of rows) {
      const rating = r.rating;
      if (rating >= 1 && rating <= 5) counts[readInt(r.p)]![rating - 1]! += readInt(r.n);
    }
    return {
      ...head,
      periods: periodHeads(frame, language).map((h, i) => {
        const d = counts[i]!;
        const responses = d.reduce((a, b) => a + b, 0);
        const sum = d.reduce((a, n, r) => a + n * (r + 1), 0);
        return { ...h, responses, average: responses ? Math.round((sum / responses) * 100) / 100 : null, satisfiedPercent: percent(d[3]! + d[4]!, responses), distribution: { 1: d[0]!, 2: d[1]!, 3: d[2]!, 4: d[3]!, 5: d[4]! } };
      }),
    };
  }

  /**
   * Per period: tickets opened and resolved in it, and the backlog at its end (now, for
   * the current one) by age; a period still to come has no backlog (nulls).
   */
  async backlog(actor: Actor, query: PeriodQuery, language: Language, now = Date.now()): Promise<BacklogReport> {
    const { head, frame, knex } = await this.begin(actor, query);
    const t = this.store.table('tickets');
    const flow = async (column: string) => {
      const inner = this.tickets(knex, actor, query).where(`${t}.${column}`, '>=', frame.start).where(`${t}.${column}`, '<', frame.end).select(knex.raw(`${periodIndexSql(knex, `${t}.${column}`, frame).toQuery()} as p`));
      const out = frame.periods.map(() => 0);
      for (const r of await knex.from(inner.as('x')).groupBy('p').select<Array<{ p: Count; n: Count }>>('p', knex.raw('COUNT(*) as n'))) out[readInt(r.p)] = readInt(r.n);
      return out;
    };
    const created = await flow('created_at');
    const resolved = await flow('resolved_at');
    const labels = AGE_BUCKETS.map((b) => this.ctx.t(`reports.age.${b.key}`, { lng: language }));
    const periods = [];
    for (const [i, h] of periodHeads(frame, language).entries()) {
      const start = frame.periods[i]!.start.getTime();
      const asOf = Math.min(frame.periods[i]!.end.getTime(), now);
      const ages = start > now ? null : await this.ages(knex, actor, query, asOf);
      periods.push({
        ...h, created: created[i]!, resolved: resolved[i]!, asOf: ages ? new Date(asOf).toISOString() : null, open: ages ? ages.reduce((a, b) => a + b, 0) : null,
        ages: AGE_BUCKETS.map((b, j) => ({ key: b.key, label: labels[j]!, count: ages ? ages[j]! : null })),
      });
    }
    return { ...head, periods };
  }

  /** Unresolved tickets at `asOf` (opened before it, not resolved by then) per age bucket. */
  private async ages(knex: Knex, actor: Actor, query: PeriodQuery, asOf: number): Promise<number[]> {
    const t = this.store.table('tickets');
    const bounds = AGE_BUCKETS.slice(0, -1).map((b) => asOf - b.days * DAY);
    const bucket = knex.raw(`CASE ${bounds.map((_, i) => `WHEN ${t}.created_at > ? THEN ${i}`).join(' ')} ELSE ${bounds.length} END`, bounds);
    const inner = this.tickets(knex, actor, query)
      .where(`${t}.created_at`, '<', asOf)
      .where((w) => w.whereNull(`${t}.resolved_at`).orWhere(`${t}.resolved_at`, '>=', asOf))
      .select(knex.raw(`${bucket.toQuery()} as b`));
    const out = AGE_BUCKETS.map(() => 0);
    for (const r of await knex.from(inner.as('x')).groupBy('b').select<Array<{ b: Count; n: Count }>>('b', knex.raw('COUNT(*) as n'))) out[readInt(r.b)] = readInt(r.n);
    return out;
  }

  /**
   * Targets decided (met, or flagged breached) by period, kind, policy, queue, agent and
   * outcome, from the per-day summary (`summary.ts`): the day a target started is in one
   * period, as the instant is.
   */
  private async decidedTargets(knex: Knex, actor: Actor, query: PeriodQuery, frame: ReportFrame): Promise<SlaOutcomeGroup[]> {
    const d = this.store.table('sla_daily');
    const inner = this.summaryRows(knex, d, actor, query, frame).select(knex.raw(`${periodOfDaySql(knex, `${d}.day`, frame).toQuery()} as p`), 'kind', 'policy_id as policy', 'queue_id as queue', 'assignee_id as agent', 'outcome', 'n');
    return knex.from(inner.as('x')).groupBy('p', 'kind', 'policy', 'queue', 'agent', 'outcome').select<SlaOutcomeGroup[]>('p', 'kind', 'policy', 'queue', 'agent', 'outcome', knex.raw('SUM(n) as n'));
  }

  /**
   * Targets not decided yet (running or paused, not flagged breached), counted from the
   * targets themselves: their outcome moves with the clock — a running one past its due
   * time has breached, whether or not the scheduler has said so yet.
   */
  private async undecidedTargets(knex: Knex, actor: Actor, query: PeriodQuery, frame: ReportFrame, now: number): Promise<SlaOutcomeGroup[]> {
    const s = this.store.table('sla_targets');
    const t = this.store.table('tickets');
    const inner = this.scoped(knex(s).join(t, (j) => j.on(`${t}.id`, '=', `${s}.ticket_id`).andOn(`${t}.tenant_id`, '=', `${s}.tenant_id`)), actor, query)
      .where(`${s}.tenant_id`, actor.tenantId).whereIn(`${s}.state`, ['running', 'paused']).where(`${s}.breached`, false)
      .where(`${s}.started_at`, '>=', frame.start).where(`${s}.started_at`, '<', frame.end)
      .select(
        knex.raw(`${periodIndexSql(knex, `${s}.started_at`, frame).toQuery()} as p`),
        `${s}.kind as kind`, `${s}.policy_id as policy`, `${t}.queue_id as queue`, `${t}.assignee_id as agent`,
        knex.raw(`CASE WHEN ${s}.state = 'running' AND ${s}.due_at < ? THEN 'breached' ELSE 'open' END as outcome`, [now]),
      );
    return knex.from(inner.as('x')).groupBy('p', 'kind', 'policy', 'queue', 'agent', 'outcome').select<SlaOutcomeGroup[]>('p', 'kind', 'policy', 'queue', 'agent', 'outcome', knex.raw('COUNT(*) as n'));
  }

  /**
   * Count, nearest-rank p50 and p90, and mean of a business-time measure per period, from
   * the per-day histogram (`summary.ts`): a percentile is the lower bound of the bucket it
   * falls in — exact below 1,000 minutes (whole minutes, floored), within 1 % above; the
   * count and the mean (from the exact sum) are exact.
   */
  private async percentiles(knex: Knex, actor: Actor, query: PeriodQuery, frame: ReportFrame, measure: 'first_response' | 'resolution'): Promise<TimeFigures[]> {
    const rows = (actor.scopes.ticket ?? 'all') === 'all' ? await this.monthlyBuckets(knex, actor, query, frame, measure) : await this.dailyBuckets(knex, actor, query, frame, measure);
    const histograms = frame.periods.map(() => ({ buckets: [] as Array<[number, number]>, n: 0, total: 0 }));
    for (const r of rows) {
      const h = histograms[readInt(r.p)];
      const n = readInt(r.n);
      if (!h || n === 0) continue;
      h.buckets.push([readInt(r.bucket), n]);
      h.n += n;
      h.total += Number(r.total);
    }
    return histograms.map((h) => h.n === 0
      ? { count: 0, p50Minutes: null, p90Minutes: null, averageMinutes: null }
      : { count: h.n, p50Minutes: bucketPercentile(h.buckets, 50), p90Minutes: bucketPercentile(h.buckets, 90), averageMinutes: minutes(h.total / h.n) });
  }

  /** Histogram buckets per period from the per-day table, which keeps assignee and team for record scope. */
  private async dailyBuckets(knex: Knex, actor: Actor, query: PeriodQuery, frame: ReportFrame, measure: string): Promise<BucketGroup[]> {
    const d = this.store.table('time_daily');
    const inner = this.summaryRows(knex, d, actor, query, frame).where(`${d}.measure`, measure).select(knex.raw(`${periodOfDaySql(knex, `${d}.day`, frame).toQuery()} as p`), 'bucket', 'n', 'total_ms');
    return knex.from(inner.as('x')).groupBy('p', 'bucket').select<BucketGroup[]>('p', 'bucket', knex.raw('SUM(n) as n'), knex.raw('SUM(total_ms) as total'));
  }

  /**
   * Histogram buckets per period from the per-month table of the frame's calendar, for a
   * reader who sees every ticket: periods are whole months or quarters, so each is a set
   * of that calendar's months.
   */
  private async monthlyBuckets(knex: Knex, actor: Actor, query: PeriodQuery, frame: ReportFrame, measure: string): Promise<BucketGroup[]> {
    const monthOf = monthNumbering(frame.timeZone, frame.calendar);
    const periodOf = new Map<number, number>();
    frame.periods.forEach((p, i) => {
      for (let m = monthOf(p.start.getTime()); m <= monthOf(p.end.getTime() - 1); m++) periodOf.set(m, i);
    });
    const q = this.store.rows(knex, 'time_monthly', actor.tenantId).where({ calendar: frame.calendar, measure }).whereIn('month', [...periodOf.keys()]);
    if (query.queueId) q.where('queue_id', query.queueId);
    const rows = await q.groupBy('month', 'bucket').select<Array<{ month: Count; bucket: Count; n: Count; total: BigIntColumn }>>('month', 'bucket', knex.raw('SUM(n) as n'), knex.raw('SUM(total_ms) as total'));
    return rows.flatMap((r) => {
      const p = periodOf.get(readInt(r.month));
      return p === undefined ? [] : [{ p, bucket: r.bucket, n: r.n, total: r.total }];
    });
  }

  /** A summary table's rows of the frame's days, within the actor's record scope and the queue asked for. */
  private summaryRows(knex: Knex, table: string, actor: Actor, query: PeriodQuery, frame: ReportFrame): Knex.QueryBuilder {
    const dayOf = dayNumbering(frame.timeZone);
    const q = knex(table).where(`${table}.tenant_id`, actor.tenantId).where(`${table}.day`, '>=', dayOf(frame.start)).where(`${table}.day`, '<', dayOf(frame.end));
    applyRecordScope(q, actor, 'ticket', { owner: `${table}.assignee_id`, team: `${table}.team_id` });
    if (query.queueId) q.where(`${table}.queue_id`, query.queueId);
    return q;
  }

  /** The frame and the answer's header; an unknown queue is a 404. */
  private async begin(actor: Actor, query: PeriodQuery): Promise<{ head: ReportHead; frame: ReportFrame; knex: Knex }> {
    const tenant = await this.ctx.tenants.findById(actor.tenantId);
    const frame = reportFrame(query, { timeZone: tenant?.timeZone ?? 'UTC', locale: tenant?.locale ?? 'en' });
    if (query.queueId) await this.queues.get(actor.tenantId, query.queueId);
    return { head: { timeZone: frame.timeZone, calendar: frame.calendar, period: frame.period, ...(query.queueId && { queueId: query.queueId }) }, frame, knex: this.ctx.db.knex };
  }

  /** The tenant's tickets the actor may see, merged ones left out, in the queue asked for. */
  private tickets(knex: Knex, actor: Actor, query: PeriodQuery): Knex.QueryBuilder {
    const q = this.store.tickets(knex, actor).whereNull(`${this.store.table('tickets')}.merged_into_id`);
    if (query.queueId) q.where(`${this.store.table('tickets')}.queue_id`, query.queueId);
    return q;
  }

  /** Limits a query joined with tickets to the actor's record scope and the queue asked for. */
  private scoped(q: Knex.QueryBuilder, actor: Actor, query: PeriodQuery): Knex.QueryBuilder {
    const t = this.store.table('tickets');
    applyRecordScope(q, actor, 'ticket', { owner: `${t}.assignee_id`, team: `${t}.team_id` });
    if (query.queueId) q.where(`${t}.queue_id`, query.queueId);
    return q;
  }

  private async names(tenantId: string): Promise<{ policies: Map<string, string>; queues: Map<string, string> }> {
    const knex = this.ctx.db.knex;
    const [policies, queues] = [await this.store.rows(knex, 'sla_policies', tenantId).select('id', 'name'), await this.store.rows(knex, 'queues', tenantId).select('id', 'name')];
    const map = (rows: Array<{ id: string; name: string }>) => new Map(rows.map((r) => [r.id, r.name]));
    return { policies: map(policies), queues: map(queues) };
  }
}

const blank = (): SlaFigures => ({ met: 0, breached: 0, open: 0, metPercent: null });
const done = (f: SlaFigures): SlaFigures => ({ met: f.met, breached: f.breached, open: f.open, metPercent: percent(f.met, f.met + f.breached) });
