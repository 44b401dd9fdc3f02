/**
 * Business-time arithmetic on hand-computed vectors (Tehran is UTC+03:30 all year since
 * 2022): the Iranian week with its Thursday half-day and Friday off, split shifts, a
 * holiday Thursday, Nowruz, yearly Jalali and Gregorian holidays, a DST zone.
 */
import t from 'tap';
import { addBusinessMinutes, businessMinutesBetween, IRANIAN_WEEK, isOpenAt, weekProblem, type BusinessCalendar } from '../../../plugins/support/services/business-time.js';

/** A Tehran wall time as an instant. */
const tehran = (local: string): number => Date.parse(`${local}:00+03:30`);
const iso = (ms: number): string => new Date(ms).toISOString();
const fa: BusinessCalendar = { timeZone: 'Asia/Tehran', week: IRANIAN_WEEK, holidays: [] };

t.test('the Iranian week: Thursday half-day, Friday off', async (t) => {
  // Wednesday 2026-03-11 15:30 + 60: 30 min on Wednesday, 30 on Thursday morning.
  t.equal(iso(addBusinessMinutes(fa, tehran('2026-03-11T15:30'), 60)), iso(tehran('2026-03-12T08:30')));
  // Thursday 11:00 + 120: one hour to noon, Friday closed, Saturday 08:00 + 60.
  t.equal(iso(addBusinessMinutes(fa, tehran('2026-03-12T11:00'), 120)), iso(tehran('2026-03-14T09:00')));
  t.equal(businessMinutesBetween(fa, tehran('2026-03-11T15:30'), tehran('2026-03-14T09:00')), 30 + 240 + 60);
  t.equal(iso(addBusinessMinutes(fa, tehran('2026-03-13T10:00'), 0)), iso(tehran('2026-03-13T10:00')), 'zero is the instant itself');
  t.equal(iso(addBusinessMinutes(fa, tehran('2026-03-13T10:00'), 1)), iso(tehran('2026-03-14T08:01')), 'a Friday start waits for Saturday');
});

t.test('Wednesday 15:30 before a holiday Thursday, and across Nowruz', async (t) => {
  const cal: BusinessCalendar = {
    ...fa,
    holidays: [
      { date: '1404-12-28', calendar: 'persian', name: 'تعطیل بین دو تعطیل' },
      { date: '1404-01-01', calendar: 'persian', yearly: true, name: 'نوروز' },
      { date: '1404-01-02', calendar: 'persian', yearly: true, name: 'نوروز' },
      { date: '1404-01-03', calendar: 'persian', yearly: true, name: 'نوروز' },
      { date: '1404-01-04', calendar: 'persian', yearly: true, name: 'نوروز' },
    ],
  };
  // Wed 1404-12-27 (2026-03-18) 15:30: 30 min left today; Thursday a holiday, Friday off,
  // Saturday–Tuesday 1–4 Farvardin 1405 (yearly), so the other 30 run Wednesday 2026-03-25.
  t.equal(iso(addBusinessMinutes(cal, tehran('2026-03-18T15:30'), 60)), iso(tehran('2026-03-25T08:30')));
  t.equal(businessMinutesBetween(cal, tehran('2026-03-18T15:30'), tehran('2026-03-25T08:30')), 60);
  // Without the one-off Thursday holiday the same ticket is due Thursday 08:30.
  t.equal(iso(addBusinessMinutes({ ...cal, holidays: cal.holidays.slice(1) }, tehran('2026-03-18T15:30'), 60)), iso(tehran('2026-03-19T08:30')));
  // Wed 1405-12-26 (2027-03-17) 15:30 + 270: 30 on Wednesday, Thursday 08:00–12:00 runs out exactly at noon.
  t.equal(iso(addBusinessMinutes(cal, tehran('2027-03-17T15:30'), 30 + 240)), iso(tehran('2027-03-18T12:00')), 'due at the end of the range, not on Saturday');
  // A one-off holiday closes that day only; a yearly one every year.
  const once: BusinessCalendar = { ...fa, holidays: [{ date: '2026-03-11', calendar: 'gregorian', name: 'once' }] };
  t.equal(iso(addBusinessMinutes(once, tehran('2026-03-11T09:00'), 60)), iso(tehran('2026-03-12T09:00')), 'Wednesday 2026-03-11 closed');
  t.equal(iso(addBusinessMinutes(once, tehran('2027-03-10T09:00'), 60)), iso(tehran('2027-03-10T10:00')), 'Wednesday 2027-03-10 open');
  t.equal(iso(addBusinessMinutes(cal, tehran('2027-03-20T15:30'), 60)), iso(tehran('2027-03-25T08:30')), 'Sat 1405-12-29, then Nowruz 1406 (Sunday–Wednesday) closed by the yearly holidays, Thursday 1406-01-05');
});

t.test('split shifts', async (t) => {
  const split: BusinessCalendar = { timeZone: 'Asia/Tehran', week: { wed: [['08:00', '12:00'], ['13:00', '17:00']], sat: [['13:00', '17:00'], ['08:00', '12:00']] }, holidays: [] };
  t.equal(iso(addBusinessMinutes(split, tehran('2026-03-11T11:30'), 60)), iso(tehran('2026-03-11T13:30')), 'the lunch hour does not count');
  t.equal(iso(addBusinessMinutes(split, tehran('2026-03-11T11:00'), 60)), iso(tehran('2026-03-11T12:00')), 'exactly at the end of a range: due then, not at 13:00');
  t.equal(iso(addBusinessMinutes(split, tehran('2026-03-11T12:15'), 10)), iso(tehran('2026-03-11T13:10')), 'opened in the gap');
  t.equal(iso(addBusinessMinutes(split, tehran('2026-03-11T16:30'), 60)), iso(tehran('2026-03-14T08:30')), 'ranges out of order are sorted');
  t.equal(businessMinutesBetween(split, tehran('2026-03-11T11:30'), tehran('2026-03-11T13:30')), 60);
  t.ok(isOpenAt(split, tehran('2026-03-11T13:00')));
  t.notOk(isOpenAt(split, tehran('2026-03-11T12:00')), 'a range end is closed');
});

t.test('paused across a weekend: time spent before plus time after resuming', async (t) => {
  // Opened Wed 15:00 with 120 min; pending at 15:30 (30 spent), the customer answers Saturday 10:00.
  const spent = businessMinutesBetween(fa, tehran('2026-03-11T15:00'), tehran('2026-03-11T15:30'));
  t.equal(spent, 30);
  t.equal(iso(addBusinessMinutes(fa, tehran('2026-03-14T10:00'), 120 - spent)), iso(tehran('2026-03-14T11:30')));
  t.equal(iso(addBusinessMinutes(fa, tehran('2026-03-11T15:00'), 120)), iso(tehran('2026-03-12T09:00')), 'not paused: Thursday 09:00');
});

t.test('Gregorian yearly holidays and a zone with daylight saving', async (t) => {
  const berlin: BusinessCalendar = { timeZone: 'Europe/Berlin', week: { fri: [['09:00', '17:00']], mon: [['09:00', '17:00']] }, holidays: [{ date: '2000-12-25', calendar: 'gregorian', yearly: true, name: 'Christmas' }] };
  // Fri 2026-03-27 16:00 CET (+01:00); Monday 2026-03-30 is CEST (+02:00).
  t.equal(iso(addBusinessMinutes(berlin, Date.parse('2026-03-27T16:00:00+01:00'), 120)), '2026-03-30T08:00:00.000Z');
  // Christmas 2026 is a Friday: skipped.
  t.equal(iso(addBusinessMinutes(berlin, Date.parse('2026-12-21T16:00:00+01:00'), 120)), '2026-12-28T09:00:00.000Z');
});

t.test('weeks that cannot work', async (t) => {
  t.equal(weekProblem(IRANIAN_WEEK), undefined);
  t.match(weekProblem({ sat: [['09:00', '08:00']] }), /end after/);
  t.match(weekProblem({ sat: [['08:00', '12:00'], ['11:00', '13:00']] }), /overlap/);
  t.match(weekProblem({ fri: [] }), /no open range/);
  t.throws(() => weekProblem({ sat: [['08:00', '24:30']] }), RangeError);
  t.equal(weekProblem({ sat: [['00:00', '24:00']] }), undefined, '24:00 ends a day');
});
