/**
 * The rules behind Peyvand's `single-line` and `phone` schema formats, pure functions so
 * that a plugin's service (or a widget) can apply the same rule outside a schema.
 */
import { normalizePhone } from './persian/phone.js';
import { toLatinDigits } from './persian/digits.js';

// Line breaks, tab and the bidi embedding/override/isolate controls. ZWNJ, ZWJ, LRM and
// RLM (U+200C, U+200D, U+200E, U+200F) stay allowed: Persian text needs them.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const NOT_IN_A_LINE = /[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * True for a text fit for a single-line field (a name, subject, title): no line break and
 * no bidi embedding, override or isolate control, which in a list or an email subject
 * could make «txt.exe» show as «exe.txt».
 */
export function isSingleLine(text: string): boolean {
  return !NOT_IN_A_LINE.test(text);
}

/**
 * Text from outside (a mail's subject) made fit for a single-line field: each run of
 * the characters {@link isSingleLine} refuses becomes one space, and the ends are trimmed.
 */
export function toSingleLine(text: string): string {
  return text.replace(new RegExp(`${NOT_IN_A_LINE.source}+`, 'g'), ' ').trim();
}

/**
 * True for something that can be a phone number: digits in any script (ASCII, Persian,
 * Arabic-Indic) with the usual separators and an optional leading `+`, 5 to 15 digits
 * (E.164 allows at most 15). `abc` and `12` are not phone numbers.
 */
export function isPhoneNumber(text: string): boolean {
  if (normalizePhone(text) === null) return false;
  const digits = toLatinDigits(text).replace(/\D/g, '');
  return digits.length <= 15 + 2; // a `00` international prefix adds two
}
