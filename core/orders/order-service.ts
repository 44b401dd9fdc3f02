/**
 * The ERP's orders as a read model: upserted by the ERP's reference, read through the
 * API (within the actor's record scope, through the customer) and by plugins through
 * {@link OrderReader}. Every write runs in one transaction with its audit entry and its
 * events; a write that changes nothing writes nothing, so replaying a sync is free.
 */
import type { Knex } from 'knex';
import type { Actor } from '../plugin/actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/database.js';
import { newId } from '../plugin/ids.js';
import { coreError, type FieldError } from '../plugin/errors.js';
import type { EventBus } from '../plugin/events.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import { resolveCustomer, scopeThroughCustomer, type ResolvedCustomer } from './customer-link.js';
import { msOrNull, orderFromRows, type OrderDto, type OrderInput, type OrderLine, type OrderLineRow, type OrderRow, type OrderStatus } from './order-types.js';

/** Filters of the order list. */
export interface OrderListFilter {
  customerId?: string;
  status?: OrderStatus;
  limit: number;
  cursor?: string;
}

import type { Page } from '../plugin/services.js';
import type { OrderReader } from '../plugin/orders.js';
export type { Page };
export type { OrderReader };

/** The order events, by status; `order.paid` is emitted on its own rule (see {@link orderEvents}). */
export type OrderEventType = `order.${OrderStatus}` | 'order.updated';

/** Order use cases; the kernel exposes it as `kernel.orders`, plugins get its {@link reader}. */
export class OrderService {
  readonly reader: OrderReader;

  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly audit: AuditLog,
  ) {
    this.reader = {
      get: async (tenantId, id) => {
        const row = await this.query(this.db.knex, tenantId).where('id', id).first();
        return row ? (await this.withLines(this.db.knex, [row]))[0] : undefined;
      },
      list: async (tenantId, filter) => {
        const t = this.db.table('orders');
        const q = this.query(this.db.knex, tenantId);
        if (filter.customerId) q.where('customer_id', filter.customerId);
        if (filter.status) q.where('status', filter.status);
        if (filter.updatedAfter) q.where('updated_at', '>', Date.parse(filter.updatedAfter));
        if (filter.cursor) {
          const [at, id] = decodeCursor(filter.cursor, ['integer', 'string']) as [number, string];
          q.where((w) => w.where(`${t}.updated_at`, '>', at).orWhere((e) => e.where(`${t}.updated_at`, at).where(`${t}.id`, '>', id)));
        }
        const rows = await q.orderBy([{ column: 'updated_at' }, { column: 'id' }]).limit(filter.limit + 1);
        return this.page(rows, filter.limit, (o) => [Date.parse(o.updatedAt), o.id]);
      },
    };
  }

  /** One order within the actor's record scope, or 404. */
  async get(actor: Actor, id: string): Promise<OrderDto> {
    const row = await scopeThroughCustomer(this.query(this.db.knex, actor.tenantId), this.db, actor).where('id', id).first();
    if (!row) throw coreError('ORDER_NOT_FOUND', { id });
    return (await this.withLines(this.db.knex, [row]))[0]!;
  }

  /** Newest placed first, cursor-paginated. */
  async list(actor: Actor, filter: OrderListFilter): Promise<Page<OrderDto>> {
    const t = this.db.table('orders');
    const q = scopeThroughCustomer(this.query(this.db.knex, actor.tenantId), this.db, actor);
    if (filter.customerId) q.where('customer_id', filter.customerId);
    if (filter.status) q.where('status', filter.status);
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor, ['integer', 'string']) as [number, string];
      q.where((w) => w.where(`${t}.placed_at`, '<', at).orWhere((e) => e.where(`${t}.placed_at`, at).where(`${t}.id`, '<', id)));
    }
    const rows = await q.orderBy([{ column: 'placed_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit + 1);
    return this.page(rows, filter.limit, (o) => [Date.parse(o.placedAt), o.id]);
  }

  /**
   * Creates (`created: true`) or replaces the order the ERP `source` knows as
   * `externalId`. Replaying the same body changes nothing and emits nothing.
   */
  async upsertByRef(actor: Actor, source: string, externalId: string, input: OrderInput): Promise<{ created: boolean; changed: boolean; order: OrderDto }> {
    try {
      return await this.db.transaction((trx) => this.write(trx, actor, source, externalId, input));
    } catch (err) {
      // Two writers racing to create the same ref: the loser runs again and finds it.
      if (isUniqueViolation(err)) return this.db.transaction((trx) => this.write(trx, actor, source, externalId, input));
      throw err;
    }
  }

  /**
   * Removes an order (an import's undo): its lines, an audit entry and `order.deleted`, in
   * `trx`. Not an API operation: the ERP owns its orders, Peyvand only takes back its own import.
   */
  async remove(trx: Knex.Transaction, actor: Actor, id: string): Promise<void> {
    const row = await this.query(trx, actor.tenantId).where('id', id).first();
    if (!row) return;
    const before = (await this.withLines(trx, [row]))[0]!;
    await this.db.rows('order_lines', trx).where({ tenant_id: actor.tenantId, order_id: id }).delete();
    await this.query(trx, actor.tenantId).where('id', id).delete();
    await this.audit.record(trx, actor, { action: 'order.delete', entityType: 'order', entityId: id, before });
    await this.events.emit(trx, 'order.deleted', before, { tenantId: actor.tenantId, aggregateType: 'order', aggregateId: id });
  }

  /** Writes an earlier version of an order back (an import's undo), as `order.updated`. */
  async restore(trx: Knex.Transaction, actor: Actor, image: OrderDto): Promise<void> {
    const row = await this.query(trx, actor.tenantId).where('id', image.id).first();
    if (!row) return;
    const current = (await this.withLines(trx, [row]))[0]!;
    if (sameOrder(current, image)) return;
    const now = Date.now();
    const after: OrderDto = { ...image, version: current.version + 1, updatedAt: new Date(now).toISOString() };
    const customer = { customer_id: after.customerId, customer_source: row.customer_source ?? null, customer_external_id: row.customer_external_id ?? null };
    await this.query(trx, actor.tenantId).where('id', after.id).update({ ...orderColumns(after, customer), updated_at: now, version: after.version });
    await this.db.rows('order_lines', trx).where({ tenant_id: actor.tenantId, order_id: after.id }).delete();
    const returned = after.lines.map((l) => after.returnedLines?.find((r) => r.sku === l.sku && r.productRef === l.productRef)?.quantity ?? 0);
    await this.db.insertRows('order_lines', trx, after.lines.map((l, i) => lineRow(actor.tenantId, after.id, i, l, returned[i]!)));
    await this.audit.record(trx, actor, { action: 'order.update', entityType: 'order', entityId: after.id, before: current, after });
    await this.events.emit(trx, 'order.updated', after, { tenantId: actor.tenantId, aggregateType: 'order', aggregateId: after.id });
  }

  /** {@link upsertByRef} inside the caller's transaction (a file import's batch). */
  upsertIn(trx: Knex.Transaction, actor: Actor, source: string, externalId: string, input: OrderInput): Promise<{ created: boolean; changed: boolean; order: OrderDto }> {
    return this.write(trx, actor, source, externalId, input);
  }

  private async write(trx: Knex.Transaction, actor: Actor, source: string, externalId: string, input: OrderInput): Promise<{ created: boolean; changed: boolean; order: OrderDto }> {
    const existing = this.query(trx, actor.tenantId).where({ source, external_id: externalId }).first();
    if (this.db.dialect !== 'sqlite') existing.forUpdate();
    const row = await existing;
    // An order whose customer the actor does not see is not there for them, as on a read.
    if (row && !(await scopeThroughCustomer(this.query(trx, actor.tenantId), this.db, actor).where('id', row.id).first('id'))) throw coreError('ORDER_NOT_FOUND', { id: `${source}/${externalId}` });
    const before = row ? (await this.withLines(trx, [row]))[0] : undefined;
    const customer = await resolveCustomer(trx, this.db, actor, input);
    const now = Date.now();
    const next = draftOrder(input, { source, externalId, before, customerId: customer.customer_id, now });
    const refChanged = !row || row.customer_source !== customer.customer_source || row.customer_external_id !== customer.customer_external_id;
    if (before && !refChanged && sameOrder(before, next.order)) return { created: false, changed: false, order: before };
    const order: OrderDto = before ? { ...next.order, version: before.version + 1, updatedAt: new Date(now).toISOString() } : next.order;
    const values = { ...orderColumns(order, customer), returned_at: order.status === 'returned' ? (row?.returned_at ?? now) : null, updated_at: now, version: order.version };
    if (before) {
      await this.db.rows('orders', trx).where({ tenant_id: actor.tenantId, id: order.id }).update(values);
      await this.db.rows('order_lines', trx).where({ tenant_id: actor.tenantId, order_id: order.id }).delete();
    } else {
      await this.db.rows('orders', trx).insert({ id: order.id, tenant_id: actor.tenantId, source, external_id: externalId, created_at: now, ...values });
    }
    await this.db.insertRows('order_lines', trx, next.returned.map((returned, position) => lineRow(actor.tenantId, order.id, position, order.lines[position]!, returned)));
    await this.audit.record(trx, actor, before ? { action: 'order.update', entityType: 'order', entityId: order.id, before, after: order } : { action: 'order.create', entityType: 'order', entityId: order.id, after: order });
    for (const type of orderEvents(before, order)) await this.events.emitUntyped(trx, type, { ...order }, { tenantId: actor.tenantId, aggregateType: 'order', aggregateId: order.id });
    return { created: !before, changed: true, order };
  }

  private query(trx: Executor, tenantId: string) {
    return this.db.rows('orders', trx).where(`${this.db.table('orders')}.tenant_id`, tenantId);
  }

  /** The DTOs of order rows, with their lines read in one query. */
  private async withLines(trx: Executor, rows: readonly OrderRow[]): Promise<OrderDto[]> {
    if (rows.length === 0) return [];
    const lines = await this.db.rows('order_lines', trx).whereIn('order_id', rows.map((r) => r.id)).orderBy(['order_id', 'position']);
    const byOrder = new Map<string, OrderLineRow[]>();
    for (const line of lines) byOrder.set(line.order_id, [...(byOrder.get(line.order_id) ?? []), line]);
    return rows.map((row) => orderFromRows(row, byOrder.get(row.id) ?? []));
  }

  private async page(rows: readonly OrderRow[], limit: number, keyOf: (o: OrderDto) => Array<string | number>): Promise<Page<OrderDto>> {
    const items = await this.withLines(this.db.knex, rows.slice(0, limit));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
  }
}

/**
 * The events an order write emits, in this order: `order.paid` exactly once per order,
 * when `paidAt` is first set; then the event of the new status when the status changed
 * (or, for `returned`, when more was returned) — `paid` excepted, which only the first
 * rule emits. A write that changed other fields only emits `order.updated`.
 */
export function orderEvents(before: OrderDto | undefined, after: OrderDto): OrderEventType[] {
  const out: OrderEventType[] = [];
  if (after.paidAt !== null && (before?.paidAt ?? null) === null) out.push('order.paid');
  const statusChanged = before?.status !== after.status;
  const moreReturned = after.status === 'returned' && before !== undefined && JSON.stringify(before.returnedLines) !== JSON.stringify(after.returnedLines);
  if ((statusChanged || moreReturned) && after.status !== 'paid') out.push(`order.${after.status}`);
  if (out.length === 0 && before) out.push('order.updated');
  return out;
}

/**
 * The order a PUT of `input` produces, and each line's returned quantity. Dates only move
 * forward: `paidAt`/`deliveredAt` left out keep the stored value (an ERP may send them
 * once), and a `paid`/`delivered` status without its date takes the time of the write.
 */
function draftOrder(input: OrderInput, at: { source: string; externalId: string; before: OrderDto | undefined; customerId: string | null; now: number }): { order: OrderDto; returned: number[] } {
  const { before, now } = at;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const paidAt = msOrNull(input.paidAt) ?? msOrNull(before?.paidAt) ?? (input.status === 'paid' ? now : null);
  const deliveredAt = msOrNull(input.deliveredAt) ?? msOrNull(before?.deliveredAt) ?? (input.status === 'delivered' ? now : null);
  const lines: OrderLine[] = input.lines.map((l) => ({ productRef: l.productRef ?? null, sku: l.sku ?? null, name: l.name, quantity: toScale(l.quantity), unitPrice: l.unitPrice }));
  const returned = returnedQuantities(lines, (input.returnedLines ?? []).map((r) => ({ ...r, quantity: toScale(r.quantity) })));
  const returnedLines = lines.flatMap((l, i) => (returned[i]! > 0 ? [{ sku: l.sku, productRef: l.productRef, quantity: returned[i]! }] : []));
  const created = before?.createdAt ?? new Date(now).toISOString();
  return {
    returned,
    order: {
      id: before?.id ?? newId(),
      customerId: at.customerId,
      externalRef: { source: at.source, id: at.externalId },
      number: input.number,
      status: input.status,
      currency: input.currency,
      total: input.total,
      placedAt: iso(Date.parse(input.placedAt))!,
      paidAt: iso(paidAt),
      deliveredAt: iso(deliveredAt),
      lines,
      returnedLines: returnedLines.length ? returnedLines : null,
      createdAt: created,
      updatedAt: before?.updatedAt ?? created,
      version: before?.version ?? 1,
    },
  };
}

/**
 * Spreads each returned quantity over the lines of that product (by sku, else product
 * ref), in line order. More than was ordered, or a product not on the order, is a 422
 * naming the returned line.
 */
function returnedQuantities(lines: readonly OrderLine[], returns: NonNullable<OrderInput['returnedLines']>): number[] {
  const returned = lines.map(() => 0);
  const errors: FieldError[] = [];
  returns.forEach((r, index) => {
    const matches = (l: OrderLine) => (r.sku != null ? l.sku === r.sku : l.productRef === r.productRef);
    let left = r.quantity;
    lines.forEach((l, i) => {
      if (left <= 0 || !matches(l)) return;
      const take = Math.min(left, l.quantity - returned[i]!);
      returned[i]! += take;
      left -= take;
    });
    if (left > 1e-9) errors.push({ path: `/returnedLines/${index}`, message: `${r.sku ?? r.productRef}: more returned than ordered, or not on the order`, key: 'core:validation.returnedLine', params: { product: r.sku ?? r.productRef } });
  });
  if (errors.length) throw coreError('ORDER_RETURN_INVALID', {}, { errors });
  return returned;
}

/** A quantity at the column's scale (4 decimals), so what is stored reads back equal and a replay compares equal. */
function toScale(quantity: number): number {
  return Math.round(quantity * 10_000) / 10_000;
}

/** Whether two versions of an order carry the same ERP data (ids, times of our own and version aside). */
function sameOrder(a: OrderDto, b: OrderDto): boolean {
  const data = (o: OrderDto) => JSON.stringify([o.customerId, o.number, o.status, o.currency, o.total, o.placedAt, o.paidAt, o.deliveredAt, o.lines, o.returnedLines]);
  return data(a) === data(b);
}

function orderColumns(o: OrderDto, customer: ResolvedCustomer): Pick<OrderRow, keyof ResolvedCustomer | 'number' | 'status' | 'currency' | 'total' | 'placed_at' | 'paid_at' | 'delivered_at'> {
  return {
    ...customer,
    number: o.number,
    status: o.status,
    currency: o.currency,
    total: o.total,
    placed_at: Date.parse(o.placedAt),
    paid_at: msOrNull(o.paidAt),
    delivered_at: msOrNull(o.deliveredAt),
  };
}

function lineRow(tenantId: string, orderId: string, position: number, l: OrderLine, returned: number): OrderLineRow {
  return { id: newId(), tenant_id: tenantId, order_id: orderId, position, product_ref: l.productRef, sku: l.sku, name: l.name, quantity: l.quantity, unit_price: l.unitPrice, returned_quantity: returned };
}
