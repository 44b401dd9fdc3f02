import t from 'tap';
import { normalizePhone, phoneSearchKeys } from '../../../core/plugin/persian/phone.js';

t.test('persian.md vectors: one Iranian mobile, four spellings', async (t) => {
  for (const s of ['۰۹۱۲۳۴۵۶۷۸۹', '٠٩١٢٣٤٥٦٧٨٩', '0912 345 6789', '+98 912 345 6789']) {
    t.equal(normalizePhone(s), '09123456789', s);
  }
});

t.test('other Iranian spellings', async (t) => {
  t.equal(normalizePhone('0098 912 345 6789'), '09123456789');
  t.equal(normalizePhone('989123456789'), '09123456789');
  t.equal(normalizePhone('+98 (0) 912-345-6789'), '09123456789', 'trunk 0 after the country code');
  t.equal(normalizePhone('+۹۸۹۱۲۳۴۵۶۷۸۹'), '09123456789');
  t.equal(normalizePhone('0912.345.6789'), '09123456789');
  t.equal(normalizePhone('\u200E0912\u2013345\u20136789\u200F'), '09123456789', 'en dashes and bidi marks');
  t.equal(normalizePhone('(021) 8888-1234'), '02188881234', 'landline');
  t.equal(normalizePhone('+98 21 8888 1234'), '02188881234');
});

t.test('international and unprefixed numbers', async (t) => {
  t.equal(normalizePhone('+44 20 7946 0958'), '+442079460958');
  t.equal(normalizePhone('0044 20 7946 0958'), '+442079460958');
  t.equal(normalizePhone('+1 (555) 010-9999'), '+15550109999');
  t.equal(normalizePhone('9123456789'), '9123456789', 'no country is guessed');
  t.equal(normalizePhone('98912345678'), '98912345678', 'only 98 + 10 digits starting with 9 is rewritten');
  t.equal(normalizePhone('12345'), '12345', 'five digits is enough');
});

t.test('bad input', async (t) => {
  for (const bad of ['', '   ', '1234', '+98 12', '00 12', 'abc', '0912x3456789', '0912 345 6789 ext 2', '12+345678',
    '++989123456789', '0912/345/6789', '#09123456789']) {
    t.equal(normalizePhone(bad), null, JSON.stringify(bad));
  }
});

t.test('phoneSearchKeys', async (t) => {
  t.same(phoneSearchKeys('+98 912 345 6789'), ['09123456789', '9123456789', '989123456789']);
  t.same(phoneSearchKeys('٠٩١٢٣٤٥٦٧٨٩'), ['09123456789', '9123456789', '989123456789']);
  t.same(phoneSearchKeys('+44 20 7946 0958'), ['+442079460958', '442079460958']);
  t.same(phoneSearchKeys('12345'), ['12345']);
  t.same(phoneSearchKeys('abc'), []);
  // However a user starts typing the number, the typed digits are a prefix of some key.
  const keys = phoneSearchKeys('0912 345 6789');
  for (const typed of ['0912', '912345', '98912', '989123456789']) {
    t.ok(keys.some((k) => k.startsWith(typed)), `prefix ${typed}`);
  }
});
