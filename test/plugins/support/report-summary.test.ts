/**
 * The per-day report summary (migration 006) against a brute force over the raw tickets
 * and targets: a seeded random sequence of changes through the API — tickets opened by
 * agents of two teams and by the admin, replies by agents and by the customer (next
 * response), pending/solved/closed and reopening, reassignment, queue and priority
 * changes, merges, SLA policy changes and switch-off/on, the scheduler's breaches — then
 * the SLA and response-time reports for the admin, a team manager and one queue are
 * compared with what the raw rows say (percentiles: the nearest rank, bucketed by the
 * documented rule), and the maintained summary with a rebuild from scratch. The histogram
 * rule itself is checked on its edges. Migration 006 up → down → up with its backfill.
 * Every DB runs the same expectations.
 */
import t, { type Test } from 'tap';
import support from '../../../plugins/support/index.js';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { readBool, readInt } from '../../../core/plugin/index.js';
import { bucketPercentile, minuteBucket, rebuildSummary } from '../../../plugins/support/services/summary.js';
import { freshKnex } from '../../helpers/database.js';
import { ALWAYS_OPEN, bootSupport, type Ticket } from '../../helpers/support.js';

const MIN = 60_000;

t.test('histogram buckets: exact under 1,000 minutes, three significant digits above; lower bounds reported', async (t) => {
  t.same([0, 59_999, 60_000, 999 * MIN + 59_999].map(minuteBucket), [0, 0, 1, 999], 'whole minutes, floored');
  t.same([1000, 1009, 1010, 9999, 10_000, 10_099, 123_456].map((m) => minuteBucket(m * MIN)), [1000, 1000, 1010, 9990, 10_000, 10_000, 123_000]);
  t.equal(bucketPercentile([[5, 1], [1, 1], [3, 1]], 50), 3, 'nearest rank over the sorted buckets');
  t.equal(bucketPercentile([[1, 9], [7, 1]], 90), 1);
  t.equal(bucketPercentile([[1, 9], [7, 1]], 91), 7);
  t.equal(bucketPercentile([], 50), null);
});

/** A small seeded generator (mulberry32): the same sequence on every run and database. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The histogram rule written out independently of the code under test. */
const bucketOf = (ms: number): number => {
  const m = Math.floor(ms / MIN);
  if (m < 1000) return m;
  const width = 10 ** (Math.floor(Math.log10(m)) - 2);
  return Math.floor(m / width) * width;
};

t.test('randomized changes: the reports from the summary equal a brute force over the raw rows', async (t) => {
  const s = await bootSupport(t, { slug: 'summary' });
  const { admin } = s;
  const realNow = Date.now;
  let clock = Date.parse('2025-01-05T09:00:00+03:30');
  Date.now = () => clock;
  t.teardown(() => {
    Date.now = realNow;
  });
  const db = s.p.peyvand.kernel.db;
  const rnd = random(13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

  await s.ok(admin, 'PUT', '/calendars/always', { name: 'همیشه', week: ALWAYS_OPEN, holidays: [] }, 200);
  await s.ok(admin, 'PUT', '/calendars/office', { name: 'دفتر', holidays: [] }, 200);
  const general = await s.ok<{ id: string }>(admin, 'POST', '/sla-policies', { name: 'عمومی', calendarId: 'office', conditions: {}, targets: { firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 600 } });
  const urgent = await s.ok<{ id: string }>(admin, 'POST', '/sla-policies', { name: 'فوری', calendarId: 'always', conditions: { priority: ['urgent'] }, targets: { firstResponseMinutes: 30, nextResponseMinutes: 45, resolutionMinutes: 240 } });
  const queues = [
    await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'فنی', members: ['a1', 'a2', 'm1'], assignment: 'manual' }),
    await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'مالی', members: ['a2'], assignment: 'manual', calendarId: 'always' }),
  ];
  const customer = await s.customer('مریم');
  const asCustomer = await s.user('host-user', ['customer'], [], { cust: customer.id });
  const agents = [await s.user('a1', ['agent'], ['t1']), await s.user('a2', ['agent'], ['t2'])];
  const manager = await s.user('m1', ['manager'], ['t1']);
  const authors = [admin, manager, ...agents];
  const tickets: Ticket[] = [];
  const live = () => tickets.filter((x) => !x.mergedIntoId);

  const steps: Record<string, () => Promise<unknown>> = {
    open: async () => {
      // Agents and managers do not see the customer (record scope): their tickets have none, so the customer answers only the admin's.
      const author = pick(authors);
      tickets.push(await s.ticket({ ...(author === admin && { customerId: customer.id }), queueId: pick(queues).id, priority: pick(['normal', 'high', 'urgent']) }, author));
    },
    agentReply: async () => s.call(admin, 'POST', `/tickets/${pick(live()).id}/messages`, { body: 'در حال بررسی.', visibility: 'public' }),
    customerReply: async () => {
      const theirs = live().filter((x) => x.customerId);
      if (theirs.length) await s.call(asCustomer, 'POST', `/api/v1/support/portal/tickets/${pick(theirs).id}/messages`, { body: 'هنوز مشکل دارم.' });
    },
    status: async () => s.call(admin, 'PATCH', `/tickets/${pick(live()).id}`, { status: pick(['open', 'pending', 'on_hold', 'solved', 'solved', 'closed']) }),
    reassign: async () => s.call(admin, 'PATCH', `/tickets/${pick(live()).id}`, { assigneeId: pick(['a1', 'a2', 'm1', null]) }),
    requeue: async () => s.call(admin, 'PATCH', `/tickets/${pick(live()).id}`, { queueId: pick([...queues.map((q) => q.id), null]), priority: pick(['normal', 'urgent']) }),
    merge: async () => {
      const [into, from] = [pick(live()), pick(live())];
      if (into.id !== from.id) {
        const res = await s.call(admin, 'POST', `/tickets/${into.id}/merge`, { from: [from.id] });
        if (res.statusCode === 200) tickets.find((x) => x.id === from.id)!.mergedIntoId = into.id;
      }
    },
    policy: async () => s.ok(admin, 'PATCH', `/sla-policies/${urgent.id}`, { targets: { firstResponseMinutes: pick([15, 30, 90]), nextResponseMinutes: pick([20, 45]), resolutionMinutes: pick([120, 240, 2000]) } }, 200),
    switchOff: async () => {
      // Off for one change, then on again: open tickets lose their targets, then get new ones.
      await s.ok(admin, 'PATCH', `/sla-policies/${general.id}`, { enabled: false }, 200);
      await steps[pick(['open', 'agentReply', 'status'])]!();
      await s.ok(admin, 'PATCH', `/sla-policies/${general.id}`, { enabled: true }, 200);
    },
    breaches: async () => s.services().scheduler.runOnce(clock),
  };
  const weights: Array<[string, number]> = [['open', 7], ['agentReply', 5], ['customerReply', 4], ['status', 5], ['reassign', 2], ['requeue', 2], ['merge', 1], ['policy', 1], ['switchOff', 1], ['breaches', 2]];
  const bag = weights.flatMap(([name, w]) => Array<string>(w).fill(name));

  await steps.open!();
  for (let i = 0; i < 140; i++) {
    // Minutes to days between changes, so months, weekends and the 1,000-minute buckets all occur.
    clock += Math.floor(rnd() ** 3 * 4 * 24 * 60) * MIN + Math.floor(rnd() * MIN);
    await steps[pick(bag)]!();
    if (i % 35 === 34) await compareAll(t, s, i);
  }
  await compareAll(t, s, 140);
  const raw = await rawRows(s);
  t.ok(tickets.some((x) => x.mergedIntoId), 'the sequence merged tickets');
  t.ok(raw.targets.some((x) => readBool(x.breached) && x.state !== 'met'), 'the scheduler flagged breaches');
  t.ok(raw.targets.some((x) => x.kind === 'next_response'), 'customers started next-response targets');
  t.ok(raw.tickets.some((x) => x.first_response_business_ms != null && readInt(x.first_response_business_ms) >= 1000 * MIN), 'times of 1,000 minutes and more occur');

  // The maintained rows equal a rebuild from scratch (zero rows aside).
  const snapshot = async () => {
    const out: string[] = [];
    for (const name of ['support_sla_daily', 'support_time_daily', 'support_time_monthly']) {
      for (const r of await db.knex(db.table(name)).where({ tenant_id: s.id }).where('n', '<>', 0) as Array<Record<string, unknown>>) out.push(JSON.stringify(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)])));
    }
    return out.sort();
  };
  const maintained = await snapshot();
  t.ok(maintained.length > 20, `the summary has rows (${maintained.length})`);
  await rebuildSummary(db.knex, db.dialect, (name) => db.table(name), { tenantId: s.id });
  t.same(maintained, await snapshot(), 'maintained summary = rebuilt summary');
  t.same(await db.knex(db.table('support_sla_daily')).where('n', '<', 0).count({ n: '*' }).then((r) => Number(r[0]!.n)), 0, 'no negative counts');

  /** Compares the admin's, the team manager's and one queue's reports with the brute force. */
  async function compareAll(t: Test, tenant: typeof s, step: number): Promise<void> {
    const months = 'from=2025-01-01&to=2026-01-01&period=month&calendar=gregorian';
    const quarters = 'from=2025-01-01&to=2026-01-01&period=quarter&calendar=persian';
    for (const [label, token, teams, owner, queueId, query] of [['admin', admin, null, null, undefined, months], ['admin, Persian quarters', admin, null, null, undefined, quarters], ['manager of t1', manager, ['t1'], 'm1', undefined, months], ['manager of t1, Persian quarters', manager, ['t1'], 'm1', undefined, quarters], ['queue', admin, null, null, queues[0]!.id, months]] as const) {
      const q = queueId ? `${query}&queueId=${queueId}` : query;
      const [sla, times] = await Promise.all([tenant.ok<Report>(token, 'GET', `/reports/sla?${q}`), tenant.ok<Report>(token, 'GET', `/reports/response-times?${q}`)]);
      const raw = await rawRows(tenant);
      const visible = raw.tickets.filter((x) => x.merged_into_id == null && (!teams || x.assignee_id === owner || (x.team_id != null && (teams as readonly string[]).includes(x.team_id))) && (!queueId || x.queue_id === queueId));
      t.same(sla.periods.map(normalizeSla), sla.periods.map((p) => bruteSla(p, visible, raw.targets)), `SLA report, ${label}, after step ${step}`);
      t.same(times.periods.map((p) => ({ firstResponse: p.firstResponse, resolution: p.resolution })), times.periods.map((p) => bruteTimes(p, visible)), `response times, ${label}, after step ${step}`);
    }
  }

  async function rawRows(tenant: typeof s): Promise<{ tickets: RawTicket[]; targets: RawTarget[] }> {
    return {
      tickets: await db.knex(db.table('support_tickets')).where({ tenant_id: tenant.id }),
      targets: await db.knex(db.table('support_sla_targets')).where({ tenant_id: tenant.id }),
    };
  }

  function bruteSla(period: Period, visible: RawTicket[], targets: RawTarget[]): SlaShape {
    const byId = new Map(visible.map((x) => [x.id, x]));
    const out: SlaShape = { total: blank(), byKind: {}, byPolicy: {}, byQueue: {}, byAgent: {} };
    for (const target of targets) {
      const ticket = byId.get(target.ticket_id);
      const started = readInt(target.started_at);
      if (!ticket || started < Date.parse(period.start) || started >= Date.parse(period.end)) continue;
      const outcome = readBool(target.breached) || (target.state === 'running' && readInt(target.due_at!) < clock) ? 'breached' : target.state === 'met' ? 'met' : 'open';
      out.total[outcome]++;
      for (const [group, key] of [['byKind', target.kind], ['byPolicy', target.policy_id], ['byQueue', ticket.queue_id ?? 'none'], ['byAgent', ticket.assignee_id ?? 'none']] as const) (out[group][key] ??= blank())[outcome]++;
    }
    for (const kind of ['first_response', 'next_response', 'resolution']) out.byKind[kind] ??= blank();
    return out;
  }

  function bruteTimes(period: Period, visible: RawTicket[]): { firstResponse: Times; resolution: Times } {
    const figures = (at: 'first_response_at' | 'resolved_at', value: 'first_response_business_ms' | 'resolution_business_ms'): Times => {
      const values = visible.filter((x) => x[at] != null && x[value] != null && readInt(x[at]!) >= Date.parse(period.start) && readInt(x[at]!) < Date.parse(period.end)).map((x) => readInt(x[value]!)).sort((a, b) => a - b);
      if (values.length === 0) return { count: 0, p50Minutes: null, p90Minutes: null, averageMinutes: null };
      const rank = (p: number) => bucketOf(values[Math.ceil((p / 100) * values.length) - 1]!);
      return { count: values.length, p50Minutes: rank(50), p90Minutes: rank(90), averageMinutes: Math.round(values.reduce((a, b) => a + b, 0) / values.length / 6_000) / 10 };
    };
    return { firstResponse: figures('first_response_at', 'first_response_business_ms'), resolution: figures('resolved_at', 'resolution_business_ms') };
  }
});

t.test('migration 006: up → down → up, the summary backfilled from existing tickets and targets', async (t) => {
  const { knex } = await freshKnex(t);
  const db = new Database(knex, 'erp_');
  const migrator = new Migrator(db);
  const all = support.migrations ?? [];
  const core = { plugin: 'core', migrations: corePlugin.migrations ?? [] };
  await migrator.latest([core, { plugin: 'support', migrations: all.slice(0, 5) }]);
  await knex('erp_tenants').insert({ id: 'tn', slug: 'tn', name: 'tn', locale: 'fa', time_zone: 'Asia/Tehran', settings: '{}', created_at: 0, updated_at: 0 });
  const row = { tenant_id: 'tn', subject: 'x', channel: 'api', priority: 'normal', tags: '[]', version: 1, created_at: 1_000, updated_at: 5_000 };
  // 2025-06-10 23:00 Tehran is 19:30 UTC: its local day is the 10th, whatever UTC says.
  const late = Date.parse('2025-06-10T23:00:00+03:30');
  await knex('erp_support_tickets').insert([
    { ...row, id: 'a', number: 1, status: 'solved', queue_id: 'q', assignee_id: 'u', resolved_at: late, resolution_business_ms: 90 * MIN, first_response_at: late, first_response_business_ms: 1234 * MIN },
    { ...row, id: 'b', number: 2, status: 'closed', merged_into_id: 'a', first_response_at: late, first_response_business_ms: MIN },
  ]);
  const target = { tenant_id: 'tn', policy_id: 'p', budget_ms: 1, spent_ms: 0, started_at: late };
  await knex('erp_support_sla_targets').insert([
    { ...target, id: 't1', ticket_id: 'a', kind: 'first_response', state: 'met', breached: false },
    { ...target, id: 't2', ticket_id: 'a', kind: 'resolution', state: 'met', breached: true },
    { ...target, id: 't3', ticket_id: 'a', kind: 'next_response', state: 'paused', breached: false },
  ]);
  const plugins = [core, { plugin: 'support', migrations: all.slice(0, 6) }];
  const day = 20250610;
  const summary = async () => ({
    sla: (await knex('erp_support_sla_daily').orderBy('kind').select('day', 'kind', 'queue_id', 'assignee_id', 'team_id', 'outcome', 'n')).map((r: Record<string, unknown>) => ({ ...r, day: Number(r.day), n: Number(r.n) })),
    monthly: (await knex('erp_support_time_monthly').orderBy(['measure', 'calendar']).select('calendar', 'month', 'measure', 'bucket', 'n')).map((r: Record<string, unknown>) => ({ calendar: r.calendar, month: Number(r.month), measure: r.measure, bucket: Number(r.bucket), n: Number(r.n) })),
    time: (await knex('erp_support_time_daily').orderBy('measure').select('day', 'measure', 'bucket', 'n', 'total_ms')).map((r: Record<string, unknown>) => ({ day: Number(r.day), measure: r.measure, bucket: Number(r.bucket), n: Number(r.n), total_ms: Number(r.total_ms) })),
  });
  const expected = {
    sla: [
      { day, kind: 'first_response', queue_id: 'q', assignee_id: 'u', team_id: '', outcome: 'met', n: 1 },
      { day, kind: 'resolution', queue_id: 'q', assignee_id: 'u', team_id: '', outcome: 'breached', n: 1 },
    ],
    // 10 June 2025 is 20 Khordad 1404.
    monthly: [
      { calendar: 'gregorian', month: 202506, measure: 'first_response', bucket: 1230, n: 1 },
      { calendar: 'persian', month: 140403, measure: 'first_response', bucket: 1230, n: 1 },
      { calendar: 'gregorian', month: 202506, measure: 'resolution', bucket: 90, n: 1 },
      { calendar: 'persian', month: 140403, measure: 'resolution', bucket: 90, n: 1 },
    ],
    time: [
      { day, measure: 'first_response', bucket: 1230, n: 1, total_ms: 1234 * MIN },
      { day, measure: 'resolution', bucket: 90, n: 1, total_ms: 90 * MIN },
    ],
  };
  t.same(await migrator.latest(plugins), ['support/006_report_summary']);
  t.same(await summary(), expected, 'decided targets and times of unmerged tickets, by local day');
  t.same(await migrator.rollback(plugins), ['support/006_report_summary']);
  for (const name of ['erp_support_sla_daily', 'erp_support_time_daily', 'erp_support_time_monthly']) t.notOk(await knex.schema.hasTable(name), `${name} dropped`);
  t.same(await migrator.latest(plugins), ['support/006_report_summary'], 'up again');
  t.same(await summary(), expected);
});

interface Period {
  start: string;
  end: string;
  [figure: string]: unknown;
}
interface Report {
  periods: Array<Period & { firstResponse: Times; resolution: Times }>;
}
interface Times {
  count: number;
  p50Minutes: number | null;
  p90Minutes: number | null;
  averageMinutes: number | null;
}
interface Outcomes {
  met: number;
  breached: number;
  open: number;
}
interface SlaShape {
  total: Outcomes;
  byKind: Record<string, Outcomes>;
  byPolicy: Record<string, Outcomes>;
  byQueue: Record<string, Outcomes>;
  byAgent: Record<string, Outcomes>;
}
interface RawTicket {
  id: string;
  queue_id: string | null;
  assignee_id: string | null;
  team_id: string | null;
  merged_into_id: string | null;
  first_response_at: number | string | null;
  first_response_business_ms: number | string | null;
  resolved_at: number | string | null;
  resolution_business_ms: number | string | null;
}
interface RawTarget {
  ticket_id: string;
  kind: string;
  policy_id: string;
  state: string;
  started_at: number | string;
  due_at: number | string | null;
  breached: boolean | number;
}

const blank = (): Outcomes => ({ met: 0, breached: 0, open: 0 });

/** The SLA report's period as counts only, keyed like the brute force ('none' for a missing queue or agent). */
function normalizeSla(period: Period): SlaShape {
  const groups = (list: unknown) => Object.fromEntries((list as Array<Outcomes & { key: string | null }>).map((g) => [g.key ?? 'none', { met: g.met, breached: g.breached, open: g.open }]));
  const p = period as Period & Outcomes;
  return { total: { met: p.met, breached: p.breached, open: p.open }, byKind: groups(p.byKind), byPolicy: groups(p.byPolicy), byQueue: groups(p.byQueue), byAgent: groups(p.byAgent) };
}
