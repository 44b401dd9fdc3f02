/**
 * `<peyvand-loyalty-card customer-id="…">`: a customer's loyalty points — spendable now
 * (a negative balance shown as a debt that blocks rewards), locked in the returns window,
 * lifetime, and what expires soon — the tier with progress to the next, and the latest
 * ledger entries. Reloads after a reward is redeemed on the same page.
 *
 * @fires peyvand-error - `{ widget, status, code, message }` when loading fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart balance - the figures.
 * @csspart tier - the tier and its progress bar.
 * @csspart activity - the recent ledger entries.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, define, formatNumber, html, icon, nothing, PeyvandElement, property, state, type Page, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { LedgerEntry, LoyaltyAccount } from './api-types.js';
import { localDay, signedPoints } from './format.js';

/** Ledger reasons the plugin writes as codes (an adjustment's reason is the user's own words). */
const REASONS = new Set(['order', 'first_order_bonus', 'birthday_bonus', 'referral_referee', 'referral_referrer', 'order_returned', 'order_partly_returned', 'reward', 'expiry']);

export class PeyvandLoyaltyCard extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      .balance { display: grid; grid-template-columns: repeat(auto-fit, minmax(7.5rem, 1fr)); gap: calc(var(--_gap) / 2); margin: 0 0 var(--_gap); }
      .figure { border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); padding: 0.4em 0.6em; margin: 0; }
      .figure dt { color: var(--_text-muted); font-size: 0.875em; }
      .figure dd { margin: 0; font-size: 1.25em; font-weight: 600; font-variant-numeric: tabular-nums; }
      .figure.main dd { font-size: 1.6em; }
      .negative { color: var(--_danger); }
      .debt { color: var(--_danger); background: var(--_danger-surface); border-radius: calc(var(--_radius) - 2px); padding: 0.4em 0.6em; margin: 0 0 var(--_gap); }
      .tier { margin-block-end: var(--_gap); }
      .bar { block-size: 0.6em; border-radius: 999px; background: var(--_border); overflow: hidden; margin-block: 0.3em; }
      .bar > span { display: block; block-size: 100%; background: var(--_primary); }
      ul { list-style: none; margin: 0; padding: 0; }
      .expiring li, .activity li { display: flex; gap: 0.5em; justify-content: space-between; flex-wrap: wrap; padding-block: 0.25em; border-block-end: 1px solid var(--_border); }
      .points { font-variant-numeric: tabular-nums; font-weight: 600; }
      h3 { font-size: 1em; margin-block-start: var(--_gap); }
    `,
  ];

  protected override readonly plugin = 'loyalty';
  /** A reward redeemed on the same page spends this customer's points. */
  protected static override readonly refreshOn = ['peyvand-reward-redeemed'] as const;

  /** The customer whose points to show. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';
  /** How many recent ledger entries to list. */
  @property({ type: Number }) accessor activity = 5;

  @state() private accessor account: LoyaltyAccount | undefined;
  @state() private accessor entries: LedgerEntry[] = [];

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('customerId') || changed.has('activity');
  }

  protected override reload(): void {
    if (!this.customerId) {
      this.account = undefined;
      this.status = 'idle';
      return;
    }
    const id = encodeURIComponent(this.customerId);
    void this.track(async (signal) => {
      const [account, ledger] = await Promise.all([
        this.api<LoyaltyAccount>(`loyalty/accounts/${id}`, { signal }),
        this.api<Page<LedgerEntry>>(`loyalty/accounts/${id}/ledger`, { query: { limit: Math.max(1, Math.min(this.activity, 50)) }, signal }),
      ]);
      this.account = account;
      this.entries = ledger.items;
    });
  }

  protected override renderContent(): unknown {
    const account = this.account;
    return html`
      <h2>${this.t('card.title')}</h2>
      ${!this.customerId
        ? html`<p class="state notice" part="state">${icon('person')}<span>${this.t('card.noCustomer')}</span></p>`
        : this.status !== 'ready' || !account ? this.renderStatus() : this.renderAccount(account)}
    `;
  }

  private points(n: number): string {
    return this.t('common.points', { count: n, points: formatNumber(n, this.locale) });
  }

  private renderAccount(account: LoyaltyAccount): unknown {
    const debt = account.available < 0;
    const figure = (key: string, value: number, main = false) => html`<div class="figure ${main ? 'main' : ''}">
      <dt>${this.t(`card.${key}`)}</dt><dd class=${value < 0 ? 'negative' : ''}>${this.points(value)}</dd></div>`;
    return html`
      <dl class="balance" part="balance">
        ${figure('available', account.available, true)}${figure('locked', account.locked)}${figure('lifetime', account.lifetime)}
      </dl>
      ${debt ? html`<p class="debt" role="note">${this.t('card.debt', { points: formatNumber(-account.available, this.locale) })}</p>` : nothing}
      ${this.renderTier(account)}
      ${account.expiringSoon.length
        ? html`<h3>${this.t('card.expiringSoon')}</h3>
          <ul class="expiring">${account.expiringSoon.map((lot) => html`<li><span class="points">${this.points(lot.points)}</span><span>${this.t('card.expiresOn', { date: localDay(lot.at, this.locale) })}</span></li>`)}</ul>`
        : nothing}
      <h3>${this.t('card.recent')}</h3>
      ${this.entries.length
        ? html`<ul class="activity" part="activity">${this.entries.map((e) => html`<li>
            <span>${e.type === 'adjust' ? this.t('reasons.adjust', { reason: e.reason }) : REASONS.has(e.reason) ? this.t(`reasons.${e.reason}`) : this.t(`types.${e.type}`)}</span>
            <span class="points">${signedPoints(e.points, this.locale)}</span>
            <span class="muted">${localDay(e.at, this.locale)}</span>
          </li>`)}</ul>`
        : html`<p class="muted">${this.t('card.noActivity')}</p>`}
    `;
  }

  private renderTier(account: LoyaltyAccount): unknown {
    const tier = account.tier;
    if (!tier) return html`<p class="tier muted" part="tier">${this.t('card.noTier')}</p>`;
    const percent = Math.round(tier.progress * 100);
    return html`<div class="tier" part="tier">
      <div>${this.t('card.tier')} <span class="chip">${tier.name}</span></div>
      ${tier.next
        ? html`<div class="bar" role="progressbar" aria-label=${this.t('card.progressLabel', { tier: tier.next.name })} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent}
              aria-valuetext=${this.t('common.percent', { value: formatNumber(percent, this.locale) })}><span style="inline-size: ${percent}%"></span></div>
            <p class="muted">${this.t('card.toNext', { value: formatNumber(tier.next.value, this.locale), threshold: formatNumber(tier.next.threshold, this.locale), tier: tier.next.name })}</p>`
        : html`<p class="muted">${this.t('card.topTier')}</p>`}
    </div>`;
  }
}

define('peyvand-loyalty-card', PeyvandLoyaltyCard);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-loyalty-card': PeyvandLoyaltyCard;
  }
}
