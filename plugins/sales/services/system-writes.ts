/**
 * Changes the plugin makes on its own, reacting to an event rather than to a request:
 * a customer merged or deleted, a score to recompute, a task falling due. They are
 * audited like a person's changes, with the plugin as the author (`system:sales`, or
 * `system:sales-scheduler` for the scheduler), so a record's trail never shows a version
 * jump nobody explains.
 */
import type { Knex } from 'knex';
import { type ChangeAuthor, type PluginContext } from '../../../core/plugin/index.js';
import { dealFromRow, leadFromRow, taskFromRow } from './records.js';
import type { SalesRow, SalesStore } from './store.js';

/** The plugin (`system:sales`, or a part of it) as the author of a change in `tenantId`. */
export const salesSystem = (tenantId: string, what = 'sales'): ChangeAuthor => ({ tenantId, subject: `system:${what}`, kind: 'system' });

/** The owned records the plugin rewrites. */
export type SalesRecord = 'deal' | 'lead' | 'task';

const TABLES = { deal: 'deals', lead: 'leads', task: 'tasks' } as const;

/** The row each record is read from. */
type RecordRows = { [K in SalesRecord]: SalesRow<(typeof TABLES)[K]> };

/** A record before and after a change, one member per kind. */
type Change = { [K in SalesRecord]: { kind: K; before: RecordRows[K]; after: RecordRows[K] } }[SalesRecord];

/** Rewrites records as the plugin itself. */
export class SystemWrites {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
  ) {}

  /**
   * Sets `values` (columns) on a record read as `row` in `trx`: version bump, audit entry
   * (`<kind>.update`) and `<kind>.updated` naming the `changed` fields, all in `trx`.
   */
  async update<K extends SalesRecord>(trx: Knex.Transaction, author: ChangeAuthor, kind: K, row: RecordRows[K], values: Partial<RecordRows[K]>, changed: string[]): Promise<void> {
    const { id, version } = row;
    const now = Date.now();
    await this.store.updateVersioned<(typeof TABLES)[SalesRecord]>(trx, TABLES[kind], author.tenantId, id, version, { ...values, updated_at: now });
    // TypeScript does not tie `RecordRows[K]` to `K`; the union lets each branch see its row.
    const change = { kind, before: row, after: { ...row, ...values, version: version + 1, updated_at: now } } as Change;
    const options = { tenantId: author.tenantId, aggregateType: kind, aggregateId: id };
    const audit = (before: unknown, after: unknown) => this.ctx.audit.record(trx, author, { action: `${kind}.update`, entityType: kind, entityId: id, before, after });
    if (change.kind === 'deal') {
      const after = dealFromRow(change.after);
      await audit(dealFromRow(change.before), after);
      await this.ctx.events.emit(trx, 'deal.updated', { deal: after, changed }, options);
    } else if (change.kind === 'lead') {
      const after = leadFromRow(change.after);
      await audit(leadFromRow(change.before), after);
      await this.ctx.events.emit(trx, 'lead.updated', { lead: after, changed }, options);
    } else {
      const after = taskFromRow(change.after);
      await audit(taskFromRow(change.before), after);
      await this.ctx.events.emit(trx, 'task.updated', { task: after, changed }, options);
    }
  }
}
