/**
 * The small HTML pages of the unsubscribe link for people (a browser opening the
 * `List-Unsubscribe` URL with GET): the question with a button that POSTs, and the
 * outcome. Server-rendered, no script, every value escaped; right to left in Persian.
 */
import type { Language } from '../../../core/plugin/index.js';

/** Which page: the question, the outcome, or a link that cannot be used. */
export type UnsubscribePageKind = 'confirm' | 'done' | 'used' | 'invalid';

/**
 * No script, no images, no fetches; the form posts only back here; no framing. `default-src
 * 'self'` like every answer of the server (the security suite checks it), everything the
 * page could load narrowed to nothing.
 */
export const UNSUBSCRIBE_PAGE_CSP = "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; img-src 'none'; connect-src 'none'; font-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STYLE = `
  body { margin: 0; font: 16px/1.6 system-ui, "Vazirmatn", "DejaVu Sans", sans-serif; color: #111827; background: #f3f4f6; }
  main { max-width: 32rem; margin: 3rem auto; padding: 1.5rem; background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; }
  h1 { font-size: 1.25rem; margin: 0 0 0.75rem; }
  .ltr { direction: ltr; unicode-bidi: isolate; overflow-wrap: anywhere; }
  .muted { color: #4b5563; font-size: 0.9rem; }
  button { font: inherit; padding: 0.5em 1.2em; border-radius: 6px; border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; cursor: pointer; }
  button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
`;

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
  const values = { lng, address: `<bdi dir="ltr" class="ltr">${escape(address)}</bdi>`, company: `<bdi>${escape(company)}</bdi>` };
  const say = (key: string) => t(`unsubscribePage.${key}`, values);
  const form = kind === 'confirm'
    ? `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${say('button')}</button></form>`
    : '';
  return `<!doctype html>
<html lang="${lng}" dir="${lng === 'fa' ? 'rtl' : 'ltr'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${say('title')}</title><style>${STYLE}</style></head>
<body><main>
<h1>${say(`${kind}.heading`)}</h1>
<p>${say(`${kind}.text`)}</p>
${form}
${kind === 'invalid' ? '' : `<p class="muted">${say('note')}</p>`}
</main></body></html>
`;
}
