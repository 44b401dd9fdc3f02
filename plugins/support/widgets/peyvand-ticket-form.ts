/**
 * `<peyvand-ticket-form customer-id="…">`: an agent opens a ticket for a customer —
 * subject, description, priority and queue. The API checks the input; its messages, in
 * the widget's language, appear under the fields (all at once). A ticket list on the same
 * page shows the new ticket at once (it follows `peyvand-ticket-created`).
 *
 * @fires peyvand-ticket-created - `{ ticket }` when the API accepted the ticket.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or sending fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart form - the form.
 * @csspart field - one label + control group.
 * @csspart button - a button.
 * @csspart state - the success / problem panel.
 */
import { ApiError, css, define, html, icon, nothing, PeyvandElement, property, state } from '../../../widgets/runtime/index.js';
import { TICKET_PRIORITIES, type Queue, type Ticket, type TicketChannel } from './api-types.js';

const FIELDS = ['subject', 'body', 'priority', 'queueId'] as const;
type Field = (typeof FIELDS)[number];

export class PeyvandTicketForm extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      form { display: grid; gap: var(--_gap); }
      .field { display: grid; gap: 0.2em; }
      .pair { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(12em, 100%), 1fr)); gap: var(--_gap); }
      label { font-weight: 600; }
      .required { color: var(--_text-muted); font-weight: normal; font-size: 0.875em; }
      .created { color: var(--_success); display: flex; gap: 0.4em; align-items: center; }
    `,
  ];

  protected override readonly plugin = 'support';

  /** The customer the ticket is for; without it the ticket has no customer yet (linked later). */
  @property({ attribute: 'customer-id' }) accessor customerId = '';
  /** How the customer reached the agent: `phone` (default), `email`, `web`, `chat` or `api`. */
  @property() accessor channel: TicketChannel = 'phone';

  /** The queues to choose from; undefined until first loaded. */
  @state() private accessor queues: Queue[] | undefined;
  @state() private accessor fieldErrors: Partial<Record<Field, string>> = {};
  @state() private accessor sending = false;
  @state() private accessor sendFailure: ApiError | undefined;
  @state() private accessor created: Ticket | undefined;
  /** The body the shown field errors are about: sent again to hear them in another language. */
  private refused: Record<string, unknown> | undefined;

  protected override reload(): void {
    void this.track(async (signal) => {
      this.queues = (await this.api<{ items: Queue[] }>('support/queues', { signal })).items;
      if (this.refused && Object.keys(this.fieldErrors).length) this.fieldErrors = await this.recheck(this.refused, signal);
    });
  }

  /**
   * The field errors of a refused body in the widget's (new) language. Sending it again
   * cannot open a ticket: it breaks the same schema rules, checked before anything is stored.
   */
  private async recheck(body: Record<string, unknown>, signal: AbortSignal): Promise<Partial<Record<Field, string>>> {
    try {
      await this.api<Ticket>('support/tickets', { method: 'POST', body, signal });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') return this.mapFieldErrors(err);
      if (!(err instanceof ApiError)) throw err;
    }
    // Asking again is a courtesy: an answer without field errors keeps those on screen.
    return this.fieldErrors;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.sending) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const value = (name: Field) => String(data.get(name) ?? '').trim();
    const body = {
      subject: value('subject') || undefined,
      body: value('body') || undefined,
      priority: value('priority'),
      queueId: value('queueId') || undefined,
      channel: this.channel,
      customerId: this.customerId || undefined,
    };
    this.sending = true;
    this.fieldErrors = {};
    this.refused = undefined;
    this.sendFailure = undefined;
    this.created = undefined;
    try {
      const ticket = await this.api<Ticket>('support/tickets', { method: 'POST', body });
      this.created = ticket;
      form.reset();
      this.emit('peyvand-ticket-created', { ticket });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#created')?.focus();
    } catch (err) {
      const error = this.reportError(err);
      const errors = this.mapFieldErrors(error);
      if (Object.keys(errors).length) {
        this.fieldErrors = errors;
        this.refused = body;
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      } else {
        this.sendFailure = error;
      }
    } finally {
      this.sending = false;
    }
  }

  /** The API's messages by field (`/subject`, …); the first one per field. */
  private mapFieldErrors(error: ApiError): Partial<Record<Field, string>> {
    const out: Partial<Record<Field, string>> = {};
    if (error.code !== 'VALIDATION_FAILED') return out;
    for (const { path, message } of error.fieldErrors) {
      const field = FIELDS.find((f) => path === `/${f}`);
      if (field && !out[field]) out[field] = message;
    }
    return out;
  }

  protected override renderContent(): unknown {
    const heading = html`<h2>${this.t('ticketForm.heading')}</h2>`;
    // Once shown, the form stays while it reloads (another language): what was typed is kept.
    if (!this.queues) return html`${heading}${this.renderStatus()}`;
    const queues = this.queues;
    const errors = Object.keys(this.fieldErrors).length;
    return html`
      ${heading}
      ${this.created
        ? html`<p id="created" class="created" part="state" role="status" tabindex="-1">${icon('check')}${this.t('ticketForm.created', { number: this.created.number })}</p>`
        : nothing}
      <form part="form" novalidate @submit=${this.submit}>
        ${errors ? html`<p class="error-text" role="alert">${this.t('ticketForm.fixErrors', { count: errors })}</p>` : nothing}
        ${this.renderField('subject', html`<input id="subject" name="subject" maxlength="300" dir="auto" aria-required="true" aria-invalid=${this.invalid('subject')} aria-describedby=${this.describedBy('subject')} />`)}
        ${this.renderField('body', html`<textarea id="body" name="body" rows="4" dir="auto" aria-required="true" aria-invalid=${this.invalid('body')} aria-describedby=${this.describedBy('body')}></textarea>`)}
        <div class="pair">
          ${this.renderField('priority', html`<select id="priority" name="priority" aria-invalid=${this.invalid('priority')} aria-describedby=${this.describedBy('priority')}>
            ${TICKET_PRIORITIES.map((p) => html`<option value=${p} ?selected=${p === 'normal'}>${this.t(`support.priority.${p}`)}</option>`)}
          </select>`)}
          ${this.renderField('queueId', html`<select id="queueId" name="queueId" aria-invalid=${this.invalid('queueId')} aria-describedby=${this.describedBy('queueId')}>
            <option value="">${this.t('ticketForm.noQueue')}</option>
            ${queues.map((q) => html`<option value=${q.id}>${q.name}</option>`)}
          </select>`)}
        </div>
        ${this.sendFailure ? this.renderProblem(this.sendFailure) : this.status instanceof ApiError ? this.renderProblem(this.status) : nothing}
        <div><button type="submit" class="primary" part="button" ?disabled=${this.sending}>${this.t(this.sending ? 'ticketForm.sending' : 'ticketForm.submit')}</button></div>
      </form>
    `;
  }

  /** A label, its control (with the field's name as id) and the API's message. */
  private renderField(field: Field, control: unknown): unknown {
    const error = this.fieldErrors[field];
    const required = field === 'subject' || field === 'body';
    return html`<div class="field" part="field">
      <label for=${field}>${this.t(`ticketForm.${field}`)}${required ? html` <span class="required">(${this.t('ticketForm.required')})</span>` : nothing}</label>
      ${control}
      ${error ? html`<span id="${field}-error" class="error-text">${error}</span>` : nothing}
    </div>`;
  }

  /** `aria-invalid` and `aria-describedby` of a control: the API's message about it, if any. */
  private invalid(field: Field): string {
    return this.fieldErrors[field] ? 'true' : 'false';
  }

  private describedBy(field: Field): string | typeof nothing {
    return this.fieldErrors[field] ? `${field}-error` : nothing;
  }
}

define('peyvand-ticket-form', PeyvandTicketForm);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-ticket-form': PeyvandTicketForm;
  }
}
