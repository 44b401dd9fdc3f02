/**
 * Outbound mail: `queue` writes the message row (status `queued`) in the caller's
 * transaction — the durable queue is the messages table itself — and the sender loop
 * delivers due rows: claimed with a conditional UPDATE (one sender per row however many
 * nodes poll), sent through the account's SMTP server, retried with exponential backoff
 * on 4xx answers and connection failures, `failed` on 5xx or after the last attempt.
 * Delivered mail is appended to the account's Sent folder when IMAP is configured. A pass
 * keeps one SMTP connection and one IMAP session per account (`sender-session.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type MailComposerClass from 'nodemailer/lib/mail-composer';
import { backoffDelay, newId, systemActor, type Actor, type PluginContext } from '../../../core/plugin/index.js';
import { emailError } from '../errors.js';
import type { AccountService } from './accounts.js';
import { signDkim } from './dkim.js';
import type { MessageRow } from './rows.js';
import type { UnsubscribeService } from './unsubscribe.js';
import type { QueuedEmail, SendEmailInput } from './api.js';
import { messageKey, strings, type EmailStore } from './store.js';
import { htmlToText, wrapHtml, type TemplateService } from './templates.js';
import { ourMessageId, taggedSubject, type ThreadRecord, type ThreadService } from './threads.js';
import { SenderSession } from './sender-session.js';

const CLAIM_TIMEOUT_MS = 5 * 60_000;

/** Queueing and delivering outbound mail. */
export class OutboundService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: EmailStore,
    private readonly accounts: AccountService,
    private readonly threads: ThreadService,
    private readonly templates: TemplateService,
    private readonly unsubscribes: UnsubscribeService,
    private readonly options: { maxAttempts: number },
  ) {}

  /** Queues a message for a tenant (the exported `send`), in `trx` when given. */
  async queue(tenantId: string, input: SendEmailInput, trx?: Knex.Transaction, actor?: Actor): Promise<QueuedEmail> {
    if (!trx) return this.ctx.db.transaction((t) => this.queue(tenantId, input, t, actor));
    // Through `trx`: SQLite has one connection, held by the open transaction.
    const tenant = await this.store.tenant(trx, tenantId);
    const who = actor ?? systemActor(tenant, 'email', ['core.customer.read']);
    const accountId = input.accountId ?? (await this.accounts.defaultAccountId(tenantId, trx));
    const account = await this.accounts.credentials(tenantId, accountId, trx);
    // The answered message: `replyTo`, else the newest of `threadId`.
    let answered: MessageRow | undefined;
    if (input.replyTo) {
      answered = await this.store.rows(trx, 'messages', tenantId).where('id', input.replyTo).first();
      if (!answered) throw emailError('MESSAGE_NOT_FOUND', { id: input.replyTo });
    } else if (input.threadId) {
      if (!(await this.threads.byId(trx, tenantId, input.threadId))) throw emailError('THREAD_NOT_FOUND', { id: input.threadId });
      answered = await this.store.rows(trx, 'messages', tenantId).where('thread_id', input.threadId).orderBy('id', 'desc').first();
    }
    const existing = answered ? await this.threads.byId(trx, tenantId, answered.thread_id) : input.threadId ? await this.threads.byId(trx, tenantId, input.threadId) : null;
    let customerId = input.customerId ?? existing?.customerId ?? null;
    if (input.customerId) {
      await this.ctx.customers.get(who, input.customerId, trx).catch(() => {
        throw emailError('CUSTOMER_NOT_FOUND', { id: input.customerId });
      });
    } else if (!customerId) {
      const matches = await this.ctx.customers.findByContact(tenantId, { emails: input.to }, trx);
      if (matches.length === 1) customerId = matches[0]?.customerId ?? null;
    }
    let subject = input.subject;
    let html = input.html;
    let text = input.text;
    if (input.template) {
      // The locale asked for, else the customer's, else the tenant's (then en, then any: renderByKey).
      const customerLocale = customerId ? (await this.ctx.customers.get(who, customerId, trx).catch(() => null))?.locale : undefined;
      const rendered = await this.templates.renderByKey(trx, tenantId, input.template.key, input.template.locale ?? customerLocale ?? tenant.locale, input.template.data);
      subject ??= rendered.subject;
      html ??= rendered.html;
      text ??= rendered.text;
    } else if (html !== undefined) {
      html = /<html[\s>]/i.test(html) ? html : wrapHtml(html, tenant.locale);
    }
    if (html === undefined && text === undefined) throw emailError('BODY_MISSING');
    if (text === undefined && html !== undefined) text = htmlToText(html);
    if (subject === undefined && existing) subject = /^(re|aw|sv|پاسخ|رد)\s*:/i.test(existing.subject) ? existing.subject : `Re: ${existing.subject}`;
    if (subject === undefined || subject.trim() === '') throw emailError('SUBJECT_MISSING');
    const now = Date.now();
    const to = input.to.map((a) => a.trim().toLowerCase());
    const cc = (input.cc ?? []).map((a) => a.trim().toLowerCase());
    const marketing = input.category === 'marketing';
    if (marketing) {
      // One link names one recipient, so marketing mail goes to one address at a time.
      if (to.length !== 1 || cc.length || input.bcc?.length) throw emailError('MARKETING_ONE_RECIPIENT');
      const unsubscribed = await this.unsubscribes.firstUnsubscribed(trx, tenantId, to);
      if (unsubscribed) throw emailError('RECIPIENT_UNSUBSCRIBED', { address: unsubscribed }, [{ path: '/to/0', message: 'unsubscribed from marketing mail' }]);
    }
    const thread: ThreadRecord = existing ?? (await this.threads.create(trx, tenantId, { subject, customerId, participants: [account.address, ...to, ...cc], flags: [], at: now }));
    await this.threads.touch(trx, tenantId, thread, now, [account.address, ...to, ...cc], customerId);
    const messageId = ourMessageId(thread.token, account.address);
    const references = answered ? [...strings(answered.references), answered.message_id].slice(-20) : [];
    const id = newId();
    await trx<MessageRow>(this.store.table('messages')).insert({
      id,
      tenant_id: tenantId,
      account_id: account.id,
      thread_id: thread.id,
      direction: 'out',
      status: 'queued',
      message_id: messageId,
      message_key: messageKey(messageId),
      in_reply_to: answered ? answered.message_id : null,
      references: JSON.stringify(references),
      from_address: account.address,
      from_name: account.name,
      to: JSON.stringify(to),
      cc: JSON.stringify(cc),
      bcc: JSON.stringify((input.bcc ?? []).map((a) => a.trim().toLowerCase())),
      subject: taggedSubject(subject.replace(/[\r\n]+/g, ' ').trim(), thread.token).slice(0, 998),
      text: text ?? null,
      html: html ?? null,
      customer_id: customerId,
      flags: '[]',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      category: marketing ? 'marketing' : null,
      list_unsubscribe: marketing ? await this.unsubscribes.issue(trx, tenantId, id, to[0]!) : null,
    });
    return { id, messageId, threadId: thread.id, status: 'queued' };
  }

  /**
   * Delivers due messages; resolves true when more may be due. One pass reuses, per
   * account, one SMTP connection and one IMAP session (`SenderSession`), closed at its end.
   */
  async deliverDue(batch = 20): Promise<boolean> {
    const now = Date.now();
    const t = this.store.table('messages');
    const rows = await this.ctx.db.knex<MessageRow>(t).where('status', 'queued').where('next_attempt_at', '<=', now)
      .where((w) => w.whereNull('claim').orWhere('claimed_at', '<', now - CLAIM_TIMEOUT_MS))
      .orderBy('next_attempt_at').limit(batch).select('id', 'claim');
    const session = new SenderSession();
    try {
      for (const row of rows) {
        const claim = randomUUID();
        const q = this.ctx.db.knex<MessageRow>(t).where({ id: row.id, status: 'queued' });
        if (row.claim) q.where('claim', row.claim);
        else q.whereNull('claim');
        if ((await q.update({ claim, claimed_at: now })) !== 1) continue;
        await this.deliver(row.id, claim, session);
      }
    } finally {
      await session.close();
    }
    return rows.length === batch;
  }

  private async deliver(id: string, claim: string, session: SenderSession): Promise<void> {
    const t = this.store.table('messages');
    const row = await this.ctx.db.knex<MessageRow>(t).where({ id, claim }).first();
    if (!row) return;
    const tenantId = row.tenant_id;
    let account;
    try {
      // Read for every message, so a change to the account takes effect within a pass.
      account = await this.accounts.credentials(tenantId, row.account_id);
    } catch {
      return this.finish(row, 'failed', 'the sending account was deleted');
    }
    const to = strings(row.to);
    const cc = strings(row.cc);
    const bcc = strings(row.bcc);
    const { default: MailComposer } = (await import('nodemailer/lib/mail-composer')) as { default: typeof MailComposerClass };
    const composed = await new MailComposer({
      from: { name: account.name, address: account.address },
      to,
      cc,
      subject: row.subject,
      text: row.text ?? undefined,
      html: row.html ?? undefined,
      messageId: `<${row.message_id}>`,
      inReplyTo: row.in_reply_to ? `<${row.in_reply_to}>` : undefined,
      references: strings(row.references).map((r) => `<${r}>`),
      date: new Date(),
      headers: {
        'X-Peyvand-Message': id,
        // RFC 8058: the URL unsubscribes on a POST of `List-Unsubscribe=One-Click`; DKIM signs both headers.
        ...(row.list_unsubscribe && { 'List-Unsubscribe': `<${row.list_unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
      },
    }).compile().build();
    const raw = account.dkim ? await signDkim(composed, account.dkim) : composed;
    try {
      const info = await session.send(account, { from: account.address, to: [...to, ...cc, ...bcc] }, raw);
      await this.finish(row, 'sent', String(info.response ?? 'sent'));
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; message?: string };
      const response = String(e.response ?? e.message ?? err);
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      const attempts = row.attempts + 1;
      if (permanent || attempts >= this.options.maxAttempts) return this.finish(row, 'failed', response);
      // 30 s, 1 min, 2 min … capped at an hour, with jitter so a server's outage ends gently.
      const delay = backoffDelay(attempts, { baseMs: 30_000, maxMs: 3_600_000, jitter: 0.2 });
      await this.ctx.db.knex<MessageRow>(t).where({ id, claim }).update({ attempts, next_attempt_at: Date.now() + delay, claim: null, claimed_at: null, last_error: response.slice(0, 2000) });
      return;
    }
    const { imap } = account;
    if (imap) await session.appendToSent({ ...account, imap }, raw).catch((err: unknown) => this.ctx.logger.warn({ err, messageId: id }, 'could not append to the Sent folder'));
  }

  private async finish(row: MessageRow, status: 'sent' | 'failed', response: string): Promise<void> {
    const { tenant_id: tenantId, id } = row;
    await this.ctx.db.transaction(async (trx) => {
      const now = Date.now();
      const updated = await this.store.rows(trx, 'messages', tenantId).where({ id, claim: row.claim, status: 'queued' }).update({ status, sent_at: status === 'sent' ? now : null, attempts: row.attempts + 1, claim: null, last_error: status === 'failed' ? response.slice(0, 2000) : null });
      if (updated !== 1) return;
      const customerId = row.customer_id ? row.customer_id : null;
      const data = { id, accountId: row.account_id, threadId: row.thread_id, messageId: row.message_id, customerId, to: strings(row.to), response };
      await this.ctx.events.emit(trx, status === 'sent' ? 'email.sent' : 'email.failed', data, { tenantId, aggregateType: 'email_thread', aggregateId: row.thread_id });
      if (status === 'sent' && customerId) {
        const actor = systemActor(await this.store.tenant(trx, tenantId), 'email', ['core.customer.read']);
        await this.ctx.timeline.add(actor, customerId, { channel: 'email', direction: 'outbound', summary: row.subject, occurredAt: new Date(now).toISOString() }, 'email', trx).catch((err: unknown) => this.ctx.logger.warn({ err }, 'timeline entry skipped (customer gone)'));
      }
    });
  }
}
