import t from 'tap';
import { Writable } from 'node:stream';
import { PollingLoop } from '../../../core/plugin/polling-loop.js';
import { createLogger } from '../../../core/logging.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Waits until `condition` holds, polling; fails after `deadlineMs`, which every test keeps
 * well under the loop's 10 s interval, so "it happened in time" also means "not after the interval".
 */
async function until(condition: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await sleep(2);
  }
}
/** Nothing more happens for a while: an absence can only be observed over some time (far less than the interval). */
const QUIET_MS = 150;

function quietLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) });
  return { logger: createLogger('error', sink), lines };
}

t.test('runs again at once while there is more, then waits the interval', async (t) => {
  const { logger } = quietLogger();
  let passes = 0;
  const loop = new PollingLoop({ name: 'test', intervalMs: 10_000, logger, pass: async () => ++passes < 3 });
  loop.start();
  await until(() => passes === 3, 'two busy passes, then an idle one');
  await sleep(QUIET_MS);
  t.equal(passes, 3, 'two busy passes, then an idle one, then the long wait');
  await loop.stop();
});

t.test('a wake during a pass runs one more pass right after it; passes never overlap', async (t) => {
  const { logger } = quietLogger();
  let inFlight = 0;
  let maxInFlight = 0;
  let passes = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const loop = new PollingLoop({
    name: 'test', intervalMs: 10_000, logger,
    pass: async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      passes++;
      if (passes === 1) await gate;
      inFlight--;
      return false;
    },
  });
  loop.start();
  await until(() => passes === 1, 'the first pass started');
  loop.wake();
  loop.wake();
  release();
  await until(() => passes === 2 && inFlight === 0, 'one more pass after the wakes');
  await sleep(QUIET_MS);
  t.equal(passes, 2, 'the wakes during pass 1 ran exactly one more pass');
  t.equal(maxInFlight, 1, 'never two passes at once');
  loop.wake();
  await until(() => passes === 3, 'a pass after a wake while idle');
  t.pass('a wake while idle runs a pass now, not after the interval');
  await loop.stop();
  loop.wake();
  await sleep(QUIET_MS);
  t.equal(passes, 3, 'a stopped loop ignores wakes');
});

t.test('a failing pass is logged and retried on the next tick', async (t) => {
  const { logger, lines } = quietLogger();
  let passes = 0;
  const loop = new PollingLoop({
    name: 'flaky', intervalMs: 5, logger,
    pass: async () => {
      if (++passes === 1) throw new Error('database went away');
      return false;
    },
  });
  loop.start();
  await until(() => passes >= 2, 'a pass after the failed one');
  await loop.stop();
  t.ok(passes >= 2, `retried after the failure (${passes} passes)`);
  t.match(lines.join(''), /flaky pass failed; retrying/, 'the failure is logged with the loop name');
  t.match(lines.join(''), /database went away/, 'and the error');
});

t.test('stop waits for the pass in flight', async (t) => {
  const { logger } = quietLogger();
  let finished = false;
  let started = false;
  const loop = new PollingLoop({ name: 'test', intervalMs: 10_000, logger, pass: async () => ((started = true), await sleep(50), (finished = true), false) });
  loop.start();
  await until(() => started, 'the pass started');
  await loop.stop();
  t.ok(finished, 'the pass completed before stop resolved');
  t.notOk(loop.active);
});
