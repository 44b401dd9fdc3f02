/**
 * Calendar arithmetic in the tenant's time zone: local days, Gregorian and Persian years
 * (the Persian year starts at Nowruz, Farvardin 1, local midnight), month steps.
 * Built on core's calendar helpers, which ask Intl and so handle DST exactly.
 */
import { formatDate, jalaliToDate, toJalali } from '../../../core/plugin/index.js';

/** The calendars of tier windows and reports. */
export type Calendar = 'persian' | 'gregorian';

/** A half-open instant range `[from, to)` in ms. */
export interface Range {
  from: number;
  to: number;
}

const DAY_MS = 86_400_000;

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDateOf(instant: number, timeZone: string): string {
  return formatDate(new Date(instant), 'en', { timeZone });
}

/** The instant a local Gregorian day begins (every civil day has one Jalali date, so it goes through it). */
export function localDayStart(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const j = toJalali(new Date(Date.UTC(y, m - 1, d, 12)), 'UTC');
  return jalaliToDate(j.year, j.month, j.day, timeZone).getTime();
}

/** The calendar year containing an instant, as an instant range. */
export function yearOf(instant: number, calendar: Calendar, timeZone: string): Range & { label: string } {
  if (calendar === 'persian') {
    const { year } = toJalali(new Date(instant), timeZone);
    return { from: jalaliToDate(year, 1, 1, timeZone).getTime(), to: jalaliToDate(year + 1, 1, 1, timeZone).getTime(), label: String(year) };
  }
  const year = Number(localDateOf(instant, timeZone).slice(0, 4));
  return { from: localDayStart(`${year}-01-01`, timeZone), to: localDayStart(`${year + 1}-01-01`, timeZone), label: String(year) };
}

/** An instant moved by whole calendar months (UTC day clamped to the month's end). */
export function addMonths(instant: number, months: number): number {
  const d = new Date(instant);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return target.getTime();
}

/** Whole days between two instants. */
export function daysBetween(from: number, to: number): number {
  return Math.floor((to - from) / DAY_MS);
}

export { DAY_MS };
