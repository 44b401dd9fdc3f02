/**
 * The loyalty part of the demo tenant (the plugin's `demo` hook, run by `npm start` and
 * `peyvand seed --demo`): a program with Persian tier names, a few rewards with Persian
 * names, and a year of paid orders for the demo customers — written through core's
 * orders service, as the ERP would send them, then earned by the plugin's own earning
 * service (the subscriber path; the `order.paid` events delivered later earn nothing more,
 * earning is once per order). So the loyalty card, rewards, RFM grid and Pareto curve
 * have something real to show. Runs on every start and creates only what is missing.
 *
 * @module
 */
import type { DemoOrder, OrderDto, PluginContext, PluginDemo, PluginDemoResult } from '../../core/plugin/index.js';
import type { LoyaltyOptions } from './options.js';
import type { ProgramInput } from './services/program.js';
import type { RewardInput } from './services/rewards.js';
import type { LoyaltyServices } from './services/container.js';

const DAY = 24 * 60 * 60 * 1000;

/** Where the demo's orders say they come from (core's `source` of `PUT /orders/by-ref/{source}/{ref}`). */
export const DEMO_ORDER_SOURCE = 'erp';

/** 1 point per 100,000 rials (10,000 toman); two weeks to return; a year to spend; tiers over the last 12 months. */
export const DEMO_PROGRAM: ProgramInput = {
  currency: 'IRR',
  earn: { pointsPerUnit: 1, unit: 100_000, firstOrderBonus: 100 },
  lockDays: 14,
  expiryMonths: 12,
  tiers: [
    { key: 'bronze', name: 'برنزی', threshold: 0, basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1 },
    { key: 'silver', name: 'نقره‌ای', threshold: 1000, basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1.25 },
    { key: 'gold', name: 'طلایی', threshold: 5000, basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1.5 },
  ],
  referral: { referrerPoints: 200, refereePoints: 100 },
};

/** The demo's rewards catalog. */
export const DEMO_REWARDS: RewardInput[] = [
  { name: 'ارسال رایگان سفارش بعدی', cost: 150 },
  { name: 'کارت هدیهٔ ۵۰۰ هزار تومانی', cost: 600, stock: 20 },
  { name: 'بستهٔ چای ممتاز لاهیجان', cost: 350, stock: 40, partner: 'چای‌خانهٔ لاهیجان' },
  { name: 'سبد ویژهٔ نوروزی', cost: 1500, stock: 10, tier: 'silver' },
  { name: 'یک روز مشاورهٔ رایگان انبارداری', cost: 4000, stock: 3, tier: 'gold' },
];

/** Paid orders by customer name: [days ago, total in rials]. Amounts differ widely, so the 80/20 curve bends. */
export const DEMO_ORDER_HISTORY: Record<string, Array<[number, number]>> = {
  'شرکت بازرگانی آریا': [[330, 1_200_000_000], [240, 950_000_000], [150, 1_800_000_000], [60, 2_400_000_000], [9, 700_000_000]],
  'صنایع غذایی نوین پارس': [[300, 600_000_000], [200, 450_000_000], [95, 800_000_000]],
  'مریم احمدی': [[350, 18_000_000], [120, 42_000_000], [45, 35_000_000], [5, 12_000_000]],
  'رضا محمدی': [[280, 9_500_000], [90, 14_000_000]],
  'زهرا حسینی': [[60, 6_500_000], [25, 8_000_000], [3, 4_500_000]],
  'علي كريمي': [[200, 3_000_000]],
  'David Miller': [[170, 55_000_000], [40, 30_000_000]],
  'Sara Johnson': [[210, 7_000_000], [70, 5_500_000]],
  'فاطمه نوری': [[260, 2_500_000]],
};

/** The ERP reference of a demo order: stable, so a restart finds it (its number, `SO-L0102`, is what people read). */
const refOf = (customerName: string, index: number, customers: Map<string, string>) => `DEMO-LOY-${customers.get(customerName)!.slice(-8)}-${index + 1}`;

/**
 * Seeds the demo tenant's loyalty data: the program while it has none, each reward whose
 * name is not in the catalog, each history order core does not have (then earned at once).
 */
export async function seedLoyaltyDemo(ctx: PluginContext<LoyaltyOptions>, loyalty: LoyaltyServices, { tenant, actor, orders }: PluginDemo): Promise<PluginDemoResult> {
  let created = 0;
  if (!(await loyalty.programs.find(tenant.id))) {
    await loyalty.programs.put(actor, DEMO_PROGRAM);
    created++;
  }
  const catalog = new Set((await loyalty.rewards.list(tenant.id, 100)).items.map((r) => r.name));
  for (const reward of DEMO_REWARDS.filter((r) => !catalog.has(r.name))) {
    await loyalty.rewards.create(actor, reward);
    created++;
  }

  const customers = new Map((await ctx.customers.list(actor, { limit: 200 })).items.map((c) => [c.name, c.id]));
  const existing = new Set<string>();
  for (const id of customers.values()) {
    for (const order of (await ctx.orders.list(tenant.id, { customerId: id, limit: 100 })).items) existing.add(order.externalRef.id);
  }
  // Oldest first, across customers: tiers and first-order bonuses follow the order of payment.
  const missing = Object.entries(DEMO_ORDER_HISTORY)
    .filter(([name]) => customers.has(name))
    .flatMap(([name, history], c) => history.map(([daysAgo, total], i) => ({ ref: refOf(name, i, customers), number: `SO-L${String(c + 1).padStart(2, '0')}${String(i + 1).padStart(2, '0')}`, customerId: customers.get(name)!, daysAgo, total })))
    .filter(({ ref }) => !existing.has(ref))
    .sort((a, b) => b.daysAgo - a.daysAgo);
  const now = Date.now();
  for (const { ref, number, customerId, daysAgo, total } of missing) {
    const at = new Date(now - daysAgo * DAY).toISOString();
    const order: DemoOrder = { customerId, number, status: 'paid', currency: 'IRR', total, placedAt: at, paidAt: at, lines: demoLines(total) };
    const written: OrderDto = (await orders.upsertByRef(actor, DEMO_ORDER_SOURCE, ref, order)).order;
    await loyalty.earning.onOrder(tenant.id, written);
    created++;
  }
  return { created };
}

/** Two lines adding up to `total`: tea and packaging, as a food wholesaler's order reads. */
function demoLines(total: number): DemoOrder['lines'] {
  const packaging = Math.round(total / 5 / 10_000) * 10_000;
  return [
    { productRef: 'TEA-LAHIJAN', sku: 'TEA-1', name: 'چای ممتاز لاهیجان (کارتن)', quantity: 1, unitPrice: total - packaging },
    { productRef: 'PACK-BOX', sku: 'PACK-1', name: 'کارتن بسته‌بندی', quantity: 1, unitPrice: packaging },
  ];
}
