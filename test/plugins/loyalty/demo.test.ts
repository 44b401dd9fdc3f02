/**
 * The loyalty demo hook, run by core's demo seeding as `npm start` runs it: a program with
 * Persian tier names, Persian rewards, and paid orders written through core's orders
 * service and earned by the plugin — twice, to show a restart creates nothing more, and
 * with the order events delivered afterwards, to show they earn nothing twice.
 *
 * Maryam's history (1 point per 100,000 IRR, 100 for a first order, silver ×1.25 from
 * 1,000 points in 12 months, 14 days locked, 12 months to spend): 350 days ago 18M → 180 +
 * 100 (bronze), 120 days ago 42M → 420, 45 days ago 35M → 350 (now 1,050: silver), 5 days
 * ago 12M → 120 × 1.25 = 150, still locked. Available 1,050, locked 150, lifetime 1,200;
 * the 280 of the first order lapse within the month.
 */
import t from 'tap';
import loyalty, { type LoyaltyServices } from '../../../plugins/loyalty/index.js';
import { DEMO_ORDER_HISTORY, DEMO_REWARDS } from '../../../plugins/loyalty/demo.js';
import { seedDemo } from '../../../core/cli/demo-seed.js';
import { systemActor } from '../../../core/plugin/actor.js';
import { bootPeyvand } from '../../helpers/peyvand.js';

const p = await bootPeyvand(t, { plugins: [loyalty], dispatcher: { gapGraceMs: 0 } });
const kernel = p.peyvand.kernel;

const first = await seedDemo(kernel);
const demo = (await kernel.tenants.findBySlug('demo'))!;
const actor = systemActor(demo, 'demo-test', kernel.registry.list().map((permission) => permission.name));

type Account = { available: number; locked: number; lifetime: number; expiringSoon: Array<{ points: number }>; tier: { key: string; name: string; next: { key: string; value: number } | null } | null };
const services = kernel.servicesOf<LoyaltyServices>('loyalty')!;
const customers = new Map((await kernel.customers.list(actor, { limit: 200 })).items.map((c) => [c.name, c.id]));
const accountOf = (name: string): Promise<Account> => services.accounts.get(actor, customers.get(name)!);

t.test('first run: the program, the rewards and every history order', async (t) => {
  const orders = Object.values(DEMO_ORDER_HISTORY).reduce((n, h) => n + h.length, 0);
  t.equal(first.pluginRecords.loyalty, 1 + DEMO_REWARDS.length + orders, 'program + rewards + orders created');
  const program = await services.programs.get(demo.id);
  t.same(program.tiers.map((tier) => tier.name), ['برنزی', 'نقره‌ای', 'طلایی'], 'Persian tier names');
  const rewards = (await services.rewards.list(demo.id, 100)).items.map((r) => r.name).sort();
  t.same(rewards, DEMO_REWARDS.map((r) => r.name).sort(), 'Persian rewards');
  const paid = (await kernel.orders.reader.list(demo.id, { status: 'paid', limit: 200 })).items;
  t.equal(paid.length, orders, 'the orders are core’s, paid');
});

t.test('balances as earned by the plugin (hand-computed for Maryam)', async (t) => {
  const maryam = await accountOf('مریم احمدی');
  t.match(maryam, { available: 1050, locked: 150, lifetime: 1200, tier: { key: 'silver', name: 'نقره‌ای', next: { key: 'gold', value: 1200 } } });
  t.same(maryam.expiringSoon.map((lot) => lot.points), [280], 'the first order’s points lapse within the month');
  const arya = await accountOf('شرکت بازرگانی آریا');
  t.equal(arya.tier?.key, 'gold', 'the big wholesaler is gold');
});

t.test('second run and the delivered order events: nothing more', async (t) => {
  const before = await accountOf('مریم احمدی');
  const second = await seedDemo(kernel);
  t.equal(second.pluginRecords.loyalty, 0, 'nothing created on a restart');
  await kernel.dispatcher.drain();
  t.same(await accountOf('مریم احمدی'), before, 'the order.paid events earn nothing twice');
  t.equal((await services.rewards.list(demo.id, 100)).items.length, DEMO_REWARDS.length, 'no duplicate rewards');
  const orders = Object.values(DEMO_ORDER_HISTORY).reduce((n, h) => n + h.length, 0);
  t.equal((await kernel.orders.reader.list(demo.id, { limit: 200 })).items.length, orders, 'no duplicate orders');
  const ledger = await services.ledger.page(demo.id, customers.get('مریم احمدی')!, 50);
  t.equal(ledger.items.length, 5, 'four orders and one first-order bonus in Maryam’s ledger');
});
