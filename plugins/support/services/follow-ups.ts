/**
 * Complaint follow-ups: each complaint (complaints.ts) is a task for the manager of the
 * ticket's queue, or for any manager when the queue has none. Managers list them — those
 * on tickets within their record scope, and their own — and mark them done with a note;
 * done is final and announced as `complaint.followed_up`.
 */
import { applyRecordScope, decodeCursor, encodeCursor, readInt, type Actor, type PluginContext, type SchemaType, type TenantData } from '../../../core/plugin/index.js';
import type { followUpQuery, followUpSchema } from '../schemas/csat-schemas.js';
import { supportError } from '../errors.js';
import type { ComplaintRow } from './rows.js';

/** A follow-up as the API shows it. */
export type FollowUpDto = SchemaType<typeof followUpSchema>;

/** Query of `GET /follow-ups`. */
export type FollowUpQuery = SchemaType<typeof followUpQuery>;

/** Follow-up use cases. */
export class FollowUpService {
  constructor(private readonly ctx: PluginContext<unknown>) {}

  /** Newest first, open unless asked otherwise, on tickets the actor may see. */
  async list(actor: Actor, query: FollowUpQuery): Promise<{ items: FollowUpDto[]; nextCursor: string | null }> {
    const data = this.ctx.data.forTenant(actor.tenantId);
    const limit = query.limit ?? 50;
    const q = this.visible(data, actor).where('follow_up_status', query.status ?? 'open');
    if (query.assigneeId) q.where('follow_up_assignee_id', query.assigneeId);
    if (query.cursor) q.where('id', '<', String(decodeCursor(query.cursor)[0]));
    const rows = await q.orderBy('id', 'desc').limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: await this.views(data, page), nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }

  /** Marks a follow-up done; 404 when not visible, 409 when already done. */
  async done(actor: Actor, id: string, note: string | undefined): Promise<FollowUpDto> {
    return this.ctx.data.transaction(async (trx) => {
      const data = this.ctx.data.forTenant(actor.tenantId, trx);
      const before = await this.visible(data, actor).where({ id }).first();
      if (!before) throw supportError('FOLLOW_UP_NOT_FOUND', { id });
      const now = Date.now();
      // Conditional, so two managers closing it at once cannot both succeed.
      const updated = await data.from('support_complaints').where({ id, follow_up_status: 'open' }).update({ follow_up_status: 'done', followed_up_at: now, followed_up_by: actor.subject, follow_up_note: note?.trim() || null });
      if (Number(updated) !== 1) throw supportError('FOLLOW_UP_DONE', { id });
      const after = (await this.views(data, [(await data.from('support_complaints').where({ id }).first())!]))[0]!;
      await this.ctx.audit.record(trx, actor, { action: 'ticket.complaint_follow_up', entityType: 'ticket', entityId: after.ticketId, before: (await this.views(data, [before]))[0], after });
      await this.ctx.events.emit(trx, 'complaint.followed_up', { id, ticketId: after.ticketId, customerId: after.customerId, doneBy: actor.subject, note: after.note ?? null }, { tenantId: actor.tenantId, aggregateType: 'ticket', aggregateId: after.ticketId });
      return after;
    });
  }

  /**
   * Complaints on tickets within the actor's record scope (a manager sees the team's), and
   * those given to the actor to follow up, whoever's ticket it was.
   */
  private visible(data: TenantData, actor: Actor) {
    const t = this.ctx.data.table('support_tickets');
    const tickets = applyRecordScope(data.from('support_tickets').select(`${t}.id`), actor, 'ticket', { owner: `${t}.assignee_id`, team: `${t}.team_id` });
    return data.from('support_complaints').where((q) => q.whereIn('ticket_id', tickets).orWhere('follow_up_assignee_id', actor.subject));
  }

  private async views(data: TenantData, rows: ComplaintRow[]): Promise<FollowUpDto[]> {
    const numbers = new Map((await data.from('support_tickets').whereIn('id', rows.map((r) => r.ticket_id)).select('id', 'number')).map((r) => [r.id, readInt(r.number)]));
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      ticketNumber: numbers.get(r.ticket_id) ?? 0,
      customerId: r.customer_id,
      reason: r.reason === 'low_rating' ? 'low_rating' : 'tagged',
      rating: r.rating,
      assigneeId: r.follow_up_assignee_id,
      status: r.follow_up_status === 'done' ? 'done' : 'open',
      createdAt: new Date(readInt(r.created_at)).toISOString(),
      ...(r.followed_up_at != null && { doneAt: new Date(readInt(r.followed_up_at)).toISOString() }),
      ...(r.followed_up_by != null && { doneBy: r.followed_up_by }),
      ...(r.follow_up_note != null && { note: r.follow_up_note }),
    }));
  }
}
