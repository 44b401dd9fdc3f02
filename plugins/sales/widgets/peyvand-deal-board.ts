/**
 * `<peyvand-deal-board pipeline-id="…">`: the open deals of a sales pipeline as a kanban
 * board, one column per stage with its count and sum. A deal moves to another stage by
 * drag and drop, or with the keyboard: Space picks it up, the arrow keys carry it from
 * stage to stage (following the reading direction), Space drops it, Escape cancels. The
 * card moves at once; when the API refuses, it goes back and the reason is shown.
 *
 * @fires peyvand-deal-moved - `{ deal, fromStageId, toStageId }` when the API accepted a move.
 * @fires peyvand-deal-move-failed - `{ dealId, fromStageId, toStageId, code, message }` when it refused one.
 * @fires peyvand-deal-selected - `{ deal }` when a card is opened (click, or Enter).
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or moving fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart column - one stage.
 * @csspart column-header - a stage's name, count and sum.
 * @csspart card - one deal.
 * @csspart message - the message after a refused move.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, define, formatDay, formatMoney, html, icon, nothing, PeyvandElement, property, state, type ApiError, type Page, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { Deal, Pipeline } from './api-types.js';

/** Deals one board loads at most (in pages of 200). */
const MAX_DEALS = 1000;

/** A deal being carried with the keyboard. */
interface Carried {
  dealId: string;
  fromStageId: string;
}

export class PeyvandDealBoard extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .columns { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(13em, 1fr); gap: var(--_gap); overflow-x: auto; padding-block-end: 4px; }
      section { background: var(--_surface-alt); border-radius: var(--_radius); padding: calc(var(--_gap) / 2); min-block-size: 8em; border: 2px solid transparent; }
      section.target { border-color: var(--_primary); border-style: dashed; }
      .column-header { margin-block-end: calc(var(--_gap) / 2); }
      h3 { margin: 0; font-size: 1em; }
      .sum { font-size: 0.875em; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: calc(var(--_gap) / 2); }
      .card { background: var(--_surface); border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); padding: 0.5em 0.6em; cursor: grab; display: grid; gap: 0.15em; }
      .card[aria-pressed='true'] { border: 2px dashed var(--_primary); box-shadow: 0 4px 10px rgb(0 0 0 / 15%); }
      .card.pending { opacity: 0.75; }
      .card .title { font-weight: 600; display: flex; gap: 0.3em; align-items: start; }
      .card .icon { color: var(--_text-muted); }
      .amount { font-variant-numeric: tabular-nums; }
      .message { display: flex; gap: 0.5em; align-items: center; margin-block-end: var(--_gap); }
      .empty-stage { font-size: 0.875em; padding: 0.5em; }
      /* A board narrower than four stages side by side wraps its stages into rows (one per row on a phone) instead of scrolling sideways. */
      @container peyvand (inline-size < 56em) { .columns { grid-auto-flow: row; grid-template-columns: repeat(auto-fill, minmax(min(12em, 100%), 1fr)); overflow-x: visible; } }
    `,
  ];

  protected override readonly plugin = 'sales';

  /** The pipeline to show; default the tenant's first pipeline. */
  @property({ attribute: 'pipeline-id' }) accessor pipelineId = '';
  /** Show IRR amounts in toman. */
  @property({ type: Boolean }) accessor toman = false;

  @state() private accessor pipeline: Pipeline | undefined;
  @state() private accessor deals: Deal[] = [];
  @state() private accessor carried: Carried | undefined;
  @state() private accessor pending: ReadonlySet<string> = new Set();
  @state() private accessor dropTarget = '';
  @state() private accessor failure = '';
  @state() private accessor announcement = '';
  private dragged: string | undefined;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('pipelineId');
  }

  protected override reload(): void {
    this.carried = undefined;
    this.failure = '';
    void this.track(async (signal) => {
      const pipeline = this.pipelineId
        ? await this.api<Pipeline>(`sales/pipelines/${encodeURIComponent(this.pipelineId)}`, { signal })
        : (await this.api<Page<Pipeline>>('sales/pipelines', { query: { limit: 1 }, signal })).items[0];
      const deals: Deal[] = [];
      let cursor: string | null = null;
      while (pipeline && deals.length < MAX_DEALS) {
        const page: Page<Deal> = await this.api<Page<Deal>>('sales/deals', { query: { pipelineId: pipeline.id, status: 'open', limit: 200, cursor: cursor ?? undefined }, signal });
        deals.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      this.pipeline = pipeline;
      this.deals = deals;
    });
  }

  protected override problemText(error: ApiError): string {
    if (error.code === 'PIPELINE_NOT_FOUND') return this.t('board.noPipeline');
    return super.problemText(error);
  }

  private get stages(): Pipeline['stages'] {
    return this.pipeline?.stages ?? [];
  }

  private stageName(stageId: string): string {
    return this.stages.find((s) => s.id === stageId)?.name ?? '';
  }

  private money(amount: number, currency: string): string {
    return formatMoney(amount, currency, this.locale, { toman: this.toman });
  }

  /** Moves a deal: shown in the new stage at once, sent to the API, put back if refused. */
  private async move(dealId: string, fromStageId: string, toStageId: string): Promise<void> {
    const deal = this.deals.find((d) => d.id === dealId);
    if (!deal || fromStageId === toStageId) return;
    this.failure = '';
    this.setStage(dealId, toStageId);
    this.pending = new Set([...this.pending, dealId]);
    try {
      const moved = await this.api<Deal>(`sales/deals/${encodeURIComponent(dealId)}/move`, { method: 'POST', body: { stageId: toStageId } });
      this.deals = this.deals.map((d) => (d.id === dealId ? moved : d));
      this.announcement = this.t('board.moved', { deal: deal.title, stage: this.stageName(toStageId) });
      this.emit('peyvand-deal-moved', { deal: moved, fromStageId, toStageId });
    } catch (err) {
      const error = this.reportError(err);
      this.setStage(dealId, fromStageId);
      const reason = this.problemText(error);
      this.failure = this.t('board.moveFailed', { deal: deal.title, stage: this.stageName(toStageId), reason });
      this.emit('peyvand-deal-move-failed', { dealId, fromStageId, toStageId, code: error.code, message: reason });
    } finally {
      const pending = new Set(this.pending);
      pending.delete(dealId);
      this.pending = pending;
      await this.focusCard(dealId);
    }
  }

  private setStage(dealId: string, stageId: string): void {
    this.deals = this.deals.map((d) => (d.id === dealId ? { ...d, stageId } : d));
  }

  private async focusCard(dealId: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-deal="${CSS.escape(dealId)}"]`)?.focus();
  }

  private onCardKeydown(event: KeyboardEvent, deal: Deal): void {
    const carried = this.carried?.dealId === deal.id ? this.carried : undefined;
    if (event.key === ' ' || event.key === 'Spacebar') {
      event.preventDefault();
      if (!carried) {
        this.carried = { dealId: deal.id, fromStageId: deal.stageId };
        this.announcement = this.t('board.picked', { deal: deal.title, stage: this.stageName(deal.stageId) });
      } else {
        this.carried = undefined;
        if (deal.stageId === carried.fromStageId) this.announcement = this.t('board.cancelled', { deal: deal.title, stage: this.stageName(deal.stageId) });
        // The card already shows in its new stage: now the API is asked.
        else void this.move(deal.id, carried.fromStageId, deal.stageId);
      }
      return;
    }
    if (event.key === 'Enter' && !carried) {
      event.preventDefault();
      this.emit('peyvand-deal-selected', { deal });
      return;
    }
    if (!carried) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      this.carried = undefined;
      this.setStage(deal.id, carried.fromStageId);
      this.announcement = this.t('board.cancelled', { deal: deal.title, stage: this.stageName(carried.fromStageId) });
      void this.focusCard(deal.id);
      return;
    }
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault();
      // "Next stage" is toward the end of the line: to the left in right-to-left text.
      const rtl = this.isRtl();
      const forward = (event.key === 'ArrowRight') !== rtl;
      const index = this.stages.findIndex((s) => s.id === deal.stageId);
      const target = this.stages[index + (forward ? 1 : -1)];
      if (!target) return;
      this.setStage(deal.id, target.id);
      this.announcement = this.t('board.over', { deal: deal.title, stage: target.name });
      void this.focusCard(deal.id);
    }
  }

  private onCardBlur(deal: Deal): void {
    // Focus left the carried card (a click elsewhere, Tab): the move is abandoned.
    const carried = this.carried;
    if (carried?.dealId !== deal.id) return;
    // Re-rendering into another column moves focus too; only a real leave cancels.
    requestAnimationFrame(() => {
      if (this.carried !== carried || this.shadowRoot?.activeElement?.getAttribute('data-deal') === deal.id) return;
      this.carried = undefined;
      this.setStage(deal.id, carried.fromStageId);
    });
  }

  private onDragStart(event: DragEvent, deal: Deal): void {
    this.dragged = deal.id;
    event.dataTransfer?.setData('text/plain', deal.id);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
  }

  private onDragOver(event: DragEvent, stageId: string): void {
    if (!this.dragged) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    this.dropTarget = stageId;
  }

  private onDrop(event: DragEvent, stageId: string): void {
    event.preventDefault();
    const dealId = this.dragged;
    this.dragged = undefined;
    this.dropTarget = '';
    const deal = this.deals.find((d) => d.id === dealId);
    if (deal) void this.move(deal.id, deal.stageId, stageId);
  }

  protected override renderContent(): unknown {
    if (this.status !== 'ready') return this.renderStatus();
    const pipeline = this.pipeline;
    if (!pipeline) return html`<p class="state notice" part="state">${this.t('board.noPipeline')}</p>`;
    return html`
      <h2 id="title"><bdi>${pipeline.name}</bdi></h2>
      <p id="help" class="visually-hidden">${this.t('board.instructions')}</p>
      ${this.failure
        ? html`<div class="state error message" part="message" role="alert">${icon('alert')}<span>${this.failure}</span>
            <button type="button" @click=${() => (this.failure = '')}>${this.t('common.dismiss')}</button></div>`
        : nothing}
      ${this.deals.length ? nothing : html`<p class="state notice" part="state">${this.t('board.empty')}</p>`}
      <div class="columns" role="group" aria-label=${this.t('board.label', { pipeline: pipeline.name })}>
        ${this.stages.map((stage) => this.renderColumn(stage, pipeline.currency))}
      </div>
      <div class="visually-hidden" role="status" aria-live="assertive">${this.announcement}</div>
    `;
  }

  private renderColumn(stage: Pipeline['stages'][number], currency: string): unknown {
    const deals = this.deals.filter((d) => d.stageId === stage.id);
    const sum = deals.filter((d) => d.currency === currency).reduce((total, d) => total + d.amount, 0);
    return html`<section part="column" aria-labelledby="stage-${stage.id}" class=${this.dropTarget === stage.id ? 'target' : ''}
        @dragover=${(e: DragEvent) => this.onDragOver(e, stage.id)} @dragleave=${() => (this.dropTarget = '')} @drop=${(e: DragEvent) => this.onDrop(e, stage.id)}>
      <div class="column-header" part="column-header">
        <h3 id="stage-${stage.id}"><bdi>${stage.name}</bdi></h3>
        <div class="sum muted">${this.t('board.probability', { percent: stage.probability })} · ${this.t('board.deals', { count: deals.length })} · <span class="amount">${this.money(sum, currency)}</span></div>
      </div>
      ${deals.length
        ? html`<ul aria-labelledby="stage-${stage.id}">${deals.map((deal) => this.renderCard(deal))}</ul>`
        : html`<p class="empty-stage muted">${this.t('board.emptyStage')}</p>`}
    </section>`;
  }

  private renderCard(deal: Deal): unknown {
    // The deal list carries the customer's name; null for one deleted or out of the user's scope.
    const customer = deal.customerName;
    const carried = this.carried?.dealId === deal.id;
    // A toggle button: pressed while carried. Enter and a click open the deal; Space carries it.
    return html`<li><div class="card ${this.pending.has(deal.id) ? 'pending' : ''}" part="card" role="button" data-deal=${deal.id} tabindex="0" draggable="true"
        aria-describedby="help" aria-pressed=${carried ? 'true' : 'false'}
        @keydown=${(e: KeyboardEvent) => this.onCardKeydown(e, deal)} @blur=${() => this.onCardBlur(deal)}
        @click=${() => this.emit('peyvand-deal-selected', { deal })}
        @dragstart=${(e: DragEvent) => this.onDragStart(e, deal)} @dragend=${() => ((this.dragged = undefined), (this.dropTarget = ''))}>
      <span class="title">${icon('grip')}<bdi>${deal.title}</bdi></span>
      ${customer ? html`<bdi class="muted">${customer}</bdi>` : nothing}
      <span class="amount">${this.money(deal.amount, deal.currency)}</span>
      ${deal.expectedCloseDate ? html`<span class="muted">${this.t('board.closes', { date: formatDay(deal.expectedCloseDate, this.locale) })}</span>` : nothing}
    </div></li>`;
  }
}

define('peyvand-deal-board', PeyvandDealBoard);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-deal-board': PeyvandDealBoard;
  }
}
