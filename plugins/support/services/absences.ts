/**
 * Agents' absences and the reassignment they cause (issue 13, "reassignment on
 * absence"). Marking an agent absent hands each of their open tickets on at once, in one
 * transaction with the absence: to the member the ticket's queue picks by its own rule
 * (round-robin or least-open, among the members on shift and present), or to nobody when
 * the queue assigns by hand, has no one available, or the ticket has no queue — unassigned
 * tickets show in the queue for a manager to take. Until the absence ends, automatic
 * assignment passes the agent over; it ends by itself at `until` or early by `DELETE`.
 * Setting and ending one are audited and announced (`agent.absence_set|absence_ended`).
 */
import { can, coreError, readInt, type Actor, type PluginContext } from '../../../core/plugin/index.js';
import { supportError } from '../errors.js';
import type { QueueService } from './queues.js';
import type { AbsenceRow } from './rows.js';
import { ruleActor, type SupportStore } from './store.js';
import type { ReportSummary } from './summary.js';
import type { TicketService } from './tickets.js';

/** An agent's absence as the API shows it. */
export interface AbsenceDto {
  agentId: string;
  since: string;
  until: string;
  reason?: string;
}

/** The longest absence that can be set at once: a year, so a typo in the year is caught. */
const MAX_ABSENCE_MS = 366 * 24 * 3600_000;


/** Absence use cases. */
export class AbsenceService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly queues: QueueService,
    private readonly tickets: TicketService,
    private readonly summary: ReportSummary,
  ) {}

  /**
   * Marks `agentId` absent from now until `until` (replacing an absence already set) and
   * hands on their open tickets. An agent may mark themselves; marking someone else takes
   * `support.ticket.assign`. Returns the absence and the ids of the tickets handed on.
   */
  async set(actor: Actor, agentId: string, input: { until: string; reason?: string }, now = Date.now()): Promise<AbsenceDto & { reassigned: string[] }> {
    this.checkActor(actor, agentId);
    const until = Date.parse(input.until);
    if (!(until > now) || until - now > MAX_ABSENCE_MS) throw supportError('ABSENCE_INVALID', {}, [{ path: '/until', message: 'must be in the future and within a year' }]);
    return this.store.retryingTransaction(async (trx) => {
      const data = this.ctx.data.forTenant(actor.tenantId, trx);
      const values = { since: now, until, reason: input.reason?.trim() || null, set_by: actor.subject };
      await data.from('support_absences').insert({ agent_id: agentId, ...values }).onConflict(['tenant_id', 'agent_id']).merge(values);
      const open = await this.store.rows(trx, 'tickets', actor.tenantId).where({ assignee_id: agentId }).whereNull('merged_into_id').whereNotIn('status', ['solved', 'closed']).orderBy('id').select('id');
      const ids = open.map((row) => row.id);
      // The rule reassigns, not the person who set the absence (an agent may not assign to others).
      const system = ruleActor(actor.tenantId, 'absence');
      await this.summary.track(trx, actor.tenantId, ids, async () => {
        for (const id of ids) {
          const before = await this.tickets.viewOf(trx, actor.tenantId, id);
          const assigneeId = before.queueId ? await this.queues.pickAssignee(trx, actor.tenantId, before.queueId, now) : undefined;
          const next = { ...before };
          if (assigneeId === undefined) delete next.assigneeId;
          else next.assigneeId = assigneeId;
          await this.tickets.write(trx, system, before, next, { now });
        }
      });
      const absence = absenceFromRow({ tenant_id: actor.tenantId, agent_id: agentId, ...values });
      await this.ctx.audit.record(trx, actor, { action: 'support_absence.set', entityType: 'support_absence', entityId: agentId, after: { ...absence, reassigned: ids } });
      await this.ctx.events.emit(trx, 'agent.absence_set', { ...absence, reason: absence.reason ?? null, reassigned: ids }, { tenantId: actor.tenantId, aggregateType: 'support_absence', aggregateId: agentId });
      return { ...absence, reassigned: ids };
    });
  }

  /** Ends an agent's absence now; 404 when they are not absent. */
  async end(actor: Actor, agentId: string, now = Date.now()): Promise<void> {
    this.checkActor(actor, agentId);
    await this.ctx.data.transaction(async (trx) => {
      const data = this.ctx.data.forTenant(actor.tenantId, trx);
      const row = await data.from('support_absences').where({ agent_id: agentId }).where('until', '>', now).first();
      if (!row) throw supportError('ABSENCE_NOT_FOUND', { agentId });
      await data.from('support_absences').where({ agent_id: agentId }).delete();
      await this.ctx.audit.record(trx, actor, { action: 'support_absence.end', entityType: 'support_absence', entityId: agentId, before: absenceFromRow(row) });
      await this.ctx.events.emit(trx, 'agent.absence_ended', { agentId }, { tenantId: actor.tenantId, aggregateType: 'support_absence', aggregateId: agentId });
    });
  }

  /** The absences not over yet, by agent. */
  async list(tenantId: string, now = Date.now()): Promise<{ items: AbsenceDto[] }> {
    const rows = await this.ctx.data.forTenant(tenantId).from('support_absences').where('until', '>', now).orderBy('agent_id');
    return { items: rows.map(absenceFromRow) };
  }

  private checkActor(actor: Actor, agentId: string): void {
    if (agentId !== actor.subject && !can(actor, 'support.ticket.assign')) {
      throw coreError('FORBIDDEN', { permission: 'support.ticket.assign' });
    }
  }
}

function absenceFromRow(row: AbsenceRow): AbsenceDto {
  return {
    agentId: row.agent_id,
    since: new Date(readInt(row.since)).toISOString(),
    until: new Date(readInt(row.until)).toISOString(),
    ...(row.reason !== null && { reason: row.reason }),
  };
}
