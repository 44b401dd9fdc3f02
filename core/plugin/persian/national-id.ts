/**
 * Iranian national id (کد ملی) validation.
 *
 * Pure functions on standard JS only: this module is also bundled into browser widgets.
 *
 * @module
 */

import { toLatinDigits } from './digits.js';

/**
 * Checks an Iranian national id (کد ملی).
 *
 * Input: exactly ten digits in any script (ASCII, Persian, Arabic-Indic), optionally in the
 * `xxx-xxxxxx-x` layout printed on the card, surrounding whitespace ignored. Ids that lost their
 * leading zeros (8 or 9 digits, e.g. from a spreadsheet) are rejected rather than padded: padding
 * is the importer's decision, not the validator's.
 *
 * Rules:
 * 1. Check digit: with d0…d8 the first nine digits, s = Σ dᵢ·(10−i) and r = s mod 11; the last
 *    digit must equal r when r < 2, otherwise 11 − r.
 * 2. Ids made of one repeated digit are invalid: `0000000000`, `1111111111`, … Every one of them
 *    satisfies rule 1 (s = 54·d ≡ −d mod 11, so the expected check digit is d itself), yet none is
 *    ever issued, and they are what people type to get past a required field.
 * 3. Ids whose six-digit serial (digits 4–9, after the three-digit issuing-office code) is
 *    `000000` are invalid: serial 0 is never issued. This is the rule the widely used
 *    persian-tools validators apply. The spec vector `0010000000` fails this rule and, with
 *    r = 8, the check digit (3 expected) as well.
 */
export function isValidIranianNationalId(input: string): boolean {
  const m = /^(\d{3})-?(\d{6})-?(\d)$/.exec(toLatinDigits(input).trim());
  if (!m) return false;
  const id = `${m[1]}${m[2]}${m[3]}`;
  if (/^(\d)\1{9}$/.test(id)) return false;
  if (m[2] === '000000') return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(id[i]) * (10 - i);
  const r = sum % 11;
  const expected = r < 2 ? r : 11 - r;
  return Number(id[9]) === expected;
}
