/**
 * Calendar days in a tenant's time zone. Report ranges (`from`/`to`) and dates such as a
 * deal's expected close date are local days (`YYYY-MM-DD`); report periods are instants
 * (local midnights). These convert between the two with the Jalali helpers, which ask
 * Intl and so handle DST exactly. Shared by every plugin's reports.
 */
import { formatDate, jalaliToDate, toJalali } from './persian/index.js';

/** The local calendar day of an instant in a zone, `YYYY-MM-DD`. */
export function localDateOf(instant: Date, timeZone: string): string {
  return formatDate(instant, 'en', { timeZone });
}

/**
 * The instant a local calendar day begins in a zone. Core exposes day starts for Jalali
 * dates; every civil day has exactly one Jalali date, so a Gregorian day goes through it.
 */
export function localDayStart(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const j = toJalali(new Date(Date.UTC(y, m - 1, d, 12)), 'UTC');
  return jalaliToDate(j.year, j.month, j.day, timeZone);
}

/** Whether a `YYYY-MM-DD` string names a real Gregorian day (2025-02-30 does not). */
export function isRealDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utc = new Date(Date.UTC(y, m - 1, d));
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d;
}

/** Adds whole months to a local day (clamped to the month's end): the default report horizon. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}
