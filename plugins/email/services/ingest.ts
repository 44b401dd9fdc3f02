/**
 * One raw inbound mail → its outcome, exactly once per (account, Message-ID — or the
 * SHA-256 of the raw bytes when it has none). The outcome (a message in a thread, a
 * bounce recorded, a quarantined raw mail) is written with its ledger row, its event and
 * the caller's cursor step in one transaction: a crash before commit leaves the mail to be
 * fetched again, a crash after leaves nothing to do twice.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation, newId, systemActor, type Actor, type PluginContext } from '../../../core/plugin/index.js';
import type { AccountCredentials } from './accounts.js';
import { bounceOf, isAutoReply } from './classify.js';
import { parseEmail, UnreadableMail, type ParsedEmail } from './parse.js';
import { sanitizeEmailHtml } from './sanitize.js';
import type { AttachmentRow, BounceRow, IngestedRow, MessageRow, QuarantineRow } from './rows.js';
import type { BlobStorage } from './storage.js';
import { messageKey, type EmailStore } from './store.js';
import type { ThreadService } from './threads.js';

/** What became of one mail. */
export type IngestOutcome = 'message' | 'duplicate' | 'bounce' | 'quarantined';

/** Where the mail came from. */
export interface MailSource {
  folder: string;
  uid: number;
}

/** Work to do in the outcome's transaction (the folder cursor's step). */
export type InTransaction = (trx: Knex.Transaction) => Promise<void>;

/** The ingest pipeline. */
export class IngestService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: EmailStore,
    private readonly threads: ThreadService,
    private readonly storage: BlobStorage,
  ) {}

  /** The ledger key of a mail: its Message-ID's, else its bytes' hash. */
  static dedupKey(messageId: string | null, raw: Buffer | null): string {
    return messageId ? messageKey(messageId) : createHash('sha256').update(raw ?? '').digest('hex');
  }

  /** Whether the ledger already has this key (lets a sync skip downloading the body). */
  async seen(accountId: string, key: string): Promise<boolean> {
    return Boolean(await this.ctx.db.knex<IngestedRow>(this.store.table('ingested')).where({ account_id: accountId, dedup_key: key }).first('dedup_key'));
  }

  /** Ingests one raw mail; `step` runs inside the outcome's transaction. */
  async ingest(account: AccountCredentials, source: MailSource, raw: Buffer, step: InTransaction = async () => undefined): Promise<IngestOutcome> {
    let mail: ParsedEmail;
    try {
      mail = await parseEmail(raw);
    } catch (err) {
      if (!(err instanceof UnreadableMail)) throw err;
      const headerId = /^message-id:\s*<?([^>\s]+)>?/im.exec(raw.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '')?.[1] ?? null;
      return this.quarantine(account, source, raw, err.reason, IngestService.dedupKey(headerId, raw), step);
    }
    const key = IngestService.dedupKey(mail.messageId, raw);
    if (await this.seen(account.id, key)) {
      await this.ctx.db.transaction(step);
      return 'duplicate';
    }
    const bounce = bounceOf(mail, raw);
    if (bounce) return this.once(account, key, 'bounce', null, step, (trx) => this.recordBounce(trx, account.tenantId, bounce));
    const actor = await this.actorFor(account.tenantId);
    const attachments = await this.storeAttachments(account, mail);
    return this.once(account, key, 'message', null, step, async (trx) => {
      await this.storeMessage(trx, actor, account, mail, attachments, isAutoReply(mail) ? ['auto_reply'] : []);
    });
  }

  /**
   * Ingests a quarantined mail leniently and returns the new message id; `then` runs in the
   * message's transaction (the quarantine entry's removal). Everything read outside the
   * database connection's transaction is read before it opens (SQLite has one connection).
   */
  async release(account: AccountCredentials, raw: Buffer, then: (trx: Knex.Transaction, messageId: string) => Promise<void>): Promise<string> {
    const mail = await parseEmail(raw, true);
    const actor = await this.actorFor(account.tenantId);
    const attachments = await this.storeAttachments(account, mail);
    return this.ctx.db.transaction(async (trx) => {
      const id = await this.storeMessage(trx, actor, account, mail, attachments, ['released']);
      if (!id) throw new Error('a released message is always stored');
      await then(trx, id);
      return id;
    });
  }

  private async actorFor(tenantId: string): Promise<Actor> {
    const tenant = await this.ctx.tenants.findById(tenantId);
    return systemActor({ id: tenantId, slug: tenant?.slug ?? tenantId }, 'email', ['core.customer.create', 'core.customer.read', 'core.customer.update']);
  }

  private async once(account: AccountCredentials, key: string, outcome: IngestOutcome, refId: string | null, step: InTransaction, work: (trx: Knex.Transaction) => Promise<void>): Promise<IngestOutcome> {
    try {
      await this.ctx.db.transaction(async (trx) => {
        // The ledger row first: a concurrent ingest of the same mail fails here, before any write.
        await trx<IngestedRow>(this.store.table('ingested')).insert({ account_id: account.id, dedup_key: key, tenant_id: account.tenantId, outcome, ref_id: refId, created_at: Date.now() });
        await work(trx);
        await step(trx);
      });
      return outcome;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await this.ctx.db.transaction(step);
      return 'duplicate';
    }
  }

  private async quarantine(account: AccountCredentials, source: MailSource, raw: Buffer, reason: string, key: string, step: InTransaction): Promise<IngestOutcome> {
    if (await this.seen(account.id, key)) {
      await this.ctx.db.transaction(step);
      return 'duplicate';
    }
    const storageKey = await this.storage.put(account.tenantId, raw);
    const id = newId();
    return this.once(account, key, 'quarantined', id, step, async (trx) => {
      await trx<QuarantineRow>(this.store.table('quarantine')).insert({ id, tenant_id: account.tenantId, account_id: account.id, folder: source.folder, uid: source.uid, reason, size: raw.length, storage_key: storageKey, dedup_key: key, received_at: Date.now() });
      await this.ctx.events.emit(trx, 'email.quarantined', { id, accountId: account.id, folder: source.folder, uid: source.uid, reason }, { tenantId: account.tenantId, aggregateType: 'email_quarantine', aggregateId: id });
    });
  }

  private async recordBounce(trx: Knex.Transaction, tenantId: string, bounce: NonNullable<ReturnType<typeof bounceOf>>): Promise<void> {
    const now = Date.now();
    const existing = await this.store.rows(trx, 'bounces', tenantId).where('address', bounce.recipient).first('count');
    if (existing) await this.store.rows(trx, 'bounces', tenantId).where('address', bounce.recipient).update({ status: bounce.status, diagnostic: bounce.diagnostic, count: existing.count + 1, bounced_at: now });
    else await trx<BounceRow>(this.store.table('bounces')).insert({ tenant_id: tenantId, address: bounce.recipient, status: bounce.status, diagnostic: bounce.diagnostic, count: 1, bounced_at: now });
    let ours: string | null = null;
    if (bounce.originalMessageId) {
      const row = await this.store.rows(trx, 'messages', tenantId).where({ message_key: messageKey(bounce.originalMessageId), direction: 'out' }).first('id');
      if (row) {
        ours = row.id;
        await this.store.rows(trx, 'messages', tenantId).where('id', ours).update({ status: 'bounced', last_error: bounce.diagnostic });
      }
    }
    await this.ctx.events.emit(trx, 'email.bounced', { id: ours, recipient: bounce.recipient, status: bounce.status, diagnostic: bounce.diagnostic }, { tenantId, aggregateType: 'email_message', aggregateId: ours ?? bounce.recipient });
  }

  private async storeAttachments(account: AccountCredentials, mail: ParsedEmail): Promise<Array<{ id: string; filename: string; contentType: string; size: number; storageKey: string }>> {
    const stored = [];
    for (const a of mail.attachments) {
      // Past the account's limit only the metadata is kept (an empty storage key: `omitted`);
      // the message itself is kept, readable, rather than quarantined for one large file.
      if (a.content.length > account.maxAttachmentBytes) {
        stored.push({ id: newId(), filename: a.filename.slice(0, 300), contentType: a.contentType.slice(0, 200), size: a.content.length, storageKey: '' });
        continue;
      }
      stored.push({ id: newId(), filename: a.filename.slice(0, 300), contentType: a.contentType.slice(0, 200), size: a.content.length, storageKey: await this.storage.put(account.tenantId, a.content) });
    }
    return stored;
  }

  private async storeMessage(trx: Knex.Transaction, actor: Actor, account: AccountCredentials, mail: ParsedEmail, attachments: Awaited<ReturnType<IngestService['storeAttachments']>>, flags: string[]): Promise<string | null> {
    const tenantId = account.tenantId;
    const from = mail.from ?? { address: '', name: '' };
    const at = Date.now();
    const customerEmails = async (customerId: string) => {
      const c = await this.ctx.customers.get(actor, customerId, trx).catch(() => null);
      return (c?.emails ?? []).map((e) => e.value.toLowerCase());
    };
    const match = await this.threads.resolve(trx, tenantId, { inReplyTo: mail.inReplyTo, references: mail.references, subject: mail.subject, from: from.address }, customerEmails);
    // An auto-reply never opens a conversation: outside a known thread it is only recorded as seen.
    if (!match.thread && flags.includes('auto_reply')) return null;
    if (match.unverified) flags.push('unverified_sender');
    // Customer: the thread's when the sender is one of its addresses, else by address.
    let customerId: string | null = null;
    const candidates = from.address ? await this.ctx.customers.findByContact(tenantId, { emails: [from.address] }, trx) : [];
    const ids = candidates.filter((c) => c.reasons.includes('email')).map((c) => c.customerId);
    if (match.thread?.customerId && ids.includes(match.thread.customerId)) customerId = match.thread.customerId;
    else if (ids.length === 1) customerId = ids[0] ?? null;
    else if (ids.length > 1) flags.push('ambiguous_customer');
    else if (match.thread?.customerId && !match.unverified) customerId = match.thread.customerId;
    else if (from.address && account.unknownSenders === 'customer' && !flags.includes('auto_reply') && !flags.includes('released')) {
      const created = await this.ctx.customers.create(actor, { kind: 'person', name: from.name || from.address, emails: [{ value: from.address }] }, trx);
      customerId = created.id;
    }
    const newThread = !match.thread;
    const thread = match.thread ?? (await this.threads.create(trx, tenantId, { subject: mail.subject, customerId, participants: [from.address, ...mail.to, ...mail.cc].filter(Boolean), flags: flags.filter((f) => f !== 'auto_reply'), at }));
    await this.threads.touch(trx, tenantId, thread, at, [from.address, ...mail.to, ...mail.cc].filter(Boolean), customerId);
    const id = newId();
    const messageId = mail.messageId ?? `${createHash('sha256').update(mail.parsed.headerLines.map((h) => h.line).join('\n')).digest('hex').slice(0, 32)}@peyvand.invalid`;
    await trx<MessageRow>(this.store.table('messages')).insert({
      id,
      tenant_id: tenantId,
      account_id: account.id,
      thread_id: thread.id,
      direction: 'in',
      status: 'received',
      message_id: messageId.slice(0, 998),
      message_key: messageKey(messageId),
      in_reply_to: mail.inReplyTo?.slice(0, 998) ?? null,
      references: JSON.stringify(mail.references),
      from_address: from.address.slice(0, 320),
      from_name: from.name.slice(0, 300),
      to: JSON.stringify(mail.to),
      cc: JSON.stringify(mail.cc),
      bcc: '[]',
      subject: mail.subject.slice(0, 998),
      text: mail.text,
      html: mail.html === null ? null : sanitizeEmailHtml(mail.html),
      customer_id: customerId,
      flags: JSON.stringify([...new Set(flags)]),
      attempts: 0,
      received_at: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.getTime() : at,
      created_at: at,
    });
    for (const a of attachments) {
      await trx<AttachmentRow>(this.store.table('attachments')).insert({ id: a.id, tenant_id: tenantId, message_id: id, filename: a.filename, content_type: a.contentType, size: a.size, storage_key: a.storageKey });
    }
    if (customerId) await this.ctx.timeline.add(actor, customerId, { channel: 'email', direction: 'inbound', summary: mail.subject || '—', occurredAt: new Date(at).toISOString() }, 'email', trx);
    await this.ctx.events.emit(trx, 'email.received', {
      id,
      accountId: account.id,
      threadId: thread.id,
      newThread,
      messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      customerId,
      from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      flags: [...new Set(flags)],
      receivedAt: new Date(at).toISOString(),
    }, { tenantId, aggregateType: 'email_thread', aggregateId: thread.id });
    return id;
  }
}
