/**
 * `<peyvand-lead-form form-key="wf_…">`: the public web-to-lead form of the sales
 * plugin, for a company's own website. No token: the form key names the tenant. The
 * API checks the input, and its messages (in the form's language, every field at once)
 * appear under the fields; when the language changes, the form asks the API again for
 * them. A form whose key is unknown, or whose company has no sales plugin, answers the
 * same way by design, so both show "not accepting requests".
 *
 * @slot heading - replaces the default heading.
 * @slot intro - replaces the default introduction.
 * @fires peyvand-lead-submitted - `{ formKey }` when the API accepted the request.
 * @fires peyvand-error - `{ widget, status, code, message }` when sending fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart form - the form.
 * @csspart field - one label + input group.
 * @csspart input - an input or textarea.
 * @csspart button - a button.
 * @csspart state - the success / unavailable / problem panel.
 */
import { ApiError, css, define, html, icon, nothing, PeyvandElement, property, state } from '../../../widgets/runtime/index.js';

const FIELDS = ['name', 'email', 'phone', 'company', 'message'] as const;
type Field = (typeof FIELDS)[number];
const INPUTS: Record<Field, { type: string; autocomplete: string; required?: boolean; multiline?: boolean; ltr?: boolean; max: number }> = {
  name: { type: 'text', autocomplete: 'name', required: true, max: 300 },
  email: { type: 'email', autocomplete: 'email', ltr: true, max: 320 },
  phone: { type: 'tel', autocomplete: 'tel', ltr: true, max: 64 },
  company: { type: 'text', autocomplete: 'organization', max: 300 },
  message: { type: 'text', autocomplete: 'off', multiline: true, max: 5000 },
};

export class PeyvandLeadForm extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      form { display: grid; gap: var(--_gap); }
      .field { display: grid; gap: 0.2em; }
      label { font-weight: 600; }
      .required { color: var(--_text-muted); font-weight: normal; font-size: 0.875em; }
      .hint { font-size: 0.875em; }
      .trap { position: absolute; inset-inline-start: -10000px; inline-size: 1px; block-size: 1px; overflow: hidden; }
      .success { color: var(--_success); display: grid; gap: var(--_gap); justify-items: start; }
      .success h3 { display: flex; gap: 0.4em; align-items: center; }
      input.ltr { text-align: start; }
    `,
  ];

  protected override readonly plugin = 'sales';

  /** The form's public key (`POST /api/v1/sales/web-forms` returns it). */
  @property({ attribute: 'form-key' }) accessor formKey = '';

  @state() private accessor sent = false;
  @state() private accessor unavailable = false;
  @state() private accessor fieldErrors: Partial<Record<Field | 'contact', string>> = {};
  /** The submission the shown field errors are about: sent again to hear them in another language. */
  private refused: Record<string, string> | undefined;
  /** Counts sends, so the answer to an older one never replaces a newer one's. */
  private sends = 0;

  protected override reload(): void {
    // The form is static until it is sent. Field errors on screen came from the API in the
    // old language: the same submission is asked about again. It cannot create a lead, as
    // the same body breaks the same rules (validation runs before anything is stored).
    if (this.refused && Object.keys(this.fieldErrors).length) void this.send(this.refused, 'recheck');
    else if (this.status !== 'loading') this.status = 'idle';
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.status === 'loading') return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const body: Record<string, string> = {};
    for (const name of [...FIELDS, 'website']) {
      const value = String(data.get(name) ?? '').trim();
      if (value) body[name] = value;
    }
    this.fieldErrors = {};
    this.refused = undefined;
    this.status = 'loading';
    await this.send(body, 'submit');
  }

  /** Sends the form: a submission by the user, or a refused one again for its messages in the current language. */
  private async send(body: Record<string, string>, purpose: 'submit' | 'recheck'): Promise<void> {
    const send = ++this.sends;
    const locale = this.locale;
    try {
      await this.api(`sales/web-leads/${encodeURIComponent(this.formKey)}`, { method: 'POST', body }, false);
      if (send !== this.sends) return;
      this.status = 'ready';
      this.sent = true;
      this.fieldErrors = {};
      this.refused = undefined;
      this.emit('peyvand-lead-submitted', { formKey: this.formKey });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#sent')?.focus();
    } catch (err) {
      if (send !== this.sends) return;
      const error = purpose === 'submit' ? this.reportError(err) : err instanceof ApiError ? err : undefined;
      if (error?.code === 'VALIDATION_FAILED' && error.fieldErrors.length) {
        this.status = 'idle';
        this.refused = body;
        this.fieldErrors = this.mapFieldErrors(error, body);
        // The language changed while the answer was on its way: ask again in the new one.
        if (this.locale !== locale) return this.send(body, 'recheck');
        if (purpose === 'recheck') return;
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
        return;
      }
      // Asking again is a courtesy: if that fails, the messages already shown stay.
      if (purpose === 'recheck' || !error) return;
      if (error.code === 'WEB_FORM_NOT_FOUND') {
        this.unavailable = true;
        this.status = 'ready';
        return;
      }
      this.status = error;
    }
  }

  /**
   * The API's messages by field. A problem at the root is the "email or phone" rule; the
   * "required" messages it brings for the two empty fields would say both are needed.
   */
  private mapFieldErrors(error: ApiError, sent: Record<string, string>): Partial<Record<Field | 'contact', string>> {
    const out: Partial<Record<Field | 'contact', string>> = {};
    const contactRule = error.fieldErrors.some((e) => e.path === '' || e.path === '/');
    if (contactRule) out.contact = this.t('leadForm.contactMissing');
    for (const { path, message } of error.fieldErrors) {
      const field = FIELDS.find((f) => path === `/${f}`);
      if (!field || out[field]) continue;
      if (contactRule && (field === 'email' || field === 'phone') && !sent[field]) continue;
      out[field] = message;
    }
    return out;
  }

  private async again(): Promise<void> {
    this.sent = false;
    this.status = 'idle';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#name')?.focus();
  }

  protected override renderContent(): unknown {
    const heading = html`<h2><slot name="heading">${this.t('leadForm.heading')}</slot></h2>`;
    if (!this.formKey) return html`${heading}<p class="state error" part="state" role="alert">${icon('alert')}${this.t('leadForm.notConfigured')}</p>`;
    if (this.unavailable) return html`${heading}<p class="state notice" part="state" role="status">${icon('lock')}${this.t('leadForm.unavailable')}</p>`;
    if (this.sent) {
      return html`${heading}<div class="success" part="state" role="status">
        <h3 id="sent" tabindex="-1">${icon('check')}${this.t('leadForm.success')}</h3>
        <button type="button" part="button" @click=${this.again}>${this.t('leadForm.sendAnother')}</button>
      </div>`;
    }
    const errors = Object.keys(this.fieldErrors).length;
    const sending = this.status === 'loading';
    return html`
      ${heading}
      <p class="muted"><slot name="intro">${this.t('leadForm.intro')}</slot></p>
      <form part="form" novalidate @submit=${this.submit}>
        ${errors ? html`<p class="error-text" role="alert">${this.t('leadForm.fixErrors', { count: errors })}</p>` : nothing}
        ${FIELDS.map((field) => this.renderField(field))}
        <p id="contact-hint" class=${this.fieldErrors.contact ? 'hint error-text' : 'hint muted'}>${this.fieldErrors.contact ?? this.t('leadForm.contactHint')}</p>
        <div class="trap" aria-hidden="true">
          <label for="website">${this.t('leadForm.honeypot')}</label>
          <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" />
        </div>
        ${this.status instanceof ApiError ? this.renderProblem(this.status) : nothing}
        <div><button type="submit" class="primary" part="button" ?disabled=${sending}>${sending ? this.t('leadForm.sending') : this.t('leadForm.submit')}</button></div>
      </form>
    `;
  }

  private renderField(field: Field): unknown {
    const spec = INPUTS[field];
    const error = this.fieldErrors[field];
    const contact = field === 'email' || field === 'phone';
    const invalid = Boolean(error) || (contact && Boolean(this.fieldErrors.contact));
    const described = [error ? `${field}-error` : '', contact ? 'contact-hint' : ''].filter(Boolean).join(' ');
    const attrs = { id: field, name: field, autocomplete: spec.autocomplete, maxlength: spec.max };
    return html`<div class="field" part="field">
      <label for=${attrs.id}>${this.t(`leadForm.${field}`)}${spec.required ? html` <span class="required">(${this.t('leadForm.required')})</span>` : nothing}</label>
      ${spec.multiline
        ? html`<textarea id=${attrs.id} name=${attrs.name} part="input" rows="3" maxlength=${attrs.maxlength} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${described || nothing}></textarea>`
        : html`<input id=${attrs.id} name=${attrs.name} part="input" type=${spec.type} class=${spec.ltr ? 'ltr' : ''} dir=${spec.ltr ? 'ltr' : nothing}
            autocomplete=${attrs.autocomplete} maxlength=${attrs.maxlength} ?required=${spec.required} aria-required=${spec.required ? 'true' : nothing}
            aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${described || nothing} />`}
      ${error ? html`<span id="${field}-error" class="error-text">${error}</span>` : nothing}
    </div>`;
  }
}

define('peyvand-lead-form', PeyvandLeadForm);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-lead-form': PeyvandLeadForm;
  }
}
