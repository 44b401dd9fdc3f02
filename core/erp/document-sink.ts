/**
 * Orders and invoices from the ERP, through core's order and invoice services (upsert by
 * external ref, customer resolved from its ERP ref, events by status). The read model is
 * the ERP's: fields are not shared with the CRM, so there is no ownership to settle; a
 * record whose ERP data did not change since the last sync is not written again.
 *
 * @module
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { withFormats } from '../http/validation.js';
import { PeyvandError } from '../plugin/errors.js';
import type { ErpRecord } from '../plugin/erp.js';
import type { ErpInvoice, ErpOrder } from '../plugin/erp-documents.js';
import type { OrderService } from '../orders/order-service.js';
import type { InvoiceService } from '../orders/invoice-service.js';
import { invoiceInputSchema, orderInputSchema } from '../orders/order-schemas.js';
import type { EntitySink, SinkContext } from './entity-sink.js';
import { sameValue } from './ownership.js';


/** Writes one document; returns its Peyvand id, version and whether it was created. */
type Upsert = (ctx: SinkContext, externalId: string, body: Record<string, unknown>) => Promise<{ id: string; version: number; created: boolean }>;

/** A sink for one kind of document. */
export class DocumentSink implements EntitySink {
  private readonly validate: ValidateFunction;

  constructor(readonly entity: 'orders' | 'invoices', schema: Record<string, unknown>, private readonly upsert: Upsert) {
    this.validate = withFormats(new Ajv({ strict: false, allErrors: false })).compile(schema);
  }

  async apply(ctx: SinkContext, records: ReadonlyArray<ErpRecord<unknown>>): Promise<void> {
    const states = await ctx.state.records(ctx.connection.id, this.entity, records.map((r) => r.externalId));
    const written: Array<{ externalId: string; localId: string; base: Record<string, unknown> }> = [];
    for (const record of records) {
      const { customerRef, ...rest } = record.data as ErpOrder | ErpInvoice;
      const body: Record<string, unknown> = { ...rest, ...(customerRef && { customerRef: { source: ctx.source, id: customerRef } }) };
      const state = states.get(record.externalId);
      if (state && sameValue(state.base.body, body)) {
        ctx.counts.unchanged++;
        continue;
      }
      if (!this.validate(body)) {
        ctx.counts.failed++;
        ctx.issues.push({ entity: this.entity, externalId: record.externalId, code: 'VALIDATION_FAILED', message: (this.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; '), payload: record.raw });
        continue;
      }
      if (ctx.dryRun) {
        ctx.counts[state ? 'updated' : 'created']++;
        continue;
      }
      try {
        const result = await this.upsert(ctx, record.externalId, body);
        ctx.counts[result.created ? 'created' : state && state.base.version === result.version ? 'unchanged' : 'updated']++;
        written.push({ externalId: record.externalId, localId: result.id, base: { body, version: result.version } });
      } catch (err) {
        if (!(err instanceof PeyvandError)) throw err;
        ctx.counts.failed++;
        ctx.issues.push({ entity: this.entity, externalId: record.externalId, code: err.code, message: err.message, payload: record.raw });
      }
    }
    await ctx.state.saveRecords(ctx.actor.tenantId, ctx.connection.id, this.entity, written);
  }

  /** The read model has no deletion: a document gone from the ERP is reported, never removed. */
  async remove(ctx: SinkContext, externalIds: readonly string[]): Promise<void> {
    const states = await ctx.state.records(ctx.connection.id, this.entity, externalIds);
    for (const externalId of externalIds) {
      const state = states.get(externalId);
      if (!state) continue;
      ctx.counts.conflicts++;
      ctx.issues.push({ entity: this.entity, externalId, code: 'DELETED_IN_ERP', message: `deleted in the ERP; Peyvand keeps ${this.entity === 'orders' ? 'order' : 'invoice'} ${state.localId} (the ERP's documents are never deleted by a sync: cancel them in the ERP instead)`, payload: state.base.body ?? null });
      if (!ctx.dryRun) await ctx.state.forget(ctx.connection.id, this.entity, [externalId]);
    }
  }
}

/** The orders sink over core's order service. */
export function orderSink(orders: OrderService): DocumentSink {
  return new DocumentSink('orders', orderInputSchema, async (ctx, externalId, body) => {
    const { created, order } = await orders.upsertByRef(ctx.actor, ctx.source, externalId, body as never);
    return { id: order.id, version: order.version, created };
  });
}

/** The invoices sink over core's invoice service. */
export function invoiceSink(invoices: InvoiceService): DocumentSink {
  return new DocumentSink('invoices', invoiceInputSchema, async (ctx, externalId, body) => {
    const { created, invoice } = await invoices.upsertByRef(ctx.actor, ctx.source, externalId, body as never);
    return { id: invoice.id, version: invoice.version, created };
  });
}
