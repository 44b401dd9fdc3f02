/**
 * The durable task scheduler: a polling loop that emits `task.reminder_due` and
 * `task.due` exactly once per task (per due time), across restarts and with several
 * kernels on one database.
 *
 * Each round picks candidate rows with a plain read, then in ONE transaction claims them
 * with a conditional UPDATE (`SET due_claim = <token> WHERE due_claim IS NULL …`), reads
 * back the rows carrying its token and writes their events to the outbox. The claim and
 * the events commit together or not at all: a crash before commit leaves the rows
 * unclaimed for the next round; a concurrent kernel's UPDATE finds the claim set (it
 * waits for the row lock on PostgreSQL/MySQL and re-checks; SQLite has one writer) and
 * claims nothing. The state lives in the rows, so a restart simply continues.
 *
 * A claim is audited (`task.due` / `task.reminder_due` by `system:sales-scheduler`) in
 * the same transaction, so a task's trail says when its reminder and due notice went out.
 */
import type { Knex } from 'knex';
import { claimDue, PollingLoop, type AuditRecord, type PluginContext } from '../../../core/plugin/index.js';
import { taskFromRow } from './records.js';
import type { SalesStore } from './store.js';
import { salesSystem } from './system-writes.js';

/** Scheduler tuning. */
export interface SchedulerOptions {
  intervalMs: number;
  batchSize: number;
}

type Kind = 'due' | 'reminder';

/** Emits due and reminder events for open tasks. */
export class TaskScheduler {
  private readonly loop: PollingLoop;

  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly options: SchedulerOptions,
  ) {
    // A full batch means more may be due already. A failed round (SQLITE_BUSY after a
    // lost race, a dropped connection) is logged; the next round retries it.
    this.loop = new PollingLoop({
      name: 'task scheduler',
      intervalMs: options.intervalMs,
      logger: ctx.logger,
      pass: async () => {
        const { due, reminders } = await this.runOnce();
        return due === options.batchSize || reminders === options.batchSize;
      },
    });
  }

  /** Starts polling (bootstrap does this when the kernel runs background work). */
  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for the round in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: claims and announces what is due by `now`. Tests call it directly. */
  async runOnce(now = Date.now()): Promise<{ due: number; reminders: number }> {
    const due = await this.claim('due', now);
    const reminders = await this.claim('reminder', now);
    return { due, reminders };
  }

  private async claim(kind: Kind, now: number): Promise<number> {
    const table = this.store.table('tasks');
    const [claimColumn, timeColumn] = kind === 'due' ? (['due_claim', 'due_at'] as const) : (['reminder_claim', 'remind_at'] as const);
    const due = (q: Knex.QueryBuilder) => {
      q.where(`${table}.status`, 'open').whereNull(claimColumn).where(timeColumn, '<=', now);
      // A reminder is pointless once the task itself is due.
      if (kind === 'reminder') q.whereNull('due_claim').where('due_at', '>', now);
      return q;
    };
    // Open tasks only: the claim and what it announces both re-check `due`, which requires it.
    return claimDue(this.ctx, { table: 'sales_tasks', due, orderBy: timeColumn, claimColumn, batchSize: this.options.batchSize }, async (trx, rows) => {
      const byTenant = new Map<string, AuditRecord[]>();
      for (const row of rows) {
        const task = taskFromRow(row);
        const { tenant_id: tenantId } = row;
        const options = { tenantId, aggregateType: 'task', aggregateId: task.id };
        if (kind === 'due') await this.ctx.events.emit(trx, 'task.due', { task }, options);
        else await this.ctx.events.emit(trx, 'task.reminder_due', { task }, options);
        const entry = { action: kind === 'due' ? 'task.due' : 'task.reminder_due', entityType: 'task', entityId: task.id, after: kind === 'due' ? { dueAt: task.dueAt } : { remindAt: task.remindAt } };
        const entries = byTenant.get(tenantId) ?? [];
        entries.push(entry);
        byTenant.set(tenantId, entries);
      }
      // The claim is the scheduler's own change to the task: audited in its transaction, one insert per tenant.
      for (const [tenantId, entries] of byTenant) await this.ctx.audit.recordMany(trx, salesSystem(tenantId, 'sales-scheduler'), entries);
    });
  }
}
