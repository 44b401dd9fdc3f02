/**
 * Expiry and tiers: lots lapse FIFO after N months, `expiringSoon` says what and when,
 * the scheduler writes each `expire` entry once — across a restart and with two kernels
 * racing; tiers upgrade at once and the Persian year starts at Nowruz in the tenant's
 * time zone (a Gregorian-year tenant sees the same orders in one year); downgrades wait
 * for the review at the end of the following period.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import loyalty from '../../../plugins/loyalty/index.js';
import type { LoyaltyServices } from '../../../plugins/loyalty/index.js';
import { createPeyvand, type Peyvand } from '../../../core/peyvand.js';
import { jalaliToDate } from '../../../core/plugin/persian/index.js';
import { createTestDatabase } from '../../helpers/database.js';
import { bootLoyalty, eventsOf, makeOrder } from '../../helpers/loyalty.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

t.test('expiry: FIFO lots, expiringSoon, once across a restart and two racing kernels', async (t) => {
  const db = await createTestDatabase();
  const secret = randomBytes(32).toString('base64url');
  const adminKey = `admin_${randomBytes(8).toString('hex')}`;
  const nodes: Peyvand[] = [];
  t.teardown(async () => {
    for (const n of nodes) await n.close().catch(() => undefined);
    await db.drop();
  });
  const node = async () => {
    const p = await createPeyvand({ databaseUrl: db.url, secret, adminKey, plugins: [loyalty], logger: pino({ level: 'silent' }), dispatch: false, dispatcher: { gapGraceMs: 0 } });
    nodes.push(p);
    return p;
  };
  const first = await node();
  const api = async (p: Peyvand, token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>) => {
    const res = await p.app.inject({ method, url, ...(payload && { payload }), headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? {} : (res.json() as Record<string, unknown>);
  };
  const tenant = (await api(first, adminKey, 'POST', '/api/v1/admin/tenants', { slug: 'exp', name: 'exp', locale: 'fa', plugins: ['loyalty'] })) as { id: string };
  const key = String((await api(first, adminKey, 'POST', '/api/v1/admin/tenants/exp/api-keys', { name: 'k', role: 'admin' })).key);
  await api(first, key, 'PUT', '/api/v1/loyalty/program', { currency: 'IRR', earn: { pointsPerUnit: 1, unit: 1_000 }, lockDays: 0, expiryMonths: 12, tiers: [] });
  const c = String((await api(first, key, 'POST', '/api/v1/customers', { kind: 'person', name: 'منقضی' })).id);
  const emit = async (p: Peyvand, order: ReturnType<typeof makeOrder>) => {
    await p.kernel.outbox.emitUntyped(p.kernel.db.knex, 'order.paid', order as unknown as Record<string, unknown>, { tenantId: tenant.id, aggregateType: 'order', aggregateId: order.id });
    await p.kernel.dispatcher.drain();
  };
  // Lot A lapses in about 10 days (paid 12 months less 10 days ago); lot B in about 11 months.
  const paidA = new Date(Date.now() + 10 * DAY);
  paidA.setUTCFullYear(paidA.getUTCFullYear() - 1);
  await emit(first, makeOrder(c, { amount: 1_000_000, paidAt: paidA.toISOString() }));
  await emit(first, makeOrder(c, { amount: 500_000, paidAt: ago(30) }));
  const account = await api(first, key, 'GET', `/api/v1/loyalty/accounts/${c}`);
  t.match(account, { available: 1500, expiringSoon: [{ points: 1000 }] }, 'lot A lapses within 30 days');
  const reward = String((await api(first, key, 'POST', '/api/v1/loyalty/rewards', { name: 'r', cost: 300 })).id);
  await api(first, key, 'POST', `/api/v1/loyalty/rewards/${reward}/redeem`, { customerId: c });
  t.match(await api(first, key, 'GET', `/api/v1/loyalty/accounts/${c}`), { available: 1200, expiringSoon: [{ points: 700 }] }, 'spending takes the soonest-lapsing lot first');

  const scheduler = (p: Peyvand) => p.kernel.servicesOf<LoyaltyServices>('loyalty')!.scheduler;
  const soon = Date.now() + 11 * DAY;
  t.ok((await scheduler(first).runOnce(Date.now())) >= 0, 'nothing of this customer is due yet');
  await scheduler(first).runOnce(soon);
  await first.close();
  const second = await node();
  const third = await node();
  await Promise.all([scheduler(second).runOnce(soon), scheduler(third).runOnce(soon), scheduler(second).runOnce(soon)]);
  const table = second.kernel.db.table('loyalty_ledger');
  const expired = await second.kernel.db.knex(table).where({ customer_id: c, type: 'expire' });
  t.same(expired.map((r) => Number(r.points)), [-700], 'lot A’s remainder expired exactly once');
  const after = await api(second, key, 'GET', `/api/v1/loyalty/accounts/${c}`);
  t.match(after, { available: 500, lifetime: 1500, expiringSoon: [] });
  const ledger = (await api(second, key, 'GET', `/api/v1/loyalty/accounts/${c}/ledger`)) as { items: Array<{ type: string; points: number; source: { type: string } }> };
  t.same(ledger.items.map((e) => [e.type, e.points]), [['expire', -700], ['redeem', -300], ['earn', 500], ['earn', 1000]]);
  t.equal(ledger.items.reduce((sum, e) => sum + e.points, 0), 500, 'the ledger sums to the balance');
  const events = await second.kernel.db.knex(second.kernel.db.table('outbox')).where({ type: 'loyalty.points_expired' }).count({ n: '*' }).first();
  t.equal(Number(events?.n), 1, 'one loyalty.points_expired event');
});

t.test('tiers: the Persian year starts at Nowruz (Asia/Tehran); Gregorian years do not', async (t) => {
  const s = await bootLoyalty(t);
  const g = await bootLoyalty(t, { p: s.p, slug: 'gregorian' });
  const nowruz = jalaliToDate(1405, 1, 1, 'Asia/Tehran').getTime();
  t.equal(new Date(nowruz).toISOString(), '2026-03-20T20:30:00.000Z', 'Farvardin 1, 1405 begins at local midnight');
  const tiers = (calendar: string) => [
    { key: 'silver', name: 'نقره‌ای', threshold: 500, basis: 'points', window: { kind: 'year', calendar }, multiplier: 1 },
    { key: 'gold', name: 'طلایی', threshold: 1000, basis: 'points', window: { kind: 'year', calendar }, multiplier: 2 },
  ];
  await s.program({ tiers: tiers('persian') as never });
  await g.program({ tiers: tiers('gregorian') as never });
  const at = (ms: number) => new Date(ms).toISOString();
  const HOUR = 3_600_000;

  const split = await s.customer('دو سال');
  await s.emit('order.paid', makeOrder(split, { amount: 8_000_000, paidAt: at(nowruz - HOUR) }));
  await s.emit('order.paid', makeOrder(split, { amount: 3_000_000, paidAt: at(nowruz + HOUR) }));
  t.match((await s.account(split)).tier, { key: 'silver', name: 'نقره‌ای' }, '800 points in 1404, 300 in 1405: silver, not gold');

  const within = await s.customer('یک سال');
  await s.emit('order.paid', makeOrder(within, { amount: 8_000_000, paidAt: at(nowruz + HOUR) }));
  await s.emit('order.paid', makeOrder(within, { amount: 3_000_000, paidAt: at(nowruz + 2 * HOUR) }));
  const gold = await s.account(within);
  t.match(gold.tier, { key: 'gold', name: 'طلایی', progress: 1 }, '1,100 points within 1405: gold at once');
  await s.emit('order.paid', makeOrder(within, { amount: 1_000_000, paidAt: at(nowruz + 3 * HOUR) }));
  t.equal((await s.account(within)).lifetime, 1100 + 200, 'gold earns double');

  const greg = await g.customer('میلادی');
  await g.emit('order.paid', makeOrder(greg, { amount: 8_000_000, paidAt: at(nowruz - HOUR) }));
  await g.emit('order.paid', makeOrder(greg, { amount: 3_000_000, paidAt: at(nowruz + HOUR) }));
  t.match((await g.account(greg)).tier, { key: 'gold' }, 'the same orders fall in one Gregorian year');

  const changes = (await eventsOf(s, 'loyalty.tier_changed')).map((e) => e.data);
  t.match(changes.filter((d) => d.customerId === within), [{ from: null, to: { key: 'silver' }, direction: 'up' }, { from: { key: 'silver' }, to: { key: 'gold' }, direction: 'up' }], 'silver at 800, gold at 1,100: one event each');

  // Downgrades wait for the end of the period after the one the tier was reached in.
  const scheduler = s.services().scheduler;
  const y1406 = jalaliToDate(1406, 1, 1, 'Asia/Tehran').getTime();
  const y1407 = jalaliToDate(1407, 1, 1, 'Asia/Tehran').getTime();
  await scheduler.runOnce(y1406 - DAY);
  t.match((await s.account(split)).tier, { key: 'silver' }, 'silver (reached in 1404) holds through 1405');
  await scheduler.runOnce(y1406 + 1000);
  t.equal((await s.account(split)).tier, null, 'at Nowruz 1406 the review finds 300 points in 1405: no tier');
  t.match((await s.account(within)).tier, { key: 'gold' }, 'gold (reached in 1405) holds through 1406');
  await scheduler.runOnce(y1407 + 1000);
  t.equal((await s.account(within)).tier, null, 'nothing earned in 1406: gone at Nowruz 1407');
  const down = (await eventsOf(s, 'loyalty.tier_changed')).map((e) => e.data).filter((d) => d.direction === 'down');
  t.same(down.map((d) => d.customerId).sort(), [split, within].sort(), 'one downgrade event each');
});
