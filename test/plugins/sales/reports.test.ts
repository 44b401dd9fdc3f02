/**
 * Reports through the HTTP API: the forecast on Persian and Gregorian periods in the
 * tenant's time zone (with the 1403/1404 boundary), weighted pipeline by stage and by
 * owner, win rate with the average sales cycle, the lead funnel — and record scope on
 * all of them.
 */
import t from 'tap';
import { bootSales, type Pipeline } from '../../helpers/sales.js';

const s = await bootSales(t);
const { admin } = s;
const agentA = await s.user('user-a', ['agent'], ['north']);
const agentB = await s.user('user-b', ['agent'], ['north']);
const manager = await s.user('user-m', ['manager'], ['north']);
const pipeline: Pipeline = await s.pipeline();
const [p10, p40, p60, p90] = pipeline.stages.map((x) => x.id) as [string, string, string, string];
const customerA = await s.customer(agentA, 'مشتری الف');
const customerB = await s.customer(agentB, 'مشتری ب');
type Period = { key: string; label: string; start: string; end: string; weighted: number; total: number; count: number };

const deal = (token: string, customerId: string, body: Record<string, unknown>) => s.ok<{ id: string }>(token, 'POST', '/deals', { title: 'r', customerId, pipelineId: pipeline.id, ...body });
await deal(agentA, customerA.id, { amount: 1_000, stageId: p40, expectedCloseDate: '2025-03-20' });
await deal(agentA, customerA.id, { amount: 2_000, stageId: p60, expectedCloseDate: '2025-03-21' });
await deal(agentB, customerB.id, { amount: 500, stageId: p10, expectedCloseDate: '2025-06-21' });
await deal(agentB, customerB.id, { amount: 700, stageId: p90, expectedCloseDate: '2025-06-22' });
await deal(agentA, customerA.id, { amount: 9_999, stageId: p90, expectedCloseDate: '2025-03-21', currency: 'USD' });
const won = await deal(agentA, customerA.id, { amount: 4_000, stageId: p90, expectedCloseDate: '2025-03-22' });
await s.ok(agentA, 'POST', `/deals/${won.id}/won`, undefined, 200);
await deal(agentA, customerA.id, { amount: 3_000, stageId: p40, expectedCloseDate: '2026-01-01' });

const forecast = async (token: string, query: string, lang = 'en') => {
  const res = await s.call(token, 'GET', `/reports/forecast?pipelineId=${pipeline.id}&${query}`, undefined, { 'accept-language': lang });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json() as { currency: string; timeZone: string; periods: Period[] };
};

t.test('forecast by Persian quarter: 2025-03-20 is 1403 Q4, 2025-03-21 is 1404 Q1', async (t) => {
  const r = await forecast(admin, 'period=quarter&calendar=persian&from=2025-01-01&to=2025-09-20');
  t.equal(r.timeZone, 'Asia/Tehran');
  t.equal(r.currency, 'IRR', 'the pipeline currency; the USD deal is not summed in');
  t.same(r.periods.map((p) => [p.key, p.count, p.total, p.weighted]), [
    ['1403-Q4', 1, 1_000, 400],
    ['1404-Q1', 2, 2_500, 1_250],
    ['1404-Q2', 1, 700, 630],
  ], 'open deals only, weighted by stage probability');
  t.same(r.periods.map((p) => p.label), ['Q4 1403', 'Q1 1404', 'Q2 1404']);
  t.equal(r.periods[1]!.start, '2025-03-20T20:30:00.000Z', '1 Farvardin 1404 begins at local midnight in Tehran');
  t.equal(r.periods[1]!.end, '2025-06-21T20:30:00.000Z', '1 Tir 1404');
  const fa = await forecast(admin, 'period=quarter&calendar=persian&from=2025-01-01&to=2025-09-20', 'fa');
  t.same(fa.periods.map((p) => p.label), ['سه‌ماههٔ چهارم ۱۴۰۳', 'سه‌ماههٔ اول ۱۴۰۴', 'سه‌ماههٔ دوم ۱۴۰۴']);
});

t.test('forecast by Persian and Gregorian month', async (t) => {
  const persian = await forecast(admin, 'period=month&calendar=persian&from=2025-03-01&to=2025-04-01', 'fa');
  t.same(persian.periods.map((p) => [p.key, p.label, p.count]), [['1403-12', 'اسفند ۱۴۰۳', 1], ['1404-01', 'فروردین ۱۴۰۴', 1]], 'Esfand holds the 20th, Farvardin the 21st');
  const gregorian = await forecast(admin, 'period=month&calendar=gregorian&from=2025-03-01&to=2025-07-01');
  t.same(gregorian.periods.map((p) => [p.key, p.count, p.total]), [['2025-03', 2, 3_000], ['2025-04', 0, 0], ['2025-05', 0, 0], ['2025-06', 2, 1_200]], 'empty months are listed too');
  const quarter = await forecast(admin, 'period=quarter&calendar=gregorian&from=2025-01-01&to=2026-01-02');
  t.same(quarter.periods.map((p) => [p.key, p.count]), [['2025-Q1', 2], ['2025-Q2', 2], ['2025-Q3', 0], ['2025-Q4', 0], ['2026-Q1', 1]]);
  const usd = await forecast(admin, 'period=quarter&calendar=persian&from=2025-01-01&to=2025-09-20&currency=USD');
  t.same(usd.periods.map((p) => p.total), [0, 9_999, 0], 'one currency at a time');
});

t.test('forecast: bad input', async (t) => {
  const inverted = await s.call(admin, 'GET', '/reports/forecast?from=2025-06-01&to=2025-01-01', undefined, { 'accept-language': 'fa' });
  t.equal(inverted.statusCode, 422);
  t.match(inverted.json(), { code: 'REPORT_RANGE_INVALID', title: 'بازهٔ گزارش نامعتبر است' });
  t.equal((await s.call(admin, 'GET', '/reports/forecast?from=1990-01-01&to=2025-01-01')).statusCode, 422, 'too many periods');
  t.equal((await s.call(admin, 'GET', '/reports/forecast?period=week')).statusCode, 400);
  t.equal((await s.call(admin, 'GET', '/reports/forecast?calendar=hijri')).statusCode, 400);
  t.equal((await s.call(admin, 'GET', '/reports/forecast?from=2025-13-01')).statusCode, 400);
  t.equal((await s.call(admin, 'GET', '/reports/forecast?bogus=1')).statusCode, 400);
  t.equal((await s.call(admin, 'GET', '/reports/forecast?pipelineId=01900000-0000-7000-8000-000000000000')).statusCode, 404);
});

t.test('forecast defaults: the tenant’s calendar, a year with each month once', async (t) => {
  const defaults = await s.ok<{ calendar: string; periods: Period[] }>(admin, 'GET', '/reports/forecast');
  t.equal(defaults.calendar, 'persian', 'a fa tenant gets Jalali periods');
  t.equal(defaults.periods.length, 12, 'twelve months: the current one and the eleven after it');
  t.match(defaults.periods[0]!.key, /^14\d\d-\d\d$/, 'Jalali keys');
  const months = defaults.periods.map((p) => p.key.slice(5));
  t.equal(new Set(months).size, 12, 'no month twice');
  t.ok(Date.parse(defaults.periods[0]!.start) <= Date.now() && Date.now() < Date.parse(defaults.periods[0]!.end), 'the first period holds today');
  const quarters = await s.ok<{ periods: Period[] }>(admin, 'GET', '/reports/forecast?period=quarter');
  t.same(new Set(quarters.periods.map((p) => p.key.slice(5))).size, 4, 'four quarters, each once');
  const gregorian = await s.ok<{ calendar: string; periods: Period[] }>(admin, 'GET', '/reports/forecast?calendar=gregorian');
  t.equal(gregorian.calendar, 'gregorian', 'an explicit calendar wins');
  t.match(gregorian.periods[0]!.key, /^20\d\d-\d\d$/);
  const en = await bootSales(t, { p: s.p, slug: 'english', tenant: { locale: 'en' } });
  t.equal((await en.ok<{ calendar: string }>(en.admin, 'GET', '/reports/forecast')).calendar, 'gregorian', 'an en tenant gets Gregorian periods');
});

t.test('weighted pipeline by stage and by owner', async (t) => {
  const byStage = await s.ok<{ currency: string; items: Array<{ key: string; name: string; count: number; total: number; weighted: number }> }>(admin, 'GET', `/reports/pipeline?pipelineId=${pipeline.id}`);
  t.same(byStage.items.map((i) => [i.name, i.count, i.total, i.weighted]), [['سرنخ', 1, 500, 50], ['مذاکره', 2, 4_000, 1_600], ['پیشنهاد قیمت', 1, 2_000, 1_200], ['قرارداد', 1, 700, 630]], 'every stage in order, open IRR deals');
  const byOwner = await s.ok<{ items: Array<{ key: string; total: number }> }>(admin, 'GET', `/reports/pipeline?pipelineId=${pipeline.id}&groupBy=owner`);
  t.same(byOwner.items.map((i) => [i.key, i.total]).sort(), [['user-a', 6_000], ['user-b', 1_200]]);
});

t.test('win rate and average sales cycle', async (t) => {
  const lost = await deal(agentB, customerB.id, { amount: 1, stageId: p10 });
  await s.ok(agentB, 'POST', `/deals/${lost.id}/lost`, { reason: 'price' }, 200);
  const old = await deal(agentB, customerB.id, { amount: 1, stageId: p10 });
  // Created ten days ago, won now: a ten-day cycle.
  await s.p.peyvand.kernel.db.knex('crm_sales_deals').where({ id: old.id }).update({ created_at: Date.now() - 10 * 86_400_000 });
  await s.ok(agentB, 'POST', `/deals/${old.id}/won`, undefined, 200);
  const all = await s.ok<{ items: Array<{ key: string; won: number; lost: number; winRate: number; averageCycleDays: number }> }>(admin, 'GET', '/reports/win-rate');
  t.match(all.items, [{ key: 'all', won: 2, lost: 1, winRate: 0.6667 }]);
  t.ok(all.items[0]!.averageCycleDays >= 4.9 && all.items[0]!.averageCycleDays <= 5.1, `average of 0 and 10 days: ${all.items[0]!.averageCycleDays}`);
  const byOwner = await s.ok<{ items: Array<{ key: string; won: number; lost: number; winRate: number }> }>(admin, 'GET', '/reports/win-rate?groupBy=owner');
  t.same(byOwner.items.map((i) => [i.key, i.won, i.lost, i.winRate]).sort(), [['user-a', 1, 0, 1], ['user-b', 1, 1, 0.5]]);
  const future = await s.ok<{ items: unknown[] }>(admin, 'GET', '/reports/win-rate?from=2099-01-01&to=2099-02-01');
  t.same(future.items, [], 'nothing closed in that range');
});

t.test('lead funnel', async (t) => {
  const make = (name: string) => s.ok<{ id: string }>(admin, 'POST', '/leads', { name, ownerId: 'user-a' });
  const a = await make('f1');
  const b = await make('f2');
  const c = await make('f3');
  await make('f4');
  await s.ok(admin, 'PATCH', `/leads/${a.id}`, { status: 'contacted' }, 200);
  await s.ok(admin, 'PATCH', `/leads/${b.id}`, { status: 'qualified' }, 200);
  await s.ok(admin, 'PATCH', `/leads/${c.id}`, { status: 'disqualified', disqualifyReason: 'spam' }, 200);
  const conv = await s.ok<{ deal: { id: string } }>(admin, 'POST', `/leads/${b.id}/convert`, { deal: { title: 'from lead', amount: 10, pipelineId: pipeline.id } }, 200);
  await s.ok(admin, 'POST', `/deals/${conv.deal.id}/won`, undefined, 200);
  const funnel = await s.ok<{ items: Array<Record<string, unknown>> }>(admin, 'GET', '/reports/funnel');
  t.same(funnel.items, [{ key: 'all', created: 4, contacted: 2, qualified: 1, converted: 1, disqualified: 1, won: 1, conversionRate: 0.25 }], 'a skipped step still counts as reached');
  const own = await s.ok<{ items: Array<{ created: number }> }>(agentB, 'GET', '/reports/funnel');
  t.same(own.items, [], 'an agent’s funnel holds only their leads');
});

t.test('record scope applies to reports', async (t) => {
  const q = 'period=quarter&calendar=persian&from=2025-01-01&to=2025-09-20';
  t.same((await forecast(agentA, q)).periods.map((p) => p.count), [1, 1, 0], 'agent A: own deals only');
  t.same((await forecast(agentB, q)).periods.map((p) => p.count), [0, 1, 1], 'agent B: own deals only');
  t.same((await forecast(manager, q)).periods.map((p) => p.count), [1, 2, 1], 'the manager: the team');
  const stages = await s.ok<{ items: Array<{ count: number }> }>(agentB, 'GET', `/reports/pipeline?pipelineId=${pipeline.id}`);
  t.same(stages.items.map((i) => i.count), [1, 0, 0, 1]);
  const winRate = await s.ok<{ items: Array<{ won: number; lost: number }> }>(agentA, 'GET', '/reports/win-rate');
  t.match(winRate.items, [{ won: 2, lost: 0 }], 'agent A: the two won deals they own');
});
