/**
 * How a message's HTML is shown: in an `<iframe sandbox>` without `allow-scripts`, from a
 * `srcdoc` built here. The server already sanitized the HTML (no scripts, no handlers,
 * remote images moved to `data-blocked-src`); the sandbox is the second wall, so even
 * markup the sanitizer let through cannot run. `allow-same-origin` (without scripts) only
 * lets this widget measure the content's height. The frame's own Content-Security-Policy
 * loads no remote image until the reader asks, and nothing else at all. This `srcdoc` is
 * the widgets' one HTML built from a string (bundle.test.ts checks it stays the only one).
 */

/** The sandbox flags: no scripts, no forms; links open in a new tab outside the sandbox. */
export const FRAME_SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox';

const FRAME_STYLE = `
  html { color-scheme: light; }
  body { margin: 0; font: 15px/1.5 system-ui, "Vazirmatn", "DejaVu Sans", sans-serif; overflow-wrap: anywhere; }
  img, video { max-width: 100%; height: auto; }
  table { max-width: 100%; }
  pre { white-space: pre-wrap; }
  blockquote { margin-inline: 0.5em 0; padding-inline-start: 0.8em; border-inline-start: 3px solid #d1d5db; color: #4b5563; }
`;

/** Whether the sanitized HTML holds remote images the server blocked. */
export function hasBlockedImages(html: string): boolean {
  return /\sdata-blocked-src=/.test(html);
}

/**
 * The frame's document for `html` (sanitized by the server). With `images`, the policy lets
 * remote images load; {@link showBlockedImages} then gives them their `src` back.
 */
export function frameDocument(html: string, images: boolean): string {
  const imgSrc = images ? 'data: https: http:' : 'data:';
  return `<!doctype html><html><head><meta charset="utf-8">`
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline'; form-action 'none'">`
    + `<base target="_blank"><style>${FRAME_STYLE}</style></head><body dir="auto">${html}</body></html>`;
}

/** Moves `data-blocked-src` back to `src` in a loaded frame (whose policy allows remote images). */
export function showBlockedImages(frame: HTMLIFrameElement): void {
  for (const img of frame.contentDocument?.querySelectorAll('img[data-blocked-src]') ?? []) {
    img.setAttribute('src', img.getAttribute('data-blocked-src') ?? '');
    img.removeAttribute('data-blocked-src');
  }
}

/** Sizes a frame to its content (same origin through the sandbox's `allow-same-origin`). */
export function fitFrame(frame: HTMLIFrameElement): void {
  const doc = frame.contentDocument;
  if (!doc?.documentElement) return;
  frame.style.blockSize = `${Math.ceil(doc.documentElement.scrollHeight)}px`;
}
