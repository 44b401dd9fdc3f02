/** Mail that could not be read: listed with its reason, released leniently, or deleted. */
import { decodeCursor, encodeCursor, readInt, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { pageQuerySchema, quarantineSchema } from '../schemas/email-schemas.js';
import { emailError } from '../errors.js';
import type { AccountService } from './accounts.js';
import type { IngestService } from './ingest.js';
import type { MessageDto, MessageService } from './messages.js';
import type { IngestedRow } from './rows.js';
import type { BlobStorage } from './storage.js';
import type { EmailStore } from './store.js';

/** A quarantined mail as the API shows it: every field of its response schema, which lists none as required. */
export type QuarantineDto = Required<SchemaType<typeof quarantineSchema>>;

/** Quarantine use cases. */
export class QuarantineService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: EmailStore,
    private readonly storage: BlobStorage,
    private readonly accounts: AccountService,
    private readonly ingest: IngestService,
    private readonly messages: MessageService,
  ) {}

  async list(actor: Actor, page: SchemaType<typeof pageQuerySchema>): Promise<{ items: QuarantineDto[]; nextCursor: string | null }> {
    const q = this.store.rows(this.ctx.db.knex, 'quarantine', actor.tenantId);
    if (page.cursor) q.where('id', '<', String(decodeCursor(page.cursor, ['string'])[0]));
    const rows = await q.orderBy('id', 'desc').limit(page.limit + 1);
    const items = rows.slice(0, page.limit).map((r): QuarantineDto => ({ id: r.id, accountId: r.account_id, folder: r.folder, uid: readInt(r.uid), reason: r.reason, size: readInt(r.size), receivedAt: new Date(readInt(r.received_at)).toISOString() }));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.id]) : null };
  }

  /** Ingests the raw mail leniently (flag `released`) and removes it from the quarantine. */
  async release(actor: Actor, id: string): Promise<MessageDto> {
    const row = await this.store.rows(this.ctx.db.knex, 'quarantine', actor.tenantId).where('id', id).first();
    if (!row) throw emailError('QUARANTINE_NOT_FOUND', { id });
    const raw = await this.storage.get(row.storage_key);
    if (!raw) throw emailError('QUARANTINE_UNREADABLE', { id });
    const account = await this.accounts.credentials(actor.tenantId, row.account_id);
    const messageId = await this.ingest.release(account, raw, async (trx, created) => {
      // Removed in the message's transaction: a concurrent release of the same entry rolls back here.
      const deleted = await this.store.rows(trx, 'quarantine', actor.tenantId).where('id', id).delete();
      if (deleted !== 1) throw emailError('QUARANTINE_NOT_FOUND', { id });
      await trx<IngestedRow>(this.store.table('ingested')).where({ account_id: account.id, dedup_key: row.dedup_key }).update({ outcome: 'message', ref_id: created });
      await this.ctx.audit.record(trx, actor, { action: 'email.quarantine.release', entityType: 'email_quarantine', entityId: id, after: { messageId: created } });
    });
    await this.storage.delete(row.storage_key);
    return this.messages.get(actor, messageId);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const row = await this.store.rows(this.ctx.db.knex, 'quarantine', actor.tenantId).where('id', id).first();
    if (!row) throw emailError('QUARANTINE_NOT_FOUND', { id });
    await this.ctx.db.transaction(async (trx) => {
      // Checked, so two deletions at once announce it once.
      const deleted = await this.store.rows(trx, 'quarantine', actor.tenantId).where('id', id).delete();
      if (deleted !== 1) throw emailError('QUARANTINE_NOT_FOUND', { id });
      await this.ctx.audit.record(trx, actor, { action: 'email.quarantine.delete', entityType: 'email_quarantine', entityId: id });
      await this.ctx.events.emit(trx, 'email.quarantine_deleted', { id, accountId: row.account_id }, { tenantId: actor.tenantId, aggregateType: 'email_quarantine', aggregateId: id });
    });
    // The ledger row stays: the deleted mail is not imported again by the next sync.
    await this.storage.delete(row.storage_key);
  }
}
