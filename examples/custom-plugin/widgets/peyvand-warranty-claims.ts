/**
 * `<peyvand-warranty-claims customer-id="…">`: a customer's warranty claims, newest first
 * (the first 100, within the user's record scope): the ERP's product, serial number,
 * status, when it was opened and last changed — Jalali dates and Persian digits in fa.
 * A user holding `warranty.claim.update` (read once from core's `GET /me`) gets a button
 * per claim for its next step (start review → approve → mark resolved, the last with the
 * resolution it needs); a user without it sees none. A refused step shows the API's own
 * message, in the user's language, under the claim. A tenant without the plugin, or a user
 * without `warranty.claim.read`, sees the runtime's panels.
 *
 * @fires peyvand-warranty-claim-moved - `{ claim, from }` when a claim moved to its next status.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or a step fails.
 * @csspart base - the widget's frame.
 * @csspart claim - one claim.
 * @csspart button - a button.
 * @csspart state - the loading / empty / problem panel.
 */
import { css, define, formatDateTime, html, ltr, PeyvandElement, property, state, type Page, type PropertyValues, type ResponseOf } from 'peyvand/widgets/runtime';
import type { ClaimDto, ClaimStatus } from '../schemas.js';

/** The next step of each status the widget offers; rejecting stays with the API (it needs a reason, and is not a step forward). */
const NEXT: Partial<Record<ClaimStatus, ClaimStatus>> = { open: 'in_review', in_review: 'approved', approved: 'resolved' };
/** Steps the API accepts only with a `resolution`. */
const NEEDS_RESOLUTION: ReadonlySet<ClaimStatus> = new Set(['resolved']);

export class PeyvandWarrantyClaims extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--_gap); }
      li { display: grid; gap: 0.4em; padding: 0.6em 0.8em; border: 1px solid var(--_border); border-radius: var(--_radius); background: var(--_surface); }
      .line { display: flex; flex-wrap: wrap; gap: 0.3em 0.8em; align-items: baseline; }
      .product { font-weight: 600; }
      .badge { padding: 0 0.5em; border-radius: 999px; border: 1px solid var(--_border); font-size: 0.875em; }
      dl { display: flex; flex-wrap: wrap; gap: 0.2em 1.2em; margin: 0; font-size: 0.875em; color: var(--_text-muted); }
      dl div { display: flex; gap: 0.3em; }
      dd { margin: 0; }
      .step { display: flex; flex-wrap: wrap; gap: calc(var(--_gap) / 2); align-items: end; }
      .step label { display: grid; gap: 0.2em; flex: 1 1 12em; font-size: 0.875em; }
      .error { color: var(--_danger); margin: 0; }
      .live:empty { margin: 0; }
    `,
  ];

  /** A tenant without this plugin reads "Warranty claims is not switched on". */
  protected override readonly plugin = 'warranty';

  /** The ERP customer's id in Peyvand. */
  @property({ attribute: 'customer-id' }) accessor customerId = '';
  @state() private accessor claims: ClaimDto[] = [];
  @state() private accessor canUpdate = false;
  /** Per claim: the resolution typed, the API's refusal, whether its step is being sent. */
  @state() private accessor resolutions: Readonly<Record<string, string>> = {};
  @state() private accessor failures: Readonly<Record<string, string>> = {};
  @state() private accessor sending = '';
  @state() private accessor notice = '';

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('customerId');
  }

  protected override reload(): void {
    this.failures = {};
    this.notice = '';
    void this.track(async (signal) => {
      const [page, me] = await Promise.all([
        this.api<Page<ClaimDto>>('warranty/claims', { query: { customerId: this.customerId || undefined, limit: 100 }, signal }),
        this.api<ResponseOf<'core.me.get'>>('me', { signal }),
      ]);
      this.claims = page.items;
      this.canUpdate = (me.permissions ?? []).includes('warranty.claim.update');
    });
  }

  private async move(claim: ClaimDto, to: ClaimStatus): Promise<void> {
    this.sending = claim.id;
    this.failures = { ...this.failures, [claim.id]: '' };
    this.notice = '';
    try {
      const resolution = this.resolutions[claim.id]?.trim();
      // Without a resolution the API says what is missing, in the user's language.
      const moved = await this.api<ClaimDto>(`warranty/claims/${encodeURIComponent(claim.id)}`, { method: 'PATCH', body: { status: to, ...(resolution && { resolution }) } });
      this.claims = this.claims.map((c) => (c.id === moved.id ? moved : c));
      this.notice = this.t('warrantyWidgets.moved', { status: this.t(`warrantyWidgets.status.${moved.status}`) });
      this.emit('peyvand-warranty-claim-moved', { claim: moved, from: claim.status });
    } catch (err) {
      this.failures = { ...this.failures, [claim.id]: this.problemText(this.reportError(err)) };
    } finally {
      this.sending = '';
    }
  }

  protected renderContent(): unknown {
    return html`<h2>${this.t('warrantyWidgets.heading')}</h2>
      ${this.status === 'ready' ? this.renderClaims() : this.renderStatus()}
      <p class="live" role="status">${this.notice}</p>`;
  }

  private renderClaims(): unknown {
    if (!this.claims.length) return html`<p class="state notice" part="state">${this.t('warrantyWidgets.empty')}</p>`;
    return html`<ul>${this.claims.map((claim) => this.renderClaim(claim))}</ul>`;
  }

  private renderClaim(claim: ClaimDto): unknown {
    const field = (key: string, value: unknown) => html`<div><dt>${this.t(`warrantyWidgets.${key}`)}:</dt><dd>${value}</dd></div>`;
    return html`<li part="claim" aria-label=${claim.productRef}>
      <div class="line">
        <span class="product">${ltr(claim.productRef)}</span>
        <span class="badge">${this.t(`warrantyWidgets.status.${claim.status}`)}</span>
      </div>
      <dl>
        ${claim.serialNumber ? field('serial', ltr(claim.serialNumber)) : ''}
        ${field('opened', formatDateTime(claim.createdAt, this.locale))}
        ${field('updated', formatDateTime(claim.updatedAt, this.locale))}
      </dl>
      ${this.renderStep(claim)}
    </li>`;
  }

  /** The next step's button, for a user who may take it; with the resolution field where the API needs one. */
  private renderStep(claim: ClaimDto): unknown {
    const next = NEXT[claim.status];
    if (!next || !this.canUpdate) return '';
    const failure = this.failures[claim.id] ?? '';
    const errorId = `error-${claim.id}`;
    const resolution = NEEDS_RESOLUTION.has(next)
      ? html`<label>${this.t('warrantyWidgets.resolution')}
          <input .value=${this.resolutions[claim.id] ?? ''} aria-invalid=${failure ? 'true' : 'false'} aria-describedby=${errorId}
            @input=${(e: Event) => (this.resolutions = { ...this.resolutions, [claim.id]: (e.target as HTMLInputElement).value })} />
        </label>`
      : '';
    return html`<div class="step">
        ${resolution}
        <button part="button" type="button" ?disabled=${this.sending === claim.id} @click=${() => void this.move(claim, next)}>${this.t(`warrantyWidgets.next.${next}`)}</button>
      </div>
      <p id=${errorId} class="error" role="alert">${failure}</p>`;
  }
}

define('peyvand-warranty-claims', PeyvandWarrantyClaims);
