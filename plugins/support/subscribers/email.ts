/**
 * The email channel's two feeds (see `services/email-channel.ts`): mail the email plugin
 * ingested becomes tickets and replies; an agent's public reply goes back by mail. Both
 * are idempotent, as at-least-once delivery requires.
 */
import type { PeyvandEvent, PluginSubscriber } from '../../../core/plugin/index.js';
import type { SupportOptions } from '../options.js';
import { createSupportServices } from '../services/container.js';
import type { ReceivedMail } from '../services/email-channel.js';
import type { MessageDto, TicketDto } from '../services/records.js';

/** `email.received` → a new ticket, the customer's reply, or an auto-reply noted. */
export const emailInboundSubscriber: PluginSubscriber<SupportOptions> = {
  id: 'support.email-inbound',
  events: ['email.received'],
  async handle(event: PeyvandEvent, ctx) {
    const outcome = await createSupportServices(ctx).emailChannel.inbound(event.tenantId, event.data as unknown as ReceivedMail);
    ctx.logger.debug({ eventId: event.id, outcome }, 'mail handled by support');
  },
};

/** `ticket.replied` by an agent, publicly, on a ticket with a mail thread → the reply is mailed. */
export const emailOutboundSubscriber: PluginSubscriber<SupportOptions> = {
  id: 'support.email-outbound',
  events: ['ticket.replied'],
  async handle(event: PeyvandEvent, ctx) {
    const { ticket, message } = event.data as unknown as { ticket: TicketDto; message: MessageDto };
    await createSupportServices(ctx).emailChannel.outbound(event.tenantId, ticket, message);
  },
};
