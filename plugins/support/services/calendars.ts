/**
 * Business calendars: created or replaced whole by id (`PUT`), read, and given holidays
 * from an iCalendar file. A changed calendar recomputes the SLA due times of the open
 * tickets whose policy uses it, in the same transaction, which also writes its audit entry
 * and its `calendar.created|updated` event.
 */
import type { Knex } from 'knex';
import ICAL from 'ical.js';
import { toJalali, type Actor, type Executor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { calendarInputSchema } from '../schemas/setup-schemas.js';
import { supportError } from '../errors.js';
import { IRANIAN_WEEK, isTimeZone, weekProblem, type Holiday, type TimeRange, type Weekday } from './business-time.js';
import { calendarFromRow, type CalendarDto } from './records.js';
import type { CalendarRow } from './rows.js';
import type { SupportStore } from './store.js';

/** Body of `PUT /calendars/{id}`. */
export type CalendarInput = SchemaType<typeof calendarInputSchema>;

/** Called after a calendar changed, inside its transaction. */
export type CalendarChanged = (trx: Knex.Transaction, actor: Actor, calendarId: string) => Promise<void>;

/** Calendar use cases. */
export class CalendarService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
  ) {}

  /** Creates or replaces a calendar; `changed` recomputes what depends on it. */
  async put(actor: Actor, id: string, input: CalendarInput, changed: CalendarChanged): Promise<{ calendar: CalendarDto; created: boolean }> {
    const timeZone = input.timeZone ?? 'Asia/Tehran';
    // ajv holds each range to exactly two times (`minItems`/`maxItems` 2), which
    // json-schema-to-ts types as `string[]`: this is the one place the pair is asserted.
    const week = (input.week as Partial<Record<Weekday, TimeRange[]>> | undefined) ?? IRANIAN_WEEK;
    if (!isTimeZone(timeZone)) throw supportError('CALENDAR_INVALID', { reason: 'timeZone' }, [{ path: '/timeZone', message: `unknown time zone ${timeZone}` }]);
    const problem = weekProblem(week);
    if (problem) throw supportError('CALENDAR_INVALID', { reason: 'week' }, [{ path: '/week', message: problem }]);
    const holidays = input.holidays ?? [];
    holidays.forEach((h, i) => checkHoliday(h, `/holidays/${i}`));
    // Run again when refused for a concurrent transaction: a changed calendar recomputes open tickets and their summary rows.
    return this.store.retryingTransaction(async (trx) => {
      const before = await this.store.forUpdate(this.store.rows(trx, 'calendars', actor.tenantId).where({ id }).first());
      const now = Date.now();
      const values = { name: input.name.trim(), time_zone: timeZone, week: JSON.stringify(week), holidays: JSON.stringify(holidays), updated_at: now };
      if (before) {
        await this.store.rows(trx, 'calendars', actor.tenantId).where({ id }).update({ ...values, version: before.version + 1 });
      } else {
        await trx<CalendarRow>(this.store.table('calendars')).insert({ tenant_id: actor.tenantId, id, ...values, version: 1, created_at: now });
      }
      const calendar = await this.get(actor.tenantId, id, trx);
      await this.ctx.audit.record(trx, actor, { action: before ? 'support_calendar.update' : 'support_calendar.create', entityType: 'support_calendar', entityId: id, ...(before && { before: calendarFromRow(before) }), after: calendar });
      await this.ctx.events.emit(trx, before ? 'calendar.updated' : 'calendar.created', { calendar }, { tenantId: actor.tenantId, aggregateType: 'support_calendar', aggregateId: id });
      if (before) await changed(trx, actor, id);
      return { calendar, created: !before };
    });
  }

  /** A calendar of the tenant, or 404. */
  async get(tenantId: string, id: string, trx: Executor = this.ctx.db.knex): Promise<CalendarDto> {
    const row = await this.store.rows(trx, 'calendars', tenantId).where({ id }).first();
    if (!row) throw supportError('CALENDAR_NOT_FOUND', { id });
    return calendarFromRow(row);
  }

  /** Calendars of the tenant by id, in one statement; 404 when one is missing. */
  async getMany(tenantId: string, ids: readonly string[], trx: Executor = this.ctx.db.knex): Promise<Map<string, CalendarDto>> {
    const found = new Map((ids.length ? await this.store.rows(trx, 'calendars', tenantId).whereIn('id', [...ids]) : []).map((row) => [row.id, calendarFromRow(row)]));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw supportError('CALENDAR_NOT_FOUND', { id: missing });
    return found;
  }

  /** The tenant's calendars, by id. */
  async list(tenantId: string): Promise<{ items: CalendarDto[] }> {
    const rows = await this.store.rows(this.ctx.db.knex, 'calendars', tenantId).orderBy('id');
    return { items: rows.map(calendarFromRow) };
  }

  /**
   * Adds the all-day events of an iCalendar file as one-off Gregorian holidays (lunar
   * holidays move every year, so a tenant imports each year's list), skipping dates the
   * calendar already has. Returns the calendar and how many were added.
   */
  async importIcs(actor: Actor, id: string, ics: string, changed: CalendarChanged): Promise<{ calendar: CalendarDto; imported: number }> {
    const current = await this.get(actor.tenantId, id);
    const parsed = parseIcsHolidays(ics);
    const known = new Set(current.holidays.map((h) => `${h.calendar}:${h.date}`));
    const added = parsed.filter((h) => !known.has(`gregorian:${h.date}`) && !known.has(`persian:${persianOf(h.date)}`));
    const { calendar } = await this.put(actor, id, { name: current.name, timeZone: current.timeZone, week: current.week, holidays: [...current.holidays, ...added] }, changed);
    return { calendar, imported: added.length };
  }
}

/** The Jalali `YYYY-MM-DD` of a Gregorian one. */
function persianOf(gregorian: string): string {
  const j = toJalali(new Date(`${gregorian}T12:00:00Z`));
  return `${String(j.year).padStart(4, '0')}-${String(j.month).padStart(2, '0')}-${String(j.day).padStart(2, '0')}`;
}

/** Refuses a holiday whose date does not exist in its calendar (1404-12-30, 2026-02-30). */
function checkHoliday(h: Holiday, path: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(h.date);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  let valid = false;
  if (m && h.calendar === 'gregorian') {
    const dt = new Date(Date.UTC(y, mo - 1, d));
    valid = dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
  } else if (m && mo >= 1 && mo <= 12 && d >= 1) {
    // A yearly holiday on 30 Esfand exists in leap years only; allow it, the day matches when it exists.
    valid = d <= (mo <= 6 ? 31 : mo <= 11 ? 30 : 30);
  }
  if (!valid) throw supportError('CALENDAR_INVALID', { reason: 'holiday' }, [{ path: `${path}/date`, message: `${h.date} is not a ${h.calendar} date` }]);
}

/** All-day events (DATE values) of an .ics text; a multi-day event gives each of its days. */
export function parseIcsHolidays(ics: string): Holiday[] {
  let events: ICAL.Component[];
  try {
    const root = new ICAL.Component(ICAL.parse(ics));
    events = root.getAllSubcomponents('vevent');
  } catch (err) {
    throw supportError('ICS_INVALID', { reason: (err as Error).message });
  }
  const out: Holiday[] = [];
  for (const component of events) {
    const event = new ICAL.Event(component);
    const start = event.startDate;
    if (!start || !start.isDate) continue;
    const end = event.endDate && event.endDate.isDate ? event.endDate : null;
    const first = Date.UTC(start.year, start.month - 1, start.day);
    const last = end ? Date.UTC(end.year, end.month - 1, end.day) : first + 86_400_000;
    for (let day = first; day < Math.max(last, first + 86_400_000) && out.length < 1000; day += 86_400_000) {
      out.push({ date: new Date(day).toISOString().slice(0, 10), calendar: 'gregorian', name: (event.summary || 'holiday').slice(0, 200) });
    }
  }
  if (events.length === 0) throw supportError('ICS_INVALID', { reason: 'no events' });
  return out;
}
