/**
 * Money parsing and display (persian.md, "Numbers and money"). Amounts are integers in the
 * currency's minor unit; IRR is stored in integer rials and may be displayed in toman (÷10).
 *
 * Pure functions on standard JS + Intl only: this module is also bundled into browser widgets.
 *
 * @module
 */

import { INTL_NUMBER_LOCALE, parseDecimal, type DisplayLocale } from './digits.js';

/** Options of {@link formatMoney} and {@link parseMoney}. */
export interface MoneyOptions {
  /**
   * IRR only: amounts are shown / typed in toman (1 toman = 10 rials). Ignored for other
   * currencies, so a tenant-wide "show toman" setting can be passed for every amount.
   */
  toman?: boolean;
}

function currencyCode(currency: string): string {
  if (!/^[A-Za-z]{3}$/.test(currency)) throw new RangeError(`Invalid currency code: ${currency}`);
  return currency.toUpperCase();
}

const minorDigitsCache = new Map<string, number>();

/**
 * Number of minor-unit digits of a currency, from Intl (CLDR): USD, EUR → 2, JPY → 0, KWD → 3.
 * IRR → 0: CLDR (unlike ISO 4217, which lists 2) has no fractional rial, which matches the spec's
 * "stored in integer rials". Unknown but well-formed codes get Intl's default of 2.
 * @throws RangeError when `currency` is not a three-letter code.
 */
export function currencyMinorDigits(currency: string): number {
  const code = currencyCode(currency);
  let digits = minorDigitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(code, digits);
  }
  return digits;
}

/** True when the amount is IRR shown in toman. */
function isToman(code: string, opts: MoneyOptions | undefined): boolean {
  return code === 'IRR' && opts?.toman === true;
}

/**
 * Parses an amount typed in major units into integer minor units.
 *
 * Accepts what {@link parseDecimal} accepts: any digits, `,` `٬` `،` grouping, `.` `٫` decimals,
 * a leading `-`/`−`. With `{ toman: true }` and IRR the input is in toman and one fraction digit
 * is allowed (`'12٫5'` toman → 125 rials).
 *
 * @example parseMoney('۱۲۳٬۴۵۶', 'IRR') === 123456; parseMoney('12.34', 'USD') === 1234
 * @returns minor units, or null for unparsable input, more fraction digits than the currency has
 *   (rounding user input silently would change the amount), or a result beyond
 *   Number.MAX_SAFE_INTEGER.
 * @throws RangeError when `currency` is not a three-letter code.
 */
export function parseMoney(input: string, currency: string, opts?: MoneyOptions): number | null {
  const code = currencyCode(currency);
  const digits = isToman(code, opts) ? 1 : currencyMinorDigits(code);
  const parts = parseDecimal(input);
  if (!parts || parts.fraction.length > digits) return null;
  // Scale as text, not by multiplying floats: 0.29 * 100 is 28.999999999999996.
  const minor = Number(parts.integer + parts.fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return null;
  return parts.negative ? -minor : minor;
}

/**
 * Writes integer minor units as an exact decimal string in major units, e.g. (-1234, 2) → "-12.34".
 * Done on text so amounts up to MAX_SAFE_INTEGER print exactly, which dividing a float would not.
 */
function toDecimalString(minor: number, digits: number): `${number}` {
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const cut = abs.length - digits;
  const text = digits === 0 ? abs : `${abs.slice(0, cut)}.${abs.slice(cut)}`;
  return (minor < 0 ? `-${text}` : text) as `${number}`;
}

const formats = new Map<string, Intl.NumberFormat>();

function cachedFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

let faCurrencyNames: Intl.DisplayNames | undefined;

/** Currency labels for IRR; Intl's own («ریال ایران», "IRR 1,235") is not what Iranian users read. */
const IRR_LABELS: Record<DisplayLocale, { rial: string; toman: string }> = {
  fa: { rial: 'ریال', toman: 'تومان' },
  en: { rial: 'Rial', toman: 'Toman' },
};

/**
 * Formats integer minor units for display. Amount and unit are separated by a no-break space
 * (U+00A0) so they never wrap apart.
 *
 * - IRR, fa: `۱۲۳٬۴۵۶ ریال`; with `toman`: `۱۲٬۳۴۵٫۶ تومان`
 * - IRR, en: `123,456 Rial`; with `toman`: `12,345.6 Toman`
 *   (toman shows the tenth only when there is one, so no rial is ever hidden by rounding)
 * - other currencies, fa: amount with the currency's minor digits, then Intl's Persian currency
 *   name: `۱۲٫۳۴ دلار آمریکا`, `۱٬۲۳۴ ین ژاپن`
 * - other currencies, en: Intl `en-US` currency format: `$12.34`, `€12.34`, `¥1,234`
 *
 * fa amounts use Persian digits with `٬` grouping and `٫` decimals; negative fa amounts start with
 * LRM + `−`, as Intl emits them, so the sign stays on the left inside RTL text.
 *
 * @throws RangeError when `minor` is not a safe integer or `currency` is not a three-letter code.
 */
export function formatMoney(minor: number, currency: string, locale: DisplayLocale, opts?: MoneyOptions): string {
  const code = currencyCode(currency);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Money amounts are integer minor units, got ${minor}`);
  const nbsp = '\u00A0';
  if (code === 'IRR') {
    const toman = isToman(code, opts);
    // Rial minor digits come from Intl (0); toman is that amount ÷ 10, i.e. one more digit.
    const digits = currencyMinorDigits(code) + (toman ? 1 : 0);
    const amount = cachedFormat(INTL_NUMBER_LOCALE[locale], { minimumFractionDigits: 0, maximumFractionDigits: digits })
      .format(toDecimalString(minor, digits));
    return `${amount}${nbsp}${toman ? IRR_LABELS[locale].toman : IRR_LABELS[locale].rial}`;
  }
  const digits = currencyMinorDigits(code);
  const value = toDecimalString(minor, digits);
  if (locale === 'en') {
    return cachedFormat(INTL_NUMBER_LOCALE.en, { style: 'currency', currency: code }).format(value);
  }
  const amount = cachedFormat(INTL_NUMBER_LOCALE.fa, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  faCurrencyNames ??= new Intl.DisplayNames('fa', { type: 'currency' });
  const name = faCurrencyNames.of(code) ?? code;
  return `${amount}${nbsp}${name}`;
}
