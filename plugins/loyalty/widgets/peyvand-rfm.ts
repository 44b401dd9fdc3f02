/**
 * `<peyvand-rfm>`: the tenant's paying customers by RFM segment (recency, frequency and
 * monetary quintiles, as the API computes them as of a day) — a grid of segments, each
 * with its customers, their share and their revenue; the busier a segment, the stronger
 * its tint. Needs `loyalty.report.read`.
 *
 * @fires peyvand-error - `{ widget, status, code, message }` when loading fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart segment - one segment's tile.
 * @csspart state - the loading / empty / problem panel.
 */
import { ApiError, css, define, formatMoney, formatNumber, html, PeyvandElement, property, state, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { ProgramTiers, RfmReport } from './api-types.js';
import { lastDayBefore } from './format.js';

export class PeyvandRfm extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .grid { list-style: none; margin: 0; padding: 0; display: grid; gap: calc(var(--_gap) / 2); grid-template-columns: repeat(auto-fill, minmax(min(100%, 10rem), 1fr)); }
      .segment { border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); padding: 0.5em 0.7em; position: relative; overflow: hidden; display: flex; flex-direction: column; gap: 0.15em; }
      .tint { position: absolute; inset: 0; background: var(--_primary); pointer-events: none; }
      .segment > :not(.tint) { position: relative; }
      .name { font-weight: 600; }
      .count { font-size: 1.35em; font-weight: 600; font-variant-numeric: tabular-nums; }
      .segment.empty { color: var(--_text-muted); }
      .summary { margin: 0 0 var(--_gap); }
    `,
  ];

  protected override readonly plugin = 'loyalty';

  /** The day `YYYY-MM-DD` the scores are computed for; default today (in the company's time zone). */
  @property({ attribute: 'as-of' }) accessor asOf = '';
  /** Show IRR revenue in toman. */
  @property({ type: Boolean }) accessor toman = false;

  @state() private accessor report: RfmReport | undefined;
  /** The program's currency, for revenue; empty when the program cannot be read (plain numbers then). */
  @state() private accessor currency = '';

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('asOf');
  }

  protected override reload(): void {
    void this.track(async (signal) => {
      const [report, program] = await Promise.all([
        this.api<RfmReport>('loyalty/reports/rfm', { query: { asOf: this.asOf }, signal }),
        // A report reader may lack loyalty.account.read, and a tenant may have no program yet.
        this.api<ProgramTiers>('loyalty/program', { signal }).catch((err: unknown) => {
          if (err instanceof ApiError && err.status !== 0) return undefined;
          throw err;
        }),
      ]);
      this.report = report;
      this.currency = program?.currency ?? '';
    });
  }

  private revenue(amount: number): string {
    return this.currency ? formatMoney(amount, this.currency, this.locale, { toman: this.toman }) : formatNumber(amount, this.locale);
  }

  protected override renderContent(): unknown {
    const report = this.report;
    return html`
      <h2>${this.t('rfm.title')}</h2>
      ${this.status !== 'ready' || !report ? this.renderStatus() : report.customers === 0 ? html`<p class="state notice" part="state">${this.t('rfm.empty')}</p>` : this.renderGrid(report)}
    `;
  }

  private renderGrid(report: RfmReport): unknown {
    const most = Math.max(...report.segments.map((s) => s.count), 1);
    return html`
      <p class="summary muted">${this.t('rfm.summary', { count: report.customers, customers: formatNumber(report.customers, this.locale), date: lastDayBefore(report.asOf, this.locale) })}</p>
      <ul class="grid">${report.segments.map((segment) => {
        const share = Math.round((segment.count / report.customers) * 100);
        return html`<li class="segment ${segment.count === 0 ? 'empty' : ''}" part="segment" data-segment=${segment.key}>
          <span class="tint" style="opacity: ${((segment.count / most) * 0.22).toFixed(3)}"></span>
          <span class="name">${segment.name}</span>
          <span class="count">${this.t('rfm.customers', { count: segment.count, customers: formatNumber(segment.count, this.locale) })}</span>
          <span class="muted">${this.t('rfm.share', { share: this.t('common.percent', { value: formatNumber(share, this.locale) }) })}</span>
          <span class="muted">${this.revenue(segment.revenue)}</span>
        </li>`;
      })}</ul>
    `;
  }
}

define('peyvand-rfm', PeyvandRfm);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-rfm': PeyvandRfm;
  }
}
