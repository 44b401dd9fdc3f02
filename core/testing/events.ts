/** What the outbox holds: the events a test caused, read straight from the table. */
import { eventFromRow } from '../events/outbox.js';
import { matchesEventPattern, type PeyvandEvent } from '../plugin/events.js';
import type { Kernel } from '../kernel/kernel.js';

/** Which events {@link outboxEvents} returns. */
export interface EventFilter {
  /** An event type (`claim.opened`) or a pattern (`claim.*`); default every type. */
  type?: string;
  /** Only this tenant's events. */
  tenantId?: string;
}

/**
 * The events in the outbox, oldest first (by `seq`). An event is there exactly when the
 * transaction that emitted it committed, so this is what subscribers and webhooks will
 * receive — read without waiting for the dispatcher.
 */
export async function outboxEvents(kernel: Kernel, filter: EventFilter = {}): Promise<PeyvandEvent[]> {
  const query = kernel.db.rows('outbox').orderBy('seq');
  if (filter.tenantId !== undefined) query.where('tenant_id', filter.tenantId);
  // Exact types are filtered in SQL; patterns after loading (the outbox of a test is small).
  if (filter.type !== undefined && !filter.type.includes('*')) query.where('type', filter.type);
  const events = (await query).map((row) => eventFromRow(row));
  return filter.type?.includes('*') ? events.filter((e) => matchesEventPattern(e.type, [filter.type!])) : events;
}
