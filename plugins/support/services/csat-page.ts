/**
 * The CSAT survey as a page, for a customer who opens the mailed link in a browser: a form
 * with the five ratings and a comment that posts back to the same URL (no script), and
 * the outcome. Built on the contract's public pages (escaped values, right to left in
 * Persian, a CSP that loads nothing). The `<peyvand-csat>` widget is the same survey for a
 * host that embeds it in its own page.
 */
import { escapeHtml, formatNumber, publicPage, type Language } from '../../../core/plugin/index.js';
import type { CsatSurvey } from './csat.js';

/** Which page: the survey, its thanks, or a link that cannot be used (already answered, or forged/expired/unknown). */
export type CsatPageKind = 'survey' | 'thanks' | 'answered' | 'invalid';

/** What a page says: the translator (`ctx.t`), the language, and the survey it asks. */
export interface CsatPageInput {
  t: (key: string, options: Record<string, unknown>) => string;
  lng: Language;
  kind: CsatPageKind;
  survey?: CsatSurvey;
}

/** The page's HTML. */
export function csatPage({ t, lng, kind, survey }: CsatPageInput): string {
  const values = {
    lng,
    number: survey ? `<bdi>${escapeHtml(formatNumber(survey.ticketNumber, lng))}</bdi>` : '',
    subject: survey ? `<bdi>${escapeHtml(survey.subject)}</bdi>` : '',
    interpolation: { escapeValue: false },
  };
  const say = (key: string) => t(`support:csatPage.${key}`, values);
  const ratings = [1, 2, 3, 4, 5]
    .map((r) => `<label><input type="radio" name="rating" value="${r}" required> ${escapeHtml(formatNumber(r, lng))} — ${say(`rating.${r}`)}</label>`)
    .join('\n');
  const form = kind === 'survey'
    ? `<form method="post">
<fieldset><legend>${say('legend')}</legend>
${ratings}
</fieldset>
<label for="comment">${say('comment')}</label>
<textarea id="comment" name="comment" maxlength="2000"></textarea>
<button type="submit">${say('submit')}</button>
</form>`
    : '';
  return publicPage({ lng, title: t('support:csatPage.title', { lng }), headingHtml: say(`${kind}.heading`), bodyHtml: `<p>${say(`${kind}.text`)}</p>\n${form}` });
}
