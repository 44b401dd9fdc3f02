/**
 * The transactional outbox: `emit` inserts the event through the caller's transaction,
 * so an event exists exactly when the change it describes was committed.
 */
import { newId } from '../db/ids.js';
import type { Database, Executor } from '../db/database.js';
import { readInt, readJson } from '../db/database.js';
import type { EmitOptions, EventBus, EventType, PeyvandEvent, PeyvandEvents } from './types.js';

/** Outbox-backed {@link EventBus}. */
export class Outbox implements EventBus {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Database) {}

  emit<T extends EventType>(trx: Executor, type: T, data: PeyvandEvents[T], options: EmitOptions): Promise<string> {
    return this.emitUntyped(trx, type, data as unknown as Record<string, unknown>, options);
  }

  async emitUntyped(trx: Executor, type: string, data: Record<string, unknown>, options: EmitOptions): Promise<string> {
    const id = newId();
    await trx(this.db.table('outbox')).insert({
      id,
      tenant_id: options.tenantId,
      type,
      aggregate_type: options.aggregateType,
      aggregate_id: options.aggregateId,
      data: JSON.stringify(data),
      occurred_at: Date.now(),
    });
    // Wake the dispatcher once the surrounding transaction has had time to commit; it
    // polls anyway, this only shortens the delay.
    for (const listener of this.listeners) setImmediate(listener);
    return id;
  }

  /** Called (asynchronously) after every emit; the dispatcher uses it to wake up. */
  onEmit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Maps an outbox row to an event. */
export function eventFromRow(row: Record<string, unknown>): PeyvandEvent {
  return {
    id: String(row.id),
    seq: readInt(row.seq),
    type: String(row.type),
    tenantId: String(row.tenant_id),
    aggregateType: String(row.aggregate_type),
    aggregateId: String(row.aggregate_id),
    occurredAt: new Date(readInt(row.occurred_at)).toISOString(),
    data: readJson<Record<string, unknown>>(row.data, {}),
  };
}
