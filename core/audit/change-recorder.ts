/**
 * One call for what every state change owes: an audit entry and its outbox event,
 * both through the writer's transaction, so neither exists without the change.
 */
import type { Executor } from '../db/database.js';
import type { EventBus, EventType, PeyvandEvents } from '../plugin/events.js';
import type { AuditLog, AuditRecord, ChangeAuthor } from './audit-log.js';

/** Records changes that are not customers' (tenants, roles, keys, settings). */
export class ChangeRecorder {
  constructor(
    private readonly audit: AuditLog,
    private readonly events: EventBus,
  ) {}

  async record<T extends EventType>(trx: Executor, author: ChangeAuthor, change: AuditRecord, event: { type: T; data: PeyvandEvents[T] }): Promise<void> {
    await this.audit.record(trx, author, change);
    await this.events.emit(trx, event.type, event.data, { tenantId: author.tenantId, aggregateType: change.entityType, aggregateId: change.entityId });
  }
}

/** The author of a platform-admin change to a tenant (admin API or CLI). */
export function platformAuthor(tenantId: string, via: 'admin-api' | 'cli' = 'admin-api', requestId?: string): ChangeAuthor {
  return { tenantId, subject: `platform:${via}`, kind: 'system', ...(requestId && { requestId }) };
}
