import t from 'tap';
import { currencyMinorDigits, formatMoney, parseMoney } from '../../../core/plugin/persian/money.js';
import * as persian from '../../../core/plugin/persian/index.js';

const NBSP = '\u00A0';

t.test('currencyMinorDigits comes from Intl', async (t) => {
  t.equal(currencyMinorDigits('IRR'), 0, 'CLDR has no fractional rial');
  t.equal(currencyMinorDigits('USD'), 2);
  t.equal(currencyMinorDigits('EUR'), 2);
  t.equal(currencyMinorDigits('JPY'), 0);
  t.equal(currencyMinorDigits('KWD'), 3);
  t.equal(currencyMinorDigits('usd'), 2, 'case-insensitive');
  for (const bad of ['', 'US', 'USDX', 'U$D', '123']) t.throws(() => currencyMinorDigits(bad), RangeError, bad);
});

t.test('parseMoney', async (t) => {
  t.equal(parseMoney('۱۲۳٬۴۵۶', 'IRR'), 123456);
  t.equal(parseMoney('123,456', 'IRR'), 123456);
  t.equal(parseMoney('١٢٣٤٥٦', 'IRR'), 123456);
  t.equal(parseMoney('12.34', 'USD'), 1234);
  t.equal(parseMoney('۱۲٫۳۴', 'USD'), 1234);
  t.equal(parseMoney('12.3', 'USD'), 1230);
  t.equal(parseMoney('12', 'USD'), 1200);
  t.equal(parseMoney('0.29', 'USD'), 29, 'no float error (0.29 * 100 = 28.999…)');
  t.equal(parseMoney('1.005', 'KWD'), 1005);
  t.equal(parseMoney('-5.50', 'EUR'), -550);
  t.ok(Object.is(parseMoney('-0.00', 'USD'), 0));
  t.equal(parseMoney('12٫5', 'IRR', { toman: true }), 125, 'toman input with a tenth');
  t.equal(parseMoney('۱۲٬۳۴۵', 'IRR', { toman: true }), 123450);
  t.equal(parseMoney('12.5', 'USD', { toman: true }), 1250, 'toman ignored for other currencies');
});

t.test('parseMoney rejects', async (t) => {
  t.equal(parseMoney('12.345', 'USD'), null, 'too many fraction digits');
  t.equal(parseMoney('1.5', 'IRR'), null, 'rial has no fraction');
  t.equal(parseMoney('12.5', 'JPY'), null);
  t.equal(parseMoney('1.25', 'IRR', { toman: true }), null, 'toman has one fraction digit');
  t.equal(parseMoney('', 'USD'), null);
  t.equal(parseMoney('۱۲ تومان', 'IRR'), null);
  t.equal(parseMoney('1.2.3', 'USD'), null);
  t.equal(parseMoney('90071992547409.92', 'USD'), null, 'beyond MAX_SAFE_INTEGER minor units');
  t.equal(parseMoney('90071992547409.91', 'USD'), Number.MAX_SAFE_INTEGER);
  t.throws(() => parseMoney('1', 'dollars'), RangeError);
});

t.test('formatMoney IRR', async (t) => {
  t.equal(formatMoney(123456, 'IRR', 'fa'), `۱۲۳٬۴۵۶${NBSP}ریال`);
  t.equal(formatMoney(123456, 'IRR', 'fa', { toman: true }), `۱۲٬۳۴۵٫۶${NBSP}تومان`);
  t.equal(formatMoney(123450, 'IRR', 'fa', { toman: true }), `۱۲٬۳۴۵${NBSP}تومان`, 'no tenth when there is none');
  t.equal(formatMoney(123456, 'IRR', 'en'), `123,456${NBSP}Rial`);
  t.equal(formatMoney(123456, 'IRR', 'en', { toman: true }), `12,345.6${NBSP}Toman`);
  t.equal(formatMoney(5, 'IRR', 'en', { toman: true }), `0.5${NBSP}Toman`);
  t.equal(formatMoney(-123456, 'IRR', 'fa'), `\u200E\u2212۱۲۳٬۴۵۶${NBSP}ریال`);
  t.equal(formatMoney(0, 'IRR', 'fa'), `۰${NBSP}ریال`);
  t.equal(formatMoney(123456, 'irr', 'fa', { toman: false }), `۱۲۳٬۴۵۶${NBSP}ریال`);
});

t.test('formatMoney other currencies', async (t) => {
  t.equal(formatMoney(1234, 'USD', 'en'), '$12.34');
  t.equal(formatMoney(1200, 'USD', 'en'), '$12.00');
  t.equal(formatMoney(-1234, 'USD', 'en'), '-$12.34');
  t.equal(formatMoney(1234, 'EUR', 'en'), '€12.34');
  t.equal(formatMoney(1234, 'JPY', 'en'), '¥1,234');
  t.equal(formatMoney(1234, 'USD', 'fa'), `۱۲٫۳۴${NBSP}دلار آمریکا`);
  t.equal(formatMoney(5, 'USD', 'fa', { toman: true }), `۰٫۰۵${NBSP}دلار آمریکا`, 'toman ignored');
  t.equal(formatMoney(1234, 'JPY', 'fa'), `۱٬۲۳۴${NBSP}ین ژاپن`);
  t.equal(formatMoney(Number.MAX_SAFE_INTEGER, 'USD', 'en'), '$90,071,992,547,409.91', 'exact at the top of the range');
  t.throws(() => formatMoney(12.5, 'USD', 'en'), RangeError, 'minor units are integers');
  t.throws(() => formatMoney(Number.NaN, 'USD', 'en'), RangeError);
  t.throws(() => formatMoney(1, 'US', 'en'), RangeError);
});

t.test('format → parse round trip', async (t) => {
  for (const minor of [0, 1, 99, 123456, -5050, 900719925474099]) {
    t.equal(parseMoney(formatMoney(minor, 'IRR', 'fa').replace(/\u00A0.*$/, ''), 'IRR'), minor, `IRR ${minor}`);
    t.equal(parseMoney(formatMoney(minor, 'IRR', 'fa', { toman: true }).replace(/\u00A0.*$/, ''), 'IRR', { toman: true }), minor, `toman ${minor}`);
    t.equal(parseMoney(formatMoney(minor, 'USD', 'fa').replace(/\u00A0.*$/, ''), 'USD'), minor, `USD ${minor}`);
  }
});

t.test('index re-exports every module', async (t) => {
  for (const name of ['normalizeSearchText', 'searchTokens', 'normalizeEmail', 'namesMatch', 'toLatinDigits', 'toPersianDigits',
    'parseNumber', 'parseDecimal', 'formatNumber', 'normalizePhone', 'phoneSearchKeys', 'isValidIranianNationalId', 'toJalali',
    'jalaliToDate', 'isJalaliLeapYear', 'jalaliMonthLength', 'periodOf', 'periodsBetween', 'periodLabel', 'formatDate',
    'currencyMinorDigits', 'parseMoney', 'formatMoney']) {
    t.equal(typeof (persian as Record<string, unknown>)[name], 'function', name);
  }
});
