/**
 * Queues with members, and automatic assignment among the members on shift (by the
 * queue's calendar): round-robin (a stored position moves past each pick) or least-open
 * (fewest tickets not yet solved, ties in member order). `manual` leaves tickets
 * unassigned for a person to pick. Creating and changing a queue are audited and
 * announced (`queue.created|updated`) in one transaction with the change.
 */
import type { Knex } from 'knex';
import { newId, readInt, type Actor, type BigIntColumn, type Executor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { queueInputSchema, queuePatchSchema } from '../schemas/setup-schemas.js';
import { supportError } from '../errors.js';
import { isOpenAt } from './business-time.js';
import type { CalendarService } from './calendars.js';
import { queueFromRow, type QueueDto } from './records.js';
import type { QueueRow } from './rows.js';
import { checkVersion, type SupportStore } from './store.js';

/** Writable fields of a queue. */
export type QueueInput = SchemaType<typeof queueInputSchema>;
/** A merge-patch of a queue. */
export type QueuePatch = SchemaType<typeof queuePatchSchema>;

/** What support needs of the email plugin (its exported `EmailApi`, declared in `dependsOn`). */
interface EmailAccounts {
  accountExists(tenantId: string, accountId: string, trx?: Knex.Transaction): Promise<boolean>;
}

/** Open tickets of an agent, as the least-open query returns them. */
interface AssigneeLoad {
  assignee_id: string;
  n: BigIntColumn;
}

/** Queue use cases. */
export class QueueService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly calendars: CalendarService,
  ) {}

  async create(actor: Actor, input: QueueInput): Promise<QueueDto> {
    return this.ctx.db.transaction(async (trx) => {
      if (input.calendarId) await this.calendars.get(actor.tenantId, input.calendarId, trx);
      if (input.emailAccountId) await this.checkEmailAccount(actor.tenantId, input.emailAccountId, trx);
      const id = newId();
      const now = Date.now();
      await trx<QueueRow>(this.store.table('queues')).insert({ id, tenant_id: actor.tenantId, ...columns(input), rr_position: 0, version: 1, created_at: now, updated_at: now });
      const queue = await this.get(actor.tenantId, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'support_queue.create', entityType: 'support_queue', entityId: id, after: queue });
      await this.ctx.events.emit(trx, 'queue.created', { queue }, { tenantId: actor.tenantId, aggregateType: 'support_queue', aggregateId: id });
      return queue;
    });
  }

  async update(actor: Actor, id: string, patch: QueuePatch, expectedVersion?: number): Promise<QueueDto> {
    return this.ctx.db.transaction(async (trx) => {
      const before = await this.get(actor.tenantId, id, trx);
      checkVersion(expectedVersion, before.version);
      const next: QueueInput = { ...before };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete (next as unknown as Record<string, unknown>)[key];
        else (next as unknown as Record<string, unknown>)[key] = value;
      }
      if (patch.calendarId) await this.calendars.get(actor.tenantId, patch.calendarId, trx);
      if (patch.emailAccountId) await this.checkEmailAccount(actor.tenantId, patch.emailAccountId, trx);
      await this.store.updateVersioned(trx, 'queues', actor.tenantId, id, before.version, { ...columns(next), updated_at: Date.now() });
      const queue = await this.get(actor.tenantId, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'support_queue.update', entityType: 'support_queue', entityId: id, before, after: queue });
      await this.ctx.events.emit(trx, 'queue.updated', { queue }, { tenantId: actor.tenantId, aggregateType: 'support_queue', aggregateId: id });
      return queue;
    });
  }

  /** A queue's mail goes out through one of the tenant's own email accounts; another tenant's is as unknown as a missing one. */
  private async checkEmailAccount(tenantId: string, accountId: string, trx: Knex.Transaction): Promise<void> {
    if (!(await this.ctx.use<EmailAccounts>('email').accountExists(tenantId, accountId, trx))) throw supportError('EMAIL_ACCOUNT_NOT_FOUND', { id: accountId });
  }

  async get(tenantId: string, id: string, trx: Executor = this.ctx.db.knex): Promise<QueueDto> {
    const row = await this.store.rows(trx, 'queues', tenantId).where({ id }).first();
    if (!row) throw supportError('QUEUE_NOT_FOUND', { id });
    return queueFromRow(row);
  }

  async list(tenantId: string): Promise<{ items: QueueDto[] }> {
    const rows = await this.store.rows(this.ctx.db.knex, 'queues', tenantId).orderBy('id');
    return { items: rows.map(queueFromRow) };
  }

  /**
   * The member a new ticket of the queue goes to, or undefined (manual, nobody on shift).
   * Members marked absent (absences.ts) are passed over until their absence ends.
   * Runs in the ticket's transaction; the queue row is locked so two tickets created at
   * once do not both take the same round-robin turn.
   */
  async pickAssignee(trx: Knex.Transaction, tenantId: string, queueId: string, now = Date.now()): Promise<string | undefined> {
    const row = await this.store.forUpdate(this.store.rows(trx, 'queues', tenantId).where({ id: queueId })).first();
    if (!row) throw supportError('QUEUE_NOT_FOUND', { id: queueId });
    const queue = queueFromRow(row);
    if (queue.assignment === 'manual' || queue.members.length === 0) return undefined;
    let onShift = queue.members;
    if (queue.calendarId) {
      const calendar = await this.calendars.get(tenantId, queue.calendarId, trx);
      if (!isOpenAt(calendar, now)) onShift = [];
    }
    if (onShift.length > 0) {
      const absent = await this.store.rows(trx, 'absences', tenantId).whereIn('agent_id', onShift).where('until', '>', now).select('agent_id');
      const away = new Set(absent.map((a) => a.agent_id));
      onShift = onShift.filter((member) => !away.has(member));
    }
    if (onShift.length === 0) return undefined;
    if (queue.assignment === 'round_robin') {
      const position = row.rr_position % onShift.length;
      await this.store.rows(trx, 'queues', tenantId).where({ id: queueId }).update({ rr_position: position + 1 });
      return onShift[position];
    }
    const counts = await this.store.rows(trx, 'tickets', tenantId).whereIn('assignee_id', onShift).whereNotIn('status', ['solved', 'closed']).groupBy('assignee_id').select('assignee_id').count<AssigneeLoad[]>({ n: '*' });
    const open = new Map(counts.map((c) => [c.assignee_id, readInt(c.n)]));
    return [...onShift].sort((a, b) => (open.get(a) ?? 0) - (open.get(b) ?? 0))[0];
  }
}

/** The columns a queue's input sets. */
function columns(q: QueueInput): Pick<QueueRow, 'name' | 'members' | 'manager_id' | 'calendar_id' | 'email_account_id' | 'assignment'> {
  return { name: q.name.trim(), members: JSON.stringify([...new Set(q.members)]), manager_id: q.managerId ?? null, calendar_id: q.calendarId ?? null, email_account_id: q.emailAccountId ?? null, assignment: q.assignment };
}
