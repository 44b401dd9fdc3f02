/**
 * `<peyvand-customer-card customer-id="…">`: a customer's contact data, tags, owner and
 * organization, with quick actions: call, email, and a note saved to the timeline.
 * Phone numbers and email addresses stay left-to-right inside Persian text.
 *
 * @fires peyvand-quick-action - `{ action: 'call' | 'email', customerId, value }`, cancelable: `preventDefault()` keeps the `tel:`/`mailto:` link from opening (to dial through the ERP's own phone system, say).
 * @fires peyvand-note-added - `{ customerId, entry }` after a note was saved.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or saving fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart header - name, kind and tags.
 * @csspart tag - one tag.
 * @csspart details - the contact data list.
 * @csspart actions - the quick actions.
 * @csspart action - one quick action (link or button).
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { toLatinDigits } from '../core/plugin/persian/digits.js';
import type { ApiError } from './runtime/api-client.js';
import type { Customer } from './runtime/api-types.js';
import { icon } from './runtime/icons.js';
import { define, PeyvandElement } from './runtime/peyvand-element.js';
import './peyvand-customer-orders.js';
import { isolateText, ltr } from './runtime/bidi.js';

export class PeyvandCustomerCard extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      header { display: flex; gap: 0.6em; align-items: flex-start; flex-wrap: wrap; }
      header .icon { inline-size: 2em; block-size: 2em; color: var(--_primary); }
      h2 { font-size: 1.25em; margin: 0; }
      .tags { display: flex; gap: 0.3em; flex-wrap: wrap; list-style: none; margin: 0.3em 0 0; padding: 0; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3em 1em; margin-block: var(--_gap); }
      dt { color: var(--_text-muted); }
      dd { margin: 0; }
      dd ul { list-style: none; margin: 0; padding: 0; }
      a { color: var(--_primary); }
      .actions { display: flex; gap: 0.5em; flex-wrap: wrap; }
      .actions a, .actions button { display: inline-flex; gap: 0.35em; align-items: center; text-decoration: none; }
      .actions a { border: 1px solid var(--_control-border); border-radius: calc(var(--_radius) - 2px); padding-block: 0.3em; padding-inline: 0.8em; color: var(--_text); }
      form { display: grid; gap: 0.5em; margin-block-start: var(--_gap); }
      .row { display: flex; gap: 0.5em; }
      .saved { color: var(--_success); }
      /* Narrow: each label above its values. */
      @container peyvand (inline-size < 24em) { dl { grid-template-columns: minmax(0, 1fr); gap: 0.1em; } dd { margin-block-end: 0.4em; } }
    `,
  ];

  /** The customer to show. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';

  @state() private accessor customer: Customer | undefined;
  @state() private accessor organizationName = '';
  @state() private accessor ownerName = '';
  @state() private accessor noteOpen = false;
  @state() private accessor noteSaving = false;
  @state() private accessor noteError = '';
  @state() private accessor announcement = '';

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('customerId');
  }

  protected override reload(): void {
    this.noteOpen = false;
    this.announcement = '';
    if (!this.customerId) {
      this.customer = undefined;
      this.status = 'idle';
      return;
    }
    void this.track(async (signal) => {
      const customer = await this.api<Customer>(`customers/${encodeURIComponent(this.customerId)}`, { signal });
      // The organization's name is a nicety: the card shows without it.
      const organization = customer.organizationId
        ? await this.api<Customer>(`customers/${encodeURIComponent(customer.organizationId)}`, { signal }).catch((err: unknown) => {
          if (signal.aborted) throw err;
          return undefined;
        })
        : undefined;
      // The owner's name from the people directory; without it the card names the kind of owner.
      const owner = customer.ownerId && !/^(system|apikey):/.test(customer.ownerId)
        ? await this.api<{ items: Array<{ id: string; name: string }> }>('people', { signal, query: { ids: customer.ownerId } }).catch((err: unknown) => {
          if (signal.aborted) throw err;
          return undefined;
        })
        : undefined;
      this.customer = customer;
      this.organizationName = organization?.name ?? '';
      this.ownerName = owner?.items[0]?.name ?? '';
    });
  }

  protected override problemText(error: ApiError): string {
    return error.code === 'CUSTOMER_NOT_FOUND' ? this.t('card.notFound') : super.problemText(error);
  }

  private quickAction(event: MouseEvent, action: 'call' | 'email', value: string): void {
    if (!this.emit('peyvand-quick-action', { action, customerId: this.customerId, value }, true)) event.preventDefault();
  }

  private async openNote(): Promise<void> {
    this.noteOpen = true;
    this.noteError = '';
    this.announcement = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus();
  }

  private async closeNote(): Promise<void> {
    this.noteOpen = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('#add-note')?.focus();
  }

  private async saveNote(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const textarea = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea');
    const summary = textarea?.value.trim() ?? '';
    if (!summary || this.noteSaving) return;
    this.noteSaving = true;
    this.noteError = '';
    try {
      await this.postNote(this.customerId, summary);
      this.announcement = this.t('card.noteSaved');
      await this.closeNote();
    } catch (err) {
      this.noteError = this.problemText(this.reportError(err));
    } finally {
      this.noteSaving = false;
    }
  }

  protected override renderContent(): unknown {
    const customer = this.customer;
    if (!this.customerId) return html`<p class="state notice" part="state">${icon('person')}<span>${this.t('card.empty')}</span></p>`;
    if (this.status !== 'ready' || !customer) return this.renderStatus();
    return html`
      <article aria-labelledby="name">
        <header part="header">
          ${icon(customer.kind === 'organization' ? 'organization' : 'person')}
          <div>
            <h2 id="name"><bdi>${customer.name}</bdi></h2>
            <span class="muted">${this.t(`kinds.${customer.kind}`)}</span>
            ${customer.tags.length
              ? html`<ul class="tags" aria-label=${this.t('card.tags')}>${customer.tags.map((tag) => html`<li class="chip" part="tag" dir="auto">${tag}</li>`)}</ul>`
              : nothing}
          </div>
        </header>
        ${this.renderDetails(customer)}
        ${this.renderActions(customer)}
        <div class="saved" role="status">${this.announcement}</div>
        <peyvand-customer-orders customer-id=${customer.id}></peyvand-customer-orders>
      </article>
    `;
  }

  private renderDetails(customer: Customer): unknown {
    const rows: Array<[string, unknown]> = [];
    if (customer.phones.length) rows.push([this.t('card.phones'), customer.phones.map((p) => html`<li>${ltr(p.value)}${p.label ? html` <span class="muted" dir="auto">(${this.contactLabel(p.label)})</span>` : nothing}</li>`)]);
    if (customer.emails.length) rows.push([this.t('card.emails'), customer.emails.map((e) => html`<li>${ltr(e.value)}${e.label ? html` <span class="muted" dir="auto">(${this.contactLabel(e.label)})</span>` : nothing}</li>`)]);
    if (customer.addresses.length) {
      rows.push([this.t('card.addresses'), customer.addresses.map((a) => html`<li>${[a.line1, a.line2, a.city, a.region].filter(Boolean).join('، ')}${a.postalCode ? html` ${ltr(a.postalCode)}` : nothing}</li>`)]);
    }
    if (this.organizationName) rows.push([this.t('card.memberOf'), html`<li><bdi>${this.organizationName}</bdi></li>`]);
    rows.push([this.t('card.owner'), html`<li>${customer.ownerId ? html`<bdi>${this.ownerLabel(customer.ownerId)}</bdi>` : html`<span class="muted">${this.t('common.unassigned')}</span>`}</li>`]);
    if (customer.externalRefs.length) rows.push([this.t('card.externalRefs'), customer.externalRefs.map((r) => html`<li>${ltr(`${r.source}: ${r.id}`)}</li>`)]);
    return html`
      ${customer.phones.length || customer.emails.length || customer.addresses.length ? nothing : html`<p class="muted">${this.t('card.noContact')}</p>`}
      <dl part="details">${rows.map(([label, items]) => html`<dt>${label}</dt><dd><ul>${items}</ul></dd>`)}</dl>
    `;
  }

  /**
   * Who owns the record, for a person to read: records written by Peyvand itself (the demo
   * seed, imports) or by an API key are owned by `system:…` / `apikey:…` principals, which
   * are not people — they are named as such, not shown as ids.
   */
  private ownerLabel(ownerId: string): string {
    if (this.ownerName) return this.ownerName;
    if (ownerId.startsWith('system:')) return this.t('card.systemOwner');
    if (ownerId.startsWith('apikey:')) return this.t('card.apiKeyOwner');
    return ownerId;
  }

  /** A contact's label in the reader's language when it is one of the usual ones (`mobile`, `work`…), else as entered. */
  private contactLabel(label: string): string {
    const key = `card.contactLabels.${label.toLowerCase()}`;
    const known = this.t(key);
    return known === key ? label : known;
  }

  // The shown sentence isolates the number or address (LRI … PDI, see runtime/bidi.ts); the
  // link's name is the same sentence without those invisible marks, which browsers keep in
  // the name computed from the content and which assistive technology has no use for.
  private renderActions(customer: Customer): unknown {
    const phone = customer.phones[0]?.value;
    const email = customer.emails[0]?.value;
    return html`
      <div class="actions" part="actions" role="group" aria-label=${this.t('card.actions')}>
        ${phone
          ? html`<a part="action" href="tel:${toLatinDigits(phone).replace(/[^\d+]/g, '')}" aria-label=${this.t('card.call', { number: phone })} @click=${(e: MouseEvent) => this.quickAction(e, 'call', phone)}>${icon('phone')}<span>${this.t('card.call', { number: isolateText(phone) })}</span></a>`
          : nothing}
        ${email
          ? html`<a part="action" href="mailto:${encodeURIComponent(email)}" aria-label=${this.t('card.email', { address: email })} @click=${(e: MouseEvent) => this.quickAction(e, 'email', email)}>${icon('email')}<span>${this.t('card.email', { address: isolateText(email) })}</span></a>`
          : nothing}
        <button id="add-note" type="button" part="action button" aria-expanded=${this.noteOpen ? 'true' : 'false'} aria-controls="note-form" @click=${() => (this.noteOpen ? this.closeNote() : this.openNote())}>
          ${icon('note')}<span>${this.t('card.addNote')}</span>
        </button>
      </div>
      ${this.noteOpen
        ? html`<form id="note-form" @submit=${this.saveNote} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.closeNote()}>
            <label for="note" class="visually-hidden">${this.t('card.noteLabel', { name: customer.name })}</label>
            <textarea id="note" rows="3" required maxlength="5000" aria-describedby="note-error"></textarea>
            <div id="note-error" role="alert" class="error-text">${this.noteError}</div>
            <div class="row">
              <button type="submit" class="primary" part="button" ?disabled=${this.noteSaving}>${this.noteSaving ? this.t('card.saving') : this.t('card.saveNote')}</button>
              <button type="button" part="button" @click=${() => this.closeNote()}>${this.t('common.cancel')}</button>
            </div>
          </form>`
        : nothing}
    `;
  }
}

define('peyvand-customer-card', PeyvandCustomerCard);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-customer-card': PeyvandCustomerCard;
  }
}
