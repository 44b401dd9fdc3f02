/**
 * `<peyvand-csat token="…">`: the satisfaction survey a customer opens from the link in a
 * solved ticket's mail — a rating from 1 to 5 and an optional comment, sent to the public
 * CSAT routes. No sign-in: the signed, single-use token names the company and the ticket.
 * A link that is forged, expired or unknown (the API answers all three alike), and one
 * already used, each get their own sentence instead of the form.
 *
 * @fires peyvand-csat-submitted - `{ ticketNumber, rating }` when the rating was stored.
 * @fires peyvand-error - `{ widget, status, code, message }` when loading or sending fails.
 * @cssprop --peyvand-primary - and the other `--peyvand-*` theme properties (docs/widgets.md, Theming).
 * @csspart base - the widget's frame.
 * @csspart form - the survey form.
 * @csspart rating - one rating choice.
 * @csspart input - the comment field.
 * @csspart button - a button.
 * @csspart state - the thanks / link problem / loading / error panel.
 */
import { ApiError, css, define, html, icon, PeyvandElement, property, state, type PropertyValues } from '../../../widgets/runtime/index.js';
import type { CsatAnswer, CsatSurvey } from './portal-api-types.js';

const RATINGS = [1, 2, 3, 4, 5] as const;
/** What the link turned out to be, when it is not a survey to answer. */
type Outcome = 'thanks' | 'invalid' | 'answered';

export class PeyvandCsat extends PeyvandElement {
  static override styles = [
    PeyvandElement.styles,
    css`
      form { display: grid; gap: var(--_gap); }
      fieldset { border: none; margin: 0; padding: 0; min-inline-size: 0; }
      legend { font-weight: 600; padding: 0; }
      .scale { margin: 0 0 0.4em; font-size: 0.875em; }
      .ratings { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 0.4em; }
      .rating { position: relative; display: grid; justify-items: center; gap: 0.1em; padding: 0.4em 0.2em; text-align: center;
        border: 1px solid var(--_control-border); border-radius: calc(var(--_radius) - 2px); cursor: pointer; font-size: 0.875em; }
      .rating .value { font-size: 1.4em; font-weight: 600; line-height: 1.2; }
      .rating input { position: absolute; inset: 0; opacity: 0; margin: 0; cursor: pointer; inline-size: 100%; }
      .rating:has(input:checked) { background: var(--_primary); border-color: var(--_primary); color: var(--_on-primary); }
      .rating:has(input:focus-visible) { outline: 3px solid var(--_focus); outline-offset: 2px; }
      label[for='comment'] { font-weight: 600; display: block; margin-block-end: 0.2em; }
      .ticket { margin-block-end: var(--_gap); }
      #form-error { margin: 0; }
      .thanks { color: var(--_success); }
      .thanks h3 { display: flex; gap: 0.4em; align-items: center; }
      /* Narrow: the numbers only (the scale line says what they mean); the words stay the radios' names. */
      @container peyvand (max-inline-size: 420px) {
        .rating .label { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
      }
    `,
  ];

  protected override readonly plugin = 'support';

  /** The survey token: the last segment of the mailed link (`…/api/v1/support/csat/<token>`). */
  @property() accessor token = '';

  @state() private accessor survey: CsatSurvey | undefined;
  @state() private accessor outcome: Outcome | undefined;
  @state() private accessor rating = 0;
  @state() private accessor sending = false;
  @state() private accessor formError = '';
  /** The token whose rating was stored: its thanks stay on screen whatever the language. */
  private answeredToken = '';

  protected override shouldReload(changed: PropertyValues): boolean {
    return super.shouldReload(changed) || changed.has('token');
  }

  protected override reload(): void {
    this.formError = '';
    // Once rated the answer is final: a change of language re-renders the thanks, it does not ask again.
    if (this.outcome === 'thanks' && this.answeredToken === this.token) return;
    this.survey = undefined;
    this.outcome = undefined;
    if (!this.token) {
      this.status = 'idle';
      return;
    }
    void this.track(async (signal) => {
      try {
        this.survey = await this.api<CsatSurvey>(`support/csat/${encodeURIComponent(this.token)}`, { signal }, false);
      } catch (err) {
        const outcome = err instanceof ApiError ? outcomeOf(err) : undefined;
        if (!outcome) throw err;
        this.outcome = outcome;
      }
    });
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.sending || !this.survey) return;
    if (!this.rating) {
      this.formError = this.t('csat.chooseRating');
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('input[name=rating]')?.focus();
      return;
    }
    const comment = this.renderRoot.querySelector<HTMLTextAreaElement>('#comment')?.value.trim() ?? '';
    const body: CsatAnswer = { rating: this.rating, ...(comment && { comment }) };
    this.sending = true;
    this.formError = '';
    try {
      await this.api(`support/csat/${encodeURIComponent(this.token)}`, { method: 'POST', body }, false);
      this.outcome = 'thanks';
      this.answeredToken = this.token;
      this.emit('peyvand-csat-submitted', { ticketNumber: this.survey.ticketNumber, rating: body.rating });
    } catch (err) {
      // A used or dead link is an answer about the link, shown like on loading: no error event.
      const outcome = err instanceof ApiError ? outcomeOf(err) : undefined;
      if (outcome) this.outcome = outcome;
      else this.formError = this.problemText(this.reportError(err));
    } finally {
      this.sending = false;
    }
    if (this.outcome) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#outcome')?.focus();
    }
  }

  protected override renderContent(): unknown {
    const heading = html`<h2>${this.t('csat.heading')}</h2>`;
    if (!this.token) return html`${heading}<p class="state error" part="state" role="alert">${icon('alert')}${this.t('csat.notConfigured')}</p>`;
    if (this.outcome) return html`${heading}${this.renderOutcome(this.outcome)}`;
    if (this.status !== 'ready' || !this.survey) return html`${heading}${this.renderStatus()}`;
    const survey = this.survey;
    return html`
      ${heading}
      <p class="ticket">${this.t('csat.ticket', { number: survey.ticketNumber })} <bdi>${survey.subject}</bdi></p>
      <form part="form" novalidate @submit=${this.submit}>
        <fieldset aria-describedby="form-error">
          <legend>${this.t('csat.question')}</legend>
          <p class="muted scale">${this.t('csat.scale', { low: 1, high: 5 })}</p>
          <div class="ratings">${RATINGS.map((value) => html`<label class="rating" part="rating">
            <input type="radio" name="rating" .value=${String(value)} .checked=${this.rating === value} @change=${() => { this.rating = value; this.formError = ''; }} />
            <span class="value" aria-hidden="true">${this.t('csat.value', { value })}</span>
            <span class="label">${this.t(`csat.ratings.${value}`)}</span>
          </label>`)}</div>
        </fieldset>
        <div>
          <label for="comment">${this.t('csat.comment')}</label>
          <textarea id="comment" part="input" rows="3" maxlength="2000"></textarea>
        </div>
        <p id="form-error" class="error-text" role="alert">${this.formError}</p>
        <div><button type="submit" class="primary" part="button" ?disabled=${this.sending}>${this.sending ? this.t('csat.sending') : this.t('csat.submit')}</button></div>
      </form>
    `;
  }

  private renderOutcome(outcome: Outcome): unknown {
    if (outcome === 'thanks') {
      return html`<div class="thanks" part="state" role="status"><h3 id="outcome" tabindex="-1">${icon('check')}${this.t('csat.thanks')}</h3></div>`;
    }
    return html`<p id="outcome" tabindex="-1" class="state notice" part="state" role="status">${icon(outcome === 'answered' ? 'check' : 'lock')}<span>${this.t(`csat.${outcome}`)}</span></p>`;
  }
}

/** The link problems that replace the survey: forged/expired/unknown, and already used. */
function outcomeOf(error: ApiError): Outcome | undefined {
  if (error.code === 'CSAT_LINK_NOT_FOUND') return 'invalid';
  if (error.code === 'CSAT_ANSWERED') return 'answered';
  return undefined;
}

define('peyvand-csat', PeyvandCsat);

declare global {
  interface HTMLElementTagNameMap {
    'peyvand-csat': PeyvandCsat;
  }
}
