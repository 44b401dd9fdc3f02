/**
 * Complaints: a CSAT rating of 2 or less, or a ticket given the complaint tag (option
 * `complaintTag`). Each complained-about ticket gets one `support_complaints` row — the flag
 * on its customer that the complaints report counts — and a follow-up: a task for the
 * manager of the ticket's queue (follow-ups.ts lists and closes them), an internal note on
 * the ticket and an entry on the customer's timeline, both in the tenant's language, and
 * the complaint tag on the customer's own record — in the transaction of the rating or tag
 * change.
 */
import type { Knex } from 'knex';
import { applyRecordScope, newId, readInt, type Actor, type BigIntColumn, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { complaintQuery, complaintReportSchema } from '../schemas/csat-schemas.js';
import { supportError } from '../errors.js';
import type { SupportOptions } from '../options.js';
import type { SupportStore } from './store.js';

/** Why a ticket counts as a complaint. */
export type ComplaintReason = 'low_rating' | 'tagged';

/** The ticket a complaint is about. */
export interface ComplaintSubject {
  id: string;
  number: number;
  subject: string;
  customerId?: string;
  tags: readonly string[];
}

/** The complaints report: the customers with enough complaints in the period. */
export type ComplaintReport = SchemaType<typeof complaintReportSchema>;

/** A row of the complaints report: a customer with enough complaints in the period. */
export type ComplainingCustomer = ComplaintReport['items'][number];

/** Query of the complaints report (`min` defaults to 2). */
export type ComplaintQuery = SchemaType<typeof complaintQuery>;

/** A customer's complaints in the period, as the report's grouped query returns them. */
interface ComplainerGroup {
  customer_id: string;
  n: BigIntColumn;
  last_at: BigIntColumn;
}

/** Ratings at or under this are complaints. */
export const COMPLAINT_RATING = 2;
const DAY = 86_400_000;

/** Complaint use cases. */
export class ComplaintService {
  constructor(
    private readonly ctx: PluginContext<SupportOptions>,
    private readonly store: SupportStore,
  ) {}

  /** The tag that marks a complaint. */
  get tag(): string {
    return this.ctx.options.complaintTag;
  }

  /** After a ticket write: the complaint tag newly on the ticket makes it a complaint. */
  async tagged(trx: Knex.Transaction, actor: Actor, before: { tags: readonly string[] } | null, after: ComplaintSubject): Promise<void> {
    if (after.tags.includes(this.tag) && !(before?.tags.includes(this.tag) ?? false)) await this.record(trx, actor, after, 'tagged', null);
  }

  /**
   * Records a complaint on a ticket once (a second reason for the same ticket adds
   * nothing): the flag row, the follow-up note and timeline entry, the audit entry and
   * `complaint.recorded`.
   */
  async record(trx: Knex.Transaction, actor: Actor, ticket: ComplaintSubject, reason: ComplaintReason, rating: number | null, now = Date.now()): Promise<boolean> {
    const data = this.ctx.data.forTenant(actor.tenantId, trx);
    const id = newId();
    const manager = await this.queueManager(trx, actor.tenantId, ticket.id);
    // The unique (tenant, ticket) index keeps one row when a tag and a rating race.
    await data.from('support_complaints').insert({ id, ticket_id: ticket.id, customer_id: ticket.customerId ?? null, reason, rating, created_at: now, follow_up_assignee_id: manager, follow_up_status: 'open' }).onConflict(['tenant_id', 'ticket_id']).ignore();
    const row = await data.from('support_complaints').where({ ticket_id: ticket.id }).first('id');
    if (row?.id !== id) return false;
    const locale = await this.store.tenantLocale(trx, actor.tenantId);
    const params = { lng: locale, number: ticket.number, subject: ticket.subject, rating: rating ?? '' };
    const note = this.ctx.t(reason === 'low_rating' ? 'complaints.noteLowRating' : 'complaints.noteTagged', params);
    await data.from('support_messages').insert({ id: newId(), ticket_id: ticket.id, visibility: 'internal', author_kind: 'system', author_id: 'system:support-complaints', body: note, created_at: now });
    if (ticket.customerId) {
      // Handling the ticket is the authority to note it on its customer and flag them (as for other ticket entries).
      const via: Actor = { ...actor, scopes: { ...actor.scopes, customer: 'all' }, permissions: new Set([...actor.permissions, 'core.customer.read', 'core.customer.update']) };
      await this.ctx.timeline.add(via, ticket.customerId, { channel: 'note', summary: this.ctx.t('complaints.timeline', params) }, 'support', trx);
      await this.flagCustomer(trx, via, ticket.customerId);
    }
    const complaint = { ticketId: ticket.id, number: ticket.number, customerId: ticket.customerId ?? null, reason, rating };
    await this.ctx.audit.record(trx, actor, { action: 'ticket.complaint', entityType: 'ticket', entityId: ticket.id, after: complaint });
    await this.ctx.events.emit(trx, 'complaint.recorded', complaint, { tenantId: actor.tenantId, aggregateType: 'ticket', aggregateId: ticket.id });
    return true;
  }

  /**
   * The flag on the customer's own record: the complaint tag, seen wherever the customer is
   * (cards, lists, SLA conditions). In a savepoint, and never the complaint's undoing: a
   * customer core refuses to change (a custom-fields schema the record no longer meets) is
   * left unflagged, logged, and still counted by `support_complaints`.
   */
  private async flagCustomer(trx: Knex.Transaction, via: Actor, customerId: string): Promise<void> {
    try {
      await trx.transaction(async (savepoint) => {
        const customer = await this.ctx.customers.get(via, customerId, savepoint);
        if (!customer.tags.includes(this.tag)) await this.ctx.customers.update(via, customerId, { tags: [...customer.tags, this.tag] }, undefined, savepoint);
      });
    } catch (err) {
      this.ctx.logger.warn({ err, customerId }, 'complaint recorded; its customer could not be tagged');
    }
  }

  /** The manager of the ticket's queue, who follows its complaint up; null when there is none. */
  private async queueManager(trx: Knex.Transaction, tenantId: string, ticketId: string): Promise<string | null> {
    const data = this.ctx.data.forTenant(tenantId, trx);
    const ticket = await data.from('support_tickets').where({ id: ticketId }).first('queue_id');
    if (!ticket?.queue_id) return null;
    return (await data.from('support_queues').where({ id: ticket.queue_id }).first('manager_id'))?.manager_id ?? null;
  }

  /**
   * Customers with at least `min` complaints on tickets the actor can see in [from, to) —
   * dates (`2026-03-21`, a whole day in UTC) or instants; default the 90 days up to the end
   * of today — most complaints first.
   */
  async report(actor: Actor, query: ComplaintQuery): Promise<ComplaintReport> {
    // By default up to the end of today (UTC), so the answer does not move within a day.
    const to = query.to ? bound(query.to, 'to') : Math.floor(Date.now() / DAY) * DAY + DAY;
    const from = query.from ? bound(query.from, 'from') : to - 90 * DAY;
    if (from >= to) throw supportError('COMPLAINT_RANGE_INVALID', { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, [{ path: '/from', message: 'must be before to' }]);
    const data = this.ctx.data.forTenant(actor.tenantId);
    // Complaints on tickets within the caller's record scope: a manager counts the team's.
    const t = this.ctx.data.table('support_tickets');
    const visible = applyRecordScope(data.from('support_tickets').select(`${t}.id`), actor, 'ticket', { owner: `${t}.assignee_id`, team: `${t}.team_id` });
    const rows = await data.from('support_complaints')
      .whereIn('ticket_id', visible)
      .whereNotNull('customer_id').where('created_at', '>=', from).where('created_at', '<', to)
      .groupBy('customer_id')
      .havingRaw('COUNT(*) >= ?', [query.min])
      .select<ComplainerGroup[]>('customer_id', this.ctx.data.raw('COUNT(*) as n'), this.ctx.data.raw('MAX(created_at) as last_at'))
      .orderBy([{ column: 'n', order: 'desc' }, { column: 'customer_id', order: 'asc' }])
      .limit(500);
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      min: query.min,
      items: rows.map((r) => ({ customerId: r.customer_id, complaints: readInt(r.n), lastComplaintAt: new Date(readInt(r.last_at)).toISOString() })),
    };
  }
}

/** A report bound: a date is its day's start (`from`) or the next day's start (`to`, exclusive). */
function bound(value: string, which: 'from' | 'to'): number {
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw supportError('COMPLAINT_RANGE_INVALID', { from: value, to: value }, [{ path: `/${which}`, message: 'not a date' }]);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && which === 'to' ? at + DAY : at;
}
