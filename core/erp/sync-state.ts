/**
 * What the sync remembers between runs: a cursor per connection and entity, and per
 * record the local id and the ERP values last applied (the base of field ownership, and
 * the list a full run compares against to find deletions).
 *
 * @module
 */
import { chunked, readJson, type Database } from '../db/database.js';
import type { ErpEntity } from '../plugin/erp.js';

/** The sync state of one record. */
export interface RecordState {
  localId: string;
  base: Record<string, unknown>;
}

/** Cursors and record states of connections. */
export class SyncState {
  constructor(private readonly db: Database) {}

  async cursor(connectionId: string, entity: ErpEntity): Promise<string | null> {
    const row = await this.db.rows('erp_cursors').where({ connection_id: connectionId, entity }).first('cursor');
    return row?.cursor ?? null;
  }

  async saveCursor(tenantId: string, connectionId: string, entity: ErpEntity, cursor: string | null): Promise<void> {
    const updated = await this.db.rows('erp_cursors').where({ connection_id: connectionId, entity }).update({ cursor, updated_at: Date.now() });
    if (updated === 0) await this.db.rows('erp_cursors').insert({ connection_id: connectionId, entity, tenant_id: tenantId, cursor, updated_at: Date.now() });
  }

  async records(connectionId: string, entity: ErpEntity, externalIds: readonly string[]): Promise<Map<string, RecordState>> {
    const out = new Map<string, RecordState>();
    for (const chunk of chunked([...new Set(externalIds)])) {
      const rows = await this.db.rows('erp_records').where({ connection_id: connectionId, entity }).whereIn('external_id', chunk);
      for (const r of rows) out.set(r.external_id, { localId: r.local_id, base: readJson<Record<string, unknown>>(r.base, {}) });
    }
    return out;
  }

  /** The link of a local record to this connection (its ERP id and base), if it has one. */
  async byLocalId(connectionId: string, entity: ErpEntity, localId: string): Promise<({ externalId: string } & RecordState) | undefined> {
    const row = await this.db.rows('erp_records').where({ connection_id: connectionId, entity, local_id: localId }).orderBy('external_id').first();
    return row ? { externalId: row.external_id, localId, base: readJson<Record<string, unknown>>(row.base, {}) } : undefined;
  }

  /** Replaces the states of these records (delete + multi-row insert: one shape on every dialect). */
  async saveRecords(tenantId: string, connectionId: string, entity: ErpEntity, states: ReadonlyArray<{ externalId: string } & RecordState>): Promise<void> {
    if (states.length === 0) return;
    const now = Date.now();
    await this.db.transaction(async (trx) => {
      for (const chunk of chunked(states.map((s) => s.externalId))) await this.db.rows('erp_records', trx).where({ connection_id: connectionId, entity }).whereIn('external_id', chunk).delete();
      for (const chunk of chunked([...new Map(states.map((s) => [s.externalId, s])).values()], 200)) {
        await this.db.rows('erp_records', trx).insert(chunk.map((s) => ({ connection_id: connectionId, entity, external_id: s.externalId, tenant_id: tenantId, local_id: s.localId, base: JSON.stringify(s.base), synced_at: now })));
      }
    });
  }

  async forget(connectionId: string, entity: ErpEntity, externalIds: readonly string[]): Promise<void> {
    for (const chunk of chunked([...externalIds])) await this.db.rows('erp_records').where({ connection_id: connectionId, entity }).whereIn('external_id', chunk).delete();
  }

  /** Ids synced before that a full read did not see: deleted in the ERP. */
  async missing(connectionId: string, entity: ErpEntity, seen: ReadonlySet<string>): Promise<string[]> {
    const out: string[] = [];
    let after = '';
    for (;;) {
      const rows = await this.db.rows('erp_records').where({ connection_id: connectionId, entity }).where('external_id', '>', after).orderBy('external_id').limit(5000).select('external_id');
      if (rows.length === 0) return out;
      for (const r of rows) if (!seen.has(r.external_id)) out.push(r.external_id);
      after = rows[rows.length - 1]!.external_id;
    }
  }
}
