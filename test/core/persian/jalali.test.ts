import t from 'tap';
import {
  formatDate, isJalaliLeapYear, jalaliMonthLength, jalaliToDate, periodLabel, periodOf, periodsBetween, toJalali,
  type PeriodOptions,
} from '../../../core/plugin/persian/jalali.js';

const utc = (iso: string): Date => new Date(iso);

t.test('persian.md vectors (UTC)', async (t) => {
  const vectors: Array<[string, [number, number, number]]> = [
    ['2000-01-01', [1378, 10, 11]], ['2021-03-21', [1400, 1, 1]], ['2024-03-19', [1402, 12, 29]],
    ['2025-03-20', [1403, 12, 30]], ['2025-03-21', [1404, 1, 1]], ['2026-11-22', [1405, 9, 1]],
  ];
  for (const [g, [year, month, day]] of vectors) {
    for (const time of ['T00:00:00Z', 'T12:00:00Z', 'T23:59:59.999Z']) {
      t.same(toJalali(utc(g + time)), { year, month, day }, `${g}${time}`);
    }
    t.equal(jalaliToDate(year, month, day).toISOString(), `${g}T00:00:00.000Z`, `back to ${g}`);
  }
});

t.test('the time zone decides the day', async (t) => {
  // 20:30Z on 2025-03-20 is 00:00 on 21 March in Tehran (UTC+3:30).
  t.same(toJalali(utc('2025-03-20T20:29:59Z'), 'Asia/Tehran'), { year: 1403, month: 12, day: 30 });
  t.same(toJalali(utc('2025-03-20T20:30:00Z'), 'Asia/Tehran'), { year: 1404, month: 1, day: 1 });
  t.same(toJalali(utc('2025-03-20T20:30:00Z')), { year: 1403, month: 12, day: 30 });
  t.equal(jalaliToDate(1404, 1, 1, 'Asia/Tehran').toISOString(), '2025-03-20T20:30:00.000Z');
  t.equal(jalaliToDate(1403, 10, 1, 'Asia/Tehran').toISOString(), '2024-12-20T20:30:00.000Z');
  t.equal(jalaliToDate(1405, 9, 1, 'America/New_York').toISOString(), '2026-11-22T05:00:00.000Z');
  t.throws(() => toJalali(new Date(0), 'Not/AZone'), RangeError);
});

t.test('days whose midnight a DST change skips start when the clocks jump', async (t) => {
  // Iran until 2022: 00:00 → 01:00 on 2 Farvardin (21 March 2020), i.e. 20:30Z.
  t.equal(jalaliToDate(1399, 1, 2, 'Asia/Tehran').toISOString(), '2020-03-20T20:30:00.000Z');
  // Havana: 00:00 CST → 01:00 CDT on 2025-03-09 (= 1403-12-19), i.e. 05:00Z.
  t.equal(jalaliToDate(1403, 12, 19, 'America/Havana').toISOString(), '2025-03-09T05:00:00.000Z');
  t.same(toJalali(utc('2025-03-09T04:59:59Z'), 'America/Havana'), { year: 1403, month: 12, day: 18 });
  // Iran's DST ended at 24:00 → 23:00 on 30 Shahrivar 1399: 31 Shahrivar starts once, at 00:00 +03:30.
  t.equal(jalaliToDate(1399, 6, 31, 'Asia/Tehran').toISOString(), '2020-09-20T20:30:00.000Z');
});

const wallClock = (d: Date, timeZone: string): string =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(d);

t.test('round trip over every day of 1399–1405 in UTC and Asia/Tehran', async (t) => {
  for (const zone of ['UTC', 'Asia/Tehran']) {
    let failures = 0;
    const notMidnight: string[] = [];
    let previous: Date | null = null;
    for (let year = 1399; year <= 1405; year++) {
      let days = 0;
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= jalaliMonthLength(year, month); day++) {
          days++;
          const start = jalaliToDate(year, month, day, zone);
          const back = toJalali(start, zone);
          const before = toJalali(new Date(start.getTime() - 1), zone);
          const ok = back.year === year && back.month === month && back.day === day &&
            // one millisecond earlier is the previous day, so `start` is the first instant of the day
            !(before.year === year && before.month === month && before.day === day) &&
            (previous === null || [23, 24, 25].includes((start.getTime() - previous.getTime()) / 3_600_000));
          if (!ok) failures++;
          const clock = wallClock(start, zone);
          if (clock !== '00:00:00') notMidnight.push(`${year}-${month}-${day} ${clock}`);
          previous = start;
        }
      }
      t.equal(days, isJalaliLeapYear(year) ? 366 : 365, `${zone} ${year} length`);
    }
    t.equal(failures, 0, `${zone}: every day round-trips, starts its day and follows the previous one`);
    // Iran's last DST starts (00:00 → 01:00): 1399, 1400 and 1401; DST was abolished in 2022.
    t.same(notMidnight, zone === 'UTC' ? [] : ['1399-1-2 01:00:00', '1400-1-2 01:00:00', '1401-1-2 01:00:00'], `${zone} midnights`);
  }
});

t.test('leap years and month lengths', async (t) => {
  const leap = [1399, 1403, 1408];
  for (let y = 1399; y <= 1408; y++) t.equal(isJalaliLeapYear(y), leap.includes(y), `${y}`);
  t.same([...Array(12).keys()].map((i) => jalaliMonthLength(1403, i + 1)), [31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 30]);
  t.equal(jalaliMonthLength(1404, 12), 29);
  t.equal(jalaliMonthLength(1402, 6), 31);
  t.equal(jalaliMonthLength(1402, 7), 30);
  t.throws(() => jalaliMonthLength(1403, 13), RangeError);
  t.throws(() => jalaliMonthLength(1403, 0), RangeError);
  t.throws(() => isJalaliLeapYear(1403.5), RangeError);
  t.throws(() => jalaliToDate(1404, 12, 30), RangeError, 'no Esfand 30 in 1404');
  t.throws(() => jalaliToDate(1403, 7, 31), RangeError);
  t.throws(() => jalaliToDate(1403, 1, 0), RangeError);
  t.equal(jalaliToDate(1403, 12, 30).toISOString(), '2025-03-20T00:00:00.000Z');
});

const tehran = (calendar: PeriodOptions['calendar'], period: PeriodOptions['period']): PeriodOptions =>
  ({ calendar, period, timeZone: 'Asia/Tehran' });

t.test('periodOf', async (t) => {
  const q4 = periodOf(utc('2025-03-20T12:00:00Z'), tehran('persian', 'quarter'));
  t.equal(q4.key, '1403-Q4');
  t.equal(q4.start.toISOString(), '2024-12-20T20:30:00.000Z', '1403-10-01 00:00 Tehran');
  t.equal(q4.end.toISOString(), '2025-03-20T20:30:00.000Z', '1404-01-01 00:00 Tehran');
  const q1 = periodOf(utc('2025-03-21T12:00:00Z'), tehran('persian', 'quarter'));
  t.equal(q1.key, '1404-Q1');
  t.equal(q1.start.toISOString(), q4.end.toISOString());
  t.equal(q1.end.toISOString(), '2025-06-21T20:30:00.000Z', '1404-04-01 (Tir) 00:00 Tehran');
  t.equal(periodOf(utc('2025-03-20T21:00:00Z'), tehran('persian', 'quarter')).key, '1404-Q1', 'already Nowruz in Tehran');
  t.equal(periodOf(utc('2025-03-20T21:00:00Z'), { calendar: 'persian', period: 'quarter', timeZone: 'UTC' }).key, '1403-Q4');
  t.equal(periodOf(utc('2025-03-20T12:00:00Z'), tehran('persian', 'month')).key, '1403-12');
  for (const [month, q] of [[1, 1], [3, 1], [4, 2], [6, 2], [7, 3], [9, 3], [10, 4], [12, 4]] as const) {
    t.equal(periodOf(jalaliToDate(1402, month, 5, 'Asia/Tehran'), tehran('persian', 'quarter')).key, `1402-Q${q}`, `month ${month}`);
  }
  const gm = periodOf(utc('2025-03-20T12:00:00Z'), tehran('gregorian', 'month'));
  t.same([gm.key, gm.start.toISOString(), gm.end.toISOString()], ['2025-03', '2025-02-28T20:30:00.000Z', '2025-03-31T20:30:00.000Z']);
  const gq = periodOf(utc('2025-03-20T12:00:00Z'), tehran('gregorian', 'quarter'));
  t.same([gq.key, gq.start.toISOString(), gq.end.toISOString()], ['2025-Q1', '2024-12-31T20:30:00.000Z', '2025-03-31T20:30:00.000Z']);
  const ny = periodOf(utc('2025-03-20T12:00:00Z'), { calendar: 'gregorian', period: 'month', timeZone: 'America/New_York' });
  t.same([ny.start.toISOString(), ny.end.toISOString()], ['2025-03-01T05:00:00.000Z', '2025-04-01T04:00:00.000Z'], 'EST start, EDT end');
  t.equal(periodOf(utc('2024-12-31T21:00:00Z'), tehran('gregorian', 'quarter')).key, '2025-Q1', 'new year in Tehran first');
});

t.test('periodsBetween', async (t) => {
  const opts = tehran('persian', 'month');
  const from = utc('2025-01-01T00:00:00Z');
  const to = utc('2025-06-01T00:00:00Z');
  const periods = periodsBetween(from, to, opts);
  t.same(periods.map((p) => p.key), ['1403-10', '1403-11', '1403-12', '1404-01', '1404-02', '1404-03']);
  t.ok(periods[0] !== undefined && periods[0].start <= from && from < periods[0].end, 'first contains from');
  const last = periods[periods.length - 1];
  t.ok(last !== undefined && last.start < to && to <= last.end, 'last contains the instant before to');
  for (let i = 1; i < periods.length; i++) t.equal(periods[i]?.start.getTime(), periods[i - 1]?.end.getTime(), 'contiguous');
  const quarters = periodsBetween(utc('2024-01-01T00:00:00Z'), utc('2025-01-01T00:00:00Z'), { calendar: 'gregorian', period: 'quarter', timeZone: 'UTC' });
  t.same(quarters.map((p) => p.key), ['2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4'], 'to on a boundary adds no empty period');
  t.same(periodsBetween(to, from, opts), []);
  t.same(periodsBetween(from, from, opts), []);
});

t.test('periodLabel', async (t) => {
  t.equal(periodLabel('1403-12', 'persian', 'fa'), 'اسفند ۱۴۰۳');
  t.equal(periodLabel('1403-Q4', 'persian', 'fa'), 'سه\u200Cماههٔ چهارم ۱۴۰۳');
  t.equal(periodLabel('1403-12', 'persian', 'en'), 'Esfand 1403');
  t.equal(periodLabel('1403-Q4', 'persian', 'en'), 'Q4 1403');
  t.equal(periodLabel('2025-03', 'gregorian', 'en'), 'March 2025');
  t.equal(periodLabel('2025-Q1', 'gregorian', 'en'), 'Q1 2025');
  t.equal(periodLabel('2025-03', 'gregorian', 'fa'), 'مارس ۲۰۲۵');
  t.equal(periodLabel('2025-Q1', 'gregorian', 'fa'), 'سه\u200Cماههٔ اول ۲۰۲۵');
  t.equal(periodLabel('1404-Q2', 'persian', 'fa'), 'سه\u200Cماههٔ دوم ۱۴۰۴');
  t.equal(periodLabel('1404-Q3', 'persian', 'fa'), 'سه\u200Cماههٔ سوم ۱۴۰۴');
  const en = [...Array(12).keys()].map((i) => periodLabel(`1404-${String(i + 1).padStart(2, '0')}`, 'persian', 'en').split(' ')[0]);
  t.same(en, ['Farvardin', 'Ordibehesht', 'Khordad', 'Tir', 'Mordad', 'Shahrivar', 'Mehr', 'Aban', 'Azar', 'Dey', 'Bahman', 'Esfand']);
  const fa = [...Array(12).keys()].map((i) => periodLabel(`1404-${String(i + 1).padStart(2, '0')}`, 'persian', 'fa').split(' ')[0]);
  t.same(fa, ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند']);
  for (const bad of ['1403-13', '1403-00', '1403-Q5', '1403-Q0', '403-01', '1403/12', '1403-1', '', '0000-01']) {
    t.throws(() => periodLabel(bad, 'persian', 'en'), RangeError, bad);
  }
  // Labels of keys produced by periodOf, checked end to end.
  const key = periodOf(utc('2026-11-22T12:00:00Z'), tehran('persian', 'month')).key;
  t.equal(periodLabel(key, 'persian', 'fa'), 'آذر ۱۴۰۵');
});

t.test('formatDate', async (t) => {
  const d = utc('2026-11-22T10:05:00Z');
  t.equal(formatDate(d, 'fa'), '۱۴۰۵/۰۹/۰۱');
  t.equal(formatDate(d, 'en'), '2026-11-22');
  t.equal(formatDate(d, 'fa', { withTime: true, timeZone: 'Asia/Tehran' }), '۱۴۰۵/۰۹/۰۱ ۱۳:۳۵');
  t.equal(formatDate(d, 'en', { withTime: true }), '2026-11-22 10:05');
  t.equal(formatDate(utc('2025-03-20T21:00:00Z'), 'fa', { timeZone: 'Asia/Tehran' }), '۱۴۰۴/۰۱/۰۱');
  t.equal(formatDate(utc('2025-03-20T21:00:00Z'), 'en', { timeZone: 'Asia/Tehran', withTime: true }), '2025-03-21 00:30');
  t.equal(formatDate(utc('2025-03-20T21:00:00Z'), 'fa'), '۱۴۰۳/۱۲/۳۰');
  t.throws(() => formatDate(new Date(NaN), 'en'), RangeError);
});
