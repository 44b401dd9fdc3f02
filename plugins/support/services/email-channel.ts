/**
 * The email channel of support, built on the email plugin's events and exported `send`:
 * a mail that opens a thread on an account a queue answers opens a ticket; a mail in a
 * ticket's thread is the customer's reply (reopening a solved ticket, or opening a
 * follow-up when the ticket is closed); an auto-reply in a thread becomes an internal note
 * that reopens nothing; an agent's public reply is mailed back into the thread.
 *
 * Events arrive at least once. Each mail handled is written to `support_email_messages`
 * in the transaction of the ticket message it became (or of the mail it queued), so a
 * redelivered event finds it and does nothing twice.
 */
import type { Knex } from 'knex';
import { systemActor, toSingleLine, type Actor, type PluginContext } from '../../../core/plugin/index.js';
import type { MessageDto, TicketDto } from './records.js';
import type { SupportStore } from './store.js';
import type { TicketService } from './tickets.js';

/** What support reads of the email plugin's `email.received` (its `EmailReceivedData`). */
export interface ReceivedMail {
  id: string;
  accountId: string;
  threadId: string;
  customerId: string | null;
  from: { address: string; name: string };
  subject: string;
  text: string;
  flags: string[];
}

/** What support needs of the email plugin's exported `EmailApi`. */
interface ThreadMailer {
  send(tenantId: string, input: { to: string[]; text: string; threadId: string; accountId: string; customerId?: string }, trx?: Knex.Transaction): Promise<{ id: string }>;
}

/** What became of one received mail. */
export type InboundOutcome = 'opened' | 'replied' | 'noted' | 'ignored' | 'duplicate';

// The system actor handling mail reads the customer and acts on tickets of every queue.
const ACTOR_PERMISSIONS = ['core.customer.read', 'support.ticket.read', 'support.ticket.create', 'support.ticket.update', 'support.ticket.reply'];

/** The email channel. */
export class EmailChannel {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly tickets: TicketService,
  ) {}

  /** Turns one `email.received` into a ticket or a ticket message. */
  async inbound(tenantId: string, mail: ReceivedMail): Promise<InboundOutcome> {
    return this.ctx.data.transaction(async (trx) => {
      const data = this.ctx.data.forTenant(tenantId, trx);
      if (await data.from('support_email_messages').where({ email_message_id: mail.id }).first('ticket_id')) return 'duplicate';
      const actor = systemActor({ id: tenantId, slug: '' }, 'support-email', ACTOR_PERMISSIONS);
      const thread = await data.from('support_email_threads').where({ thread_id: mail.threadId }).first();
      const autoReply = mail.flags.includes('auto_reply');
      let ticket = thread ? await this.followMerges(trx, tenantId, thread.ticket_id) : undefined;
      let messageId: string;
      let outcome: InboundOutcome;
      if (ticket && autoReply) {
        // An out-of-office answer is worth seeing, not worth reopening the ticket for.
        messageId = (await this.tickets.addMessage(actor, ticket.id, { body: mail.text || mail.subject, visibility: 'internal' }, { kind: 'system' }, trx)).id;
        outcome = 'noted';
      } else if (ticket && ticket.status !== 'closed') {
        messageId = (await this.tickets.addMessage(actor, ticket.id, { body: mail.text || mail.subject, visibility: 'public' }, customerAuthor(mail), trx)).id;
        outcome = 'replied';
      } else {
        if (autoReply) return 'ignored';
        const queue = await data.from('support_queues').where({ email_account_id: mail.accountId }).orderBy('name').first('id');
        // A thread already known (its ticket closed) keeps going to support; a new one
        // only when a queue answers the account it came in on.
        if (!queue && !thread) return 'ignored';
        ticket = await this.open(trx, actor, mail, queue?.id);
        const opening = await data.from('support_messages').where({ ticket_id: ticket.id }).first('id');
        if (!opening) throw new Error(`support ticket ${ticket.id} opened without its message`);
        messageId = opening.id;
        outcome = 'opened';
        if (thread) await data.from('support_email_threads').where({ thread_id: mail.threadId }).update({ ticket_id: ticket.id });
        else await data.from('support_email_threads').insert({ thread_id: mail.threadId, ticket_id: ticket.id, account_id: mail.accountId, address: mail.from.address.toLowerCase(), created_at: Date.now() });
      }
      await data.from('support_email_messages').insert({ email_message_id: mail.id, ticket_id: ticket.id, message_id: messageId, direction: 'in', created_at: Date.now() });
      return outcome;
    });
  }

  /** Mails an agent's public reply into the ticket's thread, once; tickets without a thread send nothing. */
  async outbound(tenantId: string, ticket: Pick<TicketDto, 'id' | 'customerId'>, message: MessageDto): Promise<boolean> {
    if (message.visibility !== 'public' || message.author.kind !== 'agent') return false;
    return this.ctx.data.transaction(async (trx) => {
      const data = this.ctx.data.forTenant(tenantId, trx);
      const thread = await data.from('support_email_threads').where({ ticket_id: ticket.id }).orderBy('created_at', 'desc').first();
      if (!thread) return false;
      if (await data.from('support_email_messages').where({ message_id: message.id }).first('email_message_id')) return false;
      const queued = await this.ctx.use<ThreadMailer>('email').send(tenantId, {
        to: [thread.address],
        text: message.body,
        threadId: thread.thread_id,
        accountId: thread.account_id,
        ...(ticket.customerId && { customerId: ticket.customerId }),
      }, trx);
      await data.from('support_email_messages').insert({ email_message_id: queued.id, ticket_id: ticket.id, message_id: message.id, direction: 'out', created_at: Date.now() });
      return true;
    });
  }

  private async open(trx: Knex.Transaction, actor: Actor, mail: ReceivedMail, queueId: string | undefined): Promise<TicketDto> {
    const locale = await this.store.tenantLocale(trx, actor.tenantId);
    // A ticket subject obeys the API's `single-line` rule, whoever wrote it.
    const subject = toSingleLine(mail.subject) || this.ctx.t('email.noSubject', { lng: locale });
    const input = { subject: subject.slice(0, 300), channel: 'email' as const, priority: 'normal' as const, body: mail.text || subject, ...(queueId && { queueId }), ...(mail.customerId && { customerId: mail.customerId }) };
    return this.tickets.create(actor, input, customerAuthor(mail), trx);
  }

  /** The ticket a thread feeds, or the one it was merged into. */
  private async followMerges(trx: Knex.Transaction, tenantId: string, id: string): Promise<TicketDto> {
    let ticket = await this.tickets.viewOf(trx, tenantId, id);
    for (let hops = 0; ticket.mergedIntoId && hops < 10; hops++) ticket = await this.tickets.viewOf(trx, tenantId, ticket.mergedIntoId);
    return ticket;
  }
}

function customerAuthor(mail: ReceivedMail): MessageDto['author'] {
  return mail.customerId ? { kind: 'customer', id: mail.customerId } : { kind: 'customer' };
}
