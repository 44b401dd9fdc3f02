/**
 * Small display helpers the loyalty widgets share: signed point counts (in the widget's
 * digits, isolated as a left-to-right run so the sign stays in front of the number in
 * right-to-left text) and an instant as the user's calendar day.
 */
import { formatDay, formatNumber, ltr, type Locale, type TemplateResult } from '../../../widgets/runtime/index.js';

/** `+۲۴۰` / `−۱۲۰` (a plus for gains, so a list of changes reads as one), isolated. */
export function signedPoints(points: number, locale: Locale): TemplateResult {
  return ltr(`${points > 0 ? '+' : ''}${formatNumber(points, locale)}`, points < 0 ? 'negative' : 'positive');
}

/** The day an instant falls on in the browser's time zone (the user's own clock), as `formatDay` shows it. */
export function localDay(iso: string, locale: Locale): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return formatDay(`${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`, locale);
}

/** The last day before `instant`: the reports' `asOf` and `to` are the end of their last day, exclusive. */
export function lastDayBefore(instant: string, locale: Locale): string {
  return localDay(new Date(Date.parse(instant) - 1).toISOString(), locale);
}
