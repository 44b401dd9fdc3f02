/**
 * `<peyvand-forecast>`: the weighted sales forecast as an SVG bar chart, by month or
 * quarter of the Solar Hijri (Jalali) or Gregorian calendar — Solar Hijri by default in
 * Persian. Periods are cut by the API in the company's time zone and labelled in the
 * widget's language. In right-to-left text time runs from right to left. The same
 * figures are available as a table.
 *
 * @fires peyvand-error - `{ widget, status, code, message }` when loading fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart controls - the period and calendar choices.
 * @csspart chart - the SVG chart.
 * @csspart table - the table of figures.
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, define, formatCompact, formatMoney, formatNumber, html, nothing, PeyvandElement, property, state, svg, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { Forecast } from './api-types.js';

type Period = 'month' | 'quarter';
type Calendar = 'persian' | 'gregorian';

/** Width of the chart before the widget is measured; after, the chart is drawn at the widget's width so 11px labels stay 11px. */
const DEFAULT_WIDTH = 640;
const HEIGHT = 260;
const TOP = 16;
const BOTTOM = 44;
const AXIS = 70;
const END = 8;
/** Rough width of a character of the 11px axis labels, to keep labels from overlapping. */
const LABEL_CHAR_WIDTH = 6.5;

/** The smallest 1, 2 or 5 × 10ⁿ at or above `n`: round axis steps. */
function niceCeiling(n: number): number {
  if (n <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 5, 10].find((m) => m * power >= n) ?? 10) * power;
}

export class PeyvandForecast extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .controls { display: flex; gap: var(--_gap); flex-wrap: wrap; margin-block-end: var(--_gap); }
      fieldset { border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); padding: 0.2em 0.6em 0.4em; margin: 0; display: flex; gap: 0.8em; }
      legend { color: var(--_text-muted); font-size: 0.875em; padding-inline: 0.3em; }
      label { display: inline-flex; gap: 0.3em; align-items: center; cursor: pointer; }
      input[type='radio'] { inline-size: auto; accent-color: var(--_primary); }
      svg.chart { inline-size: 100%; block-size: auto; display: block; }
      .grid { stroke: var(--_border); }
      .axis-label { fill: var(--_text-muted); font-size: 11px; }
      .period-label { fill: var(--_text); font-size: 11px; }
      .total { fill: var(--_surface); stroke: var(--_primary); stroke-width: 1.5; }
      .weighted { fill: var(--_primary); }
      .legend { display: flex; gap: var(--_gap); flex-wrap: wrap; font-size: 0.875em; margin-block: 0.3em; }
      .swatch { display: inline-block; inline-size: 0.9em; block-size: 0.9em; vertical-align: -0.1em; margin-inline-end: 0.3em; border: 1.5px solid var(--_primary); }
      .swatch.filled { background: var(--_primary); }
      table { border-collapse: collapse; inline-size: 100%; margin-block-start: var(--_gap); }
      th, td { border-block-end: 1px solid var(--_border); padding: 0.3em 0.5em; text-align: start; }
      td.number { font-variant-numeric: tabular-nums; }
      .footer { display: flex; gap: var(--_gap); align-items: center; flex-wrap: wrap; justify-content: space-between; margin-block-start: 0.3em; }
    `,
  ];

  protected override readonly plugin = 'sales';
  /** A deal moved on a board of the same page changes the forecast. */
  protected static override readonly refreshOn = ['peyvand-deal-moved'] as const;

  /** Only this pipeline's deals (and its currency); default all pipelines. */
  @property({ attribute: 'pipeline-id' }) accessor pipelineId = '';
  /** `month` or `quarter`; the user can switch. */
  @property() accessor period: Period = 'month';
  /** `persian` (Solar Hijri) or `gregorian`; default by language. The user can switch. */
  @property() accessor calendar: Calendar | '' = '';
  /** First day `YYYY-MM-DD`; default today. */
  @property() accessor from = '';
  /** Day after the last `YYYY-MM-DD`; default a year after `from`. */
  @property() accessor to = '';
  /** Only deals in this currency (ISO 4217); default the pipeline's. */
  @property() accessor currency = '';
  /** Show IRR amounts in toman. */
  @property({ type: Boolean }) accessor toman = false;

  @state() private accessor forecast: Forecast | undefined;
  @state() private accessor tableOpen = false;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || ['pipelineId', 'period', 'calendar', 'from', 'to', 'currency'].some((p) => changed.has(p));
  }

  private get effectiveCalendar(): Calendar {
    return this.calendar || (this.locale === 'fa' ? 'persian' : 'gregorian');
  }

  protected override reload(): void {
    void this.track(async (signal) => {
      this.forecast = await this.api<Forecast>('sales/reports/forecast', {
        query: { period: this.period === 'quarter' ? 'quarter' : 'month', calendar: this.effectiveCalendar, pipelineId: this.pipelineId, from: this.from, to: this.to, currency: this.currency },
        signal,
      });
    });
  }

  private money(amount: number, currency: string): string {
    return formatMoney(amount, currency, this.locale, { toman: this.toman });
  }

  protected override renderContent(): unknown {
    const forecast = this.forecast;
    const ready = this.status === 'ready' && forecast;
    const empty = ready && forecast.periods.every((p) => p.count === 0);
    return html`
      <h2 id="title">${this.t('forecast.title')}</h2>
      ${this.renderControls()}
      ${!ready ? this.renderStatus() : empty ? html`<p class="state notice" part="state">${this.t('forecast.empty')}</p>` : this.renderForecast(forecast)}
    `;
  }

  private renderControls(): unknown {
    const radio = (group: 'period' | 'calendar', value: string, checked: boolean) => html`<label>
      <input type="radio" name=${group} .value=${value} .checked=${checked}
        @change=${() => (group === 'period' ? (this.period = value as Period) : (this.calendar = value as Calendar))} />${this.t(`forecast.${value}`)}</label>`;
    return html`<div class="controls" part="controls">
      <fieldset><legend>${this.t('forecast.period')}</legend>
        ${radio('period', 'month', this.period !== 'quarter')}${radio('period', 'quarter', this.period === 'quarter')}
      </fieldset>
      <fieldset><legend>${this.t('forecast.calendar')}</legend>
        ${radio('calendar', 'persian', this.effectiveCalendar === 'persian')}${radio('calendar', 'gregorian', this.effectiveCalendar === 'gregorian')}
      </fieldset>
    </div>`;
  }

  private renderForecast(forecast: Forecast): unknown {
    const weighted = forecast.periods.reduce((sum, p) => sum + p.weighted, 0);
    return html`
      <div class="legend" aria-hidden="true">
        <span><span class="swatch filled"></span>${this.t('forecast.weighted')}</span>
        <span><span class="swatch"></span>${this.t('forecast.total')}</span>
      </div>
      ${this.renderChart(forecast)}
      <div class="footer">
        <strong>${this.t('forecast.totalWeighted', { amount: this.money(weighted, forecast.currency) })}</strong>
        <button type="button" part="button" aria-expanded=${this.tableOpen ? 'true' : 'false'} aria-controls="figures" @click=${() => (this.tableOpen = !this.tableOpen)}>
          ${this.tableOpen ? this.t('forecast.hideTable') : this.t('forecast.showTable')}
        </button>
      </div>
      <table id="figures" part="table" ?hidden=${!this.tableOpen}>
        <caption class="visually-hidden">${this.t('forecast.title')}</caption>
        <thead><tr><th scope="col">${this.t('forecast.periodColumn')}</th><th scope="col">${this.t('forecast.dealsColumn')}</th><th scope="col">${this.t('forecast.weighted')}</th><th scope="col">${this.t('forecast.total')}</th></tr></thead>
        <tbody>${forecast.periods.map((p) => html`<tr>
          <th scope="row">${p.label}</th><td class="number">${formatNumber(p.count, this.locale)}</td>
          <td class="number">${this.money(p.weighted, forecast.currency)}</td><td class="number">${this.money(p.total, forecast.currency)}</td>
        </tr>`)}</tbody>
      </table>
    `;
  }

  private renderChart(forecast: Forecast): unknown {
    const rtl = this.isRtl();
    // Padding of the frame (2 × gap + borders) off the measured width; never narrower than a phone's.
    const WIDTH = this.inlineSize ? Math.max(this.inlineSize - 28, 280) : DEFAULT_WIDTH;
    // Laid out left to right, then mirrored for right-to-left: the axis and the first period sit at the start.
    const x = (v: number) => (rtl ? WIDTH - v : v);
    const max = niceCeiling(Math.max(...forecast.periods.map((p) => p.total)));
    const plotHeight = HEIGHT - TOP - BOTTOM;
    const y = (v: number) => TOP + plotHeight - (v / max) * plotHeight;
    const slot = (WIDTH - AXIS - END) / Math.max(forecast.periods.length, 1);
    const barWidth = Math.min(slot * 0.6, 48);
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
    // Labels that would overlap are thinned out (every bar keeps its tooltip, the table has them all).
    const longest = Math.max(...forecast.periods.flatMap((p) => p.label.split(' ').map((word) => word.length)));
    const every = Math.max(1, Math.ceil((longest * LABEL_CHAR_WIDTH) / slot));
    return html`<svg class="chart" part="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc">
      <title id="chart-title">${this.t('forecast.title')}</title>
      <desc id="chart-desc">${this.t('forecast.chartDescription')}</desc>
      ${ticks.map((tick) => svg`
        <line class="grid" x1=${x(AXIS)} x2=${x(WIDTH - END)} y1=${y(tick)} y2=${y(tick)} />
        <text class="axis-label" x=${x(AXIS - 6)} y=${y(tick) + 4} text-anchor="end">${formatCompact(tick, this.locale)}</text>`)}
      ${forecast.periods.map((p, i) => {
        const center = AXIS + slot * i + slot / 2;
        const [first, ...rest] = p.label.split(' ').reverse();
        const bar = (value: number, cls: string) => svg`<rect class=${cls} x=${x(center) - barWidth / 2} width=${barWidth} y=${y(value)} height=${Math.max(y(0) - y(value), 0)} />`;
        return svg`<g class="period" data-key=${p.key}>
          <title>${this.t('forecast.bar', { period: p.label, weighted: this.money(p.weighted, forecast.currency), total: this.money(p.total, forecast.currency) })}</title>
          ${bar(p.total, 'total')}${bar(p.weighted, 'weighted')}
          ${i % every === 0
            ? svg`<text class="period-label" x=${x(center)} y=${HEIGHT - BOTTOM + 16} text-anchor="middle">${rest.reverse().join(' ')}</text>
              <text class="period-label" x=${x(center)} y=${HEIGHT - BOTTOM + 31} text-anchor="middle">${first}</text>`
            : nothing}
        </g>`;
      })}
    </svg>`;
  }
}

define('peyvand-forecast', PeyvandForecast);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-forecast': PeyvandForecast;
  }
}
