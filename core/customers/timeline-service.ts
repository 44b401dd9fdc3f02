/** The customer timeline: interactions across channels, newest first. */
import type { Knex } from 'knex';
import { newId } from '../plugin/ids.js';
import type { Database } from '../db/database.js';
import { readInt } from '../db/database.js';
import type { Actor } from '../plugin/actor.js';
import type { EventBus } from '../plugin/events.js';
import type { TimelineEntryDto } from '../plugin/customers.js';
import type { AuditLog } from '../audit/audit-log.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import type { CustomerService } from './customer-service.js';
import type { TimelineInput, TimelineService as PluginTimelineService } from '../plugin/services.js';

export { TIMELINE_CHANNELS } from '../plugin/customers.js';
export type { TimelineInput } from '../plugin/services.js';

/** Adds and lists timeline entries. */
export class TimelineService implements PluginTimelineService {
  constructor(
    private readonly db: Database,
    private readonly customers: CustomerService,
    private readonly events: EventBus,
    private readonly audit: AuditLog,
  ) {}

  /** Adds an entry; `source` is the plugin that wrote it (`core` for the API). */
  async add(actor: Actor, customerId: string, input: TimelineInput, source = 'core', trx?: Knex.Transaction): Promise<TimelineEntryDto> {
    if (!trx) return this.db.transaction((t) => this.add(actor, customerId, input, source, t));
    await this.customers.get(actor, customerId, trx);
    const now = Date.now();
    const entry: TimelineEntryDto = {
      id: newId(),
      customerId,
      channel: input.channel,
      direction: input.direction ?? null,
      summary: input.summary,
      occurredAt: new Date(input.occurredAt ? Date.parse(input.occurredAt) : now).toISOString(),
      actor: actor.subject,
      source,
      createdAt: new Date(now).toISOString(),
    };
    await this.db.rows('timeline', trx).insert({
      id: entry.id,
      tenant_id: actor.tenantId,
      customer_id: customerId,
      channel: entry.channel,
      direction: entry.direction,
      summary: entry.summary,
      occurred_at: Date.parse(entry.occurredAt),
      actor: entry.actor,
      source,
      created_at: now,
    });
    await this.audit.record(trx, actor, { action: 'timeline.add', entityType: 'customer', entityId: customerId, after: entry });
    await this.events.emit(trx, 'customer.timeline_added', { customerId, entry }, { tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: customerId });
    return entry;
  }

  /** Newest first by occurrence; the cursor carries (occurredAt, id). */
  async list(actor: Actor, customerId: string, page: { limit: number; cursor?: string }): Promise<{ items: TimelineEntryDto[]; nextCursor: string | null }> {
    await this.customers.get(actor, customerId);
    const q = this.db.rows('timeline').where({ tenant_id: actor.tenantId, customer_id: customerId });
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['integer', 'string']);
      q.where((w) => w.where('occurred_at', '<', Number(at)).orWhere((x) => x.where('occurred_at', Number(at)).andWhere('id', '<', String(id))));
    }
    const rows = await q.orderBy([{ column: 'occurred_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(page.limit + 1);
    const items = rows.slice(0, page.limit).map((r): TimelineEntryDto => ({
      id: r.id,
      customerId: r.customer_id,
      // The column holds what `TimelineInput` admitted: one of TIMELINE_CHANNELS.
      channel: r.channel as TimelineEntryDto['channel'],
      direction: r.direction === 'inbound' || r.direction === 'outbound' ? r.direction : null,
      summary: r.summary,
      occurredAt: new Date(readInt(r.occurred_at)).toISOString(),
      actor: r.actor ? r.actor : null,
      source: r.source,
      createdAt: new Date(readInt(r.created_at)).toISOString(),
    }));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([Date.parse(last.occurredAt), last.id]) : null };
  }
}
