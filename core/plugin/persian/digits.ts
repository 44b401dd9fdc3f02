/**
 * Digit conversion, number parsing and number formatting for fa/en.
 *
 * Pure functions on standard JS + Intl only: this module is also bundled into browser widgets.
 *
 * @module
 */

/** Persian (Extended Arabic-Indic) digits ۰–۹, U+06F0–U+06F9. */
const PERSIAN_ZERO = 0x06f0;
/** Arabic-Indic digits ٠–٩, U+0660–U+0669. */
const ARABIC_ZERO = 0x0660;

/**
 * Replaces Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII 0–9; everything else is kept.
 *
 * Users type with whichever keyboard they have, and older ERPs store Arabic-Indic digits, so
 * every comparison of phones, ids and amounts starts here.
 */
export function toLatinDigits(s: string): string {
  return s.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (ch) => {
    const cp = ch.charCodeAt(0);
    return String(cp >= PERSIAN_ZERO ? cp - PERSIAN_ZERO : cp - ARABIC_ZERO);
  });
}

/**
 * Replaces ASCII (0–9) and Arabic-Indic (٠–٩) digits with Persian digits ۰–۹; everything else is kept.
 *
 * Arabic-Indic digits are converted too because ٤ ٥ ٦ have different shapes from Persian ۴ ۵ ۶
 * and look wrong in Persian text.
 */
export function toPersianDigits(s: string): string {
  return s.replace(/[0-9\u0660-\u0669]/g, (ch) => {
    const cp = ch.charCodeAt(0);
    const value = cp >= ARABIC_ZERO ? cp - ARABIC_ZERO : cp - 0x30;
    return String.fromCharCode(PERSIAN_ZERO + value);
  });
}

/**
 * A decimal number split into its textual parts, as produced by {@link parseDecimal}.
 * Kept as strings so that money code can scale to minor units without floating-point error.
 */
export interface DecimalParts {
  /** True when the input had a leading minus sign (and is not zero). */
  negative: boolean;
  /** ASCII digits before the decimal separator, separators removed, never empty. */
  integer: string;
  /** ASCII digits after the decimal separator; empty when there is none. */
  fraction: string;
}

/**
 * Bidi controls that Intl itself emits around fa numbers (LRM before a minus sign) and that
 * copy/paste from RTL text carries along; they are invisible, so they must not make input invalid.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Integer part: either plain digits, or 1–3 digits followed by groups of exactly three digits with
 * one consistent separator (`,` `٬` or `،`). Strict grouping is deliberate: `12,5` typed by someone
 * who means 12.5 is rejected instead of silently becoming 125.
 */
const DECIMAL_RE = /^([-\u2212])?(\d+|\d{1,3}(?:([,\u066C\u060C])\d{3}(?:\3\d{3})*))(?:[.\u066B](\d+))?$/;

/**
 * Parses user input of a decimal number into sign, integer digits and fraction digits.
 *
 * Accepts any digits (ASCII, Persian, Arabic-Indic), thousands separators `,` `٬` (U+066C) and `،`
 * (U+060C) in groups of three, decimal separators `.` and `٫` (U+066B), one leading `-` or `−`
 * (U+2212), surrounding whitespace and invisible bidi marks. Both sides of a decimal separator
 * must have digits. Returns null for anything else.
 */
export function parseDecimal(input: string): DecimalParts | null {
  const text = toLatinDigits(input.replace(BIDI_CONTROLS, '')).trim();
  const m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const integer = (m[2] ?? '').replace(/[,\u066C\u060C]/g, '');
  const fraction = m[4] ?? '';
  // "-0" and "-0.00" are zero; reporting them as negative would print "−۰".
  const isZero = /^0*$/.test(integer) && /^0*$/.test(fraction);
  return { negative: m[1] !== undefined && !isZero, integer, fraction };
}

/**
 * Parses a number typed by a user in any digits and either locale's separators.
 *
 * @example parseNumber('۱۲۳٬۴۵۶') === 123456; parseNumber('۱۲٫۵') === 12.5; parseNumber('1.2.3') === null
 * @returns the number, or null for empty input, letters, two decimal separators, bad grouping,
 *   or a value that is not finite.
 */
export function parseNumber(input: string): number | null {
  const parts = parseDecimal(input);
  if (!parts) return null;
  const value = Number(`${parts.negative ? '-' : ''}${parts.integer}${parts.fraction ? '.' + parts.fraction : ''}`);
  return Number.isFinite(value) ? value : null;
}

/** Display locales the product supports. */
export type DisplayLocale = 'fa' | 'en';

/**
 * Intl locale tags with the numbering system pinned, so a future ICU/CLDR default change cannot
 * silently switch fa to Latin digits or en to anything else.
 */
export const INTL_NUMBER_LOCALE: Record<DisplayLocale, string> = {
  fa: 'fa-IR-u-nu-arabext',
  en: 'en-US-u-nu-latn',
};

const numberFormats = new Map<DisplayLocale, Intl.NumberFormat>();

/**
 * Formats a number for display: fa gives Persian digits with `٬` grouping and `٫` decimals
 * (`۱٬۲۳۴٬۵۶۷`), en gives `1,234,567`. At most three fraction digits (Intl's default), rounded.
 * Negative fa numbers start with LRM + `−` exactly as Intl emits them, which keeps the sign on the
 * left inside RTL text; {@link parseNumber} accepts that output back.
 */
export function formatNumber(n: number, locale: DisplayLocale): string {
  let nf = numberFormats.get(locale);
  if (!nf) {
    nf = new Intl.NumberFormat(INTL_NUMBER_LOCALE[locale]);
    numberFormats.set(locale, nf);
  }
  return nf.format(n);
}
