/**
 * Small server-rendered HTML pages for people who open a link from an email in a browser —
 * an unsubscribe link, a satisfaction survey — where an API answer would be JSON. No
 * script, every value escaped by the caller with {@link escapeHtml}, right to left in
 * Persian, and a Content-Security-Policy that lets the page load nothing and post forms
 * only back to the server.
 */
import type { Language } from './language.js';

/**
 * No script, no images, no fetches; forms post only back here; no framing. `default-src
 * 'self'` like every answer of the server, everything the page could load narrowed to nothing.
 */
export const PUBLIC_PAGE_CSP = "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; img-src 'none'; connect-src 'none'; font-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The headers every public page is sent with: its CSP, never cached (it shows a link's state), never indexed. */
export const PUBLIC_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PUBLIC_PAGE_CSP,
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** An OpenAPI response that is a page for a browser and `schema` as `mediaType` for an API client. */
export function pageOrSchema(description: string, mediaType: string, schema: object): { description: string; content: Record<string, { schema: object }> } {
  return { description, content: { [mediaType]: { schema }, 'text/html': { schema: { type: 'string' } } } };
}

/** Whether a request asks for a page (a browser's navigation or form post) rather than JSON. */
export function wantsHtml(accept: string | undefined): boolean {
  return /\btext\/html\b/.test(accept ?? '');
}

const STYLE = `
  body { margin: 0; font: 16px/1.6 system-ui, "Vazirmatn", "DejaVu Sans", sans-serif; color: #111827; background: #f3f4f6; }
  main { max-width: 32rem; margin: 3rem auto; padding: 1.5rem; background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; }
  h1 { font-size: 1.25rem; margin: 0 0 0.75rem; }
  .ltr { direction: ltr; unicode-bidi: isolate; overflow-wrap: anywhere; }
  .muted { color: #4b5563; font-size: 0.9rem; }
  fieldset { border: 0; margin: 0 0 1rem; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
  legend { margin-bottom: 0.5rem; }
  label { display: inline-flex; align-items: center; gap: 0.3rem; }
  textarea { box-sizing: border-box; width: 100%; min-height: 6rem; font: inherit; padding: 0.5rem; margin: 0.25rem 0 1rem; }
  button { font: inherit; padding: 0.5em 1.2em; border-radius: 6px; border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; cursor: pointer; }
  button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
`;

/** A page: its language, its title (plain text), its heading and body (HTML the caller built from escaped values). */
export interface PublicPage {
  lng: Language;
  title: string;
  headingHtml: string;
  bodyHtml: string;
}

/** The page's HTML document. */
export function publicPage({ lng, title, headingHtml, bodyHtml }: PublicPage): string {
  return `<!doctype html>
<html lang="${lng}" dir="${lng === 'fa' ? 'rtl' : 'ltr'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${headingHtml}</h1>
${bodyHtml}
</main></body></html>
`;
}
