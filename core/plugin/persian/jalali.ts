/**
 * Jalali (Solar Hijri) calendar, report periods and date display, all computed through Intl
 * (persian.md, "Dates"). Dates are stored in UTC; calendar days and period boundaries are taken in
 * an IANA time zone (the tenant's, `Asia/Tehran` by default for fa tenants — callers pass it).
 *
 * Intl is the single source of truth for the calendar (leap years included), so what is computed
 * here always agrees with what `Intl.DateTimeFormat('fa-IR-u-ca-persian')` displays.
 *
 * Pure functions on standard JS + Intl only: this module is also bundled into browser widgets.
 * Invalid `Date`s and unknown time zones make Intl throw a RangeError, which is passed through.
 *
 * @module
 */

import { toPersianDigits, type DisplayLocale } from './digits.js';

/** A calendar date in the Jalali calendar; month 1 = Farvardin … 12 = Esfand. */
export interface JalaliDate {
  year: number;
  month: number;
  day: number;
}

/** Calendars a report can group by. */
export type CalendarKind = 'gregorian' | 'persian';
/** Report period lengths. */
export type PeriodKind = 'month' | 'quarter';

/** How to cut time into report periods. */
export interface PeriodOptions {
  calendar: CalendarKind;
  period: PeriodKind;
  /** IANA zone in which period boundaries are local midnights, e.g. `Asia/Tehran`. */
  timeZone: string;
}

/** One report period: `[start, end)` as UTC instants of local midnights. */
export interface Period {
  /** `2025-03`, `2025-Q1` (gregorian) or `1403-12`, `1403-Q4` (persian). */
  key: string;
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;
/** Day number (days since 1970-01-01) of 1 Farvardin 1400 = 2021-03-21, anchor of the estimate. */
const ANCHOR_DAY = Date.UTC(2021, 2, 21) / DAY_MS;
/** Mean Jalali year of the 33-year cycle (8 leap years); only used for a first estimate. */
const MEAN_YEAR = 365 + 8 / 33;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatter cache: creating an Intl.DateTimeFormat costs far more than using one. */
function formatter(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const cacheKey = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  const f = formatters.get(cacheKey) ?? new Intl.DateTimeFormat(locale, { ...options, timeZone });
  formatters.set(cacheKey, f);
  return f;
}

/** Numeric fields of a formatter's output, keyed by part type. */
function numericParts(f: Intl.DateTimeFormat, date: Date): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(date)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Gregorian wall-clock fields (year…second) of an instant in a zone; `en-US` + `h23` for stable parts. */
function wallParts(date: Date, timeZone: string): Record<string, number> {
  return numericParts(
    formatter('en-US-u-ca-gregory-nu-latn', timeZone, {
      year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
    }),
    date,
  );
}

/** The wall-clock time of instant `t` in `timeZone`, expressed as if it were UTC milliseconds. */
function wallMs(t: number, timeZone: string): number {
  const p = wallParts(new Date(t), timeZone);
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

/**
 * The first instant of a civil day (given as days since 1970-01-01) in a zone: local 00:00, or —
 * when a DST change skips midnight, as Iran's did until 2022 (00:00 → 01:00 on 1 Farvardin) — the
 * instant the clocks jumped. When midnight occurs twice, the earlier one.
 */
function startOfLocalDay(dayNumber: number, timeZone: string): Date {
  const midnight = dayNumber * DAY_MS;
  // A day away the offset is the one in force before/after any transition near this midnight.
  const offsets = [-DAY_MS, DAY_MS].map((d) => wallMs(midnight + d, timeZone) - (midnight + d));
  const candidates = [...new Set(offsets.map((o) => midnight - o))].sort((a, b) => a - b);
  for (const c of candidates) if (wallMs(c, timeZone) === midnight) return new Date(c);
  // Midnight was skipped: bisect (on whole seconds, the zone database's resolution) for the
  // first instant whose wall clock is at or past midnight.
  let lo = candidates[0] ?? midnight;
  let hi = candidates[candidates.length - 1] ?? midnight;
  if (wallMs(lo, timeZone) >= midnight || wallMs(hi, timeZone) < midnight) {
    throw new Error(`cannot locate the start of day ${dayNumber} in ${timeZone}`);
  }
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallMs(mid, timeZone) >= midnight) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/**
 * The Jalali date of an instant as seen in a time zone (default UTC).
 *
 * @example toJalali(new Date('2025-03-21T00:00Z')) → { year: 1404, month: 1, day: 1 }
 */
export function toJalali(date: Date, timeZone = 'UTC'): JalaliDate {
  const p = numericParts(
    formatter('en-u-ca-persian', timeZone, { year: 'numeric', month: 'numeric', day: 'numeric', numberingSystem: 'latn' }),
    date,
  );
  return { year: p.year ?? NaN, month: p.month ?? NaN, day: p.day ?? NaN };
}

function compareJalali(a: JalaliDate, b: JalaliDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Rough, monotone day count used only to jump close to a target date before walking exactly. */
function approxOrdinal(j: JalaliDate): number {
  const monthStart = j.month <= 7 ? (j.month - 1) * 31 : 186 + (j.month - 7) * 30;
  return Math.floor((j.year - 1400) * MEAN_YEAR) + monthStart + j.day - 1;
}

/**
 * The civil day number (days since 1970-01-01) of a Jalali date, or null when the date does not
 * exist (Esfand 30 of a common year). Jumps by estimate, then walks day by day asking Intl; the
 * walk overshooting in both directions means the date was skipped.
 */
function dayNumberOfJalali(target: JalaliDate): number | null {
  let day = ANCHOR_DAY + approxOrdinal(target);
  const jalaliOf = (d: number): JalaliDate => toJalali(new Date(d * DAY_MS + DAY_MS / 2));
  for (let i = 0; i < 4; i++) {
    const jump = approxOrdinal(target) - approxOrdinal(jalaliOf(day));
    if (Math.abs(jump) <= 1) break;
    day += jump;
  }
  let lastStep = 0;
  for (let i = 0; i < 400; i++) {
    const cmp = compareJalali(target, jalaliOf(day));
    if (cmp === 0) return day;
    const step = cmp > 0 ? 1 : -1;
    if (lastStep !== 0 && step !== lastStep) return null;
    lastStep = step;
    day += step;
  }
  throw new Error(`Jalali date ${target.year}-${target.month}-${target.day} not reached`);
}

/** Throws unless `n` is an integer in [min, max]; years are capped at 4 digits to fit period keys. */
function checkRange(what: string, n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`Invalid ${what}: ${n}`);
}

const leapCache = new Map<number, boolean>();

/**
 * Whether a Jalali year has 366 days (Esfand 30 exists), as the platform's ICU calendar says —
 * e.g. 1399, 1403 and 1408 are leap years, 1400–1402 and 1404 are not.
 * @throws RangeError unless `year` is an integer in 1–9999.
 */
export function isJalaliLeapYear(year: number): boolean {
  checkRange('Jalali year', year, 1, 9999);
  let leap = leapCache.get(year);
  if (leap === undefined) {
    leap = dayNumberOfJalali({ year, month: 12, day: 30 }) !== null;
    leapCache.set(year, leap);
  }
  return leap;
}

/**
 * Days in a Jalali month: 31 for Farvardin–Shahrivar (1–6), 30 for Mehr–Bahman (7–11), and 29,
 * or 30 in a leap year, for Esfand (12).
 * @throws RangeError for a year outside 1–9999 or a month outside 1–12.
 */
export function jalaliMonthLength(year: number, month: number): number {
  checkRange('Jalali year', year, 1, 9999);
  checkRange('month', month, 1, 12);
  if (month <= 6) return 31;
  if (month <= 11) return 30;
  return isJalaliLeapYear(year) ? 30 : 29;
}

/**
 * The UTC instant at which a Jalali day begins in a zone: local 00:00 (or, on a day whose
 * midnight a DST change skipped, the instant the clocks jumped). Exact, DST included: the
 * instant is located by asking Intl, not by assuming an offset.
 *
 * @example jalaliToDate(1404, 1, 1, 'Asia/Tehran') → 2025-03-20T20:30:00Z
 * @throws RangeError for a date that does not exist, e.g. 1404-12-30 or month 13.
 */
export function jalaliToDate(year: number, month: number, day: number, timeZone = 'UTC'): Date {
  checkRange('day', day, 1, jalaliMonthLength(year, month));
  const dayNumber = dayNumberOfJalali({ year, month, day });
  if (dayNumber === null) throw new RangeError(`Invalid Jalali date: ${year}-${month}-${day}`);
  return startOfLocalDay(dayNumber, timeZone);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** First month (1-based) of the quarter containing `month`. */
const quarterStart = (month: number): number => month - ((month - 1) % 3);

/**
 * The report period containing an instant: calendar month or quarter in the given calendar, with
 * boundaries at local midnights of `opts.timeZone`. Persian quarters are Farvardin–Khordad (Q1),
 * Tir–Shahrivar (Q2), Mehr–Azar (Q3) and Dey–Esfand (Q4).
 *
 * @example periodOf(new Date('2025-03-20T12:00Z'), { calendar: 'persian', period: 'quarter', timeZone: 'Asia/Tehran' }).key === '1403-Q4'
 */
export function periodOf(date: Date, opts: PeriodOptions): Period {
  const { calendar, period, timeZone } = opts;
  let year: number;
  let month: number;
  if (calendar === 'persian') {
    ({ year, month } = toJalali(date, timeZone));
  } else {
    const p = wallParts(date, timeZone);
    year = p.year ?? NaN;
    month = p.month ?? NaN;
  }
  const first = period === 'month' ? month : quarterStart(month);
  const span = period === 'month' ? 1 : 3;
  const nextYear = first + span > 12 ? year + 1 : year;
  const nextMonth = first + span > 12 ? first + span - 12 : first + span;
  const startOf = (y: number, m: number): Date =>
    calendar === 'persian' ? jalaliToDate(y, m, 1, timeZone) : startOfLocalDay(Date.UTC(y, m - 1, 1) / DAY_MS, timeZone);
  const key = period === 'month' ? `${pad(year, 4)}-${pad(month, 2)}` : `${pad(year, 4)}-Q${(first + 2) / 3}`;
  return { key, start: startOf(year, first), end: startOf(nextYear, nextMonth) };
}

/**
 * Consecutive periods covering `[from, to)`: the first contains `from`, the last contains the
 * instant just before `to`. Empty when `to` is not after `from`.
 */
export function periodsBetween(from: Date, to: Date, opts: PeriodOptions): Period[] {
  const out: Period[] = [];
  let cursor = from;
  while (cursor.getTime() < to.getTime()) {
    const p = periodOf(cursor, opts);
    // Guards the loop: a period that does not move forward would repeat forever.
    if (p.end.getTime() <= cursor.getTime()) throw new Error(`period ${p.key} does not advance`);
    out.push(p);
    cursor = p.end;
  }
  return out;
}

const FA_ORDINALS = ['اول', 'دوم', 'سوم', 'چهارم'] as const;

/** Localized month name from Intl for a mid-month instant (UTC, so the zone cannot shift it). */
function monthName(year: number, month: number, calendar: CalendarKind, locale: DisplayLocale): string {
  const tag = `${locale === 'fa' ? 'fa-IR' : 'en-US'}-u-ca-${calendar === 'persian' ? 'persian' : 'gregory'}`;
  const mid = calendar === 'persian' ? jalaliToDate(year, month, 15) : new Date(Date.UTC(year, month - 1, 15));
  return formatter(tag, 'UTC', { month: 'long' }).format(mid);
}

/**
 * Human label of a period key from {@link periodOf}.
 *
 * Labels are assembled as «month year» / «quarter year» rather than taken whole from Intl,
 * because ICU orders fa persian year-month as «۱۴۰۳ اسفند»; month names still come from Intl.
 * - persian: fa `اسفند ۱۴۰۳`, `سه‌ماههٔ چهارم ۱۴۰۳`; en `Esfand 1403`, `Q4 1403`
 * - gregorian: fa `مارس ۲۰۲۵`, `سه‌ماههٔ اول ۲۰۲۵`; en `March 2025`, `Q1 2025`
 * @throws RangeError for a key that is not `YYYY-MM` or `YYYY-Qn`.
 */
export function periodLabel(key: string, calendar: CalendarKind, locale: DisplayLocale): string {
  const m = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/.exec(key);
  if (!m || Number(m[1]) < 1) throw new RangeError(`Invalid period key: ${key}`);
  const year = Number(m[1]);
  const yearText = locale === 'fa' ? toPersianDigits(String(year)) : String(year);
  if (m[3] !== undefined) {
    const q = Number(m[3]);
    return locale === 'fa' ? `سه\u200Cماههٔ ${FA_ORDINALS[q - 1] ?? ''} ${yearText}` : `Q${q} ${yearText}`;
  }
  return `${monthName(year, Number(m[2]), calendar, locale)} ${yearText}`;
}

/** Options of {@link formatDate}. */
export interface FormatDateOptions {
  /** IANA zone the date is shown in; default `UTC`. */
  timeZone?: string;
  /** Append 24-hour `HH:MM`; default false. */
  withTime?: boolean;
}

/**
 * Short numeric date for tables and lists.
 * - fa: Jalali, Persian digits, `۱۴۰۵/۰۹/۰۱` (with time `۱۴۰۵/۰۹/۰۱ ۱۴:۳۰`)
 * - en: Gregorian ISO-like `2026-11-22` (with time `2026-11-22 14:30`)
 * Built from Intl parts rather than a locale's default pattern so the layout is fixed.
 */
export function formatDate(date: Date, locale: DisplayLocale, opts: FormatDateOptions = {}): string {
  const timeZone = opts.timeZone ?? 'UTC';
  const wall = wallParts(date, timeZone);
  const time = opts.withTime ? ` ${pad(wall.hour ?? 0, 2)}:${pad(wall.minute ?? 0, 2)}` : '';
  if (locale === 'fa') {
    const j = toJalali(date, timeZone);
    return toPersianDigits(`${pad(j.year, 4)}/${pad(j.month, 2)}/${pad(j.day, 2)}${time}`);
  }
  return `${pad(wall.year ?? 0, 4)}-${pad(wall.month ?? 0, 2)}-${pad(wall.day ?? 0, 2)}${time}`;
}
