/**
 * The support baseline: a bare fastify app (no logger, hooks, auth, record scope or
 * schemas) answering a queue view (the newest 50 open tickets of a queue, with their SLA
 * targets) and the yearly response-times and SLA reports with hand-written SQL on
 * the same database — the queries the support plugin runs (the reports read the per-day
 * summary of migration 006 and count undecided targets live), with core's period
 * arithmetic for the boundaries. What is left out is the framework and the plugin around the query:
 * credential, tenant, permission and time-zone lookups, record scope, validation, labels
 * and response schemas.
 */
import fastify, { type FastifyInstance } from 'fastify';
import { localDayStart, periodsBetween, type CalendarKind, type PeriodKind } from '../../core/plugin/index.js';
import { bucketPercentile, dayNumbering, monthNumbering } from '../../plugins/support/services/summary.js';
import { bareQuery } from './bare-sales.js';

const TICKETS = 'crm_support_tickets';
const TARGETS = 'crm_support_sla_targets';
const SLA_DAILY = 'crm_support_sla_daily';
const TIME_MONTHLY = 'crm_support_time_monthly';
const TIME_ZONE = 'Asia/Tehran';

type Query = { from: string; to: string; period: PeriodKind; calendar: CalendarKind };

/** The bare support server over `databaseUrl` (`sqlite:…` or `postgres://…`), for one tenant. */
export async function bareSupportServer(databaseUrl: string, tenantId: string): Promise<FastifyInstance> {
  const app = fastify();
  const db = bareQuery(databaseUrl);
  app.addHook('onClose', async () => db.close());
  const frame = (q: Query) => {
    const periods = periodsBetween(localDayStart(q.from, TIME_ZONE), localDayStart(q.to, TIME_ZONE), { calendar: q.calendar, period: q.period, timeZone: TIME_ZONE });
    const ends = periods.slice(0, -1).map((p) => p.end.getTime());
    const index = (column: string) => `CASE ${ends.map((e, i) => `WHEN ${column} < ${e} THEN ${i}`).join(' ')} ELSE ${ends.length} END`;
    const dayOf = dayNumbering(TIME_ZONE);
    const dayIndex = (column: string) => `CASE ${ends.map((e, i) => `WHEN ${column} < ${dayOf(e)} THEN ${i}`).join(' ')} ELSE ${ends.length} END`;
    const start = periods[0]!.start.getTime();
    const end = periods[periods.length - 1]!.end.getTime();
    return { periods, index, dayIndex, start, end, firstDay: dayOf(start), endDay: dayOf(end) };
  };

  // A queue view: the page the support plugin lists (newest first by id) and the SLA targets it shows.
  app.get<{ Querystring: { queueId: string; status: string } }>('/queue', async (request) => {
    const rows = await db.query(`select * from ${TICKETS} where tenant_id = ? and queue_id = ? and status = ? order by id desc limit 51`, [tenantId, request.query.queueId, request.query.status]);
    const page = rows.slice(0, 50);
    const ids = page.map((r) => String(r.id));
    const targets = ids.length ? await db.query(`select * from ${TARGETS} where tenant_id = ? and ticket_id in (${ids.map(() => '?').join(', ')})`, [tenantId, ...ids]) : [];
    return { items: page.map((r) => ({ id: r.id, number: r.number, subject: r.subject, status: r.status, sla: targets.filter((x) => x.ticket_id === r.id).map((x) => ({ kind: x.kind, dueAt: x.due_at })) })), nextCursor: rows.length > 50 ? String(page[49]!.id) : null };
  });

  app.get<{ Querystring: Query }>('/response-times', async (request) => {
    const f = frame(request.query);
    const measure = async (measure: string) => {
      // The admin reads the per-month histogram of the report's calendar (no record scope to keep).
      const monthOf = monthNumbering(TIME_ZONE, request.query.calendar);
      const periodOf = new Map<number, number>();
      f.periods.forEach((p, i) => {
        for (let m = monthOf(p.start.getTime()); m <= monthOf(p.end.getTime() - 1); m++) periodOf.set(m, i);
      });
      const months = [...periodOf.keys()];
      const grouped = await db.query(
        `select month, bucket, sum(n) as n, sum(total_ms) as total from ${TIME_MONTHLY}
         where tenant_id = ? and calendar = ? and measure = ? and month in (${months.map(() => '?').join(', ')}) group by month, bucket`,
        [tenantId, request.query.calendar, measure, ...months],
      );
      const rows = grouped.map((r) => ({ p: periodOf.get(Number(r.month)), bucket: r.bucket, n: r.n, total: r.total }));
      const minutes = (ms: number) => Math.round(ms / 6_000) / 10;
      const histograms = f.periods.map(() => ({ buckets: [] as Array<[number, number]>, n: 0, total: 0 }));
      for (const r of rows) {
        const h = histograms[Number(r.p)]!;
        if (Number(r.n) === 0) continue;
        h.buckets.push([Number(r.bucket), Number(r.n)]);
        h.n += Number(r.n);
        h.total += Number(r.total);
      }
      return histograms.map((h) => (h.n === 0 ? { count: 0, p50Minutes: null, p90Minutes: null, averageMinutes: null } : { count: h.n, p50Minutes: bucketPercentile(h.buckets, 50), p90Minutes: bucketPercentile(h.buckets, 90), averageMinutes: minutes(h.total / h.n) }));
    };
    const [first, resolution] = [await measure('first_response'), await measure('resolution')];
    return { periods: f.periods.map((p, i) => ({ key: p.key, firstResponse: first[i], resolution: resolution[i] })) };
  });

  app.get<{ Querystring: Query }>('/sla', async (request) => {
    const f = frame(request.query);
    const decided = await db.query(
      `select p, outcome, sum(n) as n from (select ${f.dayIndex('day')} as p, kind, policy_id, queue_id, assignee_id, outcome, n from ${SLA_DAILY}
         where tenant_id = ? and day >= ? and day < ?) x
       group by p, kind, policy_id, queue_id, assignee_id, outcome`,
      [tenantId, f.firstDay, f.endDay],
    );
    const undecided = await db.query(
      `select p, outcome, count(*) as n from (select ${f.index('s.started_at')} as p, s.kind, s.policy_id, t.queue_id, t.assignee_id,
         case when s.state = 'running' and s.due_at < ? then 'breached' else 'open' end as outcome
         from ${TARGETS} s join ${TICKETS} t on t.id = s.ticket_id and t.tenant_id = s.tenant_id
         where s.tenant_id = ? and s.state in ('running', 'paused') and s.breached = false and s.started_at >= ? and s.started_at < ?) x
       group by p, kind, policy_id, queue_id, assignee_id, outcome`,
      [Date.now(), tenantId, f.start, f.end],
    );
    const rows = [...decided, ...undecided];
    const totals = f.periods.map(() => ({ met: 0, breached: 0, open: 0 }));
    for (const r of rows) totals[Number(r.p)]![String(r.outcome) as 'met' | 'breached' | 'open'] += Number(r.n);
    return { periods: f.periods.map((p, i) => ({ key: p.key, ...totals[i] })) };
  });
  return app;
}
