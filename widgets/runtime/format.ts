/**
 * Display formatting for the widgets, from core's Persian helpers (bundled, not copied):
 * Jalali dates and Persian digits in fa, Gregorian and Latin digits in en, money in the
 * currency's units. Dates are shown in the browser's time zone: the user's own clock.
 */
import { formatNumber, INTL_NUMBER_LOCALE } from '../../core/plugin/persian/digits.js';
import { formatDate } from '../../core/plugin/persian/jalali.js';
import { formatMoney } from '../../core/plugin/persian/money.js';
import type { Locale } from './config.js';

export { formatMoney, formatNumber };

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** `۱۴۰۵/۰۹/۰۱ ۱۴:۳۰` (fa) or `2026-11-22 14:30` (en), from an ISO instant. */
export function formatDateTime(iso: string, locale: Locale): string {
  return formatDate(new Date(iso), locale, { timeZone: browserZone(), withTime: true });
}

/**
 * A calendar day `YYYY-MM-DD` (a deal's expected close date): `۱۴۰۵/۰۹/۰۱` or
 * `2026-11-22`. It is a date, not an instant, so it is read and shown in UTC: no zone can
 * move it to the day before.
 */
export function formatDay(day: string, locale: Locale): string {
  return formatDate(new Date(`${day}T00:00:00Z`), locale, { timeZone: 'UTC' });
}

const compact = new Map<Locale, Intl.NumberFormat>();

/** Short numbers for chart axes: `۴٫۸ میلیارد`, `4.8B`. */
export function formatCompact(n: number, locale: Locale): string {
  let nf = compact.get(locale);
  if (!nf) {
    nf = new Intl.NumberFormat(INTL_NUMBER_LOCALE[locale], { notation: 'compact', maximumFractionDigits: 1 });
    compact.set(locale, nf);
  }
  return nf.format(n);
}
