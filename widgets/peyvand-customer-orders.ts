/**
 * `<peyvand-customer-orders customer-id="…">`: the customer's recent orders from the ERP
 * with their delivery state, and the invoices still open (overdue ones marked). The
 * customer card shows it as its own section; a host page may place it alone. A user
 * without `core.order.read`/`core.invoice.read` sees nothing rather than an error.
 *
 * @fires peyvand-error - `{ widget, status, code, message }` when loading fails.
 * @csspart sections - the two sections (no frame of its own: it sits inside the card).
 * @csspart orders - the recent orders list.
 * @csspart invoices - the open invoices list.
 * @csspart state - the loading / problem panel.
 */
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from './runtime/api-client.js';
import type { ItemOf } from './runtime/api-types.js';
import { formatDateTime, formatMoney } from './runtime/format.js';
import { define, PeyvandElement } from './runtime/peyvand-element.js';

/** An order as `GET /orders` lists it (generated from the route's schema). */
type Order = ItemOf<'core.order.list'>;

/** An invoice as `GET /invoices` lists it (generated from the route's schema). */
type Invoice = ItemOf<'core.invoice.list'>;

const RECENT = 5;

export class PeyvandCustomerOrders extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .sections { margin-block-start: var(--_gap); }
      section + section { margin-block-start: var(--_gap); }
      h3 { font-size: 1em; margin: 0 0 0.4em; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.35em; }
      li { display: flex; flex-wrap: wrap; gap: 0.2em 0.8em; align-items: baseline; }
      .overdue { color: var(--_danger); font-weight: 600; }
    `,
  ];

  /** The customer whose documents to show. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';

  @state() private accessor orders: Order[] = [];
  @state() private accessor invoices: Invoice[] = [];
  /** False when the user may not read orders and invoices: the section stays out of the way. */
  @state() private accessor allowed = true;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('customerId');
  }

  protected override reload(): void {
    if (!this.customerId) {
      this.orders = [];
      this.invoices = [];
      this.status = 'idle';
      return;
    }
    const id = encodeURIComponent(this.customerId);
    void this.track(async (signal) => {
      try {
        const [orders, invoices] = await Promise.all([
          this.api<{ items: Order[] }>(`orders?customerId=${id}&limit=${RECENT}`, { signal }),
          this.api<{ items: Invoice[] }>(`invoices?customerId=${id}&limit=50`, { signal }),
        ]);
        this.allowed = true;
        this.orders = orders.items;
        this.invoices = invoices.items.filter((i) => i.status === 'issued' || i.status === 'overdue');
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 403) throw err;
        this.allowed = false;
      }
    });
  }

  /** Sections without the widgets' frame (and its `base` part): the card around it is the frame. */
  protected override render(): TemplateResult {
    return html`<div class="sections" part="sections" lang=${this.locale} dir=${this.isRtl() ? 'rtl' : 'ltr'} aria-busy=${this.status === 'loading' ? 'true' : 'false'}>${this.renderContent()}</div>`;
  }

  private money(amount: number, currency: string): string {
    return formatMoney(amount, currency, this.locale);
  }

  protected override renderContent(): unknown {
    if (!this.customerId || !this.allowed) return nothing;
    if (this.status !== 'ready') return this.renderStatus();
    return html`
      <section aria-labelledby="orders-title">
        <h3 id="orders-title">${this.t('orders.recent')}</h3>
        ${this.orders.length
          ? html`<ul part="orders">${this.orders.map((o) => html`<li>
              <bdi class="ltr">${o.number}</bdi>
              <span class="chip">${this.t(`orders.status.${o.status}`)}</span>
              <span>${this.money(o.total, o.currency)}</span>
              <span class="muted">${o.status === 'delivered' && o.deliveredAt ? this.t('orders.deliveredAt', { at: formatDateTime(o.deliveredAt, this.locale) }) : this.t('orders.placedAt', { at: formatDateTime(o.placedAt, this.locale) })}</span>
            </li>`)}</ul>`
          : html`<p class="muted">${this.t('orders.none')}</p>`}
      </section>
      <section aria-labelledby="invoices-title">
        <h3 id="invoices-title">${this.t('orders.openInvoices')}</h3>
        ${this.invoices.length
          ? html`<ul part="invoices">${this.invoices.map((i) => html`<li>
              <bdi class="ltr">${i.number}</bdi>
              <span>${this.money(i.amount, i.currency)}</span>
              <span class=${i.status === 'overdue' ? 'overdue' : 'muted'}>${this.t(i.status === 'overdue' ? 'orders.overdueSince' : 'orders.dueAt', { at: formatDateTime(i.dueAt, this.locale) })}</span>
            </li>`)}</ul>`
          : html`<p class="muted">${this.t('orders.noOpenInvoices')}</p>`}
      </section>
    `;
  }
}

define('peyvand-customer-orders', PeyvandCustomerOrders);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-customer-orders': PeyvandCustomerOrders;
  }
}
