/**
 * `<peyvand-customer-search>`: type-ahead search of the tenant's customers. The API's
 * search is Persian-aware (Arabic or Persian yeh and kaf, ZWNJ, any digits), so «علي»
 * finds «علی». A combobox (ARIA 1.2): arrow keys move through the results, Enter picks,
 * Escape closes; the number of results is announced.
 *
 * @fires peyvand-customer-selected - `{ customer }` when a result is picked.
 * @fires peyvand-error - `{ widget, status, code, message }` when the search fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart input - the search field.
 * @csspart listbox - the list of results.
 * @csspart option - one result.
 * @csspart state - the loading / problem panel.
 */
import { css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Customer, Page } from './runtime/api-types.js';
import { icon } from './runtime/icons.js';
import { ltr } from './runtime/bidi.js';
import { define, PeyvandElement } from './runtime/peyvand-element.js';

/** How long typing must pause before a search is sent. */
const DEBOUNCE_MS = 200;

export class PeyvandCustomerSearch extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .field { position: relative; }
      .field .icon { position: absolute; inset-block-start: 0.6em; inset-inline-start: 0.6em; color: var(--_text-muted); }
      input { padding-inline-start: 2.1em; }
      label { display: block; font-weight: 600; margin-block-end: 0.25em; }
      [role='listbox'] {
        list-style: none; margin: 0; margin-block-start: 4px; padding: 4px;
        border: 1px solid var(--_control-border); border-radius: calc(var(--_radius) - 2px);
        max-block-size: 20em; overflow-y: auto; background: var(--_surface);
      }
      [role='option'] { display: flex; gap: 0.5em; align-items: center; padding: 0.4em 0.5em; border-radius: 4px; cursor: pointer; }
      [role='option'][aria-selected='true'] { background: var(--_primary); color: var(--_on-primary); }
      [role='option'][aria-selected='true'] .muted { color: inherit; }
      .name { font-weight: 600; }
      .secondary { margin-inline-start: auto; font-size: 0.875em; }
      .empty { padding: 0.5em; }
    `,
  ];

  /** Results to show (1–50). */
  @property({ type: Number }) accessor limit = 8;
  /** Placeholder of the field; default a localized hint. */
  @property() accessor placeholder = '';

  @state() private accessor query = '';
  @state() private accessor results: Customer[] = [];
  @state() private accessor open = false;
  @state() private accessor active = -1;
  /** The query the shown results belong to. */
  @state() private accessor answered = '';
  private timer: ReturnType<typeof setTimeout> | undefined;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('limit');
  }

  protected override reload(): void {
    if (this.query.trim()) void this.search();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  private async search(): Promise<void> {
    const q = this.query.trim();
    const page = await this.track((signal) => this.api<Page<Customer>>('customers', { query: { q, limit: Math.min(Math.max(this.limit, 1), 50) }, signal }));
    if (!page) return;
    this.results = page.items;
    this.answered = q;
    this.active = page.items.length ? 0 : -1;
    this.open = true;
  }

  private onInput(event: InputEvent): void {
    this.query = (event.target as HTMLInputElement).value;
    clearTimeout(this.timer);
    if (!this.query.trim()) {
      this.close();
      this.status = 'idle';
      return;
    }
    this.timer = setTimeout(() => void this.search(), DEBOUNCE_MS);
  }

  private onKeydown(event: KeyboardEvent): void {
    const count = this.results.length;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        if (!this.open) {
          if (this.answered) this.open = true;
          return;
        }
        if (!count) return;
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.active = (this.active + step + count) % count;
        this.scrollActiveIntoView();
        return;
      }
      case 'Home':
      case 'End':
        if (this.open && count) {
          event.preventDefault();
          this.active = event.key === 'Home' ? 0 : count - 1;
          this.scrollActiveIntoView();
        }
        return;
      case 'Enter': {
        const chosen = this.open ? this.results[this.active] : undefined;
        if (chosen) {
          event.preventDefault();
          this.select(chosen);
        }
        return;
      }
      case 'Escape':
        if (this.open) {
          event.preventDefault();
          this.close();
        } else if (this.query) {
          event.preventDefault();
          this.query = '';
          this.status = 'idle';
        }
        return;
    }
  }

  private scrollActiveIntoView(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector(`#option-${this.active}`)?.scrollIntoView({ block: 'nearest' }));
  }

  private select(customer: Customer): void {
    this.query = customer.name;
    this.close();
    this.emit('peyvand-customer-selected', { customer });
  }

  private close(): void {
    this.open = false;
    this.active = -1;
  }

  protected override renderContent(): unknown {
    const expanded = this.open && this.answered !== '';
    const activeId = expanded && this.active >= 0 ? `option-${this.active}` : undefined;
    return html`
      <label for="q">${this.t('search.label')}</label>
      <div class="field">
        ${icon('search')}
        <input id="q" part="input" type="search" autocomplete="off" spellcheck="false"
          role="combobox" aria-autocomplete="list" aria-expanded=${expanded ? 'true' : 'false'} aria-controls="results"
          aria-activedescendant=${activeId ?? nothing}
          placeholder=${this.placeholder || this.t('search.placeholder')}
          .value=${this.query} @input=${this.onInput} @keydown=${this.onKeydown} @blur=${() => this.close()} />
      </div>
      <ul id="results" part="listbox" role="listbox" aria-label=${this.t('search.results')} ?hidden=${!expanded || this.results.length === 0}>
        ${this.results.map((c, i) => this.renderOption(c, i))}
      </ul>
      ${expanded && this.results.length === 0 ? html`<p class="empty muted" part="state">${this.t('search.noResults', { query: this.answered })}</p>` : nothing}
      <div class="visually-hidden" role="status">${this.answered && this.status === 'ready' ? (this.results.length ? this.t('search.found', { count: this.results.length }) : this.t('search.noResults', { query: this.answered })) : ''}</div>
      ${this.renderStatus()}
    `;
  }

  private renderOption(customer: Customer, index: number): unknown {
    const secondary = customer.phones[0]?.value ?? customer.emails[0]?.value;
    return html`<li id="option-${index}" part="option" role="option" aria-selected=${index === this.active ? 'true' : 'false'}
      @mousedown=${(e: MouseEvent) => e.preventDefault()} @click=${() => this.select(customer)} @mousemove=${() => (this.active = index)}>
      ${icon(customer.kind === 'organization' ? 'organization' : 'person')}
      <bdi class="name">${customer.name}</bdi>
      <span class="visually-hidden">${this.t(`kinds.${customer.kind}`)}</span>
      ${secondary ? ltr(secondary, 'secondary muted') : nothing}
    </li>`;
  }
}

define('peyvand-customer-search', PeyvandCustomerSearch);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-customer-search': PeyvandCustomerSearch;
  }
}
