/** The audit log: every write records actor, time, entity and before/after, in the writer's transaction. */
import { newId } from '../plugin/ids.js';
import type { Database, Executor } from '../db/database.js';
import { readInt, readJson } from '../db/database.js';
import type { AuditLogRow } from '../db/rows/requests.js';
import type { AuditLog as PluginAuditLog, AuditRecord, ChangeAuthor } from '../plugin/services.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';

/** One audit entry as the API shows it. */
export interface AuditEntry {
  id: string;
  actor: string;
  actorKind: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  occurredAt: string;
}

export type { AuditRecord, ChangeAuthor } from '../plugin/services.js';

/** Writes and reads the audit log. */
export class AuditLog implements PluginAuditLog {
  constructor(private readonly db: Database) {}

  /** Records a write through the writer's transaction. */
  async record(trx: Executor, actor: ChangeAuthor, entry: AuditRecord): Promise<void> {
    // insertMany: on SQLite in a group commit a prepared statement, not a knex query (group-commit.ts).
    await this.db.insertRows('audit_log', trx, [this.row(actor, entry, Date.now())]);
  }

  /** {@link record} for many entries of one author with multi-row inserts (bulk import). */
  async recordMany(trx: Executor, actor: ChangeAuthor, entries: readonly AuditRecord[]): Promise<void> {
    const now = Date.now();
    await this.db.insertRows('audit_log', trx, entries.map((entry) => this.row(actor, entry, now)));
  }

  private row(actor: ChangeAuthor, entry: AuditRecord, now: number): AuditLogRow {
    return {
      id: newId(),
      tenant_id: actor.tenantId,
      actor: actor.subject,
      actor_kind: actor.kind,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before: snapshot(entry.before),
      after: snapshot(entry.after),
      request_id: actor.requestId ?? null,
      occurred_at: now,
    };
  }

  /** Newest first, cursor-paginated. */
  async list(tenantId: string, filter: { entityType?: string; entityId?: string; limit: number; cursor?: string }): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const q = this.db.rows('audit_log').where('tenant_id', tenantId);
    if (filter.entityType) q.where('entity_type', filter.entityType);
    if (filter.entityId) q.where('entity_id', filter.entityId);
    if (filter.cursor) q.where('id', '<', String(decodeCursor(filter.cursor)[0]));
    const rows = await q.orderBy('id', 'desc').limit(filter.limit + 1);
    const page = rows.slice(0, filter.limit);
    const items = page.map((r) => ({
      id: r.id,
      actor: r.actor,
      actorKind: r.actor_kind,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      before: readJson<unknown>(r.before, null),
      after: readJson<unknown>(r.after, null),
      requestId: r.request_id ? r.request_id : null,
      occurredAt: new Date(readInt(r.occurred_at)).toISOString(),
    }));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([last.id]) : null };
  }
}

/**
 * Largest snapshot stored as it is: `before`/`after` are TEXT columns, 65,535 bytes on
 * MySQL/MariaDB. A larger one (a 200,000-character template) keeps its long texts
 * shortened, with their length: the entry records what changed, not a copy of the text.
 */
const MAX_SNAPSHOT_BYTES = 60_000;
const SHORTENED_TEXT = 1_000;

function snapshot(value: unknown): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) <= MAX_SNAPSHOT_BYTES) return json;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > SHORTENED_TEXT ? `${v.slice(0, SHORTENED_TEXT)}… [${v.length} characters]` : v));
}
