/**
 * Search-key normalization for Persian, Arabic-script and Latin text (persian.md, "Text
 * normalization"). The output is a matching key only — never show it, never store it in place of
 * what the user typed.
 *
 * Pure functions on standard JS only: this module is also bundled into browser widgets.
 *
 * @module
 */

import { toLatinDigits } from './digits.js';

/** Single-character rewrites applied after NFKD; see the table in persian.md for the reasons. */
const CHAR_MAP: Readonly<Record<string, string>> = {
  '\u064A': '\u06CC', // ي Arabic yeh → ی (Arabic keyboards, older ERPs)
  '\u0649': '\u06CC', // ى alef maksura → ی
  '\u0643': '\u06A9', // ك Arabic kaf → ک
  '\u0629': '\u0647', // ة teh marbuta → ه
  '\u06C0': '\u0647', // ۀ heh with yeh above → ه (only reached if NFKD left it composed)
  // NFKD turns ۀ (and its presentation forms) into ە U+06D5 + hamza above, so ە must fold to ه
  // as well; Kurdish ە folding to ه is acceptable for a matching key.
  '\u06D5': '\u0647',
  '\u0623': '\u0627', // أ → ا
  '\u0625': '\u0627', // إ → ا
  '\u0622': '\u0627', // آ → ا
  '\u0671': '\u0627', // ٱ alef wasla → ا
  '\u03C2': '\u03C3', // Greek final sigma → σ, so case folding does not depend on word position
};
const CHAR_MAP_RE = /[\u064A\u0649\u0643\u0629\u06C0\u06D5\u0623\u0625\u0622\u0671\u03C2]/g;

/**
 * Characters deleted outright because they are invisible or diacritic and must not split or
 * distinguish words:
 * - `\p{Cf}` format characters: ZWNJ U+200C and ZWJ U+200D (so «می‌دانم» meets «میدانم»), the bidi
 *   controls (U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C), BOM, soft hyphen, ZWSP.
 * - tatweel U+0640, a purely typographic stretch.
 * - Arabic harakat U+064B–U+065F and superscript alef U+0670 (this also drops the hamza/madda
 *   marks that NFKD splits off أ إ آ ؤ ئ).
 * - Combining diacritical marks (U+0300–U+036F and the extended/supplement blocks) left by NFKD on
 *   Latin, Greek and Cyrillic letters, so «José» meets «jose».
 */
// eslint-disable-next-line no-misleading-character-class -- ranges of combining marks, matched one code point at a time on purpose
const REMOVE_RE = /[\p{Cf}\u0640\u064B-\u065F\u0670\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]/gu;

/**
 * Runs of anything that is not a letter, mark or digit become one space. Marks count as word
 * characters so scripts whose vowel signs are combining marks (e.g. Devanagari) are not torn apart.
 */
const SEPARATOR_RE = /[^\p{L}\p{M}\p{N}]+/gu;

/**
 * Derives the search key of a piece of text.
 *
 * Steps, in an order chosen so that the function is idempotent:
 * 1. NFKD, which also unfolds Arabic presentation forms, ligatures and full-width Latin;
 * 2. case folding via lower-upper-lower (so `ß`, `ẞ` and `SS` all become `ss`), locale-independent,
 *    after NFKD because NFKD can produce capitals (`ᴬ` → `A`, `ϒ` → `Υ`), then NFKD once more in
 *    case a case mapping produced a composed character;
 * 3. the letter rewrites of persian.md (ي ى → ی, ك → ک, ۀ ة → ه, أ إ آ ٱ → ا);
 * 4. Persian and Arabic-Indic digits → ASCII;
 * 5. removal of ZWNJ/ZWJ/bidi/format characters, tatweel, harakat and Latin combining marks;
 * 6. every run of non-letter/non-digit characters → one space, then trim.
 *
 * Note that «می دانم» (with a real space) stays two words; only the ZWNJ form joins.
 *
 * @example normalizeSearchText('كريمي') === normalizeSearchText('کریمی')
 */
export function normalizeSearchText(input: string): string {
  const folded = input.normalize('NFKD').toLowerCase().toUpperCase().toLowerCase().normalize('NFKD');
  const mapped = toLatinDigits(folded.replace(CHAR_MAP_RE, (ch) => CHAR_MAP[ch] ?? ch));
  return mapped.replace(REMOVE_RE, '').replace(SEPARATOR_RE, ' ').trim();
}

/**
 * Splits text into distinct search tokens: {@link normalizeSearchText}, split on spaces, empty
 * tokens dropped, duplicates removed keeping the first occurrence's position (so a query's order
 * is preserved for ranking or highlighting).
 */
export function searchTokens(input: string): string[] {
  const key = normalizeSearchText(input);
  return key === '' ? [] : [...new Set(key.split(' '))];
}

/**
 * Normalizes an e-mail address for dedup and lookup: trim and lower-case, nothing else.
 * Deliberately no provider-specific rewriting (dots, `+tags`): those rules differ per provider, and
 * merging two real mailboxes would be worse than missing a duplicate.
 */
export function normalizeEmail(input: string): string {
  return input.trim().toLowerCase();
}

/**
 * True when two names have the same non-empty search key («علي» and «علی», «كريمي» and «کریمی»).
 * Two names that normalize to nothing (empty, only punctuation) do not match: callers use this for
 * duplicate detection, where "both blank" must not count as "same person".
 */
export function namesMatch(a: string, b: string): boolean {
  const ka = normalizeSearchText(a);
  return ka !== '' && ka === normalizeSearchText(b);
}
