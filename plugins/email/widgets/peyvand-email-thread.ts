/**
 * `<peyvand-email-thread thread-id="…">`: an email conversation, oldest message first, with
 * the server-sanitized HTML in a sandboxed frame (message-frame.ts; remote images only when
 * the reader asks), attachments to download, and a reply box with the company's templates
 * that sends the answer into the same conversation. The reply box is there only for a
 * reader whose `GET /me` lists `email.message.send`: a read-only user is not offered a form
 * the API would refuse. With `customer-id="…"` instead: the customer's conversations, most
 * recently active first and paged, each opening here with a way back to the list.
 *
 * @fires peyvand-email-sent - `{ threadId, id, messageId, to }` when the API queued a reply.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or sending fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart message - one message.
 * @csspart body - a message's body (the sandboxed frame, or the plain text).
 * @csspart attachments - a message's attachment list.
 * @csspart form - the reply box.
 * @csspart input - the template choice and the reply text.
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { ApiError, css, define, formatDateTime, formatNumber, html, icon, ltr, nothing, PeyvandElement, property, state, type Page, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { EmailAttachment, EmailMessage, EmailTemplate, EmailThread, EmailThreadSummary, Me, QueuedEmail, RenderedTemplate } from './api-types.js';
import { fitFrame, frameDocument, FRAME_SANDBOX, hasBlockedImages, showBlockedImages } from './message-frame.js';

/** Conversations per page of a customer's list. */
const PAGE_SIZE = 10;

/** Whom a reply goes to: the sender of the newest received message, else whom the thread was written to. */
function replyRecipients(messages: readonly EmailMessage[]): string[] {
  const received = [...messages].reverse().find((m) => m.direction === 'in');
  if (received) return [received.from];
  return messages[0]?.to ?? [];
}

/** `<peyvand-email-thread>`: one email conversation with a reply box (see the module doc). */
export class PeyvandEmailThread extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .messages { display: grid; gap: var(--_gap); margin: 0; padding: 0; list-style: none; }
      article { border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); padding: calc(var(--_gap) / 1.5); min-inline-size: 0; }
      article.out { background: var(--_chip-surface); }
      header { display: flex; flex-wrap: wrap; gap: 0.2em 0.6em; align-items: baseline; margin-block-end: 0.4em; }
      .from { font-weight: 600; }
      .meta { font-size: 0.875em; }
      iframe { display: block; inline-size: 100%; block-size: 4em; border: 0; background: #fff; }
      .text { white-space: pre-wrap; margin: 0; font: inherit; }
      .blocked { display: flex; flex-wrap: wrap; gap: 0.4em; align-items: center; font-size: 0.875em; margin-block-end: 0.4em; }
      .attachments { display: flex; flex-wrap: wrap; gap: 0.4em; margin: 0.5em 0 0; padding: 0; list-style: none; }
      .attachments button { display: inline-flex; gap: 0.3em; align-items: center; max-inline-size: 100%; }
      .attachments .name { overflow-wrap: anywhere; }
      form { display: grid; gap: calc(var(--_gap) / 2); margin-block-start: var(--_gap); }
      label { font-weight: 600; }
      .row { display: flex; flex-wrap: wrap; gap: calc(var(--_gap) / 2); align-items: center; justify-content: space-between; }
      .threads { display: grid; gap: calc(var(--_gap) / 2); margin: 0; padding: 0; list-style: none; }
      .threads button { display: grid; gap: 0.2em; justify-items: start; inline-size: 100%; text-align: start; }
      .threads .subject { font-weight: 600; overflow-wrap: anywhere; }
      .back { margin-block-end: calc(var(--_gap) / 2); }
      .more { margin-block-start: var(--_gap); display: flex; gap: var(--_gap); align-items: center; flex-wrap: wrap; }
    `,
  ];

  protected override readonly plugin = 'email';

  /** The conversation to show (`GET /api/v1/email/threads/{id}`). */
  @property({ attribute: 'thread-id' }) accessor threadId = '';
  /** Without `thread-id`: list this customer's conversations, each of which opens here. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';

  @state() private accessor thread: EmailThread | undefined;
  /** The customer's conversations loaded so far (customer-id mode), and the cursor of the next page. */
  @state() private accessor conversations: EmailThreadSummary[] = [];
  @state() private accessor cursor: string | null = null;
  @state() private accessor loadingMore = false;
  @state() private accessor moreProblem: ApiError | undefined;
  /** Whether the reader holds `email.message.send`: without it there is no reply box. */
  @state() private accessor canSend = false;
  @state() private accessor templates: EmailTemplate[] = [];
  /** Messages whose remote images the reader chose to load. */
  @state() private accessor imagesShown: ReadonlySet<string> = new Set();
  @state() private accessor draft = '';
  @state() private accessor sending = false;
  @state() private accessor sendProblem: ApiError | undefined;
  @state() private accessor announcement = '';
  /** A download that failed, shown under its message's attachments. */
  @state() private accessor downloadProblem: { messageId: string; error: ApiError } | undefined;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('threadId') || changed.has('customerId');
  }

  protected override reload(): void {
    if (!this.threadId && !this.customerId) return;
    void this.track(async (signal) => {
      const [canSend, thread, page] = await Promise.all([
        this.mayReply(signal),
        this.threadId ? this.api<EmailThread>(`email/threads/${encodeURIComponent(this.threadId)}`, { signal }) : undefined,
        this.threadId ? undefined : this.threadPage(null, signal),
      ]);
      this.templates = canSend ? await this.loadTemplates(signal) : [];
      this.canSend = canSend;
      this.thread = thread;
      this.conversations = page?.items ?? [];
      this.cursor = page?.nextCursor ?? null;
      this.moreProblem = undefined;
    });
  }

  /** Whether `GET /me` lists the send permission; a reader who may not even ask may not send. */
  private async mayReply(signal: AbortSignal): Promise<boolean> {
    try {
      return ((await this.api<Me>('me', { signal })).permissions ?? []).includes('email.message.send');
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return false;
      throw err;
    }
  }

  private threadPage(cursor: string | null, signal?: AbortSignal): Promise<Page<EmailThreadSummary>> {
    return this.api<Page<EmailThreadSummary>>('email/threads', { query: { customerId: this.customerId, limit: PAGE_SIZE, cursor: cursor ?? undefined }, signal });
  }

  private async loadMore(): Promise<void> {
    if (!this.cursor || this.loadingMore) return;
    this.loadingMore = true;
    this.moreProblem = undefined;
    try {
      const page = await this.threadPage(this.cursor);
      this.conversations = [...this.conversations, ...page.items];
      this.cursor = page.nextCursor;
    } catch (err) {
      this.moreProblem = this.reportError(err);
    } finally {
      this.loadingMore = false;
    }
  }

  /** Opens one of the customer's conversations; the list stays loaded for the way back. */
  private open(id: string): void {
    this.draft = '';
    this.sendProblem = undefined;
    void this.track(async (signal) => {
      this.thread = await this.api<EmailThread>(`email/threads/${encodeURIComponent(id)}`, { signal });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
    });
  }

  /** Back to the list, focus on the conversation that was open (first in the list if a reply made it the latest). */
  private async back(): Promise<void> {
    const open = this.thread;
    const id = open?.id;
    const listed = this.conversations.find((c) => c.id === id);
    if (open && listed && open.lastMessageAt !== listed.lastMessageAt) {
      const { messages: _messages, ...summary } = open;
      this.conversations = [summary, ...this.conversations.filter((c) => c !== listed)];
    }
    this.thread = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-thread="${CSS.escape(id ?? '')}"]`)?.focus();
  }

  /** The templates in the widget's language; a reader who may not list them just gets no choice. */
  private async loadTemplates(signal: AbortSignal): Promise<EmailTemplate[]> {
    try {
      return (await this.api<Page<EmailTemplate>>('email/templates', { query: { locale: this.locale }, signal })).items;
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return [];
      throw err;
    }
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // A new width reflows the messages: their frames are measured again.
    if (changed.has('inlineSize')) for (const frame of this.renderRoot.querySelectorAll('iframe')) fitFrame(frame);
  }

  /** Fills the reply with a template rendered by the API (the reader can still edit it). */
  private async useTemplate(event: Event): Promise<void> {
    const select = event.target as HTMLSelectElement;
    const id = select.value;
    if (!id) return;
    try {
      const rendered = await this.api<RenderedTemplate>(`email/templates/${encodeURIComponent(id)}/preview`, { method: 'POST', body: { data: {} } });
      this.draft = rendered.text.trim();
      this.sendProblem = undefined;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLTextAreaElement>('#reply')?.focus();
    } catch (err) {
      this.sendProblem = this.reportError(err);
    } finally {
      select.value = '';
    }
  }

  private async send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const thread = this.thread;
    const text = this.draft.trim();
    if (!thread || this.sending) return;
    if (!text) {
      this.sendProblem = new ApiError(422, 'BODY_MISSING', this.t('emailThread.replyEmpty'));
      return;
    }
    const last = thread.messages.at(-1);
    const to = replyRecipients(thread.messages);
    this.sending = true;
    this.sendProblem = undefined;
    try {
      const queued = await this.api<QueuedEmail>('email/messages', { method: 'POST', body: { to, threadId: thread.id, ...(last && { replyTo: last.id }), ...(thread.customerId && { customerId: thread.customerId }), text } });
      this.draft = '';
      this.announcement = this.t('emailThread.sent');
      this.emit('peyvand-email-sent', { threadId: queued.threadId, id: queued.id, messageId: queued.messageId, to });
      this.thread = await this.api<EmailThread>(`email/threads/${encodeURIComponent(thread.id)}`);
    } catch (err) {
      this.sendProblem = this.reportError(err);
    } finally {
      this.sending = false;
    }
  }

  /** Downloads an attachment with the reader's credential (a plain link would carry none). */
  private async download(message: EmailMessage, attachment: EmailAttachment): Promise<void> {
    this.downloadProblem = undefined;
    try {
      const blob = await this.api<Blob>(`email/messages/${encodeURIComponent(message.id)}/attachments/${encodeURIComponent(attachment.id)}`, { as: 'blob' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      this.downloadProblem = { messageId: message.id, error: this.reportError(err) };
    }
  }

  private frameLoaded(frame: HTMLIFrameElement, id: string): void {
    if (this.imagesShown.has(id)) showBlockedImages(frame);
    fitFrame(frame);
    // Images arriving later change the height: measured again as each one loads.
    for (const img of frame.contentDocument?.images ?? []) img.addEventListener('load', () => fitFrame(frame), { once: true });
  }

  private showImages(id: string): void {
    this.imagesShown = new Set([...this.imagesShown, id]);
  }

  private size(bytes: number): string {
    if (bytes < 1024) return this.t('emailThread.bytes', { size: formatNumber(bytes, this.locale) });
    if (bytes < 1024 * 1024) return this.t('emailThread.kilobytes', { size: formatNumber(Math.ceil(bytes / 1024), this.locale) });
    return this.t('emailThread.megabytes', { size: formatNumber(Math.round(bytes / 104_857.6) / 10, this.locale) });
  }

  protected override renderContent(): unknown {
    const heading = () => html`<h2>${this.t('emailThread.heading')}</h2>`;
    if (!this.threadId && !this.customerId) return html`${heading()}<p class="state error" part="state" role="alert">${icon('alert')}${this.t('emailThread.notConfigured')}</p>`;
    const status = this.renderStatus();
    if (status !== nothing) return html`${heading()}${status}`;
    const thread = this.thread;
    if (!thread && !this.threadId) return this.renderConversations();
    if (!thread) return heading();
    return html`
      ${this.threadId ? nothing : html`<button type="button" class="back" part="button" @click=${this.back}>${this.t('emailThread.back')}</button>`}
      <h2 tabindex="-1"><bdi>${thread.subject}</bdi></h2>
      <ol class="messages" aria-label=${this.t('emailThread.messages', { count: thread.messages.length, n: formatNumber(thread.messages.length, this.locale) })}>
        ${thread.messages.map((m) => html`<li>${this.renderMessage(m)}</li>`)}
      </ol>
      ${this.renderReply(thread)}
      <p class="visually-hidden" role="status">${this.announcement}</p>
    `;
  }

  private renderConversations(): unknown {
    const heading = html`<h2>${this.t('emailThread.conversations')}</h2>`;
    if (this.conversations.length === 0) return html`${heading}<p class="state notice" part="state" role="status">${icon('email')}${this.t('emailThread.empty')}</p>`;
    return html`${heading}
      <ul class="threads">
        ${this.conversations.map((c) => html`<li><button type="button" part="button" data-thread=${c.id} @click=${() => this.open(c.id)}>
          <bdi class="subject">${c.subject || this.t('emailThread.noSubject')}</bdi>
          <span class="meta muted">${c.lastMessageAt ? formatDateTime(c.lastMessageAt, this.locale) : ''}${c.messageCount !== undefined ? html` · ${this.t('emailThread.messages', { count: c.messageCount, n: formatNumber(c.messageCount, this.locale) })}` : nothing}</span>
        </button></li>`)}
      </ul>
      ${this.cursor || this.moreProblem
        ? html`<div class="more">
            ${this.cursor ? html`<button type="button" part="button" ?disabled=${this.loadingMore} @click=${this.loadMore}>${this.loadingMore ? this.t('common.loading') : this.t('common.showMore')}</button>` : nothing}
            ${this.moreProblem ? html`<span class="error-text" role="alert">${this.problemText(this.moreProblem)}</span>` : nothing}
          </div>`
        : nothing}`;
  }

  private renderMessage(m: EmailMessage): unknown {
    const when = m.receivedAt ?? m.sentAt ?? m.createdAt;
    const blocked = m.html !== null && hasBlockedImages(m.html) && !this.imagesShown.has(m.id);
    return html`<article class=${m.direction} part="message" aria-label=${this.t(m.direction === 'in' ? 'emailThread.received' : 'emailThread.written')}>
      <header>
        ${icon(m.direction === 'in' ? 'inbound' : 'outbound')}
        ${m.fromName ? html`<bdi class="from">${m.fromName}</bdi>` : nothing}
        ${ltr(m.from, m.fromName ? 'muted' : 'from')}
        ${when ? html`<span class="meta muted">${formatDateTime(when, this.locale)}</span>` : nothing}
        ${m.direction === 'out' ? html`<span class="chip">${this.t(`emailThread.status.${m.status}`)}</span>` : nothing}
      </header>
      <p class="meta muted">${this.t('emailThread.to')} ${m.to.map((a, i) => html`${i ? this.t('emailThread.separator') : ''}${ltr(a)}`)}</p>
      ${blocked ? html`<p class="blocked muted">${icon('lock')}<span>${this.t('emailThread.imagesBlocked')}</span>
        <button type="button" part="button" @click=${() => this.showImages(m.id)}>${this.t('emailThread.showImages')}</button></p>` : nothing}
      ${m.html !== null
        ? html`<iframe part="body" title=${this.t('emailThread.body')} sandbox=${FRAME_SANDBOX} referrerpolicy="no-referrer"
            .srcdoc=${frameDocument(m.html, this.imagesShown.has(m.id))} @load=${(e: Event) => this.frameLoaded(e.target as HTMLIFrameElement, m.id)}></iframe>`
        : html`<pre class="text" part="body" dir="auto">${m.text}</pre>`}
      ${m.attachments.length ? html`<ul class="attachments" part="attachments" aria-label=${this.t('emailThread.attachments')}>
        ${m.attachments.map((a) => html`<li>${a.omitted
          ? html`<span class="muted">${icon('note')}<bdi class="name">${a.filename}</bdi> (${this.t('emailThread.omitted')})</span>`
          : html`<button type="button" part="button" @click=${() => this.download(m, a)}>${icon('note')}<bdi class="name">${a.filename}</bdi><span class="muted">${this.size(a.size)}</span></button>`}</li>`)}
      </ul>` : nothing}
      ${this.downloadProblem?.messageId === m.id ? html`<p class="error-text" role="alert">${this.problemText(this.downloadProblem.error)}</p>` : nothing}
    </article>`;
  }

  private renderReply(thread: EmailThread): unknown {
    const to = replyRecipients(thread.messages);
    if (!this.canSend || to.length === 0) return nothing;
    return html`<form part="form" novalidate @submit=${this.send}>
      <h3>${this.t('emailThread.reply')}</h3>
      <p class="meta muted">${this.t('emailThread.to')} ${to.map((a) => ltr(a))}</p>
      ${this.templates.length ? html`<label for="template">${this.t('emailThread.template')}</label>
        <select id="template" part="input" @change=${this.useTemplate}>
          <option value="">${this.t('emailThread.chooseTemplate')}</option>
          ${this.templates.map((tpl) => html`<option value=${tpl.id}>${tpl.subject} (${tpl.key})</option>`)}
        </select>` : nothing}
      <label for="reply">${this.t('emailThread.replyLabel')}</label>
      <textarea id="reply" part="input" rows="5" dir="auto" maxlength="100000" .value=${this.draft}
        aria-invalid=${this.sendProblem?.code === 'BODY_MISSING' ? 'true' : 'false'} aria-describedby=${this.sendProblem ? 'send-problem' : nothing}
        @input=${(e: Event) => { this.draft = (e.target as HTMLTextAreaElement).value; }}></textarea>
      ${this.sendProblem ? html`<p id="send-problem" class="error-text" role="alert">${this.problemText(this.sendProblem)}</p>` : nothing}
      <div class="row"><button type="submit" class="primary" part="button" ?disabled=${this.sending}>${this.sending ? this.t('emailThread.sending') : this.t('emailThread.send')}</button></div>
    </form>`;
  }
}

define('peyvand-email-thread', PeyvandEmailThread);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-email-thread': PeyvandEmailThread;
  }
}
