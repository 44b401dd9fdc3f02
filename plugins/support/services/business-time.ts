/**
 * Business-time arithmetic on a business calendar: pure functions of instants (epoch
 * milliseconds) and a calendar, no clock and no I/O, so SLA due times can be checked
 * against hand-computed vectors.
 *
 * A calendar is a time zone, the open time ranges of each weekday (several per day: split
 * shifts), and holidays as Jalali or Gregorian dates, one-off or yearly. Business time
 * passes only inside a range of a working, non-holiday local day. Days are walked in the
 * calendar's zone, so a daylight-saving change moves the ranges with the wall clock.
 */
import { toJalali, type SchemaType } from '../../../core/plugin/index.js';
import type { calendarSchema } from '../schemas/setup-schemas.js';

/** Weekday keys, in `Date.getUTCDay()` order (Sunday first). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** A weekday key. */
export type Weekday = (typeof WEEKDAYS)[number];
/** A time range `["08:00", "16:00"]`, local wall time; the end may be `24:00`. */
export type TimeRange = [string, string];

/** A holiday: a date in the Jalali (`1404-01-13`) or Gregorian calendar, once or every year. */
export type Holiday = SchemaType<typeof calendarSchema>['holidays'][number];

/** What business-time arithmetic needs of a calendar. */
export interface BusinessCalendar {
  timeZone: string;
  /** Open ranges per weekday; a weekday left out is closed. */
  week: Partial<Record<Weekday, TimeRange[]>>;
  holidays: Holiday[];
}

/** The usual Iranian office week: Saturday to Wednesday 08:00–16:00, Thursday to noon, Friday off. */
export const IRANIAN_WEEK: Readonly<Record<Weekday, TimeRange[]>> = {
  sat: [['08:00', '16:00']], sun: [['08:00', '16:00']], mon: [['08:00', '16:00']], tue: [['08:00', '16:00']], wed: [['08:00', '16:00']],
  thu: [['08:00', '12:00']], fri: [],
};

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far the walk looks for business time before deciding the calendar never opens. */
const MAX_DAYS = 3 * 366;

/** Minutes since local midnight of `HH:MM` (`24:00` is 1440). */
export function minuteOfDay(time: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(time);
  if (!m || (m[1] === '24' && m[2] !== '00')) throw new RangeError(`invalid time ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Why a calendar's week is unusable (overlapping or empty ranges, no open day), or undefined. */
export function weekProblem(week: BusinessCalendar['week']): string | undefined {
  let open = 0;
  for (const day of WEEKDAYS) {
    const ranges = (week[day] ?? []).map(([a, b]) => [minuteOfDay(a), minuteOfDay(b)] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 0; i < ranges.length; i++) {
      const [a, b] = ranges[i]!;
      if (b <= a) return `${day}: a range must end after it starts`;
      if (i > 0 && a < ranges[i - 1]![1]) return `${day}: ranges overlap`;
      open += b - a;
    }
  }
  return open === 0 ? 'the week has no open range' : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `at` in `timeZone`, as if it were UTC (epoch ms). */
function wallAsUtc(at: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** The local day number (days since 1970-01-01 of the local calendar date) of an instant. */
export function localDayOf(at: number, timeZone: string): number {
  return Math.floor(wallAsUtc(at, timeZone) / DAY);
}

/** The instant of a local wall time (`minutes` after local midnight of day `day`). */
export function instantOf(day: number, minutes: number, timeZone: string): number {
  const wall = day * DAY + minutes * MINUTE;
  const first = wall - (wallAsUtc(wall, timeZone) - wall);
  // Second pass: the offset at the guess may differ from the one at the wall time (a DST edge).
  return wall - (wallAsUtc(first, timeZone) - first);
}

/** Compiled form of a calendar: the holiday keys by calendar, looked up per local day. */
class CompiledCalendar {
  private readonly once = new Set<string>();
  private readonly yearly = new Set<string>();
  private readonly ranges: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  private readonly days = new Map<number, ReadonlyArray<readonly [number, number]>>();

  constructor(readonly calendar: BusinessCalendar) {
    for (const h of calendar.holidays) {
      const key = `${h.calendar}:${h.date}`;
      if (h.yearly) this.yearly.add(`${h.calendar}:${h.date.slice(5)}`);
      else this.once.add(key);
    }
    this.ranges = WEEKDAYS.map((d) => (calendar.week[d] ?? []).map(([a, b]) => [minuteOfDay(a), minuteOfDay(b)] as const).sort((x, y) => x[0] - y[0]));
  }

  /** Whether a local day is a holiday in either calendar. */
  isHoliday(day: number): boolean {
    if (this.once.size === 0 && this.yearly.size === 0) return false;
    const g = new Date(day * DAY).toISOString().slice(0, 10);
    const j = toJalali(new Date(day * DAY + DAY / 2));
    const p = `${String(j.year).padStart(4, '0')}-${String(j.month).padStart(2, '0')}-${String(j.day).padStart(2, '0')}`;
    return this.once.has(`gregorian:${g}`) || this.once.has(`persian:${p}`) || this.yearly.has(`gregorian:${g.slice(5)}`) || this.yearly.has(`persian:${p.slice(5)}`);
  }

  /**
   * The open ranges of a local day as instants, in order. Remembered per day: a list of
   * tickets long overdue walks the same hundreds of days once per ticket and target, and each
   * day costs a Jalali conversion and four time-zone lookups (a queue view of 50 tickets a
   * year old took 250 ms before). Bounded, so a long-lived calendar cannot grow without end.
   */
  openRanges(day: number): ReadonlyArray<readonly [number, number]> {
    let ranges = this.days.get(day);
    if (!ranges) {
      if (this.days.size >= MAX_REMEMBERED_DAYS) this.days.clear();
      this.days.set(day, (ranges = this.rangesOf(day)));
    }
    return ranges;
  }

  private rangesOf(day: number): ReadonlyArray<readonly [number, number]> {
    const weekday = new Date(day * DAY).getUTCDay();
    const ranges = this.ranges[weekday]!;
    if (ranges.length === 0 || this.isHoliday(day)) return [];
    return ranges.map(([a, b]) => [instantOf(day, a, this.calendar.timeZone), instantOf(day, b, this.calendar.timeZone)] as const);
  }
}

/** Days whose open ranges one compiled calendar remembers (about eleven years). */
const MAX_REMEMBERED_DAYS = 4_000;

/** Distinct calendars (zone, week, holidays) whose compiled form is kept across calls: at most ~64 × 4,000 remembered days. */
const MAX_COMPILED = 64;

const compiled = new WeakMap<BusinessCalendar, CompiledCalendar>();
const byContent = new Map<string, CompiledCalendar>();
/**
 * The compiled form of a calendar. Each request reads its calendar row afresh (a new
 * object), so the days it remembered would be lost per request: a queue view of tickets a
 * year overdue then converted hundreds of days again on every call. Kept by content too
 * (the same zone, week and holidays compute the same ranges), so an edited calendar is a
 * new entry and never sees the old one's days.
 */
function compile(calendar: BusinessCalendar): CompiledCalendar {
  let c = compiled.get(calendar);
  if (!c) {
    const key = JSON.stringify([calendar.timeZone, calendar.week, calendar.holidays]);
    c = byContent.get(key);
    if (!c) {
      if (byContent.size >= MAX_COMPILED) byContent.clear();
      byContent.set(key, (c = new CompiledCalendar(calendar)));
    }
    compiled.set(calendar, c);
  }
  return c;
}

/**
 * Local days around an instant, from its UTC day alone: a zone is at most 12 h behind and
 * 14 h ahead of UTC, so the local day is the UTC day ±1, and a walk from two days before to
 * two after covers the day before and after it. The extra days add nothing (their ranges
 * lie outside the span), and the walk needs no time-zone lookup of its ends — two per
 * call, the main cost of a page of SLA clocks once the days' ranges are remembered.
 */
function nearLocalDays(at: number): [number, number] {
  const day = Math.floor(at / DAY);
  return [day - 2, day + 2];
}

/** Thrown when a calendar has no business time within three years of an instant. */
export class CalendarNeverOpenError extends Error {
  constructor() {
    super('the calendar has no business time within three years');
  }
}

/**
 * The instant `ms` business milliseconds after `from`. Zero is `from` itself. A span that
 * runs out exactly at the end of a range is due at that end, not at the next range's start.
 */
export function addBusinessMs(calendar: BusinessCalendar, from: number, ms: number): number {
  if (ms <= 0) return from;
  const c = compile(calendar);
  let remaining = ms;
  const first = nearLocalDays(from)[0];
  for (let day = first; day <= first + MAX_DAYS; day++) {
    for (const [start, end] of c.openRanges(day)) {
      const a = Math.max(start, from);
      if (end <= a) continue;
      if (remaining <= end - a) return a + remaining;
      remaining -= end - a;
    }
  }
  throw new CalendarNeverOpenError();
}

/** Business milliseconds between two instants (0 when `to` is not after `from`). */
export function businessMsBetween(calendar: BusinessCalendar, from: number, to: number): number {
  if (to <= from) return 0;
  const c = compile(calendar);
  let total = 0;
  const last = nearLocalDays(to)[1];
  for (let day = nearLocalDays(from)[0]; day <= last; day++) {
    for (const [start, end] of c.openRanges(day)) {
      const a = Math.max(start, from);
      const b = Math.min(end, to);
      if (b > a) total += b - a;
    }
  }
  return total;
}

/** {@link addBusinessMs} in minutes. */
export function addBusinessMinutes(calendar: BusinessCalendar, from: number, minutes: number): number {
  return addBusinessMs(calendar, from, minutes * MINUTE);
}

/** {@link businessMsBetween} in (fractional) minutes. */
export function businessMinutesBetween(calendar: BusinessCalendar, from: number, to: number): number {
  return businessMsBetween(calendar, from, to) / MINUTE;
}

/** Whether `at` falls inside an open range (an agent on shift). */
export function isOpenAt(calendar: BusinessCalendar, at: number): boolean {
  const c = compile(calendar);
  const day = localDayOf(at, calendar.timeZone);
  for (const d of [day - 1, day]) for (const [a, b] of c.openRanges(d)) if (at >= a && at < b) return true;
  return false;
}
