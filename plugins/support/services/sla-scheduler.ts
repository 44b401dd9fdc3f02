/**
 * The durable SLA scheduler: a polling loop that emits `ticket.sla_warning` and
 * `ticket.sla_breached` exactly once per arming of a target, across restarts and with
 * several kernels on one database — the claim pattern of the sales task scheduler.
 *
 * Each round reads candidates with a plain query, then in ONE transaction claims them with
 * a conditional UPDATE (`SET breach_claim = <token> WHERE breach_claim IS NULL …`), reads
 * back the rows carrying its token, writes their events to the outbox and applies the
 * policy's escalation (raise the priority, hand to someone) to the ticket. The claim, the
 * events and the escalation commit together or not at all. A recomputed due time in the
 * future clears the claim (see sla-clock.ts), which re-arms the target.
 */
import type { Knex } from 'knex';
import { claimDue, PollingLoop, type Actor, type PluginContext } from '../../../core/plugin/index.js';
import { PRIORITIES, type TicketDto } from './records.js';
import { clockFromRow, type SlaService } from './sla.js';
import { targetView } from './sla-clock.js';
import type { CalendarService } from './calendars.js';
import { ruleActor, type SupportStore } from './store.js';
import type { ReportSummary } from './summary.js';
import type { TicketService } from './tickets.js';

/** Scheduler tuning. */
export interface SlaSchedulerOptions {
  intervalMs: number;
  batchSize: number;
}

type Kind = 'warning' | 'breach';


/** Emits SLA warnings and breaches and escalates. */
export class SlaScheduler {
  private readonly loop: PollingLoop;

  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly sla: SlaService,
    private readonly calendars: CalendarService,
    private readonly tickets: TicketService,
    private readonly summary: ReportSummary,
    private readonly options: SlaSchedulerOptions,
  ) {
    this.loop = new PollingLoop({
      name: 'support SLA scheduler',
      intervalMs: options.intervalMs,
      logger: ctx.logger,
      pass: async () => {
        const { warnings, breaches } = await this.runOnce();
        return warnings === options.batchSize || breaches === options.batchSize;
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: claims and announces what is due by `now`. Tests call it directly. */
  async runOnce(now = Date.now()): Promise<{ warnings: number; breaches: number }> {
    const breaches = await this.claim('breach', now);
    const warnings = await this.claim('warning', now);
    return { warnings, breaches };
  }

  private async claim(kind: Kind, now: number): Promise<number> {
    const table = this.store.table('sla_targets');
    const [claimColumn, timeColumn] = kind === 'breach' ? (['breach_claim', 'due_at'] as const) : (['warn_claim', 'warn_at'] as const);
    const due = (q: Knex.QueryBuilder): Knex.QueryBuilder => {
      q.where(`${table}.state`, 'running').whereNull(claimColumn).where(timeColumn, '<=', now);
      // A warning is pointless once the target is breached.
      if (kind === 'warning') q.whereNull('breach_claim').where('due_at', '>', now);
      return q;
    };
    return claimDue(this.ctx, { table: 'support_sla_targets', due, orderBy: timeColumn, claimColumn, batchSize: this.options.batchSize }, async (trx, rows) => {
      for (const row of rows) {
        const tenantId = row.tenant_id;
        const ticketId = row.ticket_id;
        const policy = await this.sla.getPolicy(tenantId, row.policy_id, trx);
        const calendar = await this.calendars.get(tenantId, policy.calendarId, trx);
        const target = targetView(clockFromRow(kind === 'breach' ? { ...row, breached: true } : row), calendar, now);
        const ticket = await this.tickets.viewOf(trx, tenantId, ticketId);
        const data = { ticketId, number: ticket.number, target, policyId: policy.id };
        const options = { tenantId, aggregateType: 'ticket', aggregateId: ticketId };
        const actor = ruleActor(tenantId, 'sla');
        await this.ctx.audit.record(trx, actor, { action: kind === 'breach' ? 'ticket.sla_breached' : 'ticket.sla_warning', entityType: 'ticket', entityId: ticketId, after: data });
        if (kind === 'warning') {
          await this.ctx.events.emit(trx, 'ticket.sla_warning', data, options);
          continue;
        }
        await this.summary.track(trx, tenantId, [ticketId], async () => {
          // Flagged here, in the claim's transaction, rather than by the claim itself: the report summary sees the target before and after.
          await this.store.rows(trx, 'sla_targets', tenantId).where({ id: row.id }).update({ breached: true });
          await this.ctx.events.emit(trx, 'ticket.sla_breached', data, options);
          await this.escalate(trx, actor, ticket, policy.escalation, now);
        });
      }
    });
  }

  /** The policy's escalation on a breach: one step up in priority, and/or a new assignee. */
  private async escalate(trx: Knex.Transaction, actor: Actor, ticket: TicketDto, escalation: { raisePriority?: boolean; assignTo?: string }, now: number): Promise<void> {
    const next: TicketDto = { ...ticket };
    if (escalation.raisePriority) next.priority = PRIORITIES[Math.min(PRIORITIES.indexOf(ticket.priority) + 1, PRIORITIES.length - 1)]!;
    if (escalation.assignTo) next.assigneeId = escalation.assignTo;
    if (next.priority === ticket.priority && next.assigneeId === ticket.assigneeId) return;
    await this.tickets.write(trx, actor, ticket, next, { now });
  }
}
