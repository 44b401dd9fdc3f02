/**
 * loyalty: the loyalty plugin in process on embedded SQLite (no HTTP: the plugin's own cost
 * is what is measured; the `read` scenario already prices the HTTP layer).
 *
 * - Earning: a burst of paid orders through the plugin's `order.*` handler (projection row,
 *   account lock, idempotency check, ledger entry, stage refresh — each order its own
 *   transaction) against the bare minimum the same outcome needs: one transaction per order
 *   inserting the projection row and the ledger row with hand-written SQL.
 * - Balance read: `AccountService.get` (every lot replayed from the ledger, tier, expiring
 *   points) against a bare `SUM(points)` of the customer's ledger.
 * - RFM over the whole tenant: `AnalyticsService.rfm` against its window-function SQL run
 *   bare through better-sqlite3 — the gap is what the service adds around its query.
 *
 * Quick: 400 customers, 2,000 orders; full: 20,000 customers, 200,000 orders (`--loyalty-orders`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import pino from 'pino';
import { createKernel } from '../../core/kernel/kernel.js';
import { systemActor } from '../../core/plugin/actor.js';
import loyalty, { type LoyaltyServices } from '../../plugins/loyalty/index.js';
import type { OrderDto } from '../../plugins/loyalty/services/orders.js';
import { prng } from '../generate.js';
import type { ResultRow, Scenario } from '../scenario.js';
import { median, summarize } from '../stats.js';

const DAY = 86_400_000;
const p95 = (times: number[]) => summarize(times).p95;

/** A paid order as core's orders read model sends it. */
function paidOrder(customerId: string, total: number, paidAt: number): OrderDto {
  const id = randomUUID();
  const at = new Date(paidAt).toISOString();
  return {
    id, customerId, externalRef: { source: 'bench', id }, number: id.slice(0, 8), status: 'paid', currency: 'IRR', total,
    placedAt: at, paidAt: at, deliveredAt: null, lines: [{ productRef: 'P-1', sku: 'SKU-1', name: 'کالا', quantity: 1, unitPrice: total }],
    returnedLines: null, createdAt: at, updatedAt: at, version: 1,
  } as OrderDto;
}

export const loyaltyScenario: Scenario = {
  name: 'loyalty',
  async run(ctx): Promise<ResultRow[]> {
    const quick = ctx.config.quick;
    const customers = quick ? 400 : 20_000;
    const orders = quick ? 2_000 : 200_000;
    const reads = quick ? 200 : 2_000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-bench-loyalty-'));
    const file = path.join(dir, 'bench.sqlite');
    const kernel = await createKernel({ databaseUrl: `sqlite:${file}`, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [loyalty] });
    const raw = new Sqlite(file);
    try {
      const tenant = await kernel.tenants.create({ slug: 'bench-loyalty', name: 'Bench loyalty', locale: 'fa', plugins: ['loyalty'] });
      const bare = await kernel.tenants.create({ slug: 'bench-loyalty-bare', name: 'Bench loyalty bare', plugins: ['loyalty'] });
      const actor = systemActor(tenant, 'bench', kernel.registry.list().map((p) => p.name));
      const services = kernel.servicesOf<LoyaltyServices>('loyalty')!;
      await services.programs.put(actor, { currency: 'IRR', earn: { pointsPerUnit: 1, unit: 10_000 }, lockDays: 0, expiryMonths: 12, tiers: [] });
      const ids: string[] = [];
      for (let i = 0; i < customers; i++) ids.push((await kernel.customers.create(actor, { kind: 'person', name: `مشتری وفادار ${i}` })).id);
      ctx.log(`${customers} customers, ${orders} paid orders over two years`);
      const r = prng(ctx.config.seed);
      const start = Date.now() - 730 * DAY;
      const burst = Array.from({ length: orders }, () => paidOrder(ids[Math.floor(r() * customers)]!, 100_000 + Math.floor(r() * 50) * 100_000, start + Math.floor(r() * 730 * DAY)));

      // Earning: the plugin's handler, then the bare minimum, on the same file.
      let t0 = performance.now();
      for (const order of burst) await services.earning.onOrder(tenant.id, order);
      const earnMs = performance.now() - t0;
      const table = (name: string) => kernel.db.table(name);
      const insertOrder = raw.prepare(`insert into ${table('loyalty_orders')} (tenant_id, order_id, customer_id, currency, total, returned, status, placed_at, paid_at, version) values (?, ?, ?, 'IRR', ?, 0, 'paid', ?, ?, 1)`);
      const insertEntry = raw.prepare(`insert into ${table('loyalty_ledger')} (id, tenant_id, customer_id, type, points, reason, source_type, source_id, idem_key, at, effective_at) values (?, ?, ?, 'earn', ?, 'order', 'order', ?, ?, ?, ?)`);
      const earnBare = raw.transaction((order: OrderDto, paid: number) => {
        insertOrder.run(bare.id, order.id, order.customerId, order.total, paid, paid);
        insertEntry.run(randomUUID(), bare.id, order.customerId, Math.floor(order.total / 10_000), order.id, `earn:${order.id}`, paid, paid);
      });
      t0 = performance.now();
      for (const order of burst) earnBare(order, Date.parse(order.paidAt!));
      const bareEarnMs = performance.now() - t0;
      const countEarned = raw.prepare(`select count(*) as n from ${table('loyalty_ledger')} where tenant_id = ? and type = 'earn'`);
      const earned = (countEarned.get(tenant.id) as { n: number }).n;
      if (earned !== orders) throw new Error(`expected ${orders} earn entries, found ${earned}`);

      // Balance reads: one customer at a time, the same customers both sides.
      const sum = raw.prepare(`select coalesce(sum(points), 0) as s from ${table('loyalty_ledger')} where tenant_id = ? and customer_id = ?`);
      const readMs: number[] = [];
      const bareReadMs: number[] = [];
      for (let i = 0; i < reads; i++) {
        const customerId = ids[i % customers]!;
        let t = performance.now();
        const account = await services.accounts.get(actor, customerId);
        readMs.push(performance.now() - t);
        t = performance.now();
        const { s } = sum.get(tenant.id, customerId) as { s: number };
        bareReadMs.push(performance.now() - t);
        if (account.lifetime !== s) throw new Error(`balance of ${customerId}: ${account.lifetime} vs ledger sum ${s}`);
      }

      // RFM for the whole tenant: the service, and its query alone.
      const rfmSql = `select customer_id, revenue, r, f, m from (select customer_id, revenue, rank() over (order by last_paid) as r, rank() over (order by orders) as f, rank() over (order by revenue) as m, count(*) over () as n from (
        select customer_id, max(paid_at) as last_paid, count(*) as orders, sum(total - returned) as revenue from ${table('loyalty_orders')}
        where tenant_id = ? and customer_id is not null and paid_at is not null and paid_at < ? and total > returned and currency = 'IRR' group by customer_id) c) ranked`;
      const rfmBare = raw.prepare(rfmSql);
      const rfmMs: number[] = [];
      const bareRfmMs: number[] = [];
      for (let i = 0; i < (quick ? 3 : 5); i++) {
        let t = performance.now();
        const report = await services.analytics.rfm(actor, {}, 'Asia/Tehran', 'fa');
        rfmMs.push(performance.now() - t);
        t = performance.now();
        const rows = rfmBare.all(tenant.id, Date.now() + DAY) as unknown[];
        bareRfmMs.push(performance.now() - t);
        if (report.customers !== rows.length) throw new Error(`RFM counts ${report.customers} customers, its query ${rows.length}`);
      }

      const earnRate = orders / (earnMs / 1000);
      const bareEarnRate = orders / (bareEarnMs / 1000);
      return [
        { scenario: `loyalty: earning from a burst of ${orders.toLocaleString('en')} paid orders (SQLite, in process)`, peyvand: earnRate, baseline: bareEarnRate, unit: 'orders/s', ratio: earnRate / bareEarnRate, ratioLabel: 'Peyvand / bare inserts', target: 'reported', pass: null, details: `${(earnMs / 1000).toFixed(1)} s vs ${(bareEarnMs / 1000).toFixed(1)} s; each order: projection, account lock, idempotency check, ledger entry, lifecycle stage` },
        { scenario: `loyalty: balance read, ${customers.toLocaleString('en')} customers (SQLite, in process)`, peyvand: p95(readMs), baseline: p95(bareReadMs), unit: 'ms p95', ratio: p95(readMs) / p95(bareReadMs), ratioLabel: 'Peyvand / bare SUM', target: 'reported', pass: null, details: `p50 ${median(readMs).toFixed(2)} vs ${median(bareReadMs).toFixed(2)} ms; ${reads} reads; the service replays lots for locked and expiring points` },
        { scenario: `loyalty: RFM of the whole tenant, ${orders.toLocaleString('en')} orders (SQLite, in process)`, peyvand: median(rfmMs), baseline: median(bareRfmMs), unit: 'ms', ratio: median(rfmMs) / median(bareRfmMs), ratioLabel: 'Peyvand / its SQL bare', target: 'reported', pass: null, details: `median of ${rfmMs.length}` },
      ];
    } finally {
      raw.close();
      await kernel.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
