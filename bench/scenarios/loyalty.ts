/**
 * loyalty: the loyalty plugin in process on embedded SQLite (no HTTP: the plugin's own cost
 * is what is measured; the `read` scenario already prices the HTTP layer), over a tenant
 * with `--loyalty-customers` customers and `--loyalty-orders` paid orders of
 * `--loyalty-lines` lines of history, built in bulk (`bench/loyalty-dataset.ts`, checked
 * first against the plugin's own earning on a slice).
 *
 * - Earning: a burst of new paid orders through the plugin's `order.*` handler (projection
 *   row, account lock, ledger replay, idempotency check, ledger entry, stage refresh — each
 *   order its own transaction) against the bare minimum the same outcome needs: one
 *   transaction per order inserting the projection row and the ledger row with prepared statements.
 * - Balance read: `AccountService.get` (every lot replayed from the ledger, tier, expiring
 *   points) against a bare `SUM(points)` of the customer's ledger.
 * - RFM, Pareto and win-back over the whole tenant: the service against its SQL run bare
 *   through better-sqlite3 — the gap is what the service adds around its query.
 *
 * Quick: 400 customers, 2,000 orders; full: the 1,000,000 customers and
 * 10,000,000 order lines (2,000,000 orders of 5 lines).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import pino from 'pino';
import { createKernel } from '../../core/kernel/kernel.js';
import { newId } from '../../core/plugin/index.js';
import loyalty, { type LoyaltyServices } from '../../plugins/loyalty/index.js';
import { addMonths, DAY_MS, localDateOf, localDayStart } from '../../plugins/loyalty/services/dates.js';
import { pointsForLines } from '../../plugins/loyalty/services/earning.js';
import { fmt } from '../http.js';
import { BENCH_PROGRAM, checkAgainstService, loadLoyaltyDataset, orderDto, orderLines, skewedCustomer, type GeneratedOrder } from '../loyalty-dataset.js';
import { prng } from '../generate.js';
import type { ResultRow, Scenario } from '../scenario.js';
import { median, summarize } from '../stats.js';

const ZONE = 'Asia/Tehran';
const p95 = (times: number[]) => summarize(times).p95;

/** Runs `service` then `bare` `rounds` times, alternating; checks each pair with `same`. */
async function timed<A, B>(log: (message: string) => void, name: string, rounds: number, service: () => Promise<A>, bare: () => B, same: (a: A, b: B) => string | null): Promise<[number[], number[]]> {
  const ms: [number[], number[]] = [[], []];
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const a = await service();
    ms[0].push(performance.now() - t);
    t = performance.now();
    const b = bare();
    ms[1].push(performance.now() - t);
    const problem = same(a, b);
    if (problem) throw new Error(problem);
  }
  log(`${name}: ${ms[0].map((m) => fmt(m)).join(', ')} vs ${ms[1].map((m) => fmt(m)).join(', ')} ms bare`);
  return ms;
}

export const loyaltyScenario: Scenario = {
  name: 'loyalty',
  async run(ctx): Promise<ResultRow[]> {
    const { config } = ctx;
    const quick = config.quick;
    const now = Date.now();
    const shape = { customers: config.loyaltyCustomers, orders: config.loyaltyOrders, lines: config.loyaltyLines, seed: config.seed, now };
    const burstSize = quick ? 2_000 : 5_000;
    const reads = quick ? 200 : 2_000;
    const rounds = 3;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-bench-loyalty-'));
    const file = path.join(dir, 'bench.sqlite');
    const kernel = await createKernel({ databaseUrl: `sqlite:${file}`, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [loyalty] });
    const raw = new Sqlite(file);
    try {
      const services = kernel.servicesOf<LoyaltyServices>('loyalty')!;
      const checked = await checkAgainstService(kernel, file, { ...shape, customers: 200, orders: 1_000 });
      ctx.log(`bulk-built rows equal the service's on a slice of 200 customers and 1,000 orders (${fmt(checked)} rows)`);
      const data = await loadLoyaltyDataset(kernel, file, shape, ctx.log);
      const { tenant, actor, customerIds } = data;
      const size = `${fmt(shape.customers)} customers, ${fmt(shape.orders * shape.lines)} order lines`;
      ctx.log(`${size} (${fmt(shape.orders)} orders of ${shape.lines}) built in ${fmt(data.ms / 1000, 1)} s: ${JSON.stringify(data.rows)}`);
      const bare = await kernel.tenants.create({ slug: 'bench-loyalty-bare', name: 'Bench loyalty bare', plugins: ['loyalty'] });
      const table = (name: string) => kernel.db.table(name);

      // Earning: new orders paid now by customers with history, the plugin's handler, then the bare minimum.
      const r = prng(config.seed ^ 0xea2);
      const burst: GeneratedOrder[] = Array.from({ length: burstSize }, (_, i) => {
        const lines = orderLines(r, shape.lines);
        return { id: randomUUID(), customer: skewedCustomer(r, shape.customers), paidAt: now + i, lines, total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0) };
      });
      let t0 = performance.now();
      for (const order of burst) await services.earning.onOrder(tenant.id, orderDto(order, customerIds[order.customer]!));
      const earnMs = performance.now() - t0;
      const program = { ...BENCH_PROGRAM, version: 1, updatedAt: '' };
      const insertOrder = raw.prepare(`insert into ${table('loyalty_orders')} (tenant_id, order_id, customer_id, currency, total, returned, status, placed_at, paid_at, version) values (?, ?, ?, 'IRR', ?, 0, 'paid', ?, ?, 1)`);
      const insertEntry = raw.prepare(`insert into ${table('loyalty_ledger')} (id, tenant_id, customer_id, type, points, reason, source_type, source_id, idem_key, at, effective_at, unlock_at, expires_at, detail) values (?, ?, ?, 'earn', ?, 'order', 'order', ?, ?, ?, ?, ?, ?, ?)`);
      const earnBare = raw.transaction((order: GeneratedOrder, customerId: string) => {
        const lines = pointsForLines(program, order.lines, order.total, 1);
        insertOrder.run(bare.id, order.id, customerId, order.total, order.paidAt, order.paidAt);
        insertEntry.run(newId(), bare.id, customerId, lines.reduce((a, b) => a + b, 0), order.id, `earn:${order.id}`, order.paidAt, order.paidAt, order.paidAt + program.lockDays * DAY_MS, addMonths(order.paidAt, program.expiryMonths), JSON.stringify({ lines }));
      });
      t0 = performance.now();
      for (const order of burst) earnBare(order, customerIds[order.customer]!);
      const bareEarnMs = performance.now() - t0;
      ctx.log(`earning: ${fmt(burstSize / (earnMs / 1000), 1)} vs ${fmt(burstSize / (bareEarnMs / 1000), 1)} orders/s bare`);
      const earned = (raw.prepare(`select count(*) as n from ${table('loyalty_ledger')} where tenant_id = ? and type = 'earn'`).get(tenant.id) as { n: number }).n;
      if (earned !== shape.orders + burstSize) throw new Error(`expected ${shape.orders + burstSize} earn entries, found ${earned}`);

      // Balance reads: one customer at a time, the same customers both sides.
      const sum = raw.prepare(`select coalesce(sum(points), 0) as s from ${table('loyalty_ledger')} where tenant_id = ? and customer_id = ?`);
      const readMs: number[] = [];
      const bareReadMs: number[] = [];
      for (let i = 0; i < reads; i++) {
        const customerId = customerIds[Math.floor(r() * customerIds.length)]!;
        let t = performance.now();
        const account = await services.accounts.get(actor, customerId);
        readMs.push(performance.now() - t);
        t = performance.now();
        const { s } = sum.get(tenant.id, customerId) as { s: number };
        bareReadMs.push(performance.now() - t);
        // Remaining lots less debt equal the sum of all entries (balance.ts's invariant).
        if (account.available + account.locked !== s) throw new Error(`balance of ${customerId}: ${account.available} + ${account.locked} locked vs ledger sum ${s}`);
      }

      ctx.log(`balance read: p95 ${fmt(p95(readMs), 2)} vs ${fmt(p95(bareReadMs), 2)} ms bare`);

      // The reports over the whole tenant: the service, and its query alone.
      const T = table('loyalty_orders');
      const paid = `from ${T} where tenant_id = ? and customer_id is not null and paid_at is not null and paid_at < ? and total > returned`;
      const rfmBare = raw.prepare(`select customer_id, revenue, r, f, m from (select customer_id, revenue, rank() over (order by last_paid) as r, rank() over (order by orders) as f, rank() over (order by revenue) as m, count(*) over () as n from (
        select customer_id, max(paid_at) as last_paid, count(*) as orders, sum(total - returned) as revenue ${paid} and currency = 'IRR' group by customer_id) c) ranked`);
      const endOfToday = localDayStart(localDateOf(Date.now(), ZONE), ZONE) + DAY_MS;
      const [rfmMs, bareRfmMs] = await timed(ctx.log, 'RFM', rounds, () => services.analytics.rfm(actor, {}, ZONE, 'fa'), () => rfmBare.all(tenant.id, endOfToday) as unknown[],
        (a, b) => (a.customers === b.length ? null : `RFM counts ${a.customers} customers, its query ${b.length}`));

      const from = localDateOf(now - 731 * DAY_MS, ZONE);
      const to = localDateOf(Date.now(), ZONE);
      const order = 'order by revenue desc, customer_id';
      const paretoBare = raw.prepare(`select k, cum, n, total from (
        select row_number() over (${order}) as k, sum(revenue) over (${order} rows unbounded preceding) as cum, count(*) over () as n, sum(revenue) over () as total from (
          select customer_id, sum(total - returned) as revenue ${paid} and paid_at >= ? and currency = 'IRR' group by customer_id) c
      ) ranked where (k * 100) / n > ((k - 1) * 100) / n order by k`);
      const [paretoMs, bareParetoMs] = await timed(ctx.log, 'Pareto', rounds, () => services.analytics.pareto(actor, { from, to }, ZONE),
        () => paretoBare.all(tenant.id, localDayStart(to, ZONE) + DAY_MS, localDayStart(from, ZONE)) as Array<{ n: number; total: number }>,
        (a, b) => (a.customers === b[0]?.n && a.revenue === b[0]?.total ? null : `Pareto: ${a.customers} customers and ${a.revenue} revenue, its query ${b[0]?.n} and ${b[0]?.total}`));

      const at = Date.now();
      const winBackBare = raw.prepare(`select customer_id, paid_at, total - returned as value ${paid} and currency = 'IRR' and customer_id in (
        select customer_id ${paid} and currency = 'IRR' group by customer_id having max(paid_at) < ?) order by customer_id, paid_at`);
      const [winBackMs, bareWinBackMs] = await timed(ctx.log, 'win-back', rounds, () => services.analytics.winBack(actor, { limit: 50 }, at), () => winBackBare.all(tenant.id, at, tenant.id, at, at - 30 * DAY_MS) as Array<{ customer_id: string }>,
        (a, b) => (a.items.length > 0 && b.some((row) => row.customer_id === a.items[0]!.customerId) ? null : 'win-back: the first customer listed is not among its query\'s rows'));

      const earnRate = burstSize / (earnMs / 1000);
      const bareEarnRate = burstSize / (bareEarnMs / 1000);
      const report = (name: string, ms: number[], bareMs: number[]): ResultRow => ({ scenario: `loyalty: ${name}, ${size} (SQLite, in process)`, peyvand: median(ms), baseline: median(bareMs), unit: 'ms', ratio: median(ms) / median(bareMs), ratioLabel: 'Peyvand / its SQL bare', target: 'reported', pass: null, details: `median of ${ms.length}: ${ms.map((m) => fmt(m)).join(', ')} vs ${bareMs.map((m) => fmt(m)).join(', ')} ms` });
      return [
        { scenario: `loyalty: earning from a burst of ${fmt(burstSize)} paid orders, ${size} (SQLite, in process)`, peyvand: earnRate, baseline: bareEarnRate, unit: 'orders/s', ratio: earnRate / bareEarnRate, ratioLabel: 'Peyvand / bare inserts', target: 'reported', pass: null, details: `${fmt(earnMs / 1000, 1)} s vs ${fmt(bareEarnMs / 1000, 1)} s; each order: projection, account lock, ledger replay, idempotency check, ledger entry, lifecycle stage` },
        { scenario: `loyalty: balance read, ${size} (SQLite, in process)`, peyvand: p95(readMs), baseline: p95(bareReadMs), unit: 'ms p95', ratio: p95(readMs) / p95(bareReadMs), ratioLabel: 'Peyvand / bare SUM', target: 'reported', pass: null, details: `p50 ${fmt(median(readMs), 2)} vs ${fmt(median(bareReadMs), 2)} ms; ${reads} reads of random customers; the service replays lots for locked and expiring points` },
        report('RFM of the whole tenant', rfmMs, bareRfmMs),
        report('Pareto (80/20) over the two years', paretoMs, bareParetoMs),
        report('win-back list (first page of 50)', winBackMs, bareWinBackMs),
      ];
    } finally {
      raw.close();
      await kernel.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
