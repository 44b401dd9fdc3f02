/**
 * `<peyvand-pareto>`: the 80/20 report as an SVG curve drawn by hand (no chart library) —
 * the cumulative share of revenue against the share of customers, best customers first,
 * beside the line of an even spread, with the share the top 20% bring marked and said in
 * words. The period is a Solar Hijri (Jalali) or Gregorian year by default (Solar Hijri
 * in Persian), or `from`/`to`. In right-to-left text the customer axis runs from the
 * right. Axis labels are 12px at any width: the chart is drawn at the widget's width.
 *
 * @fires peyvand-error - `{ widget, status, code, message }` when loading fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart chart - the SVG chart.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, define, formatNumber, html, PeyvandElement, property, state, svg, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { ParetoReport } from './api-types.js';
import { lastDayBefore, localDay } from './format.js';

type Calendar = 'persian' | 'gregorian';

/** Width before the widget is measured. */
const DEFAULT_WIDTH = 560;
const TOP = 14;
const BOTTOM = 46;
const AXIS = 46;
const END = 14;
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

export class PeyvandPareto extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      svg.chart { inline-size: 100%; block-size: auto; display: block; }
      .grid { stroke: var(--_border); }
      .axis-label, .axis-title { fill: var(--_text-muted); font-size: 12px; }
      .even { stroke: var(--_text-muted); stroke-dasharray: 4 4; fill: none; }
      .curve { stroke: var(--_primary); stroke-width: 2.5; fill: none; }
      .area { fill: var(--_primary); opacity: 0.1; }
      .marker { stroke: var(--_primary); stroke-dasharray: 3 3; }
      .dot { fill: var(--_primary); }
      .headline { margin: 0 0 0.3em; font-weight: 600; }
      .period { margin: 0 0 var(--_gap); }
    `,
  ];

  protected override readonly plugin = 'loyalty';

  /** First day `YYYY-MM-DD`; default the start of the current year in `calendar`. */
  @property() accessor from = '';
  /** Last day `YYYY-MM-DD`; default the end of that year. */
  @property() accessor to = '';
  /** `persian` (Solar Hijri) or `gregorian` year by default; default by language. */
  @property() accessor calendar: Calendar | '' = '';

  @state() private accessor report: ParetoReport | undefined;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || ['from', 'to', 'calendar'].some((p) => changed.has(p));
  }

  protected override reload(): void {
    const calendar = this.calendar || (this.locale === 'fa' ? 'persian' : 'gregorian');
    void this.track(async (signal) => {
      this.report = await this.api<ParetoReport>('loyalty/reports/pareto', { query: { from: this.from, to: this.to, calendar }, signal });
    });
  }

  private percent(share: number): string {
    return this.t('common.percent', { value: formatNumber(Math.round(share * 100), this.locale) });
  }

  protected override renderContent(): unknown {
    const report = this.report;
    return html`
      <h2 id="title">${this.t('pareto.title')}</h2>
      ${this.status !== 'ready' || !report ? this.renderStatus() : report.customers === 0 ? html`<p class="state notice" part="state">${this.t('pareto.empty')}</p>` : this.renderReport(report)}
    `;
  }

  private renderReport(report: ParetoReport): unknown {
    const headline = this.t('pareto.headline', { top: this.percent(report.topCustomersShare), share: this.percent(report.revenueShare) });
    return html`
      <p class="headline">${headline}</p>
      <p class="period muted">${this.t('pareto.period', { from: localDay(report.from, this.locale), to: lastDayBefore(report.to, this.locale), count: report.customers, customers: formatNumber(report.customers, this.locale) })}</p>
      <p class="muted legend">${this.t('pareto.axes')}</p>
      ${this.renderChart(report, headline)}
    `;
  }

  private renderChart(report: ParetoReport, headline: string): unknown {
    const rtl = this.isRtl();
    // The frame's padding and borders off the measured width; never narrower than a phone's.
    const width = this.inlineSize ? Math.max(this.inlineSize - 28, 260) : DEFAULT_WIDTH;
    const height = Math.round(Math.min(Math.max(width * 0.62, 220), 340));
    const plotWidth = width - AXIS - END;
    const plotHeight = height - TOP - BOTTOM;
    // Laid out left to right, then mirrored for right-to-left: the axis and 0% sit at the start.
    const x = (share: number) => (rtl ? width - (AXIS + share * plotWidth) : AXIS + share * plotWidth);
    const y = (share: number) => TOP + plotHeight - share * plotHeight;
    const points = [[0, 0] as [number, number], ...report.curve.filter(([cx, cy]) => !(cx === 0 && cy === 0))];
    const path = points.map(([cx, cy]) => `${x(cx).toFixed(1)},${y(cy).toFixed(1)}`).join(' ');
    const last = points[points.length - 1]!;
    const area = `${path} ${x(last[0]).toFixed(1)},${y(0).toFixed(1)}`;
    const mx = x(report.topCustomersShare);
    const my = y(report.revenueShare);
    return html`<svg class="chart" part="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc">
      <title id="chart-title">${this.t('pareto.title')}</title>
      <desc id="chart-desc">${headline} ${this.t('pareto.chartDescription')}</desc>
      ${TICKS.map((tick) => svg`
        <line class="grid" x1=${x(0)} x2=${x(1)} y1=${y(tick)} y2=${y(tick)} />
        <text class="axis-label y-label" x=${x(0) + (rtl ? 6 : -6)} y=${y(tick) + 4} text-anchor="end">${this.percent(tick)}</text>
        <text class="axis-label x-label" x=${x(tick)} y=${y(0) + 17} text-anchor="middle">${this.percent(tick)}</text>`)}
      <text class="axis-title" x=${x(0.5)} y=${height - 8} text-anchor="middle">${this.t('pareto.customerAxis')}</text>
      <line class="even" x1=${x(0)} y1=${y(0)} x2=${x(1)} y2=${y(1)} />
      <polygon class="area" points=${area} />
      <polyline class="curve" points=${path} />
      <line class="marker" x1=${mx} x2=${mx} y1=${y(0)} y2=${my} />
      <line class="marker" x1=${x(0)} x2=${mx} y1=${my} y2=${my} />
      <circle class="dot" cx=${mx} cy=${my} r="4.5"><title>${headline}</title></circle>
    </svg>`;
  }
}

define('peyvand-pareto', PeyvandPareto);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-pareto': PeyvandPareto;
  }
}
