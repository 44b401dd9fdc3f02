/**
 * `backoffDelay`, the exponential backoff every retry loop shares: the base at attempt 1,
 * doubling, the cap, the jitter's range (after the cap), and nonsense attempts (0,
 * negative, NaN, huge) that must still give a finite delay within bounds.
 */
import t from 'tap';
import { backoffDelay } from '../../../core/plugin/index.js';

const low = () => 0;
const high = () => 1 - Number.EPSILON;

t.test('without jitter: the base at attempt 1, doubling per attempt, then the cap', async (t) => {
  const exact = (attempt: number) => backoffDelay(attempt, { baseMs: 250, maxMs: 5000 });
  t.same([1, 2, 3, 4, 5, 6, 7].map(exact), [250, 500, 1000, 2000, 4000, 5000, 5000]);
  t.equal(backoffDelay(40, { baseMs: 30_000 }), 30_000 * 2 ** 39, 'no cap: keeps doubling');
});

t.test('jitter spreads the delay over [1 − j, 1 + j) of it, after the cap', async (t) => {
  const options = { baseMs: 1000, maxMs: 60_000, jitter: 0.2 };
  t.equal(backoffDelay(1, { ...options, random: low }), 800, 'attempt 1 at the bottom of its range');
  t.equal(backoffDelay(1, { ...options, random: high }), 1200, 'and at the top');
  t.equal(backoffDelay(20, { ...options, random: low }), 48_000, 'a capped delay still spreads below the cap');
  t.equal(backoffDelay(20, { ...options, random: high }), 72_000, 'and above it');
  const drawn = Array.from({ length: 2000 }, () => backoffDelay(3, options));
  t.ok(drawn.every((d) => Number.isInteger(d) && d >= 3200 && d <= 4800), 'whole ms within 3200…4800 at attempt 3');
  t.ok(new Set(drawn).size > 100, 'and actually spread');
  t.ok(Math.min(...drawn) < 3400 && Math.max(...drawn) > 4600, 'over the whole range');
});

t.test('an attempt below 1, NaN or huge gives a finite delay within bounds', async (t) => {
  const options = { baseMs: 1000, maxMs: 60_000 };
  for (const attempt of [0, -3, Number.NaN, Number.NEGATIVE_INFINITY]) t.equal(backoffDelay(attempt, options), 1000, `${attempt} counts as attempt 1`);
  for (const attempt of [1030, 1e9, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY]) t.equal(backoffDelay(attempt, options), 60_000, `${attempt} is the cap`);
  const uncapped = backoffDelay(Number.POSITIVE_INFINITY, { baseMs: 30_000, jitter: 0.2 });
  t.ok(Number.isFinite(uncapped) && uncapped > 0, `without a cap, still finite (${uncapped})`);
  t.equal(backoffDelay(2.7, options), 2000, 'a fractional attempt counts whole');
});
