/**
 * Tickets: create, read, list, change (JSON merge-patch with If-Match), messages (public
 * replies and internal notes) and merge. Every write is one transaction holding the row,
 * its SLA targets, the customer's timeline entry, the audit entry and the events — and
 * the report summary's rows, which concurrent changes share: a transaction the database
 * refuses for a concurrent one (deadlock victim, lock wait timeout) runs again from the
 * start ({@link SupportStore.retryingTransaction}); each reads afresh and writes nothing
 * outside the database, so that is safe. Inside a caller's transaction (`outer`) it is
 * the caller's to retry.
 */
import type { Knex } from 'knex';
import { can, coreError, decodeCursor, encodeCursor, newId, type Actor, type Executor, type PeyvandEvents, type PluginContext, type RowQuery, type TimelineInput, type SchemaType } from '../../../core/plugin/index.js';
import type { ticketInputSchema, ticketListQuery, ticketPatchSchema } from '../schemas/ticket-schemas.js';
import { supportError } from '../errors.js';
import type { ComplaintService } from './complaints.js';
import type { CsatService } from './csat.js';
import type { QueueService } from './queues.js';
import type { ResponseClock } from './response-clock.js';
import { messageFromRow, ticketFromRow, type Channel, type MessageDto, type TicketDto, type TicketStatus } from './records.js';
import { subjectOf, type SlaChange, type SlaService } from './sla.js';
import type { MessageRow, TicketRow } from './rows.js';
import { checkVersion, type SupportStore } from './store.js';
import type { ReportSummary } from './summary.js';
import type { TicketFieldService } from './ticket-fields.js';

/** Body of `POST /tickets`. */
export type TicketInput = SchemaType<typeof ticketInputSchema>;

/** A JSON merge-patch of a ticket. */
export type TicketPatch = SchemaType<typeof ticketPatchSchema>;

/** Filters of the ticket list: the query of `GET /tickets`. */
export type TicketFilter = SchemaType<typeof ticketListQuery>;

/** Who wrote a message. */
export type Author = MessageDto['author'];

type TicketEvent = 'ticket.created' | 'ticket.updated' | 'ticket.assigned' | 'ticket.replied' | 'ticket.solved' | 'ticket.reopened' | 'ticket.merged';

const COMPARED = ['subject', 'customerId', 'channel', 'priority', 'status', 'queueId', 'assigneeId', 'tags', 'customFields'] as const;
const TIMELINE_CHANNEL: Record<Channel, TimelineInput['channel']> = { email: 'email', web: 'web', phone: 'phone', chat: 'chat', api: 'note' };

/** Ticket use cases. */
export class TicketService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly sla: SlaService,
    private readonly queues: QueueService,
    private readonly csat: CsatService,
    private readonly complaints: ComplaintService,
    private readonly responses: ResponseClock,
    private readonly summary: ReportSummary,
    private readonly fields: TicketFieldService,
  ) {}

  /**
   * Opens a ticket with its first message (by `author`: the agent, or the customer on the
   * portal or by mail). In `outer` when given, so the caller's own writes commit with it.
   */
  async create(actor: Actor, input: TicketInput, author: Author = { kind: 'agent', id: actor.subject }, outer?: Knex.Transaction): Promise<TicketDto> {
    return inTransaction(outer, (work) => this.store.retryingTransaction(work), async (trx) => {
      if (input.customerId) await this.ctx.customers.get(actor, input.customerId, trx);
      // A customer (mail, portal) cannot fill an agent's fields: their tickets are held to the schema once an agent changes them.
      if (author.kind === 'agent') await this.fields.check(trx, actor.tenantId, input.customFields ?? {});
      if (input.assigneeId && input.assigneeId !== actor.subject && !can(actor, 'support.ticket.assign')) throw ownerNotAllowed();
      let assigneeId = input.assigneeId;
      if (input.queueId) {
        await this.queues.get(actor.tenantId, input.queueId, trx);
        assigneeId ??= await this.queues.pickAssignee(trx, actor.tenantId, input.queueId);
      }
      // An agent limited to their own tickets keeps the one they open, rather than losing sight of it.
      if (assigneeId === undefined && author.kind === 'agent' && (actor.scopes.ticket ?? 'all') !== 'all') assigneeId = actor.subject;
      const now = Date.now();
      const id = newId();
      const number = await this.store.nextTicketNumber(trx, actor.tenantId);
      const teamId = author.kind === 'agent' ? actor.teams[0] : undefined;
      await trx<TicketRow>(this.store.table('tickets')).insert({
        id, tenant_id: actor.tenantId, number, subject: input.subject.trim(), customer_id: input.customerId ?? null, channel: input.channel, priority: input.priority,
        status: 'new', queue_id: input.queueId ?? null, assignee_id: assigneeId ?? null, team_id: teamId ?? null,
        tags: JSON.stringify([...new Set(input.tags ?? [])]), custom_fields: JSON.stringify(input.customFields ?? {}), version: 1, created_at: now, updated_at: now,
      });
      await this.insertMessage(trx, actor.tenantId, id, 'public', author, input.body, now);
      await this.sla.apply(trx, actor.tenantId, subjectOf(await this.rowOf(trx, actor.tenantId, id)), { kind: 'created' }, now);
      const ticket = await this.viewOf(trx, actor.tenantId, id);
      await this.ctx.audit.record(trx, actor, { action: 'ticket.create', entityType: 'ticket', entityId: id, after: ticket });
      await this.timeline(trx, actor, ticket, 'timeline.opened', 'inbound');
      await this.emit(trx, actor, 'ticket.created', { ticket });
      if (ticket.assigneeId) await this.emit(trx, actor, 'ticket.assigned', { ticket, assigneeId: ticket.assigneeId, previousAssigneeId: null });
      await this.complaints.tagged(trx, actor, null, ticket);
      await this.summary.add(trx, actor.tenantId, [id]);
      return ticket;
    });
  }

  /** A ticket within the actor's record scope, or 404 — another tenant's or agent's alike. */
  async get(actor: Actor, id: string): Promise<TicketDto> {
    const row = await this.store.tickets(this.ctx.db.knex, actor).where(`${this.store.table('tickets')}.id`, id).first();
    if (!row) throw supportError('TICKET_NOT_FOUND', { id });
    return (await this.views(this.ctx.db.knex, actor.tenantId, [row]))[0]!;
  }

  /** Newest first, cursor-paginated, within scope. */
  async list(actor: Actor, filter: TicketFilter, base?: RowQuery<TicketRow>): Promise<{ items: TicketDto[]; nextCursor: string | null }> {
    const t = this.store.table('tickets');
    const q = base ?? this.store.tickets(this.ctx.db.knex, actor);
    for (const [key, column] of [['status', 'status'], ['queueId', 'queue_id'], ['assigneeId', 'assignee_id'], ['customerId', 'customer_id']] as const) {
      if (filter[key] !== undefined) q.where(`${t}.${column}`, filter[key]);
    }
    if (filter.slaState) this.whereSlaState(q, filter.slaState, Date.now());
    if (filter.cursor) q.where(`${t}.id`, '<', String(decodeCursor(filter.cursor)[0]));
    const rows = await q.orderBy(`${t}.id`, 'desc').limit(filter.limit + 1).select<TicketRow[]>(`${t}.*`);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return { items: await this.views(this.ctx.db.knex, actor.tenantId, page), nextCursor: rows.length > filter.limit && last ? encodeCursor([last.id]) : null };
  }

  /** Applies a merge-patch; a status change moves the SLA clocks, a solve or reopening is announced. */
  async update(actor: Actor, id: string, patch: TicketPatch, expectedVersion?: number): Promise<TicketDto> {
    return this.store.retryingTransaction(async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      checkVersion(expectedVersion, before.version);
      const next: TicketDto = { ...before, tags: [...before.tags], customFields: { ...before.customFields } };
      for (const [key, value] of Object.entries(patch) as Array<[keyof TicketPatch, unknown]>) {
        if (key === 'customFields') {
          // Merge-patch all the way down: a null member removes that field.
          for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
            if (v === null) delete next.customFields[field];
            else next.customFields[field] = v;
          }
        } else if (value === null) delete (next as unknown as Record<string, unknown>)[key];
        else (next as unknown as Record<string, unknown>)[key] = key === 'subject' ? String(value).trim() : key === 'tags' ? [...new Set(value as string[])] : value;
      }
      if (patch.customFields !== undefined) await this.fields.check(trx, actor.tenantId, next.customFields);
      return this.summary.track(trx, actor.tenantId, [id], () => this.write(trx, actor, before, next));
    });
  }

  /** Adds a public reply or an internal note; in `outer` when given. */
  async addMessage(actor: Actor, id: string, input: { body: string; visibility: 'public' | 'internal' }, author: Author = { kind: 'agent', id: actor.subject }, outer?: Knex.Transaction): Promise<MessageDto> {
    return inTransaction(outer, (work) => this.store.retryingTransaction(work), async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      if (before.mergedIntoId) throw supportError('TICKET_MERGED', { id: before.mergedIntoId });
      const now = Date.now();
      const message = await this.insertMessage(trx, actor.tenantId, id, input.visibility, author, input.body, now);
      if (input.visibility === 'internal') {
        await this.ctx.audit.record(trx, actor, { action: 'ticket.note', entityType: 'ticket', entityId: id, after: message });
        return message;
      }
      return this.summary.track(trx, actor.tenantId, [id], async () => {
        let status = before.status;
        let change: SlaChange;
        if (author.kind === 'customer') {
          if (before.status === 'closed') throw supportError('TICKET_CLOSED', { number: before.number });
          // The customer's answer reopens a solved ticket and restarts a paused clock.
          if (before.status !== 'new') status = 'open';
          change = { kind: 'customer_reply' };
        } else {
          if (before.status === 'new') status = 'open';
          change = { kind: 'agent_reply' };
        }
        const after = await this.write(trx, actor, before, { ...before, status }, { quiet: true });
        const subject = subjectOf(await this.rowOf(trx, actor.tenantId, id));
        if (after.status !== before.status) await this.sla.apply(trx, actor.tenantId, subject, { kind: 'status', from: before.status, to: after.status }, now);
        await this.sla.apply(trx, actor.tenantId, subject, change, now);
        if (author.kind === 'agent') await this.responses.agentReplied(trx, actor.tenantId, id, now);
        const ticket = await this.viewOf(trx, actor.tenantId, id);
        await this.ctx.audit.record(trx, actor, { action: 'ticket.reply', entityType: 'ticket', entityId: id, after: message });
        await this.timeline(trx, actor, ticket, author.kind === 'customer' ? 'timeline.customerReplied' : 'timeline.agentReplied', author.kind === 'customer' ? 'inbound' : 'outbound');
        await this.emit(trx, actor, 'ticket.replied', { ticket, message });
        if (after.status !== before.status) await this.emit(trx, actor, 'ticket.updated', { ticket, changed: ['status'] });
        if (DONE.has(before.status) && !DONE.has(after.status)) await this.emit(trx, actor, 'ticket.reopened', { ticket });
        return message;
      });
    });
  }

  /** The messages of a ticket, oldest first; `publicOnly` for the customer's view. */
  async messages(actor: Actor, id: string, publicOnly = false): Promise<{ items: MessageDto[] }> {
    await this.get(actor, id);
    const q = this.store.rows(this.ctx.db.knex, 'messages', actor.tenantId).where({ ticket_id: id });
    if (publicOnly) q.where({ visibility: 'public' });
    return { items: (await q.orderBy('id').limit(1000)).map(messageFromRow) };
  }

  /** Merges `from` into ticket `id`: their messages and tags move over, they close as merged. */
  async merge(actor: Actor, id: string, from: string[]): Promise<TicketDto> {
    return this.store.retryingTransaction(async (trx) => {
      const target = await this.getForWrite(trx, actor, id);
      const sources: TicketDto[] = [];
      for (const sourceId of [...new Set(from)]) {
        if (sourceId === id) throw supportError('TICKET_MERGE_INVALID', { reason: 'self' }, [{ path: '/from', message: 'a ticket cannot be merged into itself' }]);
        sources.push(await this.getForWrite(trx, actor, sourceId));
      }
      if (target.mergedIntoId || sources.some((s) => s.mergedIntoId)) throw supportError('TICKET_MERGE_INVALID', { reason: 'merged' }, [{ path: '/from', message: 'a merged ticket cannot be merged again' }]);
      const ids = sources.map((s) => s.id);
      return this.summary.track(trx, actor.tenantId, [id, ...ids], async () => {
        await this.store.rows(trx, 'messages', actor.tenantId).whereIn('ticket_id', ids).update({ ticket_id: id });
        for (const source of sources) {
          await this.store.updateVersioned(trx, 'tickets', actor.tenantId, source.id, source.version, { status: 'closed', merged_into_id: id, updated_at: Date.now() });
          await this.store.rows(trx, 'sla_targets', actor.tenantId).where({ ticket_id: source.id }).delete();
          const closed = await this.viewOf(trx, actor.tenantId, source.id);
          await this.ctx.audit.record(trx, actor, { action: 'ticket.update', entityType: 'ticket', entityId: source.id, before: source, after: closed });
          await this.emit(trx, actor, 'ticket.updated', { ticket: closed, changed: ['status', 'mergedIntoId'] });
        }
        const tags = [...new Set([...target.tags, ...sources.flatMap((s) => s.tags)])];
        await this.write(trx, actor, target, { ...target, tags }, { quiet: true, force: true });
        const ticket = await this.viewOf(trx, actor.tenantId, id);
        await this.ctx.audit.record(trx, actor, { action: 'ticket.merge', entityType: 'ticket', entityId: id, before: target, after: { ticket, from: ids } });
        await this.emit(trx, actor, 'ticket.merged', { ticket, from: ids });
        return ticket;
      });
    });
  }

  /** Loads a ticket for a write, within scope, locking the row where the dialect can. */
  async getForWrite(trx: Knex.Transaction, actor: Actor, id: string): Promise<TicketDto> {
    const row = await this.store.forUpdate(this.store.tickets(trx, actor).where(`${this.store.table('tickets')}.id`, id)).first();
    if (!row) throw supportError('TICKET_NOT_FOUND', { id });
    return (await this.views(trx, actor.tenantId, [row]))[0]!;
  }

  /** A ticket as the API shows it, read in `trx` regardless of record scope (the writer gets what it wrote). */
  async viewOf(trx: Executor, tenantId: string, id: string): Promise<TicketDto> {
    return (await this.views(trx, tenantId, [await this.rowOf(trx, tenantId, id)]))[0]!;
  }

  /** Ticket rows to DTOs with their SLA, in one query for all the targets. */
  async views(executor: Executor, tenantId: string, rows: TicketRow[]): Promise<TicketDto[]> {
    const trx = (executor as Partial<Knex.Transaction>).isTransaction ? (executor as Knex.Transaction) : undefined;
    const [sla, csat] = await Promise.all([
      this.sla.views(executor, tenantId, rows.map((r) => ({ id: r.id, policyId: r.sla_policy_id }))),
      this.csat.ratings(trx, tenantId, rows.map((r) => r.id)),
    ]);
    return rows.map((r) => ticketFromRow(r, sla.get(r.id) ?? null, csat.get(r.id)));
  }

  /**
   * Checks, writes and announces a changed ticket. `quiet` leaves the events to the caller
   * (a reply announces itself); no-op when nothing changed unless `force`; `now` is the
   * instant of the change (default: the clock).
   */
  async write(trx: Knex.Transaction, actor: Actor, before: TicketDto, next: TicketDto, options: { quiet?: boolean; force?: boolean; now?: number } = {}): Promise<TicketDto> {
    const changed = COMPARED.filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(next[k] ?? null));
    if (changed.length === 0 && !options.force) return before;
    if (before.mergedIntoId) throw supportError('TICKET_MERGED', { id: before.mergedIntoId });
    await this.check(trx, actor, before, next);
    // The scheduler passes the instant of its round, so an escalation sees the same clock as the breach it follows.
    const now = options.now ?? Date.now();
    await this.store.updateVersioned(trx, 'tickets', actor.tenantId, before.id, before.version, {
      subject: next.subject, customer_id: next.customerId ?? null, channel: next.channel, priority: next.priority, status: next.status,
      queue_id: next.queueId ?? null, assignee_id: next.assigneeId ?? null, tags: JSON.stringify(next.tags), custom_fields: JSON.stringify(next.customFields),
      ...(next.status === 'solved' && before.status !== 'solved' && { solved_at: now }),
      updated_at: now,
    });
    await this.responses.statusChanged(trx, actor.tenantId, before.id, before.status, next.status, now);
    if (options.quiet) return this.viewOf(trx, actor.tenantId, before.id);
    const change: SlaChange = next.status !== before.status ? { kind: 'status', from: before.status, to: next.status } : { kind: 'reassess' };
    if (change.kind === 'status' || changed.some((k) => k === 'priority' || k === 'channel' || k === 'queueId' || k === 'customerId')) {
      await this.sla.apply(trx, actor.tenantId, subjectOf(await this.rowOf(trx, actor.tenantId, before.id)), change, now);
    }
    const after = await this.viewOf(trx, actor.tenantId, before.id);
    await this.ctx.audit.record(trx, actor, { action: 'ticket.update', entityType: 'ticket', entityId: after.id, before, after });
    await this.emit(trx, actor, 'ticket.updated', { ticket: after, changed: [...changed] });
    if (after.assigneeId !== before.assigneeId) await this.emit(trx, actor, 'ticket.assigned', { ticket: after, assigneeId: after.assigneeId ?? null, previousAssigneeId: before.assigneeId ?? null });
    if (after.status === 'solved' && before.status !== 'solved') {
      await this.timeline(trx, actor, after, 'timeline.solved', 'outbound');
      await this.emit(trx, actor, 'ticket.solved', { ticket: after });
      await this.csat.solved(trx, actor, after);
    }
    await this.complaints.tagged(trx, actor, before, after);
    if (DONE.has(before.status) && !DONE.has(after.status)) await this.emit(trx, actor, 'ticket.reopened', { ticket: after });
    return after;
  }

  /** The rules JSON Schema cannot express, each a clear 4xx. */
  private async check(trx: Knex.Transaction, actor: Actor, before: TicketDto, next: TicketDto): Promise<void> {
    if (next.status === 'new' && before.status !== 'new') throw supportError('TICKET_STATUS_INVALID', { from: before.status, to: next.status }, [{ path: '/status', message: 'a ticket cannot go back to new' }]);
    if (before.status === 'closed' && next.status !== 'closed') throw supportError('TICKET_CLOSED', { number: before.number });
    if (next.customerId && next.customerId !== before.customerId) await this.ctx.customers.get(actor, next.customerId, trx);
    if (next.queueId && next.queueId !== before.queueId) await this.queues.get(actor.tenantId, next.queueId, trx);
    if (next.assigneeId !== before.assigneeId && next.assigneeId !== actor.subject && !can(actor, 'support.ticket.assign')) throw ownerNotAllowed();
  }

  private whereSlaState(q: Knex.QueryBuilder, state: NonNullable<TicketFilter['slaState']>, now: number): void {
    const t = this.store.table('tickets');
    const s = this.store.table('sla_targets');
    q.whereExists((sub) => {
      sub.select(this.ctx.db.knex.raw('1')).from(s).whereRaw(`${s}.ticket_id = ${t}.id`).andWhere(`${s}.tenant_id`, this.ctx.db.knex.ref(`${t}.tenant_id`));
      if (state === 'breached') sub.where((w) => w.where(`${s}.breached`, true).orWhere((x) => x.where(`${s}.state`, 'running').where(`${s}.due_at`, '<', now)));
      else if (state === 'running') sub.where(`${s}.state`, 'running').where(`${s}.breached`, false).where(`${s}.due_at`, '>=', now);
      else sub.where(`${s}.state`, state).where(`${s}.breached`, false);
    });
  }

  /** A ticket row the caller knows exists (it just wrote or locked it). */
  private async rowOf(trx: Executor, tenantId: string, id: string): Promise<TicketRow> {
    const row = await this.store.rows(trx, 'tickets', tenantId).where({ id }).first();
    if (!row) throw new Error(`support ticket ${id} missing`);
    return row;
  }

  private async insertMessage(trx: Knex.Transaction, tenantId: string, ticketId: string, visibility: 'public' | 'internal', author: Author, body: string, now: number): Promise<MessageDto> {
    const row: MessageRow = { id: newId(), tenant_id: tenantId, ticket_id: ticketId, visibility, author_kind: author.kind, author_id: author.id ?? null, body, email_message_id: null, created_at: now };
    await trx<MessageRow>(this.store.table('messages')).insert(row);
    return messageFromRow(row);
  }

  /**
   * A line on the customer's timeline, in the tenant's language. Handling the ticket is
   * the authority to note it on its customer, so the customer scope is widened for this write.
   */
  private async timeline(trx: Knex.Transaction, actor: Actor, ticket: TicketDto, key: string, direction: 'inbound' | 'outbound'): Promise<void> {
    if (!ticket.customerId) return;
    const locale = await this.store.tenantLocale(trx, actor.tenantId);
    const summary = this.ctx.t(key, { lng: locale, number: ticket.number, subject: ticket.subject });
    const via: Actor = { ...actor, scopes: { ...actor.scopes, customer: 'all' } };
    await this.ctx.timeline.add(via, ticket.customerId, { channel: TIMELINE_CHANNEL[ticket.channel], direction, summary }, 'support', trx);
  }

  private emit<T extends TicketEvent>(trx: Knex.Transaction, actor: Actor, type: T, data: PeyvandEvents[T]): Promise<string> {
    return this.ctx.events.emit(trx, type, data, { tenantId: actor.tenantId, aggregateType: 'ticket', aggregateId: (data as { ticket: TicketDto }).ticket.id });
  }
}

const DONE: ReadonlySet<TicketStatus> = new Set(['solved', 'closed']);

/** Runs `work` in the caller's transaction when there is one, else in a new one. */
function inTransaction<T>(outer: Knex.Transaction | undefined, begin: (work: (trx: Knex.Transaction) => Promise<T>) => Promise<T>, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return outer ? work(outer) : begin(work);
}

function ownerNotAllowed() {
  return coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/assigneeId', message: 'not allowed to assign the ticket to someone else', key: 'core:validation.ownerNotAllowed' }] });
}
