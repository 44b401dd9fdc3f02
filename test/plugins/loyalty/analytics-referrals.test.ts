/**
 * Analytics checked against a small hand-computed data set (RFM quintiles and segments,
 * Pareto share and curve in either calendar, the win-back list), lifecycle stages and
 * their events, referrals (both sides earn once; self-referral and loops refused), and
 * the migration up → down → up.
 *
 * The data set (tenant time zone Asia/Tehran), as of 2026-06-30:
 *
 * | customer | paid orders (2026 unless noted, 300k = 300,000 IRR)       | n | revenue   | last   |
 * |----------|------------------------------------------------------------|---|-----------|--------|
 * | A        | 02-20, 03-20, 04-20, 05-20, 06-20, 300k each               | 5 | 1,500,000 | 06-20  |
 * | B        | 05-01, 06-01, 06-25, 200k each                             | 3 |   600,000 | 06-25  |
 * | C        | 01-10, 02-10, 03-10, 04-10, 100k each                      | 4 |   400,000 | 04-10  |
 * | D        | 2025-12-01 150k, 01-01 100k                                | 2 |   250,000 | 01-01  |
 * | E        | 2025-10-01 50k                                             | 1 |    50,000 | 2025   |
 * | F        | 06-28 500k, returned whole (does not count)                | 0 |         0 |        |
 *
 * Ranks ascending equal the scores with n = 5: R = E1 D2 C3 A4 B5, F = E1 D2 B3 C4 A5,
 * M = E1 D2 C3 B4 A5. Segments: A (R4 F5) loyal, B (R5 F3) potential loyalist, C (R3 F4)
 * loyal, D (R2 F2) hibernating, E (R1 F1) lost.
 */
import t from 'tap';
import loyalty from '../../../plugins/loyalty/index.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { freshKnex } from '../../helpers/database.js';
import { bootLoyalty, eventsOf, makeOrder } from '../../helpers/loyalty.js';

const s = await bootLoyalty(t);
await s.program({ referral: { referrerPoints: 300, refereePoints: 150 } });
const DAY = 86_400_000;
const at = (date: string) => `${date}T08:00:00.000Z`;
const ids: Record<string, string> = {};
const history: Record<string, Array<[string, number]>> = {
  A: [['2026-02-20', 300_000], ['2026-03-20', 300_000], ['2026-04-20', 300_000], ['2026-05-20', 300_000], ['2026-06-20', 300_000]],
  B: [['2026-05-01', 200_000], ['2026-06-01', 200_000], ['2026-06-25', 200_000]],
  C: [['2026-01-10', 100_000], ['2026-02-10', 100_000], ['2026-03-10', 100_000], ['2026-04-10', 100_000]],
  D: [['2025-12-01', 150_000], ['2026-01-01', 100_000]],
  E: [['2025-10-01', 50_000]],
};
for (const [name, orders] of Object.entries(history)) {
  ids[name] = await s.customer(`مشتری ${name}`);
  for (const [date, amount] of orders) await s.emit('order.paid', makeOrder(ids[name]!, { amount, paidAt: at(date) }));
}
ids.F = await s.customer('مشتری F');
const returned = makeOrder(ids.F, { amount: 500_000, paidAt: at('2026-06-28') });
await s.emit('order.paid', returned);
await s.emit('order.returned', { ...returned, status: 'returned', version: 2 });
await s.emit('order.paid', makeOrder(ids.A!, { currency: 'USD', amount: 99_999_999, paidAt: at('2026-06-01') }));

t.test('RFM: segments and scores match the hand computation', async (t) => {
  const report = await s.ok<{ customers: number; segments: Array<{ key: string; name: string; count: number; revenue: number }> }>(s.admin, 'GET', '/reports/rfm?asOf=2026-06-30');
  t.equal(report.customers, 5, 'paying customers; the wholly returned order and the USD order do not count');
  const nonEmpty = report.segments.filter((x) => x.count > 0).map((x) => [x.key, x.count, x.revenue]);
  t.same(nonEmpty, [['loyal', 2, 1_900_000], ['potential_loyalists', 1, 600_000], ['hibernating', 1, 250_000], ['lost', 1, 50_000]]);
  t.same(report.segments.map((x) => x.key), ['champions', 'loyal', 'potential_loyalists', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cant_lose', 'hibernating', 'lost'], 'every segment listed');
  const fa = await s.call(s.admin, 'GET', '/reports/rfm?asOf=2026-06-30', undefined, { 'accept-language': 'fa' });
  t.equal(fa.json().segments[0].name, 'قهرمانان');
  const expected: Record<string, [number, number, number, string]> = { A: [4, 5, 5, 'loyal'], B: [5, 3, 4, 'potential_loyalists'], C: [3, 4, 3, 'loyal'], D: [2, 2, 2, 'hibernating'], E: [1, 1, 1, 'lost'] };
  for (const [name, [r, f, m, segment]] of Object.entries(expected)) {
    t.match(await s.ok(s.admin, 'GET', `/customers/${ids[name]}/rfm?asOf=2026-06-30`), { r, f, m, segment }, `customer ${name}`);
  }
  t.match(await s.ok(s.admin, 'GET', `/customers/${ids.A}/rfm?asOf=2026-06-30`), { stage: 'loyal' }, 'five orders, the last ten days before');
  t.match(await s.ok(s.admin, 'GET', `/customers/${ids.E}/rfm?asOf=2026-06-30`), { stage: 'lapsed' });
  t.match(await s.ok(s.admin, 'GET', `/customers/${ids.F}/rfm?asOf=2026-06-30`), { r: null, f: null, m: null, segment: null, stage: 'prospect' });
  t.equal((await s.call(s.admin, 'GET', '/reports/rfm?asOf=2026-02-30')).statusCode, 400, 'not a real day');
  t.equal((await s.call(s.admin, 'GET', '/customers/nope/rfm')).statusCode, 404);
});

t.test('Pareto: share of the top 20% and the curve, Gregorian and Persian ranges', async (t) => {
  const g = await s.ok<{ customers: number; revenue: number; topCustomersShare: number; revenueShare: number; curve: number[][] }>(s.admin, 'GET', '/reports/pareto?from=2026-01-01&to=2026-06-30&calendar=gregorian');
  // In range: A 1,500,000, B 600,000, C 400,000, D 100,000 (its 2025 order is outside): 2,600,000.
  t.match(g, { customers: 4, revenue: 2_600_000, topCustomersShare: 0.2, revenueShare: 0.5769 });
  t.same(g.curve, [[0, 0], [0.25, 0.5769], [0.5, 0.8077], [0.75, 0.9615], [1, 1]]);
  // Farvardin 1, 1405 begins 2026-03-21 in Tehran: A's 03-20 order (11:30 local) is in 1404.
  const p = await s.ok<{ customers: number; revenue: number; revenueShare: number }>(s.admin, 'GET', '/reports/pareto?from=2026-03-21&to=2026-06-30&calendar=persian');
  t.match(p, { customers: 3, revenue: 1_600_000, revenueShare: 0.5625 }, 'A 900,000, B 600,000, C 100,000');
  t.equal((await s.call(s.admin, 'GET', '/reports/pareto?from=2026-06-30&to=2026-01-01')).json().code, 'REPORT_RANGE_INVALID');
  t.equal((await s.call(s.admin, 'GET', '/reports/pareto?calendar=julian')).statusCode, 400);
  const empty = await s.ok(s.admin, 'GET', '/reports/pareto?from=2020-01-01&to=2020-12-31');
  t.match(empty, { customers: 0, revenueShare: 0, curve: [] });
});

t.test('win-back: beyond their own rhythm, ranked by past value, with reasons', async (t) => {
  const G = await s.customer('مشتری G');
  await s.emit('order.paid', makeOrder(G, { amount: 900_000_000, paidAt: new Date(Date.now() - 100 * DAY).toISOString() }));
  await s.emit('order.paid', makeOrder(G, { amount: 900_000_000, paidAt: new Date(Date.now() - 35 * DAY).toISOString() }));
  type Item = { customerId: string; usualIntervalDays: number | null; reason: string; pastValue: number };
  const all: Item[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Item[]; nextCursor: string | null } = await s.ok(s.admin, 'GET', `/reports/win-back?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    t.ok(page.items.length <= 2);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  t.same(all.map((i) => i.customerId), ['A', 'B', 'C', 'D', 'E'].map((n) => ids[n]), 'G (gap 65 days, quiet 35) is within its rhythm; most valuable first');
  t.match(all[0], { pastValue: 1_500_000, usualIntervalDays: 30.5, reason: 'beyond_usual_interval' }, 'A: gaps 28, 31, 30, 31 → median 30.5');
  t.match(all[1], { usualIntervalDays: 27.5 }, 'B: gaps 31 and 24');
  t.match(all[4], { usualIntervalDays: null, reason: 'no_repeat_order' });
  const fixed = await s.ok<{ items: Item[] }>(s.admin, 'GET', '/reports/win-back?inactiveDays=30&limit=10');
  t.match(fixed.items[0], { customerId: G, reason: 'inactive_days', pastValue: 1_800_000_000 }, 'a tenant threshold overrides the rhythm');
  t.equal((await s.call(await s.key('viewer'), 'GET', '/reports/win-back')).statusCode, 200, 'viewers read reports');
});

t.test('stages: first purchase → repeat → lapsed, each a customer.stage_changed', async (t) => {
  const h = await s.customer('مشتری H');
  await s.emit('order.paid', makeOrder(h));
  await s.emit('order.paid', makeOrder(h));
  await s.services().scheduler.runOnce(Date.now() + 31 * DAY);
  const stages = (await eventsOf(s, 'customer.stage_changed')).filter((e) => e.data.customerId === h).map((e) => [e.data.from, e.data.to]);
  t.same(stages, [[null, 'first_purchase'], ['first_purchase', 'repeat'], ['repeat', 'lapsed']]);
});

t.test('referrals: both earn once on the first paid order; self-referral and loops are 422', async (t) => {
  const x = await s.customer('معرف');
  const y = await s.customer('معرفی‌شده');
  const z = await s.customer('نفر سوم');
  const { code } = await s.ok<{ code: string }>(s.admin, 'GET', `/referrals/${x}`);
  t.match(code, /^[0-9A-Z]{8}$/);
  t.same(await s.ok(s.admin, 'GET', `/referrals/${x}`), { code }, 'stable');
  t.equal((await s.call(s.admin, 'POST', '/referrals/apply', { customerId: x, code })).json().code, 'SELF_REFERRAL');
  t.same(await s.ok(s.admin, 'POST', '/referrals/apply', { customerId: y, code }, 200), { customerId: y, referredBy: x });
  const yCode = (await s.ok<{ code: string }>(s.admin, 'GET', `/referrals/${y}`)).code;
  const loop = await s.call(s.admin, 'POST', '/referrals/apply', { customerId: x, code: yCode });
  t.equal(loop.statusCode, 422);
  t.equal(loop.json().code, 'REFERRAL_LOOP');
  await s.ok(s.admin, 'POST', '/referrals/apply', { customerId: z, code: yCode }, 200);
  const zCode = (await s.ok<{ code: string }>(s.admin, 'GET', `/referrals/${z}`)).code;
  t.equal((await s.call(s.admin, 'POST', '/referrals/apply', { customerId: x, code: zCode })).json().code, 'REFERRAL_LOOP', 'x → z → y → x');
  t.equal((await s.call(s.admin, 'POST', '/referrals/apply', { customerId: y, code: zCode })).json().code, 'ALREADY_REFERRED');
  t.equal((await s.call(s.admin, 'POST', '/referrals/apply', { customerId: y, code: 'NOPE' })).statusCode, 404);

  const first = makeOrder(y, { amount: 100_000 });
  await s.emit('order.paid', first);
  await s.emit('order.paid', first);
  await s.emit('order.paid', makeOrder(y, { amount: 100_000 }));
  t.match(await s.account(y), { available: 10 + 150 + 10 }, 'the referee’s bonus, once');
  t.match(await s.account(x), { available: 300 }, 'the referrer’s bonus, once');
  t.equal((await s.call(s.admin, 'POST', '/referrals/apply', { customerId: ids.A, code })).json().code, 'REFERRAL_TOO_LATE', 'after a paid order');
});

t.test('loyalty migrations: up → down → up', async (t) => {
  const { knex } = await freshKnex(t);
  const migrator = new Migrator(new Database(knex, 'erp_'));
  const plugins = [{ plugin: 'core', migrations: corePlugin.migrations ?? [] }, { plugin: 'loyalty', migrations: loyalty.migrations ?? [] }];
  const tables = ['loyalty_programs', 'loyalty_accounts', 'loyalty_ledger', 'loyalty_schedule', 'loyalty_rewards', 'loyalty_redemptions', 'loyalty_orders'];
  t.ok((await migrator.latest(plugins)).includes('loyalty/001_loyalty'));
  for (const name of tables) t.ok(await knex.schema.hasTable(`erp_${name}`), name);
  await migrator.rollback(plugins, { all: true });
  for (const name of tables) t.notOk(await knex.schema.hasTable(`erp_${name}`), `${name} dropped`);
  t.ok((await migrator.latest(plugins)).includes('loyalty/001_loyalty'), 'and up again');
});
