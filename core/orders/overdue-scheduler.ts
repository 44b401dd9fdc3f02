/**
 * Finds invoices past their due date and emits `invoice.overdue` exactly once per due
 * date, across restarts and with several kernels on one database — the claim pattern of
 * the sales task scheduler: candidates by a plain read, then ONE transaction that claims
 * them with a conditional UPDATE (`overdue_claim IS NULL`), reads back the rows carrying
 * its token, and writes their events and audit entries. Claim and events commit together
 * or not at all; a concurrent kernel's UPDATE finds the claim taken and claims nothing.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Database } from '../db/database.js';
import { newId } from '../plugin/ids.js';
import type { Outbox } from '../events/outbox.js';
import { PollingLoop } from '../plugin/polling-loop.js';
import { invoiceFromRow, type InvoiceRow } from './order-types.js';

/** Scheduler tuning. */
export interface OverdueSchedulerOptions {
  /** Poll interval (default one minute: a due date is a day's matter). */
  intervalMs?: number;
  /** Invoices claimed per transaction (default 200). */
  batchSize?: number;
}

/** Marks unpaid invoices overdue once their due date passes. */
export class OverdueScheduler {
  private readonly loop: PollingLoop;
  private readonly batchSize: number;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly audit: AuditLog,
    logger: Logger,
    options: OverdueSchedulerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.loop = new PollingLoop({ name: 'invoice overdue scheduler', intervalMs: options.intervalMs ?? 60_000, logger, pass: async () => (await this.runOnce()) === this.batchSize });
  }

  /** Starts polling (the kernel does when it runs background work). */
  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for the round in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: claims what is overdue at `now` and announces it. Returns how many. */
  async runOnce(now = Date.now()): Promise<number> {
    const due = <Q extends Knex.QueryBuilder<InvoiceRow>>(q: Q): Q => q.where('erp_status', 'issued').whereNull('overdue_claim').where('due_at', '<=', now) as Q;
    const candidates = await due(this.db.rows('invoices')).orderBy('due_at').limit(this.batchSize).select('id');
    if (candidates.length === 0) return 0;
    const token = newId();
    return this.db.transaction(async (trx) => {
      await due(this.db.rows('invoices', trx)).whereIn('id', candidates.map((c) => c.id)).update({ overdue_claim: token, status: 'overdue', version: trx.raw('version + 1'), updated_at: now });
      const rows = await this.db.rows('invoices', trx).where('overdue_claim', token).orderBy('id');
      const byTenant = new Map<string, AuditRecord[]>();
      for (const row of rows) {
        const invoice = invoiceFromRow(row);
        const tenantId = row.tenant_id;
        await this.outbox.emitUntyped(trx, 'invoice.overdue', { ...invoice }, { tenantId, aggregateType: 'invoice', aggregateId: invoice.id });
        byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), { action: 'invoice.overdue', entityType: 'invoice', entityId: invoice.id, after: { status: 'overdue', dueAt: invoice.dueAt } }]);
      }
      for (const [tenantId, entries] of byTenant) await this.audit.recordMany(trx, { tenantId, subject: 'system:invoice-scheduler', kind: 'system' }, entries);
      return rows.length;
    });
  }
}
