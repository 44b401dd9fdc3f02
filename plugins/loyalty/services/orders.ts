/**
 * The order shape the core orders read model puts in its events (ORDERS-CONTRACT), and
 * the plugin's own projection of it: one row per order with what the analytics need
 * (customer, currency, total, returned amount, paid time). The projection is fed by the
 * order events and back-filled from `ctx.orders.list` where core offers it; the plugin
 * never reads core's order tables.
 */
import type { Knex } from 'knex';
import { readInt, type Executor, type OrderDto, type OrderLine as CoreOrderLine, type PluginContext } from '../../../core/plugin/index.js';

export type { OrderDto, ReturnedLine } from '../../../core/plugin/index.js';
import type { LoyaltyStore } from './store.js';

/** An order line; `category` is not in the contract and is honoured when an ERP sends it, for category multipliers. */
export type OrderLine = CoreOrderLine & { category?: string | null };

/** The order in an event's data: the DTO itself, or under `order`. */
export function orderOf(data: unknown): OrderDto | undefined {
  const d = data as { order?: OrderDto } & Partial<OrderDto>;
  const order = d?.order ?? d;
  return order && typeof order.id === 'string' && Array.isArray(order.lines) ? (order as OrderDto) : undefined;
}

const sameLine = (a: { sku: string | null; productRef: string | null }, b: { sku: string | null; productRef: string | null }) =>
  (a.sku !== null && a.sku === b.sku) || (a.sku === null && b.sku === null && a.productRef === b.productRef);

/** Returned quantity per line index (a returned line matches by sku, else product ref). */
export function returnedQuantities(order: OrderDto): number[] {
  if (order.status === 'returned' && order.returnedLines === null) return order.lines.map((l) => l.quantity);
  const left = (order.returnedLines ?? []).map((r) => ({ ...r }));
  return order.lines.map((line) => {
    let qty = 0;
    for (const r of left) {
      if (!sameLine(line, r) || r.quantity <= 0) continue;
      const used = Math.min(r.quantity, line.quantity - qty);
      qty += used;
      r.quantity -= used;
    }
    return qty;
  });
}

/** The amount returned, in minor units (the whole total for a whole return). */
export function returnedAmount(order: OrderDto): number {
  if (order.status === 'returned' && order.returnedLines === null) return order.total;
  const qty = returnedQuantities(order);
  return Math.min(order.total, order.lines.reduce((sum, line, i) => sum + (qty[i] ?? 0) * line.unitPrice, 0));
}

/** Keeps the projection. */
export class OrderProjection {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
  ) {}

  /** Upserts one order; an older version than the stored one changes nothing. */
  async apply(trx: Executor, tenantId: string, order: OrderDto): Promise<void> {
    const row = {
      customer_id: order.customerId,
      currency: order.currency,
      total: order.total,
      returned: returnedAmount(order),
      status: order.status,
      placed_at: Date.parse(order.placedAt),
      paid_at: order.paidAt ? Date.parse(order.paidAt) : null,
      version: order.version,
    };
    const existing = await this.store.rows(trx, 'orders', tenantId).where({ order_id: order.id }).first('version');
    if (!existing) {
      await trx(this.store.table('orders')).insert({ tenant_id: tenantId, order_id: order.id, ...row }).onConflict(['tenant_id', 'order_id']).ignore();
    } else if (readInt(existing.version) <= order.version) {
      await this.store.rows(trx, 'orders', tenantId).where({ order_id: order.id }).update(row);
    }
  }

  /** Back-fills from core's orders read model; returns how many orders were read. */
  async backfill(tenantId: string): Promise<number> {
    const orders = this.ctx.orders;
    let cursor: string | undefined;
    let count = 0;
    do {
      const page = await orders.list(tenantId, { limit: 200, ...(cursor && { cursor }) });
      await this.ctx.db.transaction(async (trx: Knex.Transaction) => {
        for (const order of page.items) await this.apply(trx, tenantId, order);
      });
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return count;
  }
}
