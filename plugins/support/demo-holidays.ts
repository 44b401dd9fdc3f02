/**
 * The demo tenant's holidays for one Jalali year: the solar ones, yearly, and the lunar
 * ones of that year. The lunar dates come from the Umm al-Qura tables (the Islamic
 * calendar of `Intl`), which can be a day off Iran's official calendar, where the moon is
 * sighted: good enough for a demo, while a real tenant imports the official list (an
 * `.ics` file, docs/support.md). The SLA arithmetic never computes a lunar date.
 *
 * @module
 */
import { isJalaliLeapYear, jalaliToDate, toJalali } from '../../core/plugin/index.js';
import type { Holiday } from './services/business-time.js';

const DAY = 24 * 60 * 60 * 1000;

/** Solar holidays: the same Jalali day every year. */
const SOLAR: ReadonlyArray<readonly [string, string]> = [
  ['01-01', 'نوروز'], ['01-02', 'نوروز'], ['01-03', 'نوروز'], ['01-04', 'نوروز'],
  ['01-12', 'روز جمهوری اسلامی'], ['01-13', 'روز طبیعت'],
  ['03-14', 'رحلت امام خمینی'], ['03-15', 'قیام ۱۵ خرداد'],
  ['11-22', 'پیروزی انقلاب اسلامی'], ['12-29', 'ملی شدن صنعت نفت'],
];

/** Lunar holidays by Hijri month and day; day 30 of Safar is its last day, whichever that is. */
const LUNAR: ReadonlyArray<readonly [number, number, string]> = [
  [1, 9, 'تاسوعای حسینی'], [1, 10, 'عاشورای حسینی'], [2, 20, 'اربعین حسینی'],
  [2, 28, 'رحلت رسول اکرم و شهادت امام حسن مجتبی'], [2, 30, 'شهادت امام رضا'],
  [3, 8, 'شهادت امام حسن عسکری'], [3, 17, 'میلاد رسول اکرم و امام جعفر صادق'],
  [6, 3, 'شهادت حضرت فاطمهٔ زهرا'], [7, 13, 'ولادت امام علی'], [7, 27, 'مبعث رسول اکرم'],
  [8, 15, 'ولادت حضرت قائم'], [9, 21, 'شهادت امام علی'], [10, 1, 'عید فطر'], [10, 2, 'تعطیل به مناسبت عید فطر'],
  [10, 25, 'شهادت امام جعفر صادق'], [12, 10, 'عید قربان'], [12, 18, 'عید غدیر خم'],
];

const hijri = new Intl.DateTimeFormat('en-u-ca-islamic-umalqura-nu-latn', { timeZone: 'UTC', month: 'numeric', day: 'numeric' });

function hijriOf(date: Date): { month: number; day: number } {
  const parts = Object.fromEntries(hijri.formatToParts(date).map((p) => [p.type, p.value]));
  return { month: Number(parts.month), day: Number(parts.day) };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The holidays of Jalali `year`: the solar ones yearly, the lunar ones as that year's dates. */
export function demoHolidays(year: number): Holiday[] {
  const holidays: Holiday[] = SOLAR.map(([day, name]) => ({ date: `${year}-${day}`, calendar: 'persian', yearly: true, name }));
  const start = jalaliToDate(year, 1, 1).getTime();
  const days = isJalaliLeapYear(year) ? 366 : 365;
  for (let i = 0; i < days; i++) {
    const date = new Date(start + i * DAY);
    const { month, day } = hijriOf(date);
    const lastOfSafar = month === 2 && hijriOf(new Date(date.getTime() + DAY)).month === 3;
    for (const [m, d, name] of LUNAR) {
      if (m !== month || (d !== day && !(d === 30 && lastOfSafar))) continue;
      const j = toJalali(date);
      holidays.push({ date: `${j.year}-${pad(j.month)}-${pad(j.day)}`, calendar: 'persian', name });
    }
  }
  return holidays;
}
