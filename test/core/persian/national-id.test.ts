import t from 'tap';
import { isValidIranianNationalId } from '../../../core/plugin/persian/national-id.js';

t.test('persian.md vectors', async (t) => {
  t.ok(isValidIranianNationalId('0499370899'));
  t.ok(isValidIranianNationalId('1583250689'));
  t.notOk(isValidIranianNationalId('1234567890'));
  t.notOk(isValidIranianNationalId('0010000000'));
});

t.test('any digits and the card layout', async (t) => {
  t.ok(isValidIranianNationalId('۰۴۹۹۳۷۰۸۹۹'));
  t.ok(isValidIranianNationalId('١٥٨٣٢٥٠٦٨٩'));
  t.ok(isValidIranianNationalId('049-937089-9'));
  t.ok(isValidIranianNationalId(' 0499370899 '));
  t.ok(isValidIranianNationalId('0076229645'));
});

t.test('only the right check digit passes', async (t) => {
  for (const valid of ['0499370899', '1583250689', '0076229645']) {
    const body = valid.slice(0, 9);
    const passing = [...'0123456789'].filter((d) => isValidIranianNationalId(body + d));
    t.same(passing, [valid[9]], `check digit of ${body}`);
  }
});

t.test('check digit with remainder 0 and 1 is the remainder itself', async (t) => {
  // 000000031: s = 3·3 + 1·2 = 11, r = 0 → check 0 (not 11 − 0).
  t.ok(isValidIranianNationalId('0000000310'));
  t.notOk(isValidIranianNationalId('0000000311'));
  // 000000040: s = 4·3 = 12, r = 1 → check 1 (not 10).
  t.ok(isValidIranianNationalId('0000000401'));
  t.notOk(isValidIranianNationalId('0000000400'));
  // 012345678: s = 156, r = 2 → check 9.
  t.ok(isValidIranianNationalId('0123456789'));
});

t.test('rejects', async (t) => {
  for (let d = 0; d <= 9; d++) t.notOk(isValidIranianNationalId(String(d).repeat(10)), `${d} repeated`);
  // 111000000: s = 27, r = 5 → check 6 passes the check-digit rule; serial 000000 is never issued.
  t.notOk(isValidIranianNationalId('1110000006'), 'serial 000000');
  t.notOk(isValidIranianNationalId('0010000003'), '0010000000 with its "right" check digit is still serial 000000');
  t.notOk(isValidIranianNationalId('499370899'), 'nine digits');
  t.notOk(isValidIranianNationalId('04993708990'), 'eleven digits');
  t.notOk(isValidIranianNationalId(''));
  t.notOk(isValidIranianNationalId('04993708a9'));
  t.notOk(isValidIranianNationalId('0499-370899'), 'wrong layout');
  t.notOk(isValidIranianNationalId('0499370 899'));
});
