/**
 * The loyalty benchmark's dataset, built in bulk on SQLite: customers (customer rows
 * only, through the bulk baseline's raw importer: loyalty reads nothing else of them),
 * paid orders of several lines spread over the two years before `now`, and the rows the
 * plugin would hold had it earned every order as it was paid and run its scheduler
 * since: the order projection, one `earn` entry per order (points by the plugin's own
 * `pointsForLines`, per-line detail, lock and expiry), one `expire` entry per lot that
 * lapsed before `now`, the schedule of the lots still to lapse, and an account per
 * paying customer with its lifecycle stage (the plugin's `stageOf`) and stage review.
 * No events, audit entries or outbox rows: the measured reads do not touch them.
 *
 * Whether these are the rows earning writes is not assumed: {@link checkAgainstService}
 * builds a slice both ways (bulk here, and through `EarningService.onOrder` and the
 * scheduler) and compares them row by row. Written with prepared better-sqlite3
 * statements, a transaction per batch, beside the kernel's own connection (WAL).
 */
import Sqlite from 'better-sqlite3';
import type { Kernel } from '../core/kernel/kernel.js';
import { systemActor } from '../core/plugin/actor.js';
import { newId } from '../core/plugin/index.js';
import type { LoyaltyServices } from '../plugins/loyalty/index.js';
import { addMonths, DAY_MS } from '../plugins/loyalty/services/dates.js';
import { pointsForLines } from '../plugins/loyalty/services/earning.js';
import type { OrderDto, OrderLine } from '../plugins/loyalty/services/orders.js';
import type { ProgramInput } from '../plugins/loyalty/services/program.js';
import { lapseAfterDays, stageOf } from '../plugins/loyalty/services/stages.js';
import { RawImporter } from './baseline/raw-import.js';
import { generateCustomers, prng } from './generate.js';

/** The program every bench tenant runs: a point per 10,000 rials, 14 locked days, 12 months to lapse. */
export const BENCH_PROGRAM: ProgramInput = { currency: 'IRR', earn: { pointsPerUnit: 1, unit: 10_000 }, lockDays: 14, expiryMonths: 12, tiers: [] };

/** Sizes of a loyalty dataset. */
export interface LoyaltyShape {
  customers: number;
  orders: number;
  /** Lines per order. */
  lines: number;
  seed: number;
  /** The instant the history ends (orders are paid in the 730 days before it). */
  now: number;
}

/** A generated paid order; `customer` is an index into the dataset's customer ids. */
export interface GeneratedOrder {
  id: string;
  customer: number;
  paidAt: number;
  lines: OrderLine[];
  total: number;
}

/**
 * A customer index drawn with a long tail: the first customers order most (the top one
 * about √customers times the average), the last ones often never — so the Pareto report
 * and the RFM quintiles have something to find.
 */
export const skewedCustomer = (r: () => number, customers: number): number => Math.floor(customers * r() ** 2);

/** `lines` order lines of 1–3 units at 100,000–5,000,000 rials. */
export function orderLines(r: () => number, lines: number): OrderLine[] {
  return Array.from({ length: lines }, () => {
    const n = Math.floor(r() * 200);
    return { productRef: `P-${n}`, sku: `SKU-${n}`, name: `کالای ${n}`, quantity: 1 + Math.floor(r() * 3), unitPrice: (10 + Math.floor(r() * 490)) * 10_000 };
  });
}

/** The dataset's orders, oldest first (ids from the clock, so in that order too). */
export function* loyaltyOrders(shape: LoyaltyShape): Generator<GeneratedOrder> {
  const r = prng(shape.seed ^ 0x10ca1);
  const start = shape.now - 730 * DAY_MS;
  for (let i = 0; i < shape.orders; i++) {
    const lines = orderLines(r, shape.lines);
    const paidAt = start + Math.floor(((i + r()) / shape.orders) * 730 * DAY_MS);
    yield { id: newId(), customer: skewedCustomer(r, shape.customers), paidAt, lines, total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0) };
  }
}

/** A generated order as core's orders read model sends it in `order.paid`. */
export function orderDto(order: GeneratedOrder, customerId: string): OrderDto {
  const at = new Date(order.paidAt).toISOString();
  return {
    id: order.id, customerId, externalRef: { source: 'bench', id: order.id }, number: order.id.slice(0, 8), status: 'paid', currency: 'IRR', total: order.total,
    placedAt: at, paidAt: at, deliveredAt: null, lines: order.lines, returnedLines: null, createdAt: at, updatedAt: at, version: 1,
  } as OrderDto;
}

/** What a bulk load wrote. */
export interface LoyaltyLoad {
  customerIds: string[];
  rows: { orders: number; entries: number; schedule: number; accounts: number };
  ms: number;
}

/** Bulk-writes `customers` customers into the tenant (customer rows only); returns their ids in index order. */
export function bulkCustomers(file: string, tenantId: string, count: number, seed: number, batch = 5_000): string[] {
  const raw = new RawImporter(file, true, tenantId);
  const ids: string[] = [];
  try {
    for (let start = 0; start < count; start += batch) ids.push(...raw.insertBatch([...generateCustomers({ seed, count: Math.min(batch, count - start), start })]));
  } finally {
    raw.close();
  }
  return ids;
}

/** Writes the orders (oldest first) and everything earning and the scheduler would have written for them. */
export function bulkLoyalty(kernel: Kernel, file: string, tenantId: string, customerIds: readonly string[], orders: Iterable<GeneratedOrder>, now: number, batch = 5_000): LoyaltyLoad['rows'] {
  const t = (name: string) => kernel.db.table(`loyalty_${name}`);
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const insertOrder = db.prepare(`insert into ${t('orders')} (tenant_id, order_id, customer_id, currency, total, returned, status, placed_at, paid_at, version) values (?, ?, ?, 'IRR', ?, 0, 'paid', ?, ?, 1)`);
  const insertEntry = db.prepare(`insert into ${t('ledger')} (id, tenant_id, customer_id, type, points, reason, source_type, source_id, idem_key, lot_id, at, effective_at, unlock_at, expires_at, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertSchedule = db.prepare(`insert into ${t('schedule')} (id, tenant_id, customer_id, kind, ref_id, due_at) values (?, ?, ?, ?, ?, ?)`);
  const insertAccount = db.prepare(`insert into ${t('accounts')} (tenant_id, customer_id, stage, created_at, updated_at) values (?, ?, ?, ?, ?)`);
  const rows = { orders: 0, entries: 0, schedule: 0, accounts: 0 };
  // Lots in the order they lapse (expiry is monotonic in the paid time): the scheduler's queue.
  const lots: Array<{ id: string; customerId: string; points: number; expiresAt: number }> = [];
  let nextLot = 0;
  const paid = new Map<number, number[]>();
  const expireUntil = (until: number) => {
    for (; nextLot < lots.length && lots[nextLot]!.expiresAt <= until; nextLot++) {
      const lot = lots[nextLot]!;
      insertEntry.run(newId(), tenantId, lot.customerId, 'expire', -lot.points, 'expiry', 'lot', lot.id, `expire:${lot.id}`, lot.id, lot.expiresAt, lot.expiresAt, null, null, null);
      rows.entries++;
    }
  };
  const writeBatch = db.transaction((chunk: GeneratedOrder[]) => {
    for (const order of chunk) {
      expireUntil(order.paidAt);
      const customerId = customerIds[order.customer]!;
      const lines = pointsForLines({ ...BENCH_PROGRAM, version: 1, updatedAt: '' }, order.lines, order.total, 1);
      const points = lines.reduce((a, b) => a + b, 0);
      const lotId = newId();
      const expiresAt = addMonths(order.paidAt, BENCH_PROGRAM.expiryMonths);
      insertOrder.run(tenantId, order.id, customerId, order.total, order.paidAt, order.paidAt);
      insertEntry.run(lotId, tenantId, customerId, 'earn', points, 'order', 'order', order.id, `earn:${order.id}`, null, order.paidAt, order.paidAt, order.paidAt + BENCH_PROGRAM.lockDays * DAY_MS, expiresAt, JSON.stringify({ lines }));
      lots.push({ id: lotId, customerId, points, expiresAt });
      const times = paid.get(order.customer) ?? [];
      times.push(order.paidAt);
      paid.set(order.customer, times);
      rows.orders++;
      rows.entries++;
    }
  });
  const finish = db.transaction(() => {
    expireUntil(now);
    for (const lot of lots.slice(nextLot)) insertSchedule.run(newId(), tenantId, lot.customerId, 'expire', lot.id, lot.expiresAt);
    rows.schedule += lots.length - nextLot;
    for (const [customer, times] of paid) {
      const customerId = customerIds[customer]!;
      const stage = stageOf(times, now);
      insertAccount.run(tenantId, customerId, stage, times[0]!, times[times.length - 1]!);
      rows.accounts++;
      if (stage === 'lapsed') continue;
      insertSchedule.run(newId(), tenantId, customerId, 'stage', null, times[times.length - 1]! + lapseAfterDays(times) * DAY_MS + 1);
      rows.schedule++;
    }
  });
  try {
    let chunk: GeneratedOrder[] = [];
    for (const order of orders) {
      chunk.push(order);
      if (chunk.length < batch) continue;
      writeBatch(chunk);
      chunk = [];
    }
    writeBatch(chunk);
    finish();
  } finally {
    db.close();
  }
  return rows;
}

/** A tenant with the loyalty plugin and the bench program. */
export async function loyaltyTenant(kernel: Kernel, slug: string) {
  const tenant = await kernel.tenants.create({ slug, name: slug, locale: 'fa', plugins: ['loyalty'] });
  const actor = systemActor(tenant, 'bench', kernel.registry.list().map((p) => p.name));
  await kernel.servicesOf<LoyaltyServices>('loyalty')!.programs.put(actor, BENCH_PROGRAM);
  return { tenant, actor };
}

/** Builds the whole dataset in a new tenant. */
export async function loadLoyaltyDataset(kernel: Kernel, file: string, shape: LoyaltyShape, log: (message: string) => void = () => {}): Promise<LoyaltyLoad & Awaited<ReturnType<typeof loyaltyTenant>>> {
  const made = await loyaltyTenant(kernel, 'bench-loyalty');
  const t0 = performance.now();
  const customerIds = bulkCustomers(file, made.tenant.id, shape.customers, shape.seed);
  log(`${customerIds.length} customers written in ${Math.round(performance.now() - t0)} ms`);
  const rows = bulkLoyalty(kernel, file, made.tenant.id, customerIds, loyaltyOrders(shape), shape.now);
  return { ...made, customerIds, rows, ms: performance.now() - t0 };
}

/**
 * Builds a small slice of the same shape twice — in bulk, and through the plugin's
 * `EarningService.onOrder` (each order as its `order.paid` event) then its scheduler
 * until nothing is due — and throws unless both tenants hold the same projection,
 * ledger, schedule and accounts (ids, write times and created/updated stamps aside).
 */
export async function checkAgainstService(kernel: Kernel, file: string, shape: LoyaltyShape): Promise<number> {
  const services = kernel.servicesOf<LoyaltyServices>('loyalty')!;
  const orders = [...loyaltyOrders(shape)];
  const snapshots: string[][] = [];
  for (const way of ['bulk', 'service'] as const) {
    const { tenant } = await loyaltyTenant(kernel, `bench-loyalty-check-${way}`);
    const ids = bulkCustomers(file, tenant.id, shape.customers, shape.seed);
    if (way === 'bulk') bulkLoyalty(kernel, file, tenant.id, ids, orders, shape.now);
    else {
      for (const order of orders) await services.earning.onOrder(tenant.id, orderDto(order, ids[order.customer]!));
      while ((await services.scheduler.runOnce(shape.now)) > 0);
    }
    snapshots.push(await snapshot(kernel, tenant.id, ids));
  }
  const [bulk, service] = snapshots as [string[], string[]];
  const differs = bulk.findIndex((row, i) => row !== service[i]);
  if (differs >= 0 || bulk.length !== service.length) throw new Error(`bulk-built loyalty rows differ from the service's: ${bulk[differs] ?? '(none)'} vs ${service[differs] ?? '(none)'} (${bulk.length} vs ${service.length} rows)`);
  return bulk.length;
}

/** A tenant's loyalty rows as comparable lines: customers by index, lots by the order they came from. */
async function snapshot(kernel: Kernel, tenantId: string, customerIds: readonly string[]): Promise<string[]> {
  const knex = kernel.db.knex;
  const t = (name: string) => kernel.db.table(`loyalty_${name}`);
  const index = new Map(customerIds.map((id, i) => [id, i]));
  const who = (id: unknown) => index.get(String(id)) ?? `?${String(id)}`;
  const ledger = await knex(t('ledger')).where({ tenant_id: tenantId });
  const orderOfLot = new Map(ledger.filter((e) => e.type === 'earn').map((e) => [String(e.id), String(e.source_id)]));
  const lot = (id: unknown) => (id === null ? null : `lot of ${orderOfLot.get(String(id)) ?? '?'}`);
  const lines = [
    ...(await knex(t('orders')).where({ tenant_id: tenantId })).map((o) => `order ${o.order_id} ${who(o.customer_id)} ${o.total} ${o.returned} ${o.status} ${o.paid_at}`),
    ...ledger.map((e) => `entry ${who(e.customer_id)} ${e.type} ${e.points} ${e.reason} ${e.source_type} ${e.type === 'expire' ? lot(e.source_id) : e.source_id} ${e.type === 'expire' ? `expire:${lot(e.lot_id)}` : e.idem_key} ${e.effective_at} ${e.unlock_at} ${e.expires_at} ${e.detail}`),
    ...(await knex(t('schedule')).where({ tenant_id: tenantId })).map((s) => `schedule ${who(s.customer_id)} ${s.kind} ${s.kind === 'expire' ? lot(s.ref_id) : s.ref_id} ${s.due_at}`),
    ...(await knex(t('accounts')).where({ tenant_id: tenantId })).map((a) => `account ${who(a.customer_id)} ${a.stage} ${a.tier_key} ${a.referral_code}`),
  ];
  return lines.sort();
}
