/**
 * The customer self-service portal: a customer principal (a host token with the
 * `customer` role and a `cust` claim) sees and answers only their own tickets, and only
 * the public messages of them. Another customer's ticket is a 404, exactly like a
 * missing one.
 */
import { decodeCursor, encodeCursor, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { portalTicketSchema } from '../schemas/ticket-schemas.js';
import { supportError } from '../errors.js';
import type { MessageDto, Priority, TicketDto } from './records.js';
import type { SupportStore } from './store.js';
import type { TicketService } from './tickets.js';

/** A ticket as its customer sees it. */
export type PortalTicket = SchemaType<typeof portalTicketSchema>;

/** Portal use cases. */
export class PortalService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly tickets: TicketService,
  ) {}

  /** The customer's own tickets, newest first. */
  async list(principal: Actor, page: { limit: number; cursor?: string }): Promise<{ items: PortalTicket[]; nextCursor: string | null }> {
    const { customerId, actor } = await this.resolve(principal);
    const q = this.store.rows(this.ctx.db.knex, 'tickets', actor.tenantId).where({ customer_id: customerId }).whereNull('merged_into_id');
    if (page.cursor) q.where('id', '<', String(decodeCursor(page.cursor)[0]));
    const rows = await q.orderBy('id', 'desc').limit(page.limit + 1);
    const items = (await this.tickets.views(this.ctx.db.knex, actor.tenantId, rows.slice(0, page.limit))).map(portalView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.id]) : null };
  }

  /** One of the customer's tickets with its public messages. */
  async get(principal: Actor, id: string): Promise<PortalTicket> {
    const { customerId, actor } = await this.resolve(principal);
    const ticket = await this.own(actor, customerId, id);
    const messages = await this.tickets.messages(actor, id, true);
    return { ...portalView(ticket), messages: messages.items };
  }

  /** Opens a ticket for the customer, from the web. */
  async create(principal: Actor, input: { subject: string; body: string; priority?: Priority }): Promise<PortalTicket> {
    const { customerId, actor } = await this.resolve(principal);
    const ticket = await this.tickets.create(actor, { subject: input.subject, body: input.body, priority: input.priority ?? 'normal', channel: 'web', customerId }, { kind: 'customer', id: customerId });
    return this.get(principal, ticket.id);
  }

  /** The customer's answer: continues the ticket, reopens it when solved. */
  async reply(principal: Actor, id: string, body: string): Promise<MessageDto> {
    const { customerId, actor } = await this.resolve(principal);
    await this.own(actor, customerId, id);
    return this.tickets.addMessage(actor, id, { body, visibility: 'public' }, { kind: 'customer', id: customerId });
  }

  private async own(actor: Actor, customerId: string, id: string): Promise<TicketDto> {
    const row = await this.store.rows(this.ctx.db.knex, 'tickets', actor.tenantId).where({ id, customer_id: customerId }).first();
    if (!row) throw supportError('TICKET_NOT_FOUND', { id });
    return (await this.tickets.views(this.ctx.db.knex, actor.tenantId, [row]))[0]!;
  }

  /**
   * The customer the token speaks for (`cust`: an id, or `source:externalId`), and the
   * actor the services act as: tickets unscoped (the queries name the customer), the
   * customer's own record visible, no staff permission.
   */
  private async resolve(principal: Actor): Promise<{ customerId: string; actor: Actor }> {
    const ref = principal.customerRef ?? '';
    const colon = ref.indexOf(':');
    let customerId: string | undefined;
    if (colon > 0) {
      const row = await this.ctx.db.knex(this.ctx.db.table('customer_refs')).where({ tenant_id: principal.tenantId, source: ref.slice(0, colon), external_id: ref.slice(colon + 1) }).first('customer_id');
      customerId = row?.customer_id;
    } else {
      const row = await this.ctx.db.knex(this.ctx.db.table('customers')).where({ tenant_id: principal.tenantId, id: ref }).first('id');
      customerId = row?.id;
    }
    if (!customerId) throw supportError('PORTAL_CUSTOMER_UNKNOWN');
    return { customerId, actor: { ...principal, subject: `customer:${customerId}`, scopes: { ticket: 'all', customer: 'all' } } };
  }
}

function portalView(t: TicketDto): PortalTicket {
  return { id: t.id, number: t.number, subject: t.subject, status: t.status, priority: t.priority, channel: t.channel, ...(t.csat && { csat: t.csat }), createdAt: t.createdAt, updatedAt: t.updatedAt };
}
