/**
 * The periods a support report covers: months or quarters of the Gregorian or Persian
 * calendar, their boundaries local midnights of the tenant's time zone, holding the local
 * days `[from, to)`. And the SQL that files an instant column into those periods, so a
 * report groups in the database rather than reading rows.
 */
import type { Knex } from 'knex';
import { addMonths, localDateOf, localDayStart, periodLabel, periodsBetween, type CalendarKind, type Language, type Period, type PeriodKind, type SchemaType } from '../../../core/plugin/index.js';
import type { periodReportQuery, slaReportSchema } from '../schemas/report-schemas.js';
import { supportError } from '../errors.js';
import { dayNumbering } from './summary.js';

/**
 * The query every period report takes: local days `from`–`to` (`to` exclusive; default
 * the last twelve months, or four quarters, up to today); `calendar` defaults to the
 * tenant's (persian for a fa tenant).
 */
export type PeriodQuery = SchemaType<typeof periodReportQuery>;

/** The periods of one report, and what the answer repeats of them. */
export interface ReportFrame {
  timeZone: string;
  calendar: CalendarKind;
  period: PeriodKind;
  periods: Period[];
  /** First instant counted and the first past the last period (epoch ms). */
  start: number;
  end: number;
}

/** What every period of an answer starts with. */
export type PeriodHead = Pick<SchemaType<typeof slaReportSchema>['periods'][number], 'key' | 'label' | 'start' | 'end'>;

/** At most ten years of months. */
export const MAX_PERIODS = 120;
/** Periods of a report without `from`: a year, each month or quarter once. */
const DEFAULT_PERIODS = { month: 12, quarter: 4 } as const;
/** Dates outside these years are refused rather than walked (the Jalali helpers stop at year 1). */
const FIRST_DAY = '1900-01-01';
const LAST_DAY = '3000-01-01';

/** The day after a local day. */
function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * The frame of a report query in a tenant's zone and default calendar: the periods holding
 * `[from, to)`, at most {@link MAX_PERIODS}; a localized 422 otherwise.
 */
export function reportFrame(query: PeriodQuery, tenant: { timeZone: string; locale: string }, now = Date.now()): ReportFrame {
  const { timeZone } = tenant;
  const calendar = query.calendar ?? (tenant.locale === 'fa' ? 'persian' : 'gregorian');
  const to = query.to ?? nextDay(localDateOf(new Date(now), timeZone));
  const from = query.from ?? addMonths(to, -12);
  const invalid = (path: string, message: string, key: string, params: Record<string, unknown> = {}) =>
    supportError('REPORT_RANGE_INVALID', { from, to }, [{ path, message, key: `support:validation.${key}`, params }]);
  if (from < FIRST_DAY || from >= LAST_DAY) throw invalid('/querystring/from', `must be from ${FIRST_DAY} to 2999-12-31`, 'rangeYears');
  if (to < FIRST_DAY || to > LAST_DAY) throw invalid('/querystring/to', `must be from ${FIRST_DAY} to ${LAST_DAY}`, 'rangeYears');
  if (to <= from) throw invalid('/querystring/to', 'must be after from', 'rangeOrder');
  // Refused before the periods are listed, so a thousand-year range costs nothing.
  if (to > addMonths(from, (MAX_PERIODS + 1) * (query.period === 'month' ? 1 : 3))) throw invalid('/querystring/to', `at most ${MAX_PERIODS} periods`, 'rangeTooLong', { max: MAX_PERIODS });
  const all = periodsBetween(localDayStart(from, timeZone), localDayStart(to, timeZone), { calendar, period: query.period, timeZone });
  const periods = query.from ? all : all.slice(-DEFAULT_PERIODS[query.period]);
  if (periods.length > MAX_PERIODS) throw invalid('/querystring/to', `at most ${MAX_PERIODS} periods`, 'rangeTooLong', { max: MAX_PERIODS });
  return { timeZone, calendar, period: query.period, periods, start: periods[0]!.start.getTime(), end: periods[periods.length - 1]!.end.getTime() };
}

/** The key, localized label and bounds of each period of a frame. */
export function periodHeads(frame: ReportFrame, language: Language): PeriodHead[] {
  return frame.periods.map((p) => ({ key: p.key, label: periodLabel(p.key, frame.calendar, language), start: p.start.toISOString(), end: p.end.toISOString() }));
}

/**
 * `CASE WHEN col < end0 THEN 0 WHEN col < end1 THEN 1 … ELSE n-1 END`: the index of the
 * period an instant column falls in (the caller keeps the column within the frame).
 */
export function periodIndexSql(knex: Knex, column: string, frame: ReportFrame): Knex.Raw {
  const ends = frame.periods.slice(0, -1).map((p) => p.end.getTime());
  if (ends.length === 0) return knex.raw('0');
  return knex.raw(`CASE ${ends.map((_, i) => `WHEN ${column} < ? THEN ${i}`).join(' ')} ELSE ${ends.length} END`, ends);
}

/**
 * The period index (0-based) of a local day column `yyyymmdd` (the summary tables'): each
 * period starts at a local midnight, so a day lies in exactly one.
 */
export function periodOfDaySql(knex: Knex, column: string, frame: ReportFrame): Knex.Raw {
  const dayOf = dayNumbering(frame.timeZone);
  const ends = frame.periods.slice(0, -1).map((p) => dayOf(p.end.getTime()));
  if (ends.length === 0) return knex.raw('0');
  return knex.raw(`CASE ${ends.map((_, i) => `WHEN ${column} < ? THEN ${i}`).join(' ')} ELSE ${ends.length} END`, ends);
}

/** Business ms as minutes with one decimal. */
export const minutes = (ms: number): number => Math.round(ms / 6_000) / 10;

/** `part / whole` as a percentage with one decimal, null when there is no whole. */
export const percent = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 1_000) / 10 : null);
