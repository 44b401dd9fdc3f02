/**
 * Phone number keys for dedup and search (persian.md: the same Iranian mobile is typed as
 * `۰۹۱۲۳۴۵۶۷۸۹`, `٠٩١٢٣٤٥٦٧٨٩`, `0912 345 6789` or `+98 912 345 6789`).
 *
 * This is not a full numbering-plan validator: it derives a stable key, so two spellings of one
 * number meet, without rejecting numbers from plans it does not know.
 *
 * Pure functions on standard JS only: this module is also bundled into browser widgets.
 *
 * @module
 */

import { toLatinDigits } from './digits.js';

/**
 * Visual separators people type or paste: whitespace (incl. NBSP), ASCII and Unicode dashes,
 * minus sign, dots, parentheses, and invisible bidi marks picked up from RTL text.
 */
const SEPARATORS_RE = /[\s\-\u2010-\u2015\u2212.()\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Fewer digits than this cannot identify a subscriber anywhere and would create false duplicates. */
const MIN_DIGITS = 5;

/**
 * Derives the canonical phone key.
 *
 * - Any digits (ASCII, Persian, Arabic-Indic); separators (spaces, dashes, dots, parentheses) dropped.
 * - Iranian numbers → national form with a leading `0`: `+98…` and `0098…` (an extra trunk `0`
 *   after the country code, as in `+98 (0) 912…`, is dropped), and `98` followed by ten digits
 *   starting with 9 (a mobile written without `+`). Numbers that already start with a single `0`
 *   are taken as Iranian national numbers and kept as they are.
 * - Other numbers with a `+` or `00` prefix → `+` followed by the digits.
 * - Anything else (no prefix) → the digits as typed; no country is guessed.
 *
 * @example normalizePhone('+98 912 345 6789') === '09123456789'
 * @returns the key, or null for letters or other symbols, a `+` that is not leading, or fewer
 *   than five digits.
 */
export function normalizePhone(input: string): string | null {
  const compact = toLatinDigits(input).replace(SEPARATORS_RE, '');
  const m = /^(\+?)(\d+)$/.exec(compact);
  if (!m) return null;
  let digits = m[2] ?? '';
  let international = m[1] === '+';
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  }
  if (digits.length < MIN_DIGITS) return null;

  if (international) {
    if (digits.startsWith('98')) {
      const national = digits.slice(2).replace(/^0/, '');
      return national.length + 1 < MIN_DIGITS ? null : '0' + national;
    }
    return '+' + digits;
  }
  // "989123456789": an Iranian mobile with the country code but without "+"; only this exact
  // shape is rewritten, because other digit strings starting with 98 are ambiguous.
  if (/^989\d{9}$/.test(digits)) return '0' + digits.slice(2);
  return digits;
}

/**
 * The keys to index for a phone number so that a prefix search finds it however the searcher
 * starts typing: the canonical form; for Iranian numbers (canonical form starting with `0`) also
 * the form without the leading 0 (`9123456789`) and with the country code (`989123456789`); for
 * other international numbers also the digits without `+`. Queries should be normalized with
 * {@link normalizePhone} before the prefix match.
 *
 * @returns distinct keys, canonical first; empty when the input is not a phone number.
 */
export function phoneSearchKeys(input: string): string[] {
  const canonical = normalizePhone(input);
  if (canonical === null) return [];
  if (canonical.startsWith('0')) {
    const subscriber = canonical.slice(1);
    return [canonical, subscriber, '98' + subscriber];
  }
  if (canonical.startsWith('+')) return [canonical, canonical.slice(1)];
  return [canonical];
}
