/**
 * Rewards through real HTTP: 100 parallel redemptions against one balance and against
 * the last unit of stock (nobody overspends, stock never below zero — run on SQLite,
 * PostgreSQL and MariaDB), redemption codes verified and used once, tier-only and
 * lapsed rewards, idempotent redemption.
 */
import t from 'tap';
import { bootLoyalty, eventsOf } from '../../helpers/loyalty.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { loyaltyEventSchemas } from '../../../plugins/loyalty/events.js';

const s = await bootLoyalty(t);
const other = await bootLoyalty(t, { p: s.p, slug: 'other' });
await s.program();
const base = await s.p.peyvand.app.listen({ port: 0, host: '127.0.0.1' });

/** A real HTTP request on the listening server. */
async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1/loyalty${path}`, { method, headers: { authorization: `Bearer ${s.admin}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const give = (customerId: string, points: number) => s.ok(s.admin, 'POST', '/adjustments', { customerId, points, reason: 'seed' });
const tally = (results: Array<{ status: number; json: Record<string, unknown> }>) => {
  const out: Record<string, number> = {};
  for (const r of results) {
    const key = r.status === 201 ? '201' : `${r.status} ${String(r.json.code)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
};

t.test('100 parallel redemptions against one balance: nobody spends points they do not have', async (t) => {
  const c = await s.customer('مشتری پرتقاضا');
  await give(c, 500);
  const reward = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'قهوه', cost: 10 });
  const results = await Promise.all(Array.from({ length: 100 }, () => http('POST', `/rewards/${reward.id}/redeem`, { customerId: c })));
  t.same(tally(results), { '201': 50, '409 INSUFFICIENT_POINTS': 50 });
  t.match(await s.account(c), { available: 0 });
  const codes = results.filter((r) => r.status === 201).map((r) => r.json.code);
  t.equal(new Set(codes).size, 50, 'every redemption has its own code');
});

t.test('100 customers race for the last unit: exactly one gets it, stock ends at zero', async (t) => {
  const reward = await s.ok<{ id: string; stock: number }>(s.admin, 'POST', '/rewards', { name: 'بلیت کنسرت', cost: 100, stock: 1 });
  const customers: string[] = [];
  for (let i = 0; i < 100; i++) {
    const c = await s.customer(`مشتری ${i}`);
    await give(c, 100);
    customers.push(c);
  }
  const results = await Promise.all(customers.map((c) => http('POST', `/rewards/${reward.id}/redeem`, { customerId: c })));
  t.same(tally(results), { '201': 1, '409 OUT_OF_STOCK': 99 });
  const list = await s.ok<{ items: Array<{ id: string; stock: number }> }>(s.admin, 'GET', '/rewards');
  t.equal(list.items.find((r) => r.id === reward.id)?.stock, 0);
  const spent = await Promise.all(customers.map((c) => s.account(c)));
  t.equal(spent.filter((a) => a.available === 0).length, 1, 'only the winner paid');
  t.equal(spent.filter((a) => a.available === 100).length, 99, 'the others kept their points');
});

t.test('codes: verified, used once; other tenants see nothing', async (t) => {
  const c = await s.customer('کد');
  await give(c, 100);
  const reward = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'ماگ', cost: 40, partner: 'کافه همسایه' });
  const redeemed = await http('POST', `/rewards/${reward.id}/redeem`, { customerId: c }, { 'idempotency-key': 'r-1' });
  t.equal(redeemed.status, 201);
  const again = await http('POST', `/rewards/${reward.id}/redeem`, { customerId: c }, { 'idempotency-key': 'r-1' });
  t.same(again.json, redeemed.json, 'a retried redemption answers the same code');
  t.match(await s.account(c), { available: 60 }, 'and spends once');
  const code = String(redeemed.json.code);
  t.match(await s.ok(s.admin, 'GET', `/redemptions/${code}`), { redemptionId: redeemed.json.redemptionId, rewardId: reward.id, customerId: c, usedAt: null });
  t.equal((await other.call(other.admin, 'POST', `/redemptions/${code}/use`)).statusCode, 404, 'another tenant cannot use it');
  t.equal((await s.call(s.admin, 'POST', `/redemptions/${code}/use`)).statusCode, 204);
  const second = await s.call(s.admin, 'POST', `/redemptions/${code}/use`, undefined, { 'accept-language': 'fa' });
  t.equal(second.statusCode, 409);
  t.match(second.json(), { code: 'REDEMPTION_USED', title: 'کد قبلاً استفاده شده' });
  t.equal((await s.call(s.admin, 'POST', '/redemptions/NOPE/use')).statusCode, 404);
  t.equal((await s.call(await s.key('viewer'), 'POST', `/rewards/${reward.id}/redeem`, { customerId: c })).statusCode, 403);
  const events = (await eventsOf(s, 'loyalty.reward_redeemed')).filter((e) => e.data.customerId === c);
  t.match(events, [{ data: { rewardId: reward.id, redemptionId: redeemed.json.redemptionId, cost: 40 } }]);
});

t.test('rewards: bad input, unknown ids, lapsed and tier-only rewards', async (t) => {
  const c = await s.customer('محدود');
  await give(c, 1000);
  t.equal((await s.call(s.admin, 'POST', '/rewards', { name: 'x', cost: 0 })).statusCode, 400);
  t.equal((await s.call(s.admin, 'POST', '/rewards', { name: 'x', cost: 5, stock: -1 })).statusCode, 400);
  t.equal((await s.call(s.admin, 'POST', '/rewards/nope/redeem', { customerId: c })).statusCode, 404);
  const lapsed = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'پارسال', cost: 5, validUntil: '2020-01-01T00:00:00Z' });
  t.equal((await s.call(s.admin, 'POST', `/rewards/${lapsed.id}/redeem`, { customerId: c })).json().code, 'REWARD_EXPIRED');
  await s.program({ tiers: [{ key: 'gold', name: 'طلایی', threshold: 5000, basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1 }] });
  const gold = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'ویژهٔ طلایی', cost: 5, tier: 'gold' });
  t.equal((await s.call(s.admin, 'POST', `/rewards/${gold.id}/redeem`, { customerId: c })).json().code, 'REWARD_TIER_REQUIRED');
  const foreign = await other.customer('بیگانه');
  t.equal((await s.call(s.admin, 'POST', `/rewards/${lapsed.id}/redeem`, { customerId: foreign })).statusCode, 404, 'another tenant’s customer');
  t.equal((await other.call(other.admin, 'POST', `/rewards/${gold.id}/redeem`, { customerId: foreign })).statusCode, 404, 'another tenant’s reward');
});

t.test('redeeming: an unknown or foreign reward or customer is a 404; a refusal changes nothing', async (t) => {
  const db = s.p.peyvand.kernel.db;
  const snapshot = async () => Object.fromEntries(await Promise.all(['accounts', 'ledger', 'redemptions', 'rewards'].map(async (name) => [name, await db.knex(db.table(`loyalty_${name}`)).select()] as const)));
  const c = await s.customer('بی‌سابقه');
  const reward = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'کتاب', cost: 5 });
  const tierOnly = await s.ok<{ id: string }>(s.admin, 'POST', '/rewards', { name: 'فقط طلایی', cost: 5, tier: 'gold' });
  const foreignCustomer = await other.customer('مشتری دیگر');
  const foreignReward = await other.ok<{ id: string }>(other.admin, 'POST', '/rewards', { name: 'جایزهٔ دیگر', cost: 1 });
  const madeUp = '01900000-0000-7000-8000-000000000000';
  const before = await snapshot();
  const cases: Array<[string, string, string, string]> = [
    ['a made-up reward, a made-up customer', madeUp, madeUp, 'REWARD_NOT_FOUND'],
    ['a made-up reward, a real customer', madeUp, c, 'REWARD_NOT_FOUND'],
    ['a made-up non-uuid reward', 'x'.repeat(64), c, 'REWARD_NOT_FOUND'],
    ['a real reward, a made-up customer', reward.id, madeUp, 'CUSTOMER_NOT_FOUND'],
    ['a real reward, a made-up non-uuid customer', reward.id, 'کد-ساختگی', 'CUSTOMER_NOT_FOUND'],
    ['a real reward, a made-up source:externalId customer', reward.id, 'erp:' + 'x'.repeat(60), 'CUSTOMER_NOT_FOUND'],
    ['a real reward, a bare colon customer', reward.id, ':', 'CUSTOMER_NOT_FOUND'],
    ['a made-up reward, a made-up 64-character customer', 'r'.repeat(64), 'c'.repeat(64), 'REWARD_NOT_FOUND'],
    ['another tenant’s reward', foreignReward.id, c, 'REWARD_NOT_FOUND'],
    ['another tenant’s customer', reward.id, foreignCustomer, 'CUSTOMER_NOT_FOUND'],
  ];
  for (const [what, rewardId, customerId, code] of cases) {
    const res = await s.call(s.admin, 'POST', `/rewards/${encodeURIComponent(rewardId)}/redeem`, { customerId }, { 'accept-language': 'fa' });
    t.equal(res.statusCode, 404, what);
    t.match(res.headers['content-type'], /^application\/problem\+json/, what);
    t.match(res.json(), { code, title: /[\u0600-\u06ff]/ }, what);
  }
  // A customer with no account yet: refused redemptions leave no account row behind (found by the fuzzer).
  t.equal((await s.call(s.admin, 'POST', `/rewards/${reward.id}/redeem`, { customerId: c })).json().code, 'INSUFFICIENT_POINTS');
  t.equal((await s.call(s.admin, 'POST', `/rewards/${tierOnly.id}/redeem`, { customerId: c })).json().code, 'REWARD_TIER_REQUIRED');
  t.same(await snapshot(), before, 'nothing changed');
  // The trial run does not get in the way of a real first redemption.
  const fresh = await s.customer('تازه‌وارد');
  await give(fresh, 5);
  t.equal((await s.call(s.admin, 'POST', `/rewards/${reward.id}/redeem`, { customerId: fresh })).statusCode, 201);
  t.match(await s.account(fresh), { available: 0 });
});

t.test('the events written match the schemas the plugin declares for their data', async (t) => {
  await assertWrittenEvents(t, s, 'loyalty.*', loyaltyEventSchemas, ['loyalty.reward_created', 'loyalty.reward_redeemed', 'loyalty.points_redeemed']);
});
