/**
 * `<peyvand-rewards customer-id="…">`: the rewards catalog for one customer — cost, stock,
 * tier and validity, what the customer can afford now — and redemption: the API spends
 * the points and issues a one-time code, shown to the user and sent to the host page as
 * `peyvand-reward-redeemed`. A refusal (not enough points, out of stock, tier required,
 * expired) shows the API's own message beside the reward.
 *
 * @fires peyvand-reward-redeemed - `{ customerId, rewardId, rewardName, cost, redemptionId, code }` after a redemption.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or redeeming fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart reward - one reward of the catalog.
 * @csspart code - the redemption code just issued.
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { ApiError, css, define, formatNumber, html, icon, ltr, nothing, PeyvandElement, property, state, type Page, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { LoyaltyAccount, ProgramTiers, Redemption, Reward } from './api-types.js';
import { localDay } from './format.js';

/** How many rewards the widget lists (a catalog, not a shop). */
const CATALOG_SIZE = 50;

export class PeyvandRewards extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: calc(var(--_gap) / 2); grid-template-columns: repeat(auto-fill, minmax(min(100%, 15rem), 1fr)); }
      li { border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); padding: 0.5em 0.7em; display: flex; flex-direction: column; gap: 0.3em; }
      .name { font-weight: 600; }
      .cost { font-variant-numeric: tabular-nums; }
      .meta { display: flex; gap: 0.3em 0.8em; flex-wrap: wrap; font-size: 0.875em; }
      .row { display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; justify-content: space-between; margin-block-start: auto; }
      .refusal { color: var(--_danger); font-size: 0.875em; margin: 0; }
      .issued { border: 1px solid var(--_primary); border-radius: calc(var(--_radius) - 2px); padding: 0.5em 0.7em; margin-block-end: var(--_gap); display: flex; gap: 0.5em; flex-wrap: wrap; align-items: center; }
      .code { font-family: ui-monospace, monospace; font-size: 1.15em; font-weight: 600; letter-spacing: 0.05em; user-select: all; }
      .summary { margin: 0 0 var(--_gap); }
      .negative { color: var(--_danger); }
    `,
  ];

  protected override readonly plugin = 'loyalty';

  /** The customer who redeems. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';

  @state() private accessor rewards: Reward[] = [];
  @state() private accessor account: LoyaltyAccount | undefined;
  @state() private accessor tierNames = new Map<string, string>();
  /** The reward being redeemed now. */
  @state() private accessor redeeming = '';
  /** The API's refusal, by reward id. */
  @state() private accessor refusals = new Map<string, string>();
  @state() private accessor issued: { rewardName: string; code: string } | undefined;

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('customerId');
  }

  protected override reload(): void {
    this.refusals = new Map();
    if (!this.customerId) {
      this.account = undefined;
      this.status = 'idle';
      return;
    }
    void this.track((signal) => this.load(signal));
  }

  private async load(signal?: AbortSignal): Promise<void> {
    const [rewards, account, program] = await Promise.all([
      this.api<Page<Reward>>('loyalty/rewards', { query: { limit: CATALOG_SIZE }, ...(signal && { signal }) }),
      this.api<LoyaltyAccount>(`loyalty/accounts/${encodeURIComponent(this.customerId)}`, { ...(signal && { signal }) }),
      // Only for the tiers' names: a tenant still without a program answers 404, and the keys do.
      this.api<ProgramTiers>('loyalty/program', { ...(signal && { signal }) }).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return { currency: '', tiers: [] };
        throw err;
      }),
    ]);
    this.rewards = rewards.items;
    this.account = account;
    this.tierNames = new Map(program.tiers.map((tier) => [tier.key, tier.name]));
  }

  private async redeem(reward: Reward): Promise<void> {
    this.redeeming = reward.id;
    this.issued = undefined;
    const refusals = new Map(this.refusals);
    refusals.delete(reward.id);
    this.refusals = refusals;
    try {
      const redemption = await this.api<Redemption>(`loyalty/rewards/${encodeURIComponent(reward.id)}/redeem`, { method: 'POST', body: { customerId: this.customerId } });
      this.issued = { rewardName: reward.name, code: redemption.code };
      this.emit('peyvand-reward-redeemed', { customerId: this.customerId, rewardId: reward.id, rewardName: reward.name, cost: reward.cost, redemptionId: redemption.redemptionId, code: redemption.code });
      await this.load().catch(() => undefined);
    } catch (err) {
      const error = this.reportError(err);
      this.refusals = new Map(this.refusals).set(reward.id, this.problemText(error));
      // The refusal may come from a balance or stock that changed meanwhile: show the current ones.
      await this.load().catch(() => undefined);
    } finally {
      this.redeeming = '';
    }
  }

  protected override renderContent(): unknown {
    const account = this.account;
    return html`
      <h2>${this.t('rewards.title')}</h2>
      ${!this.customerId
        ? html`<p class="state notice" part="state">${icon('person')}<span>${this.t('card.noCustomer')}</span></p>`
        : this.status !== 'ready' || !account ? this.renderStatus() : this.renderCatalog(account)}
    `;
  }

  private renderCatalog(account: LoyaltyAccount): unknown {
    const available = account.available;
    return html`
      <p class="summary" role="status">${available < 0
        ? html`<span class="negative">${this.t('rewards.blocked', { points: formatNumber(-available, this.locale) })}</span>`
        : this.t('rewards.available', { count: available, points: formatNumber(available, this.locale) })}</p>
      ${this.issued
        ? html`<div class="issued" part="code" role="status">${icon('check')}<span>${this.t('rewards.issued', { reward: this.issued.rewardName })}</span>${ltr(this.issued.code, 'code')}</div>`
        : nothing}
      ${this.rewards.length
        ? html`<ul>${this.rewards.map((reward) => this.renderReward(reward, account))}</ul>`
        : html`<p class="state notice" part="state">${this.t('rewards.empty')}</p>`}
    `;
  }

  /** Why the reward cannot be redeemed now, as far as the widget can tell (the API decides). */
  private obstacle(reward: Reward, account: LoyaltyAccount): string | undefined {
    if (reward.validUntil && Date.parse(reward.validUntil) < Date.now()) return this.t('rewards.expired');
    if (reward.stock === 0) return this.t('rewards.outOfStock');
    if (account.available < reward.cost) return this.t('rewards.short', { points: formatNumber(reward.cost - Math.max(account.available, 0), this.locale) });
    return undefined;
  }

  private renderReward(reward: Reward, account: LoyaltyAccount): unknown {
    const obstacle = this.obstacle(reward, account);
    const refusal = this.refusals.get(reward.id);
    const busy = this.redeeming === reward.id;
    return html`<li part="reward" data-reward=${reward.id}>
      <span class="name">${reward.name}</span>
      <span class="cost">${this.t('common.points', { count: reward.cost, points: formatNumber(reward.cost, this.locale) })}</span>
      <span class="meta muted">
        ${reward.stock === null ? nothing : html`<span>${this.t('rewards.stock', { count: reward.stock, stock: formatNumber(reward.stock, this.locale) })}</span>`}
        ${reward.tier ? html`<span>${this.t('rewards.tier', { tier: this.tierNames.get(reward.tier) ?? reward.tier })}</span>` : nothing}
        ${reward.partner ? html`<span>${this.t('rewards.partner', { partner: reward.partner })}</span>` : nothing}
        ${reward.validUntil ? html`<span>${this.t('rewards.validUntil', { date: localDay(reward.validUntil, this.locale) })}</span>` : nothing}
      </span>
      <div class="row">
        ${obstacle ? html`<span class="muted">${obstacle}</span>` : html`<span></span>`}
        <button type="button" class="primary" part="button" ?disabled=${busy || this.redeeming !== '' || obstacle !== undefined}
          aria-label=${this.t('rewards.redeemNamed', { reward: reward.name })} @click=${() => void this.redeem(reward)}>
          ${busy ? this.t('rewards.redeeming') : this.t('rewards.redeem')}
        </button>
      </div>
      ${refusal ? html`<p class="refusal" role="alert">${refusal}</p>` : nothing}
    </li>`;
  }
}

define('peyvand-rewards', PeyvandRewards);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-rewards': PeyvandRewards;
  }
}
