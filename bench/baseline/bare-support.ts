/**
 * The support baseline: a bare fastify app (no logger, hooks, auth, record scope or
 * schemas) answering a queue view (the newest 50 open tickets of a queue, with their SLA
 * targets) and the yearly response-times and SLA reports with hand-written SQL on
 * the same database — the queries the support plugin runs, with core's period arithmetic
 * for the boundaries. What is left out is the framework and the plugin around the query:
 * credential, tenant, permission and time-zone lookups, record scope, validation, labels
 * and response schemas.
 */
import fastify, { type FastifyInstance } from 'fastify';
import { localDayStart, periodsBetween, type CalendarKind, type PeriodKind } from '../../core/plugin/index.js';
import { bareQuery } from './bare-sales.js';

const TICKETS = 'crm_support_tickets';
const TARGETS = 'crm_support_sla_targets';
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
    return { periods, index, start: periods[0]!.start.getTime(), end: periods[periods.length - 1]!.end.getTime() };
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
    const measure = async (at: string, value: string) => {
      const rows = await db.query(
        `select p, max(n) as n, sum(v) as total, min(case when rn * 100 >= 50 * n then v end) as p50, min(case when rn * 100 >= 90 * n then v end) as p90
         from (select p, v, row_number() over (partition by p order by v) as rn, count(*) over (partition by p) as n
               from (select ${f.index(at)} as p, ${value} as v from ${TICKETS}
                     where tenant_id = ? and merged_into_id is null and ${at} >= ? and ${at} < ? and ${value} is not null) x) r
         group by p`,
        [tenantId, f.start, f.end],
      );
      const out = f.periods.map(() => ({ count: 0, p50Minutes: null as number | null, p90Minutes: null as number | null, averageMinutes: null as number | null }));
      const minutes = (ms: number) => Math.round(ms / 6_000) / 10;
      for (const r of rows) out[Number(r.p)] = { count: Number(r.n), p50Minutes: minutes(Number(r.p50)), p90Minutes: minutes(Number(r.p90)), averageMinutes: minutes(Number(r.total) / Number(r.n)) };
      return out;
    };
    const [first, resolution] = [await measure('first_response_at', 'first_response_business_ms'), await measure('resolved_at', 'resolution_business_ms')];
    return { periods: f.periods.map((p, i) => ({ key: p.key, firstResponse: first[i], resolution: resolution[i] })) };
  });

  app.get<{ Querystring: Query }>('/sla', async (request) => {
    const f = frame(request.query);
    const rows = await db.query(
      `select p, outcome, count(*) as n from (select ${f.index('s.started_at')} as p, s.kind, s.policy_id, t.queue_id, t.assignee_id,
         case when s.breached or (s.state = 'running' and s.due_at < ?) then 'breached' when s.state = 'met' then 'met' else 'open' end as outcome
         from ${TARGETS} s join ${TICKETS} t on t.id = s.ticket_id and t.tenant_id = s.tenant_id
         where s.tenant_id = ? and s.started_at >= ? and s.started_at < ?) x
       group by p, kind, policy_id, queue_id, assignee_id, outcome`,
      [Date.now(), tenantId, f.start, f.end],
    );
    const totals = f.periods.map(() => ({ met: 0, breached: 0, open: 0 }));
    for (const r of rows) totals[Number(r.p)]![String(r.outcome) as 'met' | 'breached' | 'open'] += Number(r.n);
    return { periods: f.periods.map((p, i) => ({ key: p.key, ...totals[i] })) };
  });
  return app;
}
