/**
 * Stamps on a ticket the moments the reports measure — its first public agent reply and
 * its resolution — with the business time elapsed since it was opened, so response-time
 * percentiles are SQL over stored numbers rather than calendar walks at report time.
 *
 * The business calendar is the one of the ticket's SLA policy, else its queue's; a ticket
 * with neither has no business time to measure (its figures stay null and the reports
 * leave it out of the percentiles). Elapsed means wall-to-wall in business hours: unlike
 * an SLA clock, a stretch in `pending` counts, because the customer waited through it.
 */
import type { Knex } from 'knex';
import { readInt } from '../../../core/plugin/index.js';
import { businessMsBetween, type BusinessCalendar } from './business-time.js';
import type { CalendarService } from './calendars.js';
import type { TicketRow } from './rows.js';
import type { SupportStore } from './store.js';

/** The ticket statuses that end its work. */
const DONE = new Set(['solved', 'closed']);

/** Writes the report figures of tickets, inside their transactions. */
export class ResponseClock {
  constructor(
    private readonly store: SupportStore,
    private readonly calendars: CalendarService,
  ) {}

  /** An agent's public reply: the first one stamps the first response. */
  async agentReplied(trx: Knex.Transaction, tenantId: string, ticketId: string, now: number): Promise<void> {
    const row = await this.store.rows(trx, 'tickets', tenantId).where({ id: ticketId }).first();
    if (!row || row.first_response_at != null) return;
    const elapsed = await this.elapsed(trx, tenantId, row, now);
    await this.store.rows(trx, 'tickets', tenantId).where({ id: ticketId }).update({ first_response_at: now, first_response_business_ms: elapsed });
  }

  /** A status change: entering solved/closed stamps the resolution, leaving them clears it. */
  async statusChanged(trx: Knex.Transaction, tenantId: string, ticketId: string, from: string, to: string, now: number): Promise<void> {
    if (DONE.has(from) === DONE.has(to)) return;
    const tickets = this.store.rows(trx, 'tickets', tenantId).where({ id: ticketId });
    if (!DONE.has(to)) {
      await tickets.update({ resolved_at: null, resolution_business_ms: null });
      return;
    }
    const row = await this.store.rows(trx, 'tickets', tenantId).where({ id: ticketId }).first();
    if (!row) return;
    await tickets.update({ resolved_at: now, resolution_business_ms: await this.elapsed(trx, tenantId, row, now) });
  }

  /** Business ms from the ticket's opening to `now`, or null without a calendar. */
  private async elapsed(trx: Knex.Transaction, tenantId: string, row: TicketRow, now: number): Promise<number | null> {
    const calendar = await this.calendarOf(trx, tenantId, row);
    return calendar ? businessMsBetween(calendar, readInt(row.created_at), now) : null;
  }

  private async calendarOf(trx: Knex.Transaction, tenantId: string, row: TicketRow): Promise<BusinessCalendar | undefined> {
    let calendarId: string | undefined;
    if (row.sla_policy_id != null) {
      const policy = await this.store.rows(trx, 'sla_policies', tenantId).where({ id: row.sla_policy_id }).first('calendar_id');
      if (policy) calendarId = policy.calendar_id;
    }
    if (!calendarId && row.queue_id != null) {
      const queue = await this.store.rows(trx, 'queues', tenantId).where({ id: row.queue_id }).first('calendar_id');
      if (queue?.calendar_id != null) calendarId = queue.calendar_id;
    }
    return calendarId ? this.calendars.get(tenantId, calendarId, trx) : undefined;
  }
}
