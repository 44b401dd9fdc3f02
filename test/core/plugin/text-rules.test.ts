/**
 * `toSingleLine` makes outside text (a mail's subject) pass the `single-line` rule the API
 * applies, keeping what Persian needs (ZWNJ, RLM) and the words around what it removes.
 */
import t from 'tap';
import { isSingleLine, toSingleLine } from '../../../core/plugin/text-rules.js';

const cases: Array<[string, string]> = [
  ['سفارش\r\n۱۲۳', 'سفارش ۱۲۳'],
  ['invoice\u202Etxt.exe', 'invoice txt.exe'],
  ['\u2066x\u2069', 'x'],
  ['می\u200Cدانم \u200Fعلی', 'می\u200Cدانم \u200Fعلی'],
  ['\t\n', ''],
];
for (const [input, expected] of cases) {
  t.equal(toSingleLine(input), expected, JSON.stringify(input));
  t.ok(isSingleLine(toSingleLine(input)), `${JSON.stringify(input)} passes the rule afterwards`);
}
