/**
 * Lead conversion: the lead becomes a customer (new, or an existing one it is linked
 * to) and optionally gets a deal — all in ONE transaction with `lead.converted`. Any
 * failure (a deal in a currency the tenant does not accept, a customer out of scope)
 * rolls everything back: no customer, no deal, no half-converted lead, no event.
 */
import { can, type Actor, type CustomerDto, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { conversionSchema, convertSchema } from '../schemas/lead-schemas.js';
import { salesError } from '../errors.js';
import type { DealService } from './deals.js';
import { columns, reachedAt, type LeadService } from './leads.js';
import type { LeadDto } from './records.js';
import { checkVersion, type SalesStore } from './store.js';

/** Body of `POST /leads/{id}/convert`. */
export type ConvertInput = SchemaType<typeof convertSchema>;

/** What a conversion produced (its response schema; the lead with its narrowed status). */
export type Conversion = Omit<SchemaType<typeof conversionSchema>, 'lead'> & { lead: LeadDto };

/** Converts leads. */
export class ConversionService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly leads: LeadService,
    private readonly deals: DealService,
  ) {}

  /**
   * Converts an open lead. Without `customerId` the lead's matched customer (same email
   * or phone, found at capture) is used when the actor can see it; otherwise a new
   * customer is created from the lead.
   */
  async convert(actor: Actor, leadId: string, input: ConvertInput, expectedVersion?: number): Promise<Conversion> {
    return this.ctx.data.transaction(async (trx) => {
      const lead = await this.leads.getForWrite(trx, actor, leadId);
      checkVersion(expectedVersion, lead.version);
      if (lead.status === 'converted' || lead.status === 'disqualified') throw salesError('LEAD_NOT_CONVERTIBLE', { id: leadId, status: lead.status });

      let customer: CustomerDto | undefined;
      if (input.customerId) customer = await this.ctx.customers.get(actor, input.customerId, trx);
      else if (lead.matchedCustomerId) customer = await this.ctx.customers.get(actor, lead.matchedCustomerId, trx).catch(() => undefined);
      const customerCreated = !customer;
      customer ??= await this.ctx.customers.create(actor, {
        kind: 'person',
        name: lead.name,
        emails: lead.email ? [{ value: lead.email }] : [],
        phones: lead.phone ? [{ value: lead.phone }] : [],
        tags: lead.tags,
        // The lead's owner keeps the customer when the actor may hand it over.
        ...(lead.ownerId && (lead.ownerId === actor.subject || can(actor, 'core.customer.assign')) && { ownerId: lead.ownerId }),
      }, trx);

      const deal = input.deal
        ? await this.deals.create(actor, {
          ...input.deal,
          customerId: customer.id,
          leadId: lead.id,
          ...(lead.ownerId && (lead.ownerId === actor.subject || can(actor, 'sales.deal.assign')) && { ownerId: lead.ownerId }),
        }, trx)
        : null;

      const now = Date.now();
      const after: LeadDto = { ...lead, status: 'converted', customerId: customer.id, ...(deal && { dealId: deal.id }), convertedAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString(), version: lead.version + 1 };
      await this.store.updateVersioned(trx, 'leads', actor.tenantId, lead.id, lead.version, { ...columns(after), ...reachedAt('converted', await this.leads.reached(trx, actor.tenantId, lead.id), now) });
      await this.ctx.audit.record(trx, actor, { action: 'lead.convert', entityType: 'lead', entityId: lead.id, before: lead, after });
      const options = { tenantId: actor.tenantId, aggregateType: 'lead', aggregateId: lead.id };
      await this.ctx.events.emit(trx, 'lead.updated', { lead: after, changed: ['status', 'customerId', ...(deal ? ['dealId'] : [])] }, options);
      await this.ctx.events.emit(trx, 'lead.converted', { lead: after, customerId: customer.id, customerCreated, dealId: deal?.id ?? null }, options);
      return { lead: after, customer: { id: customer.id, name: customer.name }, customerCreated, deal };
    });
  }
}
