/**
 * The small HTML pages of the unsubscribe link for people (a browser opening the
 * `List-Unsubscribe` URL with GET): the question with a button that POSTs, and the
 * outcome. Server-rendered, no script, every value escaped; right to left in Persian.
 */
import { escapeHtml, publicPage, type Language } from '../../../core/plugin/index.js';

/** Which page: the question, the outcome, or a link that cannot be used. */
export type UnsubscribePageKind = 'confirm' | 'done' | 'used' | 'invalid';

/** What a page says: the translator (`ctx.t`), the language, and the values it names. */
export interface UnsubscribePageInput {
  t: (key: string, options: Record<string, unknown>) => string;
  lng: Language;
  kind: UnsubscribePageKind;
  address?: string;
  company?: string;
}

/** The page's HTML. */
export function unsubscribePage({ t, lng, kind, address = '', company = '' }: UnsubscribePageInput): string {
  // Values go in escaped and isolated; the sentence around them is ours.
  const values = { lng, address: `<bdi dir="ltr" class="ltr">${escapeHtml(address)}</bdi>`, company: `<bdi>${escapeHtml(company)}</bdi>` };
  const say = (key: string) => t(`unsubscribePage.${key}`, values);
  const form = kind === 'confirm'
    ? `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${say('button')}</button></form>`
    : '';
  return publicPage({
    lng,
    title: t('unsubscribePage.title', { lng }),
    headingHtml: say(`${kind}.heading`),
    bodyHtml: `<p>${say(`${kind}.text`)}</p>\n${form}\n${kind === 'invalid' ? '' : `<p class="muted">${say('note')}</p>`}`,
  });
}
