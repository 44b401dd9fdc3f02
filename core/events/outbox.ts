/**
 * The transactional outbox: `emit` inserts the event through the caller's transaction,
 * so an event exists exactly when the change it describes was committed.
 */
import { newId } from '../plugin/ids.js';
import type { Database, Executor } from '../db/database.js';
import { insertMany, readInt, readJson } from '../db/database.js';
import type { EmitOptions, EventBus, EventType, PeyvandEvent, PeyvandEvents } from '../plugin/events.js';
import type { OutboxRow } from '../db/rows/events.js';

/** Outbox-backed {@link EventBus}. */
export class Outbox implements EventBus {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Database) {}

  emit<T extends EventType>(trx: Executor, type: T, data: PeyvandEvents[T], options: EmitOptions): Promise<string> {
    return this.emitUntyped(trx, type, data as unknown as Record<string, unknown>, options);
  }

  async emitUntyped(trx: Executor, type: string, data: Record<string, unknown>, options: EmitOptions): Promise<string> {
    const row = this.row(type, data, options, Date.now());
    // insertMany: on SQLite in a group commit a prepared statement, not a knex query (group-commit.ts).
    await insertMany(trx, this.db.table('outbox'), [row]);
    // Wake the dispatcher once the surrounding transaction has had time to commit; it
    // polls anyway, this only shortens the delay.
    this.wake();
    return row.id;
  }

  /**
   * Emits many events through one transaction with multi-row inserts (bulk import), in
   * the order given, and wakes the dispatcher once. Returns the event ids in that order.
   */
  async emitMany(trx: Executor, events: readonly { type: EventType | string; data: Record<string, unknown>; options: EmitOptions }[]): Promise<string[]> {
    const now = Date.now();
    const rows = events.map((e) => this.row(e.type, e.data, e.options, now));
    await insertMany(trx, this.db.table('outbox'), rows);
    if (rows.length) this.wake();
    return rows.map((r) => r.id);
  }

  private row(type: string, data: Record<string, unknown>, options: EmitOptions, now: number): Omit<OutboxRow, 'seq'> {
    return { id: newId(), tenant_id: options.tenantId, type, aggregate_type: options.aggregateType, aggregate_id: options.aggregateId, data: JSON.stringify(data), occurred_at: now };
  }

  private wake(): void {
    for (const listener of this.listeners) setImmediate(listener);
  }

  /** Called (asynchronously) after every emit; the dispatcher uses it to wake up. */
  onEmit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Maps an outbox row to an event. */
export function eventFromRow(row: OutboxRow): PeyvandEvent {
  return {
    id: row.id,
    seq: readInt(row.seq),
    type: row.type,
    tenantId: row.tenant_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    occurredAt: new Date(readInt(row.occurred_at)).toISOString(),
    data: readJson<Record<string, unknown>>(row.data, {}),
  };
}

/** How long a gap in `seq` may be a transaction still in flight (see {@link committedPrefix}). */
export const DEFAULT_GAP_GRACE_MS = 10_000;

/**
 * The rows a reader may pass over now. With concurrent writers (PostgreSQL, MySQL) a
 * transaction that took `seq` 41 can commit after the one that took 42; a reader that
 * moved its cursor to 42 would never see 41. So a reader stops before the first gap in
 * `seq` until the row after the gap is older than `graceMs`: by then the gap is a
 * rolled-back transaction, not a slow one. SQLite has one writer and never gaps.
 */
export function committedPrefix<R extends Pick<OutboxRow, 'seq' | 'occurred_at'>>(rows: readonly R[], afterSeq: number, graceMs: number, now = Date.now()): R[] {
  let expected = afterSeq + 1;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const seq = readInt(row.seq);
    if (seq !== expected && now - readInt(row.occurred_at) < graceMs) return rows.slice(0, i);
    expected = seq + 1;
  }
  return [...rows];
}
