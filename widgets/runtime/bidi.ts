/**
 * The one bidi rule of the widgets: a value of left-to-right nature — an email address,
 * a URL, a phone number in Latin digits, a code or reference — is isolated from the text
 * around it, so «maryam.ahmadi@arya-trading.example» stays one left-to-right run inside
 * Persian text and never splits at its hyphen into «-maryam.ahmadi@arya / trading.example».
 *
 * - In markup: {@link ltr} renders `<bdi dir="ltr" class="ltr">`, which styles.ts makes an
 *   isolated inline box that wraps inside itself (long addresses at narrow widths).
 * - Inside a translated sentence («تماس با {{number}}»): {@link isolateText} wraps the
 *   value in U+2066 LEFT-TO-RIGHT ISOLATE … U+2069 POP DIRECTIONAL ISOLATE. The marks are
 *   for display only: a control named by such a sentence gets the sentence without them as
 *   its accessible name (`aria-label`), since the name computed from its content keeps them.
 * - Text of unknown direction (names, summaries, tags): `<bdi>` or `dir="auto"`.
 */
import { html, type TemplateResult } from 'lit';

/** A left-to-right value in markup, isolated (see the module doc). */
export function ltr(value: string, className = ''): TemplateResult {
  return html`<bdi dir="ltr" class="ltr ${className}" part="ltr">${value}</bdi>`;
}

/** A left-to-right value inside a sentence: LRI value PDI. */
export function isolateText(value: string): string {
  return `\u2066${value}\u2069`;
}
