/**
 * Program, ledger and earning through the HTTP API: the program's validation, signed
 * ledger entries that sum to the balance, adjustments with Idempotency-Key, earning from
 * `order.paid` exactly once however often replayed, lock days, multipliers and bonuses,
 * returns (partial after spending: the balance goes negative and blocks redemption), and
 * a randomized concurrent workload after which every balance equals its ledger's sum.
 */
import t from 'tap';
import { bootLoyalty, eventsOf, makeOrder, BASE_PROGRAM } from '../../helpers/loyalty.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { loyaltyEventSchemas } from '../../../plugins/loyalty/events.js';

const s = await bootLoyalty(t);
const other = await bootLoyalty(t, { p: s.p, slug: 'other' });
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
type Entry = { id: string; type: string; points: number; reason: string; source: { type: string; id: string | null } };
const ledgerOf = async (customerId: string) => (await s.ok<{ items: Entry[] }>(s.admin, 'GET', `/accounts/${customerId}/ledger?limit=200`)).items;

t.test('program: 404 before it exists, validated, versioned', async (t) => {
  const none = await s.call(s.admin, 'GET', '/program', undefined, { 'accept-language': 'fa' });
  t.equal(none.statusCode, 404);
  t.match(none.json(), { code: 'PROGRAM_NOT_FOUND', title: 'برنامهٔ وفاداری تعریف نشده' });
  t.equal((await s.call(s.admin, 'PUT', '/program', { ...BASE_PROGRAM, lockDays: -1 })).statusCode, 400, 'negative lock days');
  t.equal((await s.call(s.admin, 'PUT', '/program', { ...BASE_PROGRAM, bonus: 1 })).statusCode, 400, 'unknown field');
  t.equal((await s.call(s.admin, 'PUT', '/program', { ...BASE_PROGRAM, currency: 'XYZ' })).json().code, 'PROGRAM_INVALID', 'unknown currency');
  const tier = { basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1 };
  const bad = await s.call(s.admin, 'PUT', '/program', { ...BASE_PROGRAM, tiers: [{ ...tier, key: 'gold', name: 'طلایی', threshold: 100 }, { ...tier, key: 'silver', name: 'نقره‌ای', threshold: 50 }] });
  t.equal(bad.statusCode, 422, 'tiers listed highest first');
  const agent = await s.key('agent');
  t.equal((await s.call(agent, 'PUT', '/program', BASE_PROGRAM)).statusCode, 403, 'agents do not run the program');
  const put = await s.call(s.admin, 'PUT', '/program', BASE_PROGRAM);
  t.equal(put.statusCode, 200, put.body);
  t.equal(put.headers.etag, '"1"');
  t.equal((await s.call(s.admin, 'PUT', '/program', BASE_PROGRAM, { 'if-match': '"7"' })).statusCode, 412, 'stale If-Match');
  t.match(await s.ok(agent, 'GET', '/program'), { currency: 'IRR', earn: { pointsPerUnit: 1, unit: 10_000 }, version: 1 });
  t.equal((await other.call(other.admin, 'GET', '/program')).statusCode, 404, 'programs are per tenant');
});

t.test('accounts: zeros without activity, 404 for another tenant’s customer', async (t) => {
  const c = await s.customer('بی‌فعالیت');
  t.same(await s.account(c), { customerId: c, available: 0, locked: 0, lifetime: 0, expiringSoon: [], tier: null });
  t.equal((await other.call(other.admin, 'GET', `/accounts/${c}`)).statusCode, 404);
  t.equal((await other.call(other.admin, 'GET', `/accounts/${c}/ledger`)).statusCode, 404);
  t.equal((await s.call(s.admin, 'GET', '/accounts/nope')).statusCode, 404);
});

t.test('adjustments: signed entries, Idempotency-Key, permissions', async (t) => {
  await s.program();
  const c = await s.customer('اصلاحی');
  const body = { customerId: c, points: 500, reason: 'جبران تأخیر ارسال' };
  const first = await s.call(s.admin, 'POST', '/adjustments', body, { 'idempotency-key': 'adj-1' });
  t.equal(first.statusCode, 201, first.body);
  const again = await s.call(s.admin, 'POST', '/adjustments', body, { 'idempotency-key': 'adj-1' });
  t.equal(again.statusCode, 201);
  t.equal(again.json().id, first.json().id, 'a retry answers the same entry');
  t.equal((await s.call(s.admin, 'POST', '/adjustments', { ...body, points: 1 }, { 'idempotency-key': 'adj-1' })).statusCode, 422, 'the key with another body');
  await s.ok(s.admin, 'POST', '/adjustments', { customerId: c, points: -200, reason: 'اصلاح خطا' });
  t.equal((await s.call(s.admin, 'POST', '/adjustments', { customerId: c, points: 0, reason: 'x' })).statusCode, 400, 'zero is no adjustment');
  t.equal((await s.call(s.admin, 'POST', '/adjustments', { customerId: c, points: 1.5, reason: 'x' })).statusCode, 400);
  t.equal((await other.call(other.admin, 'POST', '/adjustments', body)).statusCode, 404, 'another tenant’s customer');
  t.equal((await s.call(await s.key('agent'), 'POST', '/adjustments', body)).statusCode, 403);
  const entries = await ledgerOf(c);
  t.same(entries.map((e) => [e.type, e.points]), [['adjust', -200], ['adjust', 500]], 'newest first, signed');
  t.match(await s.account(c), { available: 300, locked: 0, lifetime: 500 });
  const page1 = await s.ok<{ items: Entry[]; nextCursor: string }>(s.admin, 'GET', `/accounts/${c}/ledger?limit=1`);
  const page2 = await s.ok<{ items: Entry[]; nextCursor: string | null }>(s.admin, 'GET', `/accounts/${c}/ledger?limit=1&cursor=${page1.nextCursor}`);
  t.same([...page1.items, ...page2.items].map((e) => e.points), [-200, 500]);
  t.equal(page2.nextCursor, null);
  t.equal((await s.call(s.admin, 'GET', `/accounts/${c}/ledger?cursor=garbage`)).statusCode, 400);
});

t.test('earning: once per order however often replayed; rounding, multipliers, bonuses, lock', async (t) => {
  await s.program({
    earn: { pointsPerUnit: 2, unit: 10_000, productMultipliers: [{ productRef: 'GOLD-COIN', multiplier: 3 }, { category: 'tea', multiplier: 0.5 }], firstOrderBonus: 100, birthdayBonus: 50 },
    lockDays: 14,
  });
  const paidAt = ago(20);
  const paidDay = new Date(paidAt).toLocaleDateString('en-CA', { timeZone: 'Asia/Tehran' });
  const c = await s.customer('زهرا', { customFields: { birthday: `1990-${paidDay.slice(5)}` } });
  const order = makeOrder(c, {
    total: 1_289_999,
    paidAt,
    lines: [
      { productRef: 'P-1', sku: 'A', name: 'کالا', quantity: 2, unitPrice: 100_999 }, // 201,998 → 20 units → 40
      { productRef: 'GOLD-COIN', sku: 'B', name: 'سکه', quantity: 1, unitPrice: 1_000_000 }, // 100 units ×2 ×3 → 600
      { productRef: 'T-1', sku: 'C', name: 'چای', quantity: 1, unitPrice: 88_001, category: 'tea' }, // 8 units ×2 ×0.5 → 8
    ],
  });
  await s.emit('order.paid', order);
  await s.emit('order.paid', order);
  await s.emit('order.delivered', { ...order, status: 'delivered', version: 2 });
  const entries = await ledgerOf(c);
  t.same(entries.map((e) => [e.reason, e.points]).sort(), [['birthday_bonus', 50], ['first_order_bonus', 100], ['order', 648]], 'earned once, with both bonuses');
  t.ok(entries.every((e) => e.type === 'earn' && e.source.type === 'order' && e.source.id === order.id));
  t.match(await s.account(c), { available: 798, locked: 0, lifetime: 798 }, 'paid 20 days ago: past the 14-day lock');

  const recent = makeOrder(c, { amount: 500_000, paidAt: ago(3) });
  await s.emit('order.paid', recent);
  t.match(await s.account(c), { available: 798, locked: 100, lifetime: 898 }, 'a recent order’s points are locked; no second first-order bonus');
  const earned = (await eventsOf(s, 'loyalty.points_earned')).filter((e) => e.data.customerId === c);
  t.equal(earned.length, 4, 'one event per entry');

  const usd = makeOrder(c, { currency: 'USD', amount: 10_000 });
  await s.emit('order.paid', usd);
  t.equal((await ledgerOf(c)).length, 4, 'an order in another currency earns nothing');
  const anonymous = makeOrder(null);
  await s.emit('order.paid', anonymous);
  t.pass('an order without a customer is only projected');
});

t.test('returns: partial after spending goes negative and blocks redemption; whole reverses the rest', async (t) => {
  await s.program({ earn: { pointsPerUnit: 1, unit: 1_000 } });
  const c = await s.customer('علی');
  const order = makeOrder(c, {
    total: 300_000,
    paidAt: ago(1),
    lines: [
      { productRef: 'P-1', sku: 'A', name: 'الف', quantity: 2, unitPrice: 100_000 }, // 200
      { productRef: 'P-2', sku: 'B', name: 'ب', quantity: 1, unitPrice: 100_000 }, // 100
    ],
  });
  await s.emit('order.paid', order);
  const reward = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'فلاسک', cost: 250 });
  await s.ok(s.admin, 'POST', `/rewards/${reward.id}/redeem`, { customerId: c });
  t.match(await s.account(c), { available: 50 });

  const partial = { ...order, status: 'returned' as const, returnedLines: [{ sku: 'A', productRef: 'P-1', quantity: 2 }], version: 2 };
  await s.emit('order.returned', partial);
  await s.emit('order.returned', partial);
  t.match(await s.account(c), { available: -150, lifetime: 100 }, 'the returned line’s 200 points come back even though spent');
  const blocked = await s.call(s.admin, 'POST', `/rewards/${reward.id}/redeem`, { customerId: c });
  t.equal(blocked.statusCode, 409);
  t.equal(blocked.json().code, 'INSUFFICIENT_POINTS');

  await s.emit('order.returned', { ...partial, returnedLines: [{ sku: 'A', productRef: 'P-1', quantity: 2 }, { sku: 'B', productRef: 'P-2', quantity: 1 }], version: 3 });
  const entries = await ledgerOf(c);
  t.same(entries.filter((e) => e.type === 'reverse').map((e) => e.points), [-100, -200], 'cumulative returned lines reverse only the difference');
  t.equal(entries.reduce((sum, e) => sum + e.points, 0), -250, 'the ledger sums to the balance');
  t.match(await s.account(c), { available: -250, lifetime: 0 });
  await s.ok(s.admin, 'POST', '/adjustments', { customerId: c, points: 300, reason: 'goodwill' });
  t.match(await s.account(c), { available: 50 }, 'new points pay the debt first');
  t.equal((await eventsOf(s, 'loyalty.points_reversed')).filter((e) => e.data.customerId === c).length, 2);
});

t.test('consistency: a randomized concurrent workload; every balance equals its ledger', async (t) => {
  await s.program({ earn: { pointsPerUnit: 1, unit: 1_000 } });
  const customers = await Promise.all(Array.from({ length: 6 }, (_, i) => s.customer(`c${i}`)));
  const reward = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'کوپن', cost: 70 });
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const orders: Array<ReturnType<typeof makeOrder>> = [];
  const ops: Array<() => Promise<unknown>> = [];
  for (let i = 0; i < 120; i++) {
    const c = customers[Math.floor(random() * customers.length)]!;
    const pick = random();
    if (pick < 0.35) {
      const order = makeOrder(c, { amount: 1_000 * (10 + Math.floor(random() * 200)), paidAt: ago(2) });
      orders.push(order);
      ops.push(() => s.emit('order.paid', order));
    } else if (pick < 0.45 && orders.length) {
      const order = orders[Math.floor(random() * orders.length)]!;
      ops.push(() => s.emit('order.returned', { ...order, status: 'returned', version: 2 }));
    } else if (pick < 0.75) {
      ops.push(() => s.call(s.admin, 'POST', `/rewards/${reward.id}/redeem`, { customerId: c }));
    } else {
      ops.push(() => s.call(s.admin, 'POST', '/adjustments', { customerId: c, points: Math.floor(random() * 200) - 60, reason: 'random' }));
    }
  }
  // Eight at a time, in random interleavings.
  for (let i = 0; i < ops.length; i += 8) await Promise.all(ops.slice(i, i + 8).map((op) => op()));
  const knex = s.p.peyvand.kernel.db.knex;
  for (const c of customers) {
    const rows = await knex(s.p.peyvand.kernel.db.table('loyalty_ledger')).where({ customer_id: c }).orderBy('id');
    const sum = rows.reduce((a, r) => a + Number(r.points), 0);
    const account = await s.account(c);
    t.equal(account.available + account.locked, sum, `customer ${c}: balance = ledger sum`);
    // Replaying the ledger up to each redemption: no redemption ever spent points not available then.
    let running = 0;
    for (const r of rows) {
      if (r.type === 'redeem') t.ok(running >= -Number(r.points), 'a redemption never overspends');
      running += Number(r.points);
    }
    const earnedKeys = rows.filter((r) => r.type === 'earn').map((r) => r.idem_key);
    t.equal(new Set(earnedKeys).size, earnedKeys.length, 'no order earned twice');
  }
});

t.test('the events written match the schemas the plugin declares for their data', async (t) => {
  await assertWrittenEvents(t, s, 'loyalty.*,customer.stage_changed', loyaltyEventSchemas, ['loyalty.points_earned', 'loyalty.points_reversed']);
});
