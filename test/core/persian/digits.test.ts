import t from 'tap';
import { formatNumber, parseDecimal, parseNumber, toLatinDigits, toPersianDigits } from '../../../core/plugin/persian/digits.js';

t.test('digit conversion', async (t) => {
  t.equal(toLatinDigits('۰۱۲۳۴۵۶۷۸۹'), '0123456789');
  t.equal(toLatinDigits('٠١٢٣٤٥٦٧٨٩'), '0123456789');
  t.equal(toLatinDigits('تلفن: ۰۹۱۲-abc 12'), 'تلفن: 0912-abc 12', 'non-digits kept');
  t.equal(toPersianDigits('0123456789'), '۰۱۲۳۴۵۶۷۸۹');
  t.equal(toPersianDigits('٠١٢٣٤٥٦٧٨٩'), '۰۱۲۳۴۵۶۷۸۹', 'Arabic-Indic → Persian shapes');
  t.equal(toPersianDigits('v1.2 ۳'), 'v۱.۲ ۳');
  t.equal(toLatinDigits(toPersianDigits('2025-03-21')), '2025-03-21');
});

t.test('parseNumber vectors', async (t) => {
  t.equal(parseNumber('۱۲۳٬۴۵۶'), 123456);
  t.equal(parseNumber('123,456'), 123456);
  t.equal(parseNumber('١٢٣٤٥٦'), 123456);
  t.equal(parseNumber('۱۲٫۵'), 12.5);
  t.equal(parseNumber('12.5'), 12.5);
  t.equal(parseNumber('۱۲۳،۴۵۶'), 123456, 'Arabic comma grouping');
  t.equal(parseNumber('1,234,567.25'), 1234567.25);
  t.equal(parseNumber('-42'), -42);
  t.equal(parseNumber('\u2212۴۲'), -42, 'U+2212 minus');
  t.equal(parseNumber('  7 \n'), 7);
  t.equal(parseNumber('0'), 0);
  t.ok(Object.is(parseNumber('-0'), 0), '-0 is plain 0');
  t.equal(parseNumber('007'), 7);
});

t.test('parseNumber rejects everything else', async (t) => {
  for (const bad of ['', '   ', 'abc', '12a', '۱۲ تومان', '1.2.3', '۱٫۲٫۳', '12,5', '1,23,456', '1,234٬567', '12.', '.5', '+5',
    '--5', '5-', '1 234', 'Infinity', 'NaN', '1e5', '0x10', ',123', '123,']) {
    t.equal(parseNumber(bad), null, JSON.stringify(bad));
  }
  t.equal(parseNumber('9'.repeat(400)), null, 'not finite');
});

t.test('parseDecimal keeps the digits as text', async (t) => {
  t.same(parseDecimal('-۱٬۲۳۴٫۵۰'), { negative: true, integer: '1234', fraction: '50' });
  t.same(parseDecimal('-0.00'), { negative: false, integer: '0', fraction: '00' });
  t.equal(parseDecimal('x'), null);
});

t.test('formatNumber', async (t) => {
  t.equal(formatNumber(1234567, 'fa'), '۱٬۲۳۴٬۵۶۷');
  t.equal(formatNumber(1234567, 'en'), '1,234,567');
  t.equal(formatNumber(12.5, 'fa'), '۱۲٫۵');
  t.equal(formatNumber(0, 'fa'), '۰');
  t.equal(formatNumber(-12.5, 'fa'), '\u200E\u2212۱۲٫۵', 'LRM + minus as Intl emits it');
  t.equal(formatNumber(1.23456, 'en'), '1.235', 'three fraction digits at most');
  for (const n of [0, 7, -12.5, 1234567, 1234567.125, -0.5]) {
    for (const locale of ['fa', 'en'] as const) {
      t.equal(parseNumber(formatNumber(n, locale)), n, `round trip ${n} ${locale}`);
    }
  }
});
