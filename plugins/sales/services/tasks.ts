/**
 * Tasks — calls, meetings and to-dos linked to a lead, a deal or a customer, with a due
 * time, a reminder and an assignee. Completing one writes the customer's timeline in
 * the same transaction.
 */
import type { Knex } from 'knex';
import { can, coreError, decodeCursor, encodeCursor, newId, type Actor, type PeyvandEvents, type PluginContext, type SchemaType, type TimelineInput } from '../../../core/plugin/index.js';
import type { taskInputSchema, taskListQuerySchema, taskPatchSchema } from '../schemas/task-schemas.js';
import { salesError } from '../errors.js';
import { taskFromRow, type TaskDto, type TaskType } from './records.js';
import { changedFields, checkVersion, type SalesStore } from './store.js';

/**
 * Body of a new task: exactly one of leadId, dealId, customerId. `remindBeforeMinutes`:
 * minutes before `dueAt` for the reminder; 0 for none; default from the plugin options.
 */
export type TaskInput = SchemaType<typeof taskInputSchema>;

/** A JSON merge-patch of a task. */
export type TaskPatch = SchemaType<typeof taskPatchSchema>;

/** Filters of the task list: the query of GET /tasks. */
export type TaskListFilter = SchemaType<typeof taskListQuerySchema>;

const CHANNEL: Record<TaskType, TimelineInput['channel']> = { call: 'phone', meeting: 'in_person', todo: 'note' };
const COMPARED: ReadonlyArray<keyof TaskDto> = ['title', 'notes', 'dueAt', 'remindAt', 'assigneeId', 'status', 'outcome'];

/** Task use cases. */
export class TaskService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly defaultReminderMinutes: number,
  ) {}

  async create(actor: Actor, input: TaskInput): Promise<TaskDto> {
    if (input.assigneeId !== undefined && input.assigneeId !== actor.subject && !can(actor, 'sales.task.assign')) throw ownerNotAllowed();
    return this.ctx.data.transaction(async (trx) => {
      const customerId = await this.linkedCustomer(trx, actor, input);
      const now = Date.now();
      const dueAt = Date.parse(input.dueAt);
      const remindAt = reminderOf(dueAt, input.remindBeforeMinutes ?? this.defaultReminderMinutes);
      const id = newId();
      await this.store.rows(trx, 'tasks', actor.tenantId).insert({
        id,
        type: input.type,
        title: input.title.trim(),
        notes: input.notes ?? null,
        due_at: dueAt,
        remind_at: remindAt,
        lead_id: input.leadId ?? null,
        deal_id: input.dealId ?? null,
        customer_id: customerId ?? null,
        assignee_id: input.assigneeId ?? actor.subject,
        team_id: actor.teams[0] ?? null,
        status: 'open',
        version: 1,
        created_at: now,
        updated_at: now,
      });
      const task = await this.load(trx, actor, id);
      await this.ctx.audit.record(trx, actor, { action: 'task.create', entityType: 'task', entityId: id, after: task });
      await this.emit(trx, actor, 'task.created', { task });
      return task;
    });
  }

  /** A task within the actor's record scope, or 404. */
  async get(actor: Actor, id: string): Promise<TaskDto> {
    return this.load(undefined, actor, id);
  }

  /** Soonest due first, cursor-paginated on (due time, id), within scope. */
  async list(actor: Actor, filter: TaskListFilter): Promise<{ items: TaskDto[]; nextCursor: string | null }> {
    const q = this.store.scoped(undefined, 'tasks', actor);
    for (const [key, column] of [['status', 'status'], ['assigneeId', 'assignee_id'], ['leadId', 'lead_id'], ['dealId', 'deal_id'], ['customerId', 'customer_id']] as const) {
      if (filter[key] !== undefined) q.where(column, filter[key]);
    }
    if (filter.dueBefore) q.where('due_at', '<', Date.parse(filter.dueBefore));
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor, ['integer', 'string']);
      q.where((w) => w.where('due_at', '>', Number(at)).orWhere((x) => x.where('due_at', Number(at)).andWhere('id', '>', String(id))));
    }
    const rows = await q.orderBy([{ column: 'due_at' }, { column: 'id' }]).limit(filter.limit + 1);
    const items = rows.slice(0, filter.limit).map(taskFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([Date.parse(last.dueAt), last.id]) : null };
  }

  /**
   * Applies a merge-patch. Completing writes the customer's timeline; a new due time
   * re-arms the due event and the reminder.
   */
  async update(actor: Actor, id: string, patch: TaskPatch, expectedVersion?: number): Promise<TaskDto> {
    if (patch.assigneeId !== undefined && patch.assigneeId !== actor.subject && !can(actor, 'sales.task.assign')) throw ownerNotAllowed();
    // Read outside the transaction: SQLite has one connection, and the locale rarely changes.
    const locale = (await this.ctx.tenants.findById(actor.tenantId))?.locale ?? 'en';
    return this.ctx.data.transaction(async (trx) => {
      const row = await this.store.forUpdate(this.store.scoped(trx, 'tasks', actor).where('id', id).first());
      if (!row) throw salesError('TASK_NOT_FOUND', { id });
      const before = taskFromRow(row);
      checkVersion(expectedVersion, before.version);
      const now = Date.now();
      const next: TaskDto = { ...before };
      if (patch.title !== undefined) next.title = patch.title.trim();
      for (const key of ['notes', 'assigneeId', 'outcome'] as const) {
        if (patch[key] === null) delete next[key];
        else if (patch[key] !== undefined) next[key] = patch[key];
      }
      if (patch.status !== undefined) next.status = patch.status;
      const dueAt = patch.dueAt !== undefined ? Date.parse(patch.dueAt) : Date.parse(before.dueAt);
      next.dueAt = new Date(dueAt).toISOString();
      const remindBefore = patch.remindBeforeMinutes ?? (before.remindAt ? (Date.parse(before.dueAt) - Date.parse(before.remindAt)) / 60_000 : 0);
      const remindAt = reminderOf(dueAt, remindBefore);
      if (remindAt === null) delete next.remindAt;
      else next.remindAt = new Date(remindAt).toISOString();
      const changed = changedFields(before, next, COMPARED);
      if (changed.length === 0) return before;
      const completed = next.status === 'done' && before.status !== 'done';
      await this.store.updateVersioned(trx, 'tasks', actor.tenantId, id, before.version, {
        title: next.title,
        notes: next.notes ?? null,
        due_at: dueAt,
        remind_at: remindAt,
        assignee_id: next.assigneeId ?? null,
        status: next.status,
        outcome: next.outcome ?? null,
        completed_at: next.status === 'done' ? (completed ? now : row.completed_at) : null,
        // A moved due time is a new appointment: its events fire again, once.
        ...(changed.includes('dueAt') && { due_claim: null }),
        ...((changed.includes('dueAt') || changed.includes('remindAt')) && { reminder_claim: null }),
        updated_at: now,
      });
      const after = await this.load(trx, actor, id);
      await this.ctx.audit.record(trx, actor, { action: 'task.update', entityType: 'task', entityId: id, before, after });
      await this.emit(trx, actor, 'task.updated', { task: after, changed });
      if (completed) {
        await this.emit(trx, actor, 'task.completed', { task: after });
        if (after.customerId) await this.writeTimeline(trx, actor, after, locale);
      }
      return after;
    });
  }

  /**
   * The timeline entry of a completed task. Seeing the task is the authority to note it
   * on its customer, even one outside the actor's own customer scope (a deal's customer
   * owned by a colleague), so the customer scope is widened for this one write.
   */
  private async writeTimeline(trx: Knex.Transaction, actor: Actor, task: TaskDto, locale: 'fa' | 'en'): Promise<void> {
    const kind = this.ctx.t(`tasks.types.${task.type}`, { lng: locale });
    const summary = this.ctx.t(task.outcome ? 'tasks.completedWithOutcome' : 'tasks.completed', { lng: locale, kind, title: task.title, outcome: task.outcome ?? '' });
    const viaTask: Actor = { ...actor, scopes: { ...actor.scopes, customer: 'all' } };
    await this.ctx.timeline.add(viaTask, task.customerId!, { channel: CHANNEL[task.type], ...(task.type === 'call' && { direction: 'outbound' as const }), summary }, 'sales', trx);
  }

  /** Checks the linked record is visible; returns the customer the task concerns. */
  private async linkedCustomer(trx: Knex.Transaction, actor: Actor, input: TaskInput): Promise<string | undefined> {
    if (input.leadId) {
      const lead = await this.store.scoped(trx, 'leads', actor).where('id', input.leadId).first('customer_id');
      if (!lead) throw salesError('LEAD_NOT_FOUND', { id: input.leadId });
      return lead.customer_id ? String(lead.customer_id) : undefined;
    }
    if (input.dealId) {
      const deal = await this.store.scoped(trx, 'deals', actor).where('id', input.dealId).first('customer_id');
      if (!deal) throw salesError('DEAL_NOT_FOUND', { id: input.dealId });
      return String(deal.customer_id);
    }
    return (await this.ctx.customers.get(actor, input.customerId!, trx)).id;
  }

  private async load(trx: Knex.Transaction | undefined, actor: Actor, id: string): Promise<TaskDto> {
    const row = await this.store.scoped(trx, 'tasks', actor).where('id', id).first();
    if (!row) throw salesError('TASK_NOT_FOUND', { id });
    return taskFromRow(row);
  }

  private emit<T extends 'task.created' | 'task.updated' | 'task.completed'>(trx: Knex.Transaction, actor: Actor, type: T, data: PeyvandEvents[T]): Promise<string> {
    return this.ctx.events.emit(trx, type, data, { tenantId: actor.tenantId, aggregateType: 'task', aggregateId: data.task.id });
  }
}

/** The reminder instant, or null when there is none. */
function reminderOf(dueAt: number, minutesBefore: number): number | null {
  return minutesBefore > 0 ? dueAt - minutesBefore * 60_000 : null;
}

function ownerNotAllowed() {
  return coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/assigneeId', message: 'not allowed to assign another person', key: 'core:validation.ownerNotAllowed' }] });
}
