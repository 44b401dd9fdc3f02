/**
 * `<peyvand-timeline customer-id="…">`: what happened with a customer, newest first, a
 * page at a time, with each channel's icon, the direction, and the date (Jalali with
 * Persian digits in fa); a note can be added at the top. Notes added by a
 * `<peyvand-customer-card>` on the same page appear here too.
 *
 * @fires peyvand-note-added - `{ customerId, entry }` after a note was saved here.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or saving fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart form - the note form.
 * @csspart list - the list of entries.
 * @csspart entry - one entry.
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApiError } from './runtime/api-client.js';
import { TIMELINE_CHANNELS, type Page, type TimelineEntry } from './runtime/api-types.js';
import type { NoteAddedDetail } from './runtime/events.js';
import { formatDateTime } from './runtime/format.js';
import { icon, type IconName } from './runtime/icons.js';
import { define, PeyvandElement } from './runtime/peyvand-element.js';

export class PeyvandTimeline extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      form { display: grid; gap: 0.4em; margin-block-end: var(--_gap); }
      label { font-weight: 600; }
      .row { display: flex; gap: 0.5em; align-items: center; }
      ol { list-style: none; margin: 0; padding: 0; }
      li { display: grid; grid-template-columns: auto 1fr; gap: 0.2em 0.6em; padding-block: 0.6em; border-block-start: 1px solid var(--_border); }
      li:focus-visible { outline-offset: -2px; }
      .channel { grid-row: span 2; display: grid; place-items: center; inline-size: 2em; block-size: 2em; border-radius: 50%; background: var(--_surface-alt); color: var(--_primary); }
      .meta { display: flex; gap: 0.6em; flex-wrap: wrap; font-size: 0.875em; }
      .summary { white-space: pre-line; overflow-wrap: anywhere; }
      .more { margin-block-start: var(--_gap); }
      .done { color: var(--_success); }
    `,
  ];

  /** The customer whose timeline to show. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';
  /** Entries per page (1–200). */
  @property({ type: Number, attribute: 'page-size' }) accessor pageSize = 10;

  @state() private accessor entries: TimelineEntry[] = [];
  @state() private accessor nextCursor: string | null = null;
  @state() private accessor loadingMore = false;
  @state() private accessor saving = false;
  @state() private accessor formError = '';
  @state() private accessor announcement = '';

  private readonly onNoteAdded = (event: Event): void => {
    const { customerId, entry } = (event as CustomEvent<NoteAddedDetail>).detail;
    if (event.composedPath()[0] === this || customerId !== this.customerId) return;
    if (!this.entries.some((e) => e.id === entry.id)) this.entries = [entry, ...this.entries];
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('peyvand-note-added', this.onNoteAdded);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('peyvand-note-added', this.onNoteAdded);
  }

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('customerId') || changed.has('pageSize');
  }

  private get limit(): number {
    return Math.min(Math.max(Math.trunc(this.pageSize) || 10, 1), 200);
  }

  protected override reload(): void {
    this.announcement = '';
    this.formError = '';
    if (!this.customerId) {
      this.entries = [];
      this.status = 'idle';
      return;
    }
    void this.track(async (signal) => {
      const page = await this.api<Page<TimelineEntry>>(`customers/${encodeURIComponent(this.customerId)}/timeline`, { query: { limit: this.limit }, signal });
      this.entries = page.items;
      this.nextCursor = page.nextCursor;
    });
  }

  protected override problemText(error: ApiError): string {
    return error.code === 'CUSTOMER_NOT_FOUND' ? this.t('timeline.notFound') : super.problemText(error);
  }

  private async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loadingMore) return;
    this.loadingMore = true;
    const firstNew = this.entries.length;
    try {
      const page = await this.api<Page<TimelineEntry>>(`customers/${encodeURIComponent(this.customerId)}/timeline`, { query: { limit: this.limit, cursor: this.nextCursor } });
      this.entries = [...this.entries, ...page.items];
      this.nextCursor = page.nextCursor;
      this.announcement = this.t('timeline.loadedMore', { count: page.items.length });
      // Keyboard users continue where the new entries start, not at the button that may vanish.
      await this.updateComplete;
      this.renderRoot.querySelectorAll<HTMLLIElement>('li')[firstNew]?.focus();
    } catch (err) {
      this.announcement = this.problemText(this.reportError(err));
    } finally {
      this.loadingMore = false;
    }
  }

  private async addNote(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const textarea = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea');
    const summary = textarea?.value.trim() ?? '';
    if (!summary || this.saving) return;
    this.saving = true;
    this.formError = '';
    try {
      const entry = await this.postNote(this.customerId, summary);
      this.entries = [entry, ...this.entries];
      if (textarea) textarea.value = '';
      this.announcement = this.t('timeline.noteAdded');
    } catch (err) {
      this.formError = this.problemText(this.reportError(err));
    } finally {
      this.saving = false;
    }
  }

  protected override renderContent(): unknown {
    if (!this.customerId) return html`<h2>${this.t('timeline.title')}</h2><p class="state notice" part="state">${this.t('timeline.noCustomer')}</p>`;
    if (this.status !== 'ready') return html`<h2>${this.t('timeline.title')}</h2>${this.renderStatus()}`;
    return html`
      <h2>${this.t('timeline.title')}</h2>
      <form part="form" @submit=${this.addNote}>
        <label for="note">${this.t('timeline.noteLabel')}</label>
        <textarea id="note" rows="2" required maxlength="5000" placeholder=${this.t('timeline.notePlaceholder')} aria-describedby="form-error"></textarea>
        <div class="row">
          <button type="submit" class="primary" part="button" ?disabled=${this.saving}>${this.saving ? this.t('timeline.saving') : this.t('timeline.saveNote')}</button>
          <span id="form-error" class="error-text" role="alert">${this.formError}</span>
        </div>
      </form>
      ${this.entries.length
        ? html`<ol part="list">${this.entries.map((entry) => this.renderEntry(entry))}</ol>`
        : html`<p class="state notice" part="state">${this.t('timeline.empty')}</p>`}
      ${this.nextCursor
        ? html`<button type="button" class="more" part="button" ?disabled=${this.loadingMore} @click=${this.loadMore}>${this.loadingMore ? this.t('common.loading') : this.t('common.showMore')}</button>`
        : nothing}
      <div class="visually-hidden done" role="status">${this.announcement}</div>
    `;
  }

  private renderEntry(entry: TimelineEntry): unknown {
    const known = (TIMELINE_CHANNELS as readonly string[]).includes(entry.channel);
    const channel = known ? this.t(`timeline.channels.${entry.channel}`) : entry.channel;
    return html`<li part="entry" tabindex="-1">
      <span class="channel" title=${channel}>${icon(known ? (entry.channel as IconName) : 'note')}</span>
      <div class="meta">
        <strong>${channel}</strong>
        ${entry.direction ? html`<span class="muted">${icon(entry.direction)} ${this.t(`timeline.${entry.direction}`)}</span>` : nothing}
        <time class="muted" datetime=${entry.occurredAt}>${formatDateTime(entry.occurredAt, this.locale)}</time>
      </div>
      <div class="summary" dir="auto">${entry.summary}</div>
    </li>`;
  }
}

define('peyvand-timeline', PeyvandTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-timeline': PeyvandTimeline;
  }
}
