/**
 * `<peyvand-support-portal>`: the self-service support page of a company's customer,
 * signed in by the host ERP with a portal token (`roles: ["customer"]` and a `cust`
 * claim). Three views in one element: the customer's tickets (newest first, paged), one
 * ticket with its public thread and a reply form, and a form to open a new ticket. The
 * portal routes return only this customer's tickets and only their public messages, so
 * nothing here can show an internal note. A staff token is refused by those routes (the
 * "not allowed" notice).
 *
 * @fires peyvand-portal-ticket-created - `{ ticket }` when the customer opened a ticket.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or sending fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart list - the list of tickets.
 * @csspart ticket - one ticket in the list.
 * @csspart thread - a ticket's messages.
 * @csspart message - one message.
 * @csspart form - the reply or new-ticket form.
 * @csspart input - a field.
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, define, type ApiError, formatDateTime, html, nothing, PeyvandElement, property, state, type Page, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { PortalMessage, PortalTicket } from './portal-api-types.js';

type View = { kind: 'list' } | { kind: 'ticket'; id: string } | { kind: 'new' };

export class PeyvandSupportPortal extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .bar { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; justify-content: space-between; margin-block-end: var(--_gap); }
      .bar h2 { margin: 0; }
      ul, ol { list-style: none; margin: 0; padding: 0; }
      .ticket { display: grid; gap: 0.2em; inline-size: 100%; text-align: start; padding: 0.6em; margin-block-end: 0.4em; border-color: var(--_border); }
      .ticket .top { display: flex; flex-wrap: wrap; gap: 0.2em 0.6em; align-items: baseline; }
      .ticket .subject { font-weight: 600; }
      .meta { display: flex; flex-wrap: wrap; gap: 0.2em 0.8em; font-size: 0.875em; }
      .message { padding-block: 0.6em; border-block-start: 1px solid var(--_border); }
      .message.mine { padding-inline-start: 0.8em; border-inline-start: 3px solid var(--_primary); }
      .body { white-space: pre-line; margin: 0.2em 0 0; }
      form { display: grid; gap: 0.5em; margin-block-start: var(--_gap); }
      label { font-weight: 600; }
      .row { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; }
      .more { margin-block-start: 0.4em; }
    `,
  ];

  protected override readonly plugin = 'support';

  /** Tickets per page of the list (1–100). */
  @property({ type: Number, attribute: 'page-size' }) accessor pageSize = 20;

  @state() private accessor view: View = { kind: 'list' };
  @state() private accessor tickets: PortalTicket[] = [];
  @state() private accessor nextCursor: string | null = null;
  @state() private accessor ticket: PortalTicket | undefined;
  @state() private accessor sending = false;
  @state() private accessor loadingMore = false;
  @state() private accessor formError = '';
  @state() private accessor announcement = '';

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('pageSize');
  }

  protected override problemText(error: ApiError): string {
    // A 403 of its own: the sign-in is fine, but names no customer of this company.
    return error.code === 'PORTAL_CUSTOMER_UNKNOWN' ? this.t('portal.unknownCustomer') : super.problemText(error);
  }

  private get limit(): number {
    return Math.min(Math.max(Math.trunc(this.pageSize) || 20, 1), 100);
  }

  protected override reload(): void {
    void this.load();
  }

  /** Loads the current view; resolves when it shows (or shows its problem). */
  private async load(): Promise<void> {
    this.formError = '';
    const view = this.view;
    if (view.kind === 'new') {
      this.status = 'ready';
      return;
    }
    if (view.kind === 'ticket') {
      await this.track(async (signal) => {
        this.ticket = await this.api<PortalTicket>(`support/portal/tickets/${encodeURIComponent(view.id)}`, { signal });
      });
      return;
    }
    await this.track(async (signal) => {
      const page = await this.api<Page<PortalTicket>>('support/portal/tickets', { query: { limit: this.limit }, signal });
      this.tickets = page.items;
      this.nextCursor = page.nextCursor;
    });
  }

  /** Switches view and, once it has loaded, puts the focus on its heading (the button pressed is gone). */
  private async show(view: View): Promise<void> {
    this.view = view;
    this.announcement = '';
    await this.load();
    if (this.view === view) await this.focusHeading();
  }

  private async focusHeading(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  private async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loadingMore) return;
    this.loadingMore = true;
    try {
      const page = await this.api<Page<PortalTicket>>('support/portal/tickets', { query: { limit: this.limit, cursor: this.nextCursor } });
      this.tickets = [...this.tickets, ...page.items];
      this.nextCursor = page.nextCursor;
    } catch (err) {
      this.announcement = this.problemText(this.reportError(err));
    } finally {
      this.loadingMore = false;
    }
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const subject = String(data.get('subject') ?? '').trim();
    const body = String(data.get('body') ?? '').trim();
    if (!subject || !body) {
      this.formError = this.t('portal.required');
      return;
    }
    const ticket = await this.send<PortalTicket>('support/portal/tickets', { subject, body });
    if (!ticket) return;
    this.emit('peyvand-portal-ticket-created', { ticket });
    this.view = { kind: 'ticket', id: ticket.id };
    this.ticket = ticket;
    this.tickets = [ticket, ...this.tickets.filter((t) => t.id !== ticket.id)];
    this.status = 'ready';
    this.announcement = this.t('portal.created', { number: ticket.number });
    await this.focusHeading();
  }

  private async reply(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const ticket = this.ticket;
    const textarea = (event.target as HTMLFormElement).querySelector('textarea');
    const body = textarea?.value.trim() ?? '';
    if (!ticket || !body) {
      this.formError = body ? '' : this.t('portal.required');
      return;
    }
    const message = await this.send<PortalMessage>(`support/portal/tickets/${encodeURIComponent(ticket.id)}/messages`, { body });
    if (!message) return;
    if (textarea) textarea.value = '';
    this.ticket = { ...ticket, messages: [...(ticket.messages ?? []), message] };
    this.announcement = this.t('portal.replied');
    // An answer reopens a solved ticket: read its status again (the thread stays as shown).
    try {
      const fresh = await this.api<PortalTicket>(`support/portal/tickets/${encodeURIComponent(ticket.id)}`);
      if (this.view.kind === 'ticket' && this.view.id === fresh.id) this.ticket = fresh;
    } catch {
      // The reply is stored; a stale status until the next load is no reason to alarm anyone.
    }
  }

  /** POSTs a form; the refusal (in the widget's language) goes under the form. */
  private async send<T>(path: string, body: Record<string, string>): Promise<T | undefined> {
    if (this.sending) return undefined;
    this.sending = true;
    this.formError = '';
    try {
      return await this.api<T>(path, { method: 'POST', body });
    } catch (err) {
      const error = this.reportError(err);
      this.formError = error.fieldErrors[0]?.message ?? this.problemText(error);
      return undefined;
    } finally {
      this.sending = false;
    }
  }

  protected override renderContent(): unknown {
    const view = this.view;
    const content = view.kind === 'new' ? this.renderNew() : this.status !== 'ready' ? this.renderStatus() : view.kind === 'ticket' ? this.renderTicket() : this.renderList();
    return html`${view.kind === 'list' ? this.renderListBar() : nothing}${content}
      <div class="visually-hidden" role="status">${this.announcement}</div>`;
  }

  private renderListBar(): unknown {
    return html`<div class="bar">
      <h2 tabindex="-1">${this.t('portal.title')}</h2>
      <button type="button" class="primary" part="button" @click=${() => this.show({ kind: 'new' })}>${this.t('portal.newTicket')}</button>
    </div>`;
  }

  private renderBack(): unknown {
    return html`<button type="button" class="back" part="button" @click=${() => this.show({ kind: 'list' })}>${this.t('portal.back')}</button>`;
  }

  private renderList(): unknown {
    if (!this.tickets.length) return html`<p class="state notice" part="state">${this.t('portal.empty')}</p>`;
    return html`<ul part="list">${this.tickets.map((ticket) => html`<li>
        <button type="button" class="ticket" part="ticket" @click=${() => this.show({ kind: 'ticket', id: ticket.id })}>
          <span class="top"><span class="subject" dir="auto">${ticket.subject}</span><span class="chip">${this.t(`portal.status.${ticket.status}`)}</span></span>
          <span class="meta muted"><span>${this.t('portal.number', { number: ticket.number })}</span><span>${this.t('portal.updated', { date: formatDateTime(ticket.updatedAt, this.locale) })}</span></span>
        </button>
      </li>`)}</ul>
      ${this.nextCursor
        ? html`<button type="button" class="more" part="button" ?disabled=${this.loadingMore} @click=${this.loadMore}>${this.loadingMore ? this.t('common.loading') : this.t('common.showMore')}</button>`
        : nothing}`;
  }

  private renderTicket(): unknown {
    const ticket = this.ticket;
    if (!ticket) return nothing;
    const closed = ticket.status === 'closed';
    return html`
      <div class="bar">${this.renderBack()}</div>
      <h2 tabindex="-1" dir="auto">${ticket.subject}</h2>
      <p class="meta muted">
        <span>${this.t('portal.number', { number: ticket.number })}</span>
        <span class="chip">${this.t(`portal.status.${ticket.status}`)}</span>
        <span>${this.t('portal.opened', { date: formatDateTime(ticket.createdAt, this.locale) })}</span>
        ${ticket.csat ? html`<span>${this.t('portal.rated', { rating: ticket.csat.rating, of: 5 })}</span>` : nothing}
      </p>
      <h3>${this.t('portal.thread')}</h3>
      <ol part="thread">${(ticket.messages ?? []).map((m) => this.renderMessage(m))}</ol>
      ${closed
        ? html`<p class="state notice" part="state">${this.t('portal.closed')}</p>`
        : html`<form part="form" @submit=${this.reply}>
            <label for="reply">${this.t('portal.replyLabel')}</label>
            <textarea id="reply" part="input" rows="3" maxlength="100000" aria-describedby="form-error"></textarea>
            ${this.renderSubmit('portal.sendReply')}
          </form>`}
    `;
  }

  private renderMessage(message: PortalMessage): unknown {
    const mine = message.author.kind === 'customer';
    return html`<li class="message ${mine ? 'mine' : ''}" part="message">
      <div class="meta"><strong>${this.t(`portal.author.${message.author.kind}`)}</strong>
        <time class="muted" datetime=${message.createdAt}>${formatDateTime(message.createdAt, this.locale)}</time></div>
      <p class="body" dir="auto">${message.body}</p>
    </li>`;
  }

  private renderNew(): unknown {
    return html`
      <div class="bar">${this.renderBack()}</div>
      <h2 tabindex="-1">${this.t('portal.newTicket')}</h2>
      <form part="form" novalidate @submit=${this.create}>
        <label for="subject">${this.t('portal.subject')}</label>
        <input id="subject" name="subject" part="input" type="text" maxlength="300" required autocomplete="off" dir="auto" />
        <label for="body">${this.t('portal.body')}</label>
        <textarea id="body" name="body" part="input" rows="5" maxlength="100000" required dir="auto"></textarea>
        ${this.renderSubmit('portal.open')}
      </form>
    `;
  }

  private renderSubmit(label: string): unknown {
    return html`<div class="row">
      <button type="submit" class="primary" part="button" ?disabled=${this.sending}>${this.sending ? this.t('portal.sending') : this.t(label)}</button>
      <span id="form-error" class="error-text" role="alert">${this.formError}</span>
    </div>`;
  }
}

define('peyvand-support-portal', PeyvandSupportPortal);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-support-portal': PeyvandSupportPortal;
  }
}
