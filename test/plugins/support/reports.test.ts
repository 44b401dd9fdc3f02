/**
 * The support period reports through the API, on hand-computed vectors: tickets opened and
 * answered at chosen Tehran instants (a Wednesday afternoon before a holiday Thursday, a
 * Thursday half-day, the weekend) on the Iranian week; first-response and resolution
 * business minutes with nearest-rank p50/p90; SLA targets met by kind, policy, queue and
 * agent; CSAT; backlog by age — cut into Persian quarters across the 1404-Q1/Q2 boundary
 * (31 Khordad / 1 Tir) and into Gregorian months; the queue filter; empty periods; fa/en
 * labels; bad parameters; permission. Percentiles checked against a JS nearest rank on
 * many rows. Migration 003 up → down → up. Every DB runs the same expectations.
 */
import t from 'tap';
import support from '../../../plugins/support/index.js';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { newId } from '../../../core/plugin/index.js';
import { freshKnex } from '../../helpers/database.js';
import { bootSupport, type Ticket } from '../../helpers/support.js';
import { rebuildSummary } from '../../../plugins/support/services/summary.js';

const BASE = 'https://crm.example.ir';
const s = await bootSupport(t, { peyvand: { pluginOptions: { support: { publicBaseUrl: BASE } } } });
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;
const tehran = (local: string): number => Date.parse(`${local}:00+03:30`);

/** Runs `work` with the clock at a Tehran wall time: the API stamps what it does then. */
async function at<T>(local: string, work: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  const instant = tehran(local);
  Date.now = () => instant;
  try {
    return await work();
  } finally {
    Date.now = realNow;
  }
}

type Period = { key: string; label: string; start: string; end: string } & Record<string, unknown>;
const report = async (path: string, query: string, lang = 'fa'): Promise<{ periods: Period[] } & Record<string, unknown>> => {
  const res = await s.call(admin, 'GET', `/reports/${path}?${query}`, undefined, { 'accept-language': lang });
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
  return res.json();
};
const QUARTERS = 'from=2025-03-21&to=2025-12-22&period=quarter&calendar=persian';

// The Iranian week (Sat–Wed 08–16, Thu 08–12, Fri off) with 29 Khordad 1404 (Thursday 2025-06-19) a holiday.
await s.ok(admin, 'PUT', '/calendars/tehran', { name: 'دفتر تهران', holidays: [{ date: '1404-03-29', calendar: 'persian', name: 'تعطیل' }] }, 200);
const policy = await s.ok<{ id: string }>(admin, 'POST', '/sla-policies', { name: 'عمومی', calendarId: 'tehran', conditions: {}, targets: { firstResponseMinutes: 120, resolutionMinutes: 600 } });
const queueA = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'فنی', members: ['agent-1', 'agent-2'], assignment: 'manual' });
const queueB = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'مالی', members: ['agent-2'], assignment: 'manual' });

const open = (local: string, queueId: string, assigneeId: string) => at(local, () => s.ticket({ queueId, assigneeId }));
const reply = (ticket: Ticket, local: string) => at(local, () => s.ok(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'در حال بررسی هستیم.', visibility: 'public' }));
const status = (ticket: Ticket, local: string, to: string) => at(local, () => s.ok<Ticket>(admin, 'PATCH', `/tickets/${ticket.id}`, { status: to }, 200));
const rate = async (ticket: Ticket, local: string, rating: number) => {
  const { url } = await at(local, () => s.ok<{ url: string }>(admin, 'POST', `/tickets/${ticket.id}/csat-link`));
  const res = await at(local, () => s.call(undefined, 'POST', `/csat/${url.slice(`${BASE}/api/v1/support/csat/`.length)}`, { rating }));
  if (res.statusCode !== 204) throw new Error(res.body);
};

// First responses in business minutes, by hand:
// T1 Wed 06-18 15:30 → Sat 06-21 09:00: Wed 30 + holiday Thu 0 + Fri 0 + Sat 60 = 90 (1404-Q1)
// T2 Sat 06-21 15:00 → Sun 06-22 10:00: 60 + 120 = 180 (1 Tir: 1404-Q2)
// T3 Sun 06-15 09:00 → 09:10: 10 (Q1, queue B)
// T4 Mon 06-16 15:00 → Tue 06-17 08:20: 60 + 20 = 80 (Q1)
// T5 Thu 06-26 11:00 → Sat 06-28 10:00: Thu half-day 60 + Fri 0 + Sat 120 = 180 (Q2)
// T6 Wed 06-25 10:00 → 10:45: 45 (Q2)
const t1 = await open('2025-06-18T15:30', queueA.id, 'agent-1');
const t2 = await open('2025-06-21T15:00', queueA.id, 'agent-1');
const t3 = await open('2025-06-15T09:00', queueB.id, 'agent-2');
const t4 = await open('2025-06-16T15:00', queueA.id, 'agent-2');
const t5 = await open('2025-06-26T11:00', queueA.id, 'agent-1');
const t6 = await open('2025-06-25T10:00', queueA.id, 'agent-2');
await reply(t1, '2025-06-21T09:00');
await reply(t2, '2025-06-22T10:00');
await reply(t3, '2025-06-15T09:10');
await reply(t4, '2025-06-17T08:20');
await reply(t5, '2025-06-28T10:00');
await reply(t6, '2025-06-25T10:45');
await reply(t3, '2025-06-15T09:30'); // a second reply is not a first response
// Resolutions: T3 Sun 09:00 → 10:00 = 60; T4 Mon 15:00 → Wed 06-18 15:00 = 60 + 480 + 420 = 960;
// T6 Wed 06-25 10:00 → Sat 06-28 09:00 = 360 + 240 + 0 + 60 = 660. T1 is solved, then reopened: not resolved.
await status(t3, '2025-06-15T10:00', 'solved');
await status(t4, '2025-06-18T15:00', 'solved');
await status(t6, '2025-06-28T09:00', 'solved');
await status(t1, '2025-06-22T12:00', 'solved');
await status(t1, '2025-06-22T13:00', 'open');
await status(t5, '2025-06-28T10:05', 'pending'); // its resolution clock pauses with 185 of 600 minutes spent
await rate(t3, '2025-06-15T12:00', 5);
await rate(t4, '2025-06-18T16:00', 2);
await rate(t6, '2025-06-28T10:00', 4);
// Another tenant's ticket in the same days changes none of the figures.
await at('2025-06-16T09:00', () => other.ticket());

t.test('response times: business-time percentiles by Persian quarter, across the Q1/Q2 boundary', async (t) => {
  const r = await report('response-times', QUARTERS);
  t.match(r, { timeZone: 'Asia/Tehran', calendar: 'persian', period: 'quarter' });
  t.same(r.periods.map((p) => [p.key, p.label, p.start, p.end]), [
    ['1404-Q1', 'سه‌ماههٔ اول ۱۴۰۴', '2025-03-20T20:30:00.000Z', '2025-06-21T20:30:00.000Z'],
    ['1404-Q2', 'سه‌ماههٔ دوم ۱۴۰۴', '2025-06-21T20:30:00.000Z', '2025-09-22T20:30:00.000Z'],
    ['1404-Q3', 'سه‌ماههٔ سوم ۱۴۰۴', '2025-09-22T20:30:00.000Z', '2025-12-21T20:30:00.000Z'],
  ], 'Farvardin–Khordad, Tir–Shahrivar, Mehr–Azar, from Tehran midnights');
  t.same(r.periods.map((p) => p.firstResponse), [
    { count: 3, p50Minutes: 80, p90Minutes: 90, averageMinutes: 60 }, // 10, 80, 90
    { count: 3, p50Minutes: 180, p90Minutes: 180, averageMinutes: 135 }, // 45, 180, 180
    { count: 0, p50Minutes: null, p90Minutes: null, averageMinutes: null },
  ]);
  t.same(r.periods.map((p) => p.resolution), [
    { count: 2, p50Minutes: 60, p90Minutes: 960, averageMinutes: 510 }, // 60, 960
    { count: 1, p50Minutes: 660, p90Minutes: 660, averageMinutes: 660 },
    { count: 0, p50Minutes: null, p90Minutes: null, averageMinutes: null },
  ], 'the reopened ticket counts no resolution');

  const june = await report('response-times', 'from=2025-06-01&to=2025-07-01&calendar=gregorian', 'en');
  t.same(june.periods.map((p) => [p.key, p.label]), [['2025-06', 'June 2025']]);
  t.same(june.periods[0]!.firstResponse, { count: 6, p50Minutes: 80, p90Minutes: 180, averageMinutes: 97.5 }, 'June holds both quarters’ answers: 10, 45, 80, 90, 180, 180');

  const b = await report('response-times', `${QUARTERS}&queueId=${queueB.id}`);
  t.equal(b.queueId, queueB.id);
  t.same(b.periods.map((p) => (p.firstResponse as { count: number }).count), [1, 0, 0], 'queue B: only T3');
  t.same(b.periods[0]!.firstResponse, { count: 1, p50Minutes: 10, p90Minutes: 10, averageMinutes: 10 });
});

t.test('SLA: targets met and breached by kind, policy, queue and agent', async (t) => {
  const r = await report('sla', QUARTERS);
  const [q1, q2, q3] = r.periods as Array<Period & { byKind: unknown[]; byPolicy: unknown[]; byQueue: unknown[]; byAgent: unknown[] }>;
  // Q1 started T1–T4. First response (120 min): T1 90, T3 10, T4 80 met; T2 180 breached.
  // Resolution (600 min): T3 60 met; T4 960 and T1 (750 at its solve) breached; T2 still running, long past due.
  t.match(q1, { met: 4, breached: 4, open: 0, metPercent: 50 });
  t.same(q1!.byKind, [
    { key: 'first_response', met: 3, breached: 1, open: 0, metPercent: 75 },
    { key: 'next_response', met: 0, breached: 0, open: 0, metPercent: null },
    { key: 'resolution', met: 1, breached: 3, open: 0, metPercent: 25 },
  ]);
  t.same(q1!.byPolicy, [{ key: policy.id, name: 'عمومی', met: 4, breached: 4, open: 0, metPercent: 50 }]);
  t.same(q1!.byQueue, [
    { key: queueA.id, name: 'فنی', met: 2, breached: 4, open: 0, metPercent: 33.3 },
    { key: queueB.id, name: 'مالی', met: 2, breached: 0, open: 0, metPercent: 100 },
  ].sort((a, b) => a.key.localeCompare(b.key)));
  t.same(q1!.byAgent, [
    { key: 'agent-1', met: 1, breached: 3, open: 0, metPercent: 25 },
    { key: 'agent-2', met: 3, breached: 1, open: 0, metPercent: 75 },
  ]);
  // Q2 started T5, T6: T5's first response 180 breached, its resolution paused (open); T6 45 met, 660 breached.
  t.match(q2, { met: 1, breached: 2, open: 1, metPercent: 33.3 });
  t.same(q3, { ...q3, met: 0, breached: 0, open: 0, metPercent: null, byPolicy: [], byQueue: [], byAgent: [] }, 'an empty period is listed');
  const b = await report('sla', `${QUARTERS}&queueId=${queueB.id}`);
  t.match(b.periods[0], { met: 2, breached: 0, metPercent: 100 });
});

t.test('CSAT: average, satisfied share and distribution by period', async (t) => {
  const r = await report('csat', QUARTERS);
  t.same(r.periods.map(({ responses, average, satisfiedPercent, distribution }) => ({ responses, average, satisfiedPercent, distribution })), [
    { responses: 2, average: 3.5, satisfiedPercent: 50, distribution: { 1: 0, 2: 1, 3: 0, 4: 0, 5: 1 } },
    { responses: 1, average: 4, satisfiedPercent: 100, distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 } },
    { responses: 0, average: null, satisfiedPercent: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } },
  ]);
  const a = await report('csat', `${QUARTERS}&queueId=${queueA.id}`);
  t.same(a.periods.map((p) => p.responses), [1, 1, 0], 'queue A: T4 and T6');
});

t.test('backlog: opened, resolved, and what was unresolved at each period’s end by age', async (t) => {
  const r = await report('backlog', QUARTERS, 'en');
  const ages = (p: Period) => (p.ages as Array<{ key: string; count: number | null }>).map((a) => a.count);
  t.same(r.periods.map((p) => [p.created, p.resolved, p.asOf, p.open]), [
    [4, 2, '2025-06-21T20:30:00.000Z', 2],
    [2, 1, '2025-09-22T20:30:00.000Z', 3],
    [0, 0, '2025-12-21T20:30:00.000Z', 3],
  ], 'T1 (reopened) and T2 open at the end of Q1; T5 (pending) joins them');
  // At 1 Tir 00:00: T2 opened 9 hours before, T1 3 days 8.5 hours before.
  t.same(ages(r.periods[0]!), [1, 0, 1, 0, 0]);
  t.same(ages(r.periods[1]!), [0, 0, 0, 0, 3]);
  t.same((r.periods[0]!.ages as Array<{ key: string; label: string }>).map((a) => [a.key, a.label]), [['lt_1d', 'Under a day'], ['1d_3d', '1–3 days'], ['3d_7d', '3–7 days'], ['7d_30d', '7–30 days'], ['gte_30d', '30 days or more']]);
  const fa = await report('backlog', `${QUARTERS}&queueId=${queueB.id}`);
  t.same(fa.periods.map((p) => [p.created, p.resolved, p.open]), [[1, 1, 0], [0, 0, 0], [0, 0, 0]], 'queue B');
  t.equal((fa.periods[0]!.ages as Array<{ label: string }>)[0]!.label, 'کمتر از یک روز');

  const future = await report('backlog', 'period=month&calendar=gregorian&from=2099-01-01&to=2099-02-01');
  t.same(future.periods.map((p) => [p.created, p.asOf, p.open, ages(p)]), [[0, null, null, [null, null, null, null, null]]], 'a period to come has no backlog yet');
});

t.test('defaults: the tenant’s calendar, twelve months to the current one', async (t) => {
  const r = await report('csat', '');
  t.equal(r.calendar, 'persian', 'a fa tenant');
  t.equal(r.periods.length, 12);
  const last = r.periods[11]!;
  t.ok(Date.parse(last.start) <= Date.now() && Date.now() < Date.parse(last.end), 'the last period is the current one');
  t.equal((await report('csat', 'period=quarter')).periods.length, 4);
});

t.test('bad parameters are localized problems and a reader needs support.report.read', async (t) => {
  for (const [query, status, code] of [
    ['from=2025-06-01&to=2025-05-01', 422, 'REPORT_RANGE_INVALID'],
    ['from=2025-06-01&to=2025-06-01', 422, 'REPORT_RANGE_INVALID'],
    ['from=2000-01-01&to=2020-01-01', 422, 'REPORT_RANGE_INVALID'],
    ['from=0001-01-01&to=2020-01-01&period=quarter', 422, 'REPORT_RANGE_INVALID'],
    ['calendar=julian', 400, 'VALIDATION_FAILED'],
    ['period=week', 400, 'VALIDATION_FAILED'],
    ['from=2025-02-30', 400, 'VALIDATION_FAILED'],
    ['from=1404-01-01x', 400, 'VALIDATION_FAILED'],
    ['groupBy=agent', 400, 'VALIDATION_FAILED'],
    ['queueId=00000000-0000-4000-8000-000000000000', 404, 'QUEUE_NOT_FOUND'],
  ] as const) {
    for (const path of ['sla', 'response-times', 'csat', 'backlog']) {
      const res = await s.call(admin, 'GET', `/reports/${path}?${query}`, undefined, { 'accept-language': 'fa' });
      t.equal(res.statusCode, status, `${path}?${query}: ${res.body}`);
      t.equal(res.json().code, code);
      t.match(res.headers['content-type'], /application\/problem\+json/);
    }
  }
  const tooLong = await s.call(admin, 'GET', '/reports/sla?from=2000-01-01&to=2020-01-01', undefined, { 'accept-language': 'fa' });
  t.equal(tooLong.json().title, 'بازهٔ گزارش نامعتبر است');
  t.same(tooLong.json().errors, [{ path: '/querystring/to', message: 'بازه حداکثر می‌تواند ۱۲۰ دوره داشته باشد' }]);
  const order = await s.call(admin, 'GET', '/reports/sla?from=2025-06-01&to=2025-05-01', undefined, { 'accept-language': 'en' });
  t.same(order.json().errors, [{ path: '/querystring/to', message: 'must be after the start of the range' }]);

  const agent = await s.user('agent-1', ['agent']);
  const manager = await s.user('boss', ['manager']);
  for (const path of ['sla', 'response-times', 'csat', 'backlog']) {
    const denied = await s.call(agent, 'GET', `/reports/${path}?${QUARTERS}`);
    t.equal(denied.statusCode, 403, `${path}: an agent`);
    t.equal(denied.json().code, 'FORBIDDEN');
    t.equal((await s.call(manager, 'GET', `/reports/${path}?${QUARTERS}`)).statusCode, 200, `${path}: a manager`);
  }
});

t.test('percentiles: the nearest rank of many values, the same on every database', async (t) => {
  const bulk = await bootSupport(t, { p: s.p, slug: 'bulk' });
  const db = s.p.peyvand.kernel.db;
  const june = tehran('2025-06-10T12:00');
  const values = Array.from({ length: 157 }, (_, i) => ((i * 7919) % 1000) * 60_000 + (i % 3) * 30_000);
  await db.knex(db.table('support_tickets')).insert(values.map((v, i) => ({
    id: newId(), tenant_id: bulk.id, number: i + 1, subject: 'x', channel: 'api', priority: 'normal', status: 'open', tags: '[]', version: 1,
    created_at: june, updated_at: june, first_response_at: june + (i % 2) * 3_600_000, first_response_business_ms: v,
  })));
  // Rows written behind the API's back: the report reads the per-day summary, so rebuild it (migration 006's backfill).
  await rebuildSummary(db.knex, db.dialect, (name) => db.table(name), { tenantId: bulk.id });
  const rank = (p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;
  const res = await bulk.call(bulk.admin, 'GET', '/reports/response-times?from=2025-06-01&to=2025-07-01&calendar=gregorian');
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json().periods[0].firstResponse, {
    count: values.length,
    // Percentiles come from the per-day histogram (docs/support.md, "Reports"): below 1,000
    // business minutes a bucket is one whole minute, the value floored — so the exact
    // nearest rank, floored; these values (with their half minutes) are all under 1,000.
    p50Minutes: Math.floor(rank(50) / 60_000),
    p90Minutes: Math.floor(rank(90) / 60_000),
    averageMinutes: Math.round(values.reduce((a, b) => a + b, 0) / values.length / 6_000) / 10,
  });
});

t.test('migration 003: up → down → up, resolution backfilled from solved tickets', async (t) => {
  const { knex } = await freshKnex(t);
  const migrator = new Migrator(new Database(knex, 'erp_'));
  const all = support.migrations ?? [];
  const core = { plugin: 'core', migrations: corePlugin.migrations ?? [] };
  await migrator.latest([core, { plugin: 'support', migrations: all.slice(0, 2) }]);
  const row = { tenant_id: 't', number: 1, subject: 'x', channel: 'api', priority: 'normal', tags: '[]', version: 1, created_at: 1_000, updated_at: 5_000 };
  await knex('erp_support_tickets').insert([{ ...row, id: 'solved', status: 'solved', solved_at: 3_000 }, { ...row, id: 'closed', number: 2, status: 'closed' }, { ...row, id: 'open', number: 3, status: 'open', solved_at: 2_000 }]);
  const plugins = [core, { plugin: 'support', migrations: all.slice(0, 3) }];
  t.same(await migrator.latest(plugins), ['support/003_report_figures']);
  const resolved = async () => Object.fromEntries((await knex('erp_support_tickets').orderBy('id').select('id', 'resolved_at')).map((r: { id: string; resolved_at: unknown }) => [r.id, r.resolved_at == null ? null : Number(r.resolved_at)]));
  t.same(await resolved(), { closed: 5_000, open: null, solved: 3_000 });
  t.same(await migrator.rollback(plugins), ['support/003_report_figures']);
  for (const column of ['first_response_business_ms', 'resolved_at', 'resolution_business_ms']) t.notOk(await knex.schema.hasColumn('erp_support_tickets', column), `${column} dropped`);
  t.equal((await knex('erp_support_tickets').count({ n: '*' }))[0]!.n == 3, true, 'the tickets survive');
  t.same(await migrator.latest(plugins), ['support/003_report_figures'], 'up again');
  t.same(await resolved(), { closed: 5_000, open: null, solved: 3_000 });
});
