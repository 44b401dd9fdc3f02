/**
 * `<peyvand-ticket-list>`: support tickets, newest first, within the user's record scope,
 * filtered by status, queue and "assigned to me", with SLA badges on the tickets that are
 * breached or due soon (with the business time left). More come a page at a time with the
 * API's cursor. With `customer-id` it shows one customer's tickets. A ticket created or
 * changed by another support widget on the page reloads the list.
 *
 * @fires peyvand-ticket-selected - `{ ticket }` when a ticket is opened (click, or Enter).
 * @fires peyvand-error - `{ widget, status, code, message }` when loading fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart filters - the filter controls.
 * @csspart ticket - one ticket's row (a button).
 * @csspart badge - an SLA badge.
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, define, formatDateTime, html, nothing, PeyvandElement, property, state, type Page, type PropertyValues } from '../../../widgets/runtime/index.js';
import { TICKET_STATUSES, type Me, type Queue, type Ticket, type TicketStatus } from './api-types.js';
import { slaBadge, statusLabel, ticketPartStyles, urgentTarget } from './ticket-parts.js';

/** Tickets per page. */
const PAGE_SIZE = 25;

export class PeyvandTicketList extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    ticketPartStyles,
    css`
      .filters { display: flex; flex-wrap: wrap; gap: var(--_gap); align-items: end; margin-block-end: var(--_gap); }
      .filters label { display: grid; gap: 0.2em; font-size: 0.875em; min-inline-size: 9em; flex: 1 1 9em; }
      .filters label.check { display: flex; align-items: center; gap: 0.4em; flex: 0 0 auto; min-inline-size: 0; }
      .filters input[type='checkbox'] { inline-size: auto; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: calc(var(--_gap) / 2); }
      button.ticket { inline-size: 100%; text-align: start; display: grid; gap: 0.25em; padding: 0.5em 0.7em; background: var(--_surface); }
      .line { display: flex; flex-wrap: wrap; gap: 0.3em 0.6em; align-items: center; }
      .subject { font-weight: 600; }
      .more { margin-block-start: var(--_gap); display: flex; gap: var(--_gap); align-items: center; flex-wrap: wrap; }
    `,
  ];

  protected override readonly plugin = 'support';
  /** A ticket created or changed by a form or view of the same page shows at once. */
  protected static override readonly refreshOn = ['peyvand-ticket-created', 'peyvand-ticket-updated'] as const;

  /** Only this customer's tickets. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';
  @state() private accessor statusFilter: TicketStatus | '' = '';
  @state() private accessor queueFilter = '';
  @state() private accessor mine = false;
  @state() private accessor queues: Queue[] = [];
  @state() private accessor tickets: Ticket[] = [];
  @state() private accessor cursor: string | null = null;
  @state() private accessor loadingMore = false;
  @state() private accessor moreFailure = '';
  /** The user's subject (from `/me`), fetched the first time "mine" is ticked. */
  private me: string | undefined;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('customerId');
  }

  protected override reload(): void {
    this.moreFailure = '';
    void this.track(async (signal) => {
      const [queues, page] = await Promise.all([
        this.api<{ items: Queue[] }>('support/queues', { signal }),
        this.fetchPage(null, signal),
      ]);
      this.queues = queues.items;
      this.tickets = page.items;
      this.cursor = page.nextCursor;
    });
  }

  private async fetchPage(cursor: string | null, signal?: AbortSignal): Promise<Page<Ticket>> {
    if (this.mine && !this.me) this.me = (await this.api<Me>('me', { signal })).subject;
    const query = {
      limit: PAGE_SIZE,
      cursor: cursor ?? undefined,
      status: this.statusFilter || undefined,
      queueId: this.queueFilter || undefined,
      customerId: this.customerId || undefined,
      assigneeId: this.mine ? this.me : undefined,
    };
    return this.api<Page<Ticket>>('support/tickets', { query, signal });
  }

  private async loadMore(): Promise<void> {
    if (!this.cursor || this.loadingMore) return;
    this.loadingMore = true;
    this.moreFailure = '';
    try {
      const page = await this.fetchPage(this.cursor);
      this.tickets = [...this.tickets, ...page.items];
      this.cursor = page.nextCursor;
    } catch (err) {
      this.moreFailure = this.problemText(this.reportError(err));
    } finally {
      this.loadingMore = false;
    }
  }

  private queueName(id: string | undefined): string {
    return (id && this.queues.find((q) => q.id === id)?.name) || '';
  }

  protected override renderContent(): unknown {
    return html`
      <h2>${this.t('ticketList.heading')}</h2>
      ${this.renderFilters()}
      ${this.status === 'ready' ? this.renderTickets() : this.renderStatus()}
    `;
  }

  private renderFilters(): unknown {
    const onStatus = (e: Event) => ((this.statusFilter = (e.target as HTMLSelectElement).value as TicketStatus | ''), this.reload());
    const onQueue = (e: Event) => ((this.queueFilter = (e.target as HTMLSelectElement).value), this.reload());
    const onMine = (e: Event) => ((this.mine = (e.target as HTMLInputElement).checked), this.reload());
    return html`<div class="filters" part="filters">
      <label>${this.t('ticketList.status')}
        <select @change=${onStatus}>
          <option value="" ?selected=${!this.statusFilter}>${this.t('ticketList.anyStatus')}</option>
          ${TICKET_STATUSES.map((s) => html`<option value=${s} ?selected=${this.statusFilter === s}>${this.t(`support.status.${s}`)}</option>`)}
        </select>
      </label>
      <label>${this.t('ticketList.queue')}
        <select @change=${onQueue}>
          <option value="" ?selected=${!this.queueFilter}>${this.t('ticketList.anyQueue')}</option>
          ${this.queues.map((q) => html`<option value=${q.id} ?selected=${this.queueFilter === q.id}>${q.name}</option>`)}
        </select>
      </label>
      <label class="check"><input type="checkbox" .checked=${this.mine} @change=${onMine} />${this.t('ticketList.mine')}</label>
    </div>`;
  }

  private renderTickets(): unknown {
    if (!this.tickets.length) return html`<p class="state notice" part="state">${this.t(this.statusFilter || this.queueFilter || this.mine ? 'ticketList.noneMatch' : 'ticketList.empty')}</p>`;
    return html`
      <ul aria-label=${this.t('ticketList.heading')}>${this.tickets.map((ticket) => this.renderTicket(ticket))}</ul>
      ${this.cursor || this.moreFailure
        ? html`<div class="more">
            ${this.cursor ? html`<button type="button" part="button" ?disabled=${this.loadingMore} @click=${this.loadMore}>${this.loadingMore ? this.t('common.loading') : this.t('common.showMore')}</button>` : nothing}
            ${this.moreFailure ? html`<span class="error-text" role="alert">${this.moreFailure}</span>` : nothing}
          </div>`
        : nothing}
    `;
  }

  private renderTicket(ticket: Ticket): unknown {
    const urgent = urgentTarget(ticket);
    const queue = this.queueName(ticket.queueId);
    const t = this.t.bind(this);
    return html`<li><button type="button" class="ticket" part="ticket" data-ticket=${ticket.id} @click=${() => this.emit('peyvand-ticket-selected', { ticket })}>
      <span class="line"><span class="number">${this.t('support.number', { number: ticket.number })}</span><bdi class="subject">${ticket.subject}</bdi></span>
      <span class="line">
        ${statusLabel(t, ticket.status)}
        <span class="priority-${ticket.priority}">${this.t(`support.priority.${ticket.priority}`)}</span>
        ${queue ? html`<bdi class="muted">${queue}</bdi>` : nothing}
        ${urgent ? slaBadge(t, this.locale, urgent) : nothing}
        <span class="muted">${this.t('ticketList.updated', { time: formatDateTime(ticket.updatedAt, this.locale) })}</span>
      </span>
    </button></li>`;
  }
}

define('peyvand-ticket-list', PeyvandTicketList);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-ticket-list': PeyvandTicketList;
  }
}
