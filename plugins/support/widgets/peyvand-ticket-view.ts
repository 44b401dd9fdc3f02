/**
 * `<peyvand-ticket-view ticket-id="…">`: one support ticket for an agent — its SLA badges,
 * its status, priority and assignee (changed in place), and its thread, where public
 * replies and internal notes look different. Message bodies (email ones too) are the
 * API's plain text, rendered as text: never parsed as HTML. The reply box sends a public
 * reply or an internal note, and inserts a canned response rendered by the API for this
 * ticket.
 *
 * @fires peyvand-ticket-updated - `{ ticket, change }` after a reply, a note or a field change the API accepted.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or saving fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart fields - the status, priority and assignee controls.
 * @csspart message - one message of the thread.
 * @csspart badge - an SLA badge.
 * @csspart reply - the reply form.
 * @csspart button - a button.
 * @csspart state - the loading / problem panel.
 */
import { css, define, formatDateTime, html, icon, ltr, nothing, PeyvandElement, property, state, type ApiError, type PropertyValues } from '../../../widgets/runtime/index.js';
import { TICKET_PRIORITIES, TICKET_STATUSES, type CannedResponse, type Queue, type RenderedCanned, type Ticket, type TicketMessage } from './api-types.js';
import type { TicketUpdatedDetail } from './events.js';
import { slaBadge, ticketPartStyles } from './ticket-parts.js';

type Field = 'status' | 'priority' | 'assigneeId';

export class PeyvandTicketView extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    ticketPartStyles,
    css`
      header { display: grid; gap: 0.4em; margin-block-end: var(--_gap); }
      .badges { display: flex; flex-wrap: wrap; gap: 0.4em; }
      .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(11em, 100%), 1fr)); gap: var(--_gap); margin-block-end: var(--_gap); }
      .fields label { display: grid; gap: 0.2em; font-size: 0.875em; }
      ol { list-style: none; margin: 0 0 var(--_gap); padding: 0; display: grid; gap: calc(var(--_gap) / 2); }
      .message { border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); padding: 0.5em 0.7em; }
      .message.internal { background: #fffbea; border-style: dashed; border-color: #b7791f; }
      .meta { display: flex; flex-wrap: wrap; gap: 0.2em 0.6em; font-size: 0.875em; margin-block-end: 0.3em; }
      .note-tag { font-weight: 600; color: #7a4d00; }
      .body { white-space: pre-wrap; margin: 0; }
      form { display: grid; gap: calc(var(--_gap) / 2); }
      fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: var(--_gap); flex-wrap: wrap; }
      fieldset label { display: inline-flex; gap: 0.3em; align-items: center; }
      input[type='radio'] { inline-size: auto; }
      .canned { display: flex; gap: 0.5em; flex-wrap: wrap; align-items: end; }
      .canned label { flex: 1 1 12em; display: grid; gap: 0.2em; font-size: 0.875em; }
      textarea.internal { background: #fffbea; }
      .actions { display: flex; gap: var(--_gap); align-items: center; flex-wrap: wrap; }
      .message-line { display: flex; gap: 0.5em; align-items: center; }
    `,
  ];

  protected override readonly plugin = 'support';

  /** The ticket to show. */
  @property({ attribute: 'ticket-id' }) accessor ticketId = '';

  @state() private accessor ticket: Ticket | undefined;
  @state() private accessor messages: TicketMessage[] = [];
  @state() private accessor queues: Queue[] = [];
  @state() private accessor canned: CannedResponse[] = [];
  @state() private accessor visibility: 'public' | 'internal' = 'public';
  @state() private accessor draft = '';
  @state() private accessor busy = false;
  @state() private accessor failure = '';
  @state() private accessor announcement = '';

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('ticketId');
  }

  protected override willUpdate(changed: PropertyValues): void {
    // Another ticket: a half-written reply to the previous one must not be sent to this one.
    if (changed.has('ticketId')) {
      this.draft = '';
      this.visibility = 'public';
    }
    super.willUpdate(changed);
  }

  protected override reload(): void {
    this.failure = '';
    if (!this.ticketId) {
      this.ticket = undefined;
      this.status = 'idle';
      return;
    }
    const id = encodeURIComponent(this.ticketId);
    void this.track(async (signal) => {
      const [ticket, messages, queues, canned] = await Promise.all([
        this.api<Ticket>(`support/tickets/${id}`, { signal }),
        this.api<{ items: TicketMessage[] }>(`support/tickets/${id}/messages`, { signal }),
        this.api<{ items: Queue[] }>('support/queues', { signal }),
        // Someone who may read but not answer has no canned responses: the box hides them.
        this.api<{ items: CannedResponse[] }>('support/canned-responses', { query: { locale: this.locale }, signal }).catch(() => ({ items: [] })),
      ]);
      this.ticket = ticket;
      this.messages = messages.items;
      this.queues = queues.items;
      this.canned = canned.items;
    });
  }

  protected override problemText(error: ApiError): string {
    if (error.code === 'TICKET_NOT_FOUND') return this.t('ticketView.notFound');
    return super.problemText(error);
  }

  /** Runs a change; a refusal is shown above the thread with the API's reason. */
  private async save(work: () => Promise<Ticket>, change: TicketUpdatedDetail['change'], done: string): Promise<boolean> {
    this.busy = true;
    this.failure = '';
    try {
      const ticket = await work();
      this.ticket = ticket;
      this.announcement = done;
      this.emit('peyvand-ticket-updated', { ticket, change });
      return true;
    } catch (err) {
      this.failure = this.t('ticketView.saveFailed', { reason: this.problemText(this.reportError(err)) });
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async change(field: Field, select: HTMLSelectElement): Promise<void> {
    const ticket = this.ticket;
    const value = select.value;
    if (!ticket || (ticket[field] ?? '') === value) return;
    const body = { [field]: value || null };
    const label = field === 'assigneeId' ? (value || this.t('common.unassigned')) : this.t(`support.${field}.${value}`);
    const saved = await this.save(
      () => this.api<Ticket>(`support/tickets/${encodeURIComponent(ticket.id)}`, { method: 'PATCH', body }),
      field,
      this.t(`ticketView.changed.${field}`, { value: label }),
    );
    // Refused: the control shows the ticket's value again.
    if (!saved) select.value = ticket[field] ?? '';
  }

  private async send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const ticket = this.ticket;
    const body = this.draft.trim();
    if (!ticket || !body || this.busy) return;
    const visibility = this.visibility;
    const id = encodeURIComponent(ticket.id);
    const sent = await this.save(async () => {
      const message = await this.api<TicketMessage>(`support/tickets/${id}/messages`, { method: 'POST', body: { body, visibility } });
      this.messages = [...this.messages, message];
      // A reply moves the status and meets SLA targets: the ticket is read again. The
      // message is saved either way, so a failed read keeps the ticket as it was shown.
      return this.api<Ticket>(`support/tickets/${id}`).catch(() => ticket);
    }, visibility === 'public' ? 'reply' : 'note', this.t(visibility === 'public' ? 'ticketView.replySent' : 'ticketView.noteSaved'));
    if (sent) this.draft = '';
  }

  private async insertCanned(): Promise<void> {
    const select = this.renderRoot.querySelector<HTMLSelectElement>('#canned');
    const ticket = this.ticket;
    if (!select?.value || !ticket) return;
    this.failure = '';
    try {
      const rendered = await this.api<RenderedCanned>(`support/tickets/${encodeURIComponent(ticket.id)}/canned-responses/${encodeURIComponent(select.value)}/render`, { method: 'POST' });
      this.draft = this.draft.trim() ? `${this.draft.trimEnd()}\n\n${rendered.text}` : rendered.text;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLTextAreaElement>('#reply')?.focus();
    } catch (err) {
      this.failure = this.t('ticketView.cannedFailed', { reason: this.problemText(this.reportError(err)) });
    }
  }

  /** Who may take the ticket: its queue's members (all queues' without one), and whoever has it now. */
  private assignees(ticket: Ticket): string[] {
    const queue = this.queues.find((q) => q.id === ticket.queueId);
    const members = queue ? queue.members : this.queues.flatMap((q) => q.members);
    return [...new Set([...(ticket.assigneeId ? [ticket.assigneeId] : []), ...members])];
  }

  protected override renderContent(): unknown {
    if (!this.ticketId) return html`<p class="state notice" part="state">${this.t('ticketView.none')}</p>`;
    if (this.status !== 'ready' || !this.ticket) return this.renderStatus();
    const ticket = this.ticket;
    const t = this.t.bind(this);
    return html`
      <header>
        <h2><span class="number">${this.t('support.number', { number: ticket.number })}</span> <bdi>${ticket.subject}</bdi></h2>
        <div class="muted">${this.t('ticketView.opened', { time: formatDateTime(ticket.createdAt, this.locale), channel: this.t(`support.channel.${ticket.channel}`) })}</div>
        ${ticket.sla?.targets.length
          ? html`<div class="badges" aria-label=${this.t('ticketView.sla')} role="group">${ticket.sla.targets.map((target) => slaBadge(t, this.locale, target, true))}</div>`
          : nothing}
      </header>
      ${this.renderFields(ticket)}
      ${this.failure
        ? html`<div class="state error message-line" role="alert">${icon('alert')}<span>${this.failure}</span>
            <button type="button" @click=${() => (this.failure = '')}>${this.t('common.dismiss')}</button></div>`
        : nothing}
      <h3>${this.t('ticketView.thread')}</h3>
      <ol>${this.messages.map((message) => this.renderMessage(message))}</ol>
      ${this.renderReply()}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  private renderFields(ticket: Ticket): unknown {
    const select = (field: Field, values: readonly string[], label: (v: string) => unknown, empty?: string) => html`<label>${this.t(`ticketView.${field}`)}
      <select ?disabled=${this.busy} @change=${(e: Event) => void this.change(field, e.target as HTMLSelectElement)}>
        ${empty === undefined ? nothing : html`<option value="" ?selected=${!ticket[field]}>${empty}</option>`}
        ${values.map((v) => html`<option value=${v} ?selected=${ticket[field] === v}>${label(v)}</option>`)}
      </select></label>`;
    return html`<div class="fields" part="fields">
      ${select('status', TICKET_STATUSES, (s) => this.t(`support.status.${s}`))}
      ${select('priority', TICKET_PRIORITIES, (p) => this.t(`support.priority.${p}`))}
      ${select('assigneeId', this.assignees(ticket), (a) => a, this.t('common.unassigned'))}
    </div>`;
  }

  private renderMessage(message: TicketMessage): unknown {
    const internal = message.visibility === 'internal';
    const who = message.author.kind === 'agent' && message.author.id ? ltr(message.author.id) : this.t(`ticketView.author.${message.author.kind}`);
    return html`<li class="message ${message.visibility}" part="message" data-visibility=${message.visibility}>
      <div class="meta">
        ${internal ? html`<span class="note-tag">${icon('lock')} ${this.t('ticketView.internalNote')}</span>` : html`<span>${this.t('ticketView.publicMessage')}</span>`}
        <span>${who}</span>
        <span class="muted">${formatDateTime(message.createdAt, this.locale)}</span>
      </div>
      <p class="body" dir="auto">${message.body}</p>
    </li>`;
  }

  private renderReply(): unknown {
    const internal = this.visibility === 'internal';
    const pick = (v: 'public' | 'internal') => () => (this.visibility = v);
    return html`<form part="reply" @submit=${this.send}>
      <fieldset>
        <legend class="visually-hidden">${this.t('ticketView.kind')}</legend>
        <label><input type="radio" name="visibility" value="public" .checked=${!internal} @change=${pick('public')} />${this.t('ticketView.publicReply')}</label>
        <label><input type="radio" name="visibility" value="internal" .checked=${internal} @change=${pick('internal')} />${this.t('ticketView.internalNote')}</label>
      </fieldset>
      ${this.canned.length
        ? html`<div class="canned"><label for="canned">${this.t('ticketView.canned')}
              <select id="canned">${this.canned.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>
            <button type="button" part="button" @click=${this.insertCanned}>${this.t('ticketView.insert')}</button></div>`
        : nothing}
      <label for="reply">${this.t(internal ? 'ticketView.noteLabel' : 'ticketView.replyLabel')}</label>
      <textarea id="reply" rows="4" dir="auto" class=${internal ? 'internal' : ''} .value=${this.draft} @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}></textarea>
      <div class="actions">
        <button type="submit" class="primary" part="button" ?disabled=${this.busy || !this.draft.trim()}>${this.t(internal ? 'ticketView.saveNote' : 'ticketView.sendReply')}</button>
      </div>
    </form>`;
  }
}

define('peyvand-ticket-view', PeyvandTicketView);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-ticket-view': PeyvandTicketView;
  }
}
