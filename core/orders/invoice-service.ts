/**
 * The ERP's invoices as a read model, upserted by reference like orders. `overdue` is
 * Peyvand's own finding as much as the ERP's: an ERP keeps saying `issued` after the due
 * date, so the status shown is `overdue` once the scheduler ({@link OverdueScheduler})
 * claimed the invoice for that due date, and stays so while the ERP repeats `issued` with
 * the same due date. A new due date clears the claim.
 */
import type { Knex } from 'knex';
import type { Actor } from '../plugin/actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation, readInt } from '../db/database.js';
import { newId } from '../plugin/ids.js';
import { coreError } from '../plugin/errors.js';
import type { EventBus } from '../plugin/events.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import { resolveCustomer, scopeThroughCustomer } from './customer-link.js';
import type { Page } from './order-service.js';
import { invoiceFromRow, type InvoiceDto, type InvoiceInput, type InvoiceRow, type InvoiceStatus } from './order-types.js';

/** Filters of the invoice list. */
export interface InvoiceListFilter {
  customerId?: string;
  status?: InvoiceStatus;
  limit: number;
  cursor?: string;
}

/** Invoice use cases; the kernel exposes it as `kernel.invoices`. */
export class InvoiceService {
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly audit: AuditLog,
  ) {}

  /** One invoice within the actor's record scope, or 404. */
  async get(actor: Actor, id: string): Promise<InvoiceDto> {
    const row = await scopeThroughCustomer(this.query(this.db.knex, actor.tenantId), this.db, actor).where('id', id).first();
    if (!row) throw coreError('INVOICE_NOT_FOUND', { id });
    return invoiceFromRow(row);
  }

  /** Latest due first, cursor-paginated. */
  async list(actor: Actor, filter: InvoiceListFilter): Promise<Page<InvoiceDto>> {
    const t = this.db.table('invoices');
    const q = scopeThroughCustomer(this.query(this.db.knex, actor.tenantId), this.db, actor);
    if (filter.customerId) q.where('customer_id', filter.customerId);
    if (filter.status) q.where('status', filter.status);
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor, ['integer', 'string']) as [number, string];
      q.where((w) => w.where(`${t}.due_at`, '<', at).orWhere((e) => e.where(`${t}.due_at`, at).where(`${t}.id`, '<', id)));
    }
    const rows = await q.orderBy([{ column: 'due_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit + 1);
    const items = rows.slice(0, filter.limit).map(invoiceFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([Date.parse(last.dueAt), last.id]) : null };
  }

  /** Creates or replaces the invoice `source` knows as `externalId`; a replay changes nothing. */
  async upsertByRef(actor: Actor, source: string, externalId: string, input: InvoiceInput): Promise<{ created: boolean; invoice: InvoiceDto }> {
    try {
      return await this.db.transaction((trx) => this.write(trx, actor, source, externalId, input));
    } catch (err) {
      if (isUniqueViolation(err)) return this.db.transaction((trx) => this.write(trx, actor, source, externalId, input));
      throw err;
    }
  }

  private async write(trx: Knex.Transaction, actor: Actor, source: string, externalId: string, input: InvoiceInput): Promise<{ created: boolean; invoice: InvoiceDto }> {
    const existing = this.query(trx, actor.tenantId).where({ source, external_id: externalId }).first();
    if (this.db.dialect !== 'sqlite') existing.forUpdate();
    const row = await existing;
    if (row && !(await scopeThroughCustomer(this.query(trx, actor.tenantId), this.db, actor).where('id', row.id).first('id'))) throw coreError('INVOICE_NOT_FOUND', { id: `${source}/${externalId}` });
    const customer = await resolveCustomer(trx, this.db, actor, input);
    const orderRef = input.orderRef ?? null;
    const order = orderRef === null ? undefined : await this.db.rows('orders', trx).where({ tenant_id: actor.tenantId, source, external_id: orderRef }).first('id');
    const dueAt = Date.parse(input.dueAt);
    // The claim holds while the due date does; the ERP's own `overdue` counts as one.
    const claim = (row?.overdue_claim != null && readInt(row.due_at) === dueAt ? row.overdue_claim : null) ?? (input.status === 'overdue' ? newId() : null);
    const values = {
      ...customer,
      number: input.number,
      order_ref: orderRef,
      order_id: order ? order.id : null,
      currency: input.currency,
      amount: input.amount,
      issued_at: Date.parse(input.issuedAt),
      due_at: dueAt,
      status: input.status === 'issued' && claim !== null ? 'overdue' : input.status,
      erp_status: input.status,
      overdue_claim: claim,
    };
    const before = row ? invoiceFromRow(row) : undefined;
    if (row && Object.entries(values).every(([k, v]) => sameValue(row[k as keyof typeof values], v))) return { created: false, invoice: before! };
    const now = Date.now();
    let after: InvoiceDto;
    if (row) {
      const version = row.version + 1;
      await this.db.rows('invoices', trx).where({ tenant_id: actor.tenantId, id: row.id }).update({ ...values, version, updated_at: now });
      after = invoiceFromRow({ ...row, ...values, version, updated_at: now });
    } else {
      const inserted: InvoiceRow = { id: newId(), tenant_id: actor.tenantId, source, external_id: externalId, ...values, version: 1, created_at: now, updated_at: now };
      await this.db.rows('invoices', trx).insert(inserted);
      after = invoiceFromRow(inserted);
    }
    await this.audit.record(trx, actor, before ? { action: 'invoice.update', entityType: 'invoice', entityId: after.id, before, after } : { action: 'invoice.create', entityType: 'invoice', entityId: after.id, after });
    const type = before?.status !== after.status ? `invoice.${after.status}` : 'invoice.updated';
    // Only `invoice.updated` when nothing a reader of the DTO sees changed is skipped: the customer ref alone.
    if (type !== 'invoice.updated' || JSON.stringify({ ...before, updatedAt: 0, version: 0 }) !== JSON.stringify({ ...after, updatedAt: 0, version: 0 })) {
      await this.events.emitUntyped(trx, type, { ...after }, { tenantId: actor.tenantId, aggregateType: 'invoice', aggregateId: after.id });
    }
    return { created: !before, invoice: after };
  }

  private query(trx: Executor, tenantId: string) {
    return this.db.rows('invoices', trx).where(`${this.db.table('invoices')}.tenant_id`, tenantId);
  }
}

/** A stored column against the value about to be written (drivers return bigints as strings). */
function sameValue(stored: unknown, next: unknown): boolean {
  if (stored === null || stored === undefined || next === null) return (stored ?? null) === next;
  return typeof next === 'number' ? readInt(stored) === next : String(stored) === next;
}
