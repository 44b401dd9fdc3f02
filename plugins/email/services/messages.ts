/** Reading messages and threads, within the reader's record scope (the linked customer's). */
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor, readInt, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { messageQuerySchema, messageSchema, threadQuerySchema, threadSummarySchema } from '../schemas/email-schemas.js';
import { emailError } from '../errors.js';
import type { AttachmentRow, MessageRow, ThreadRow } from './rows.js';
import type { BlobStorage } from './storage.js';
import { isoOrUndefined, strings, type EmailStore } from './store.js';

/** A message as the API shows it; an attachment `omitted` was larger than the account's `maxAttachmentBytes` (only its metadata was kept). */
export type MessageDto = SchemaType<typeof messageSchema>;

/** A thread in lists. */
export type ThreadSummaryDto = SchemaType<typeof threadSummarySchema>;

/** Message and thread reads. */
export class MessageService {
  constructor(private readonly ctx: PluginContext<unknown>, private readonly store: EmailStore, private readonly storage: BlobStorage) {}

  async get(actor: Actor, id: string, trx: Knex | Knex.Transaction = this.ctx.db.knex): Promise<MessageDto> {
    const row = await this.store.scoped(trx, 'messages', actor).where(`${this.store.table('messages')}.id`, id).first();
    if (!row) throw emailError('MESSAGE_NOT_FOUND', { id });
    return (await this.withAttachments(trx, actor.tenantId, [row]))[0] as MessageDto;
  }

  /** Newest first; cursor on id (UUIDv7, so creation order). */
  async list(actor: Actor, filter: SchemaType<typeof messageQuerySchema>): Promise<{ items: MessageDto[]; nextCursor: string | null }> {
    const t = this.store.table('messages');
    const q = this.store.scoped(this.ctx.db.knex, 'messages', actor);
    if (filter.customerId) q.where(`${t}.customer_id`, filter.customerId);
    if (filter.threadId) q.where(`${t}.thread_id`, filter.threadId);
    if (filter.direction) q.where(`${t}.direction`, filter.direction);
    if (filter.cursor) q.where(`${t}.id`, '<', String(decodeCursor(filter.cursor, ['string'])[0]));
    const rows = await q.orderBy(`${t}.id`, 'desc').limit(filter.limit + 1);
    const items = await this.withAttachments(this.ctx.db.knex, actor.tenantId, rows.slice(0, filter.limit));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([last.id]) : null };
  }

  async threads(actor: Actor, filter: SchemaType<typeof threadQuerySchema>): Promise<{ items: ThreadSummaryDto[]; nextCursor: string | null }> {
    const t = this.store.table('threads');
    const q = this.store.scoped(this.ctx.db.knex, 'threads', actor);
    if (filter.customerId) q.where(`${t}.customer_id`, filter.customerId);
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor, ['integer', 'string']);
      q.where((w) => w.where(`${t}.last_message_at`, '<', Number(at)).orWhere((x) => x.where(`${t}.last_message_at`, Number(at)).andWhere(`${t}.id`, '<', String(id))));
    }
    const rows = await q.orderBy([{ column: `${t}.last_message_at`, order: 'desc' }, { column: `${t}.id`, order: 'desc' }]).limit(filter.limit + 1);
    const items = rows.slice(0, filter.limit).map(threadSummary);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([Date.parse(last.lastMessageAt), last.id]) : null };
  }

  async thread(actor: Actor, id: string): Promise<ThreadSummaryDto & { messages: MessageDto[] }> {
    const row = await this.store.scoped(this.ctx.db.knex, 'threads', actor).where(`${this.store.table('threads')}.id`, id).first();
    if (!row) throw emailError('THREAD_NOT_FOUND', { id });
    const rows = await this.store.rows(this.ctx.db.knex, 'messages', actor.tenantId).where('thread_id', id).orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(500);
    return { ...threadSummary(row), messages: await this.withAttachments(this.ctx.db.knex, actor.tenantId, rows) };
  }

  /** An attachment's bytes, when the actor may read its message. */
  async attachment(actor: Actor, messageId: string, attachmentId: string): Promise<{ filename: string; contentType: string; content: Buffer }> {
    await this.get(actor, messageId);
    const row = await this.store.rows(this.ctx.db.knex, 'attachments', actor.tenantId).where({ id: attachmentId, message_id: messageId }).first();
    if (row && row.storage_key === '') throw emailError('ATTACHMENT_OMITTED', { id: attachmentId, size: readInt(row.size) });
    const content = row ? await this.storage.get(row.storage_key) : null;
    if (!row || !content) throw emailError('ATTACHMENT_NOT_FOUND', { id: attachmentId });
    return { filename: row.filename, contentType: row.content_type, content };
  }

  private async withAttachments(trx: Knex | Knex.Transaction, tenantId: string, rows: MessageRow[]): Promise<MessageDto[]> {
    const ids = rows.map((r) => r.id);
    const attachments = ids.length ? await this.store.rows(trx, 'attachments', tenantId).whereIn('message_id', ids).orderBy('id') : [];
    return rows.map((r) => messageFromRow(r, attachments.filter((a) => a.message_id === r.id)));
  }
}

function threadSummary(row: ThreadRow): ThreadSummaryDto {
  return {
    id: row.id,
    subject: row.subject,
    ...(row.customer_id ? { customerId: row.customer_id } : {}),
    lastMessageAt: new Date(readInt(row.last_message_at)).toISOString(),
    messageCount: row.message_count,
    flags: strings(row.flags),
  };
}

function messageFromRow(r: MessageRow, attachments: AttachmentRow[]): MessageDto {
  const direction = r.direction === 'out' ? 'out' : 'in';
  return {
    id: r.id,
    threadId: r.thread_id,
    accountId: r.account_id,
    direction,
    status: r.status as MessageDto['status'],
    messageId: r.message_id,
    ...(r.in_reply_to ? { inReplyTo: r.in_reply_to } : {}),
    references: strings(r.references),
    from: r.from_address,
    fromName: r.from_name,
    to: strings(r.to),
    cc: strings(r.cc),
    subject: r.subject,
    text: r.text ?? '',
    html: r.html,
    attachments: attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.content_type, size: readInt(a.size), ...(a.storage_key === '' && { omitted: true as const }) })),
    ...(r.customer_id ? { customerId: r.customer_id } : {}),
    flags: strings(r.flags),
    ...(r.last_error && r.status !== 'sent' ? { error: r.last_error } : {}),
    ...(direction === 'out' ? { sentAt: isoOrUndefined(r.sent_at) } : { receivedAt: isoOrUndefined(r.received_at) }),
    createdAt: new Date(readInt(r.created_at)).toISOString(),
  };
}
