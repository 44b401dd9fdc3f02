/**
 * Crash test: `peyvand serve` SIGKILLed at random moments under concurrent HTTP writes,
 * 20 times, on the dialect of the run (CI: SQLite in `npm test`, PostgreSQL in its own
 * step). Nothing acknowledged is lost, every committed change's event reaches every
 * subscriber (and the webhook receiver) at least once, no event exists without its
 * change, and dead letters are visible. `scripts/soak-crash.ts` runs 1,000 cycles.
 */
import t from 'tap';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase } from '../helpers/database.js';
import { runCrashHarness } from './harness.js';

const cycles = Number(process.env.CRASH_CYCLES ?? 20);
// Each cycle boots a server: ~3 s on a quiet 2-core machine, far more on a loaded one.
t.setTimeout(Math.max(180_000, cycles * 30_000));

t.test(`${cycles} kill cycles lose nothing`, async (t) => {
  const db = await createTestDatabase();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-crash-'));
  t.teardown(async () => {
    await db.drop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  const report = await runCrashHarness({ databaseUrl: db.url, cycles, workDir, cwd: process.cwd(), log: (line) => t.comment(line) });
  t.comment(JSON.stringify(report));
  t.ok(report.acknowledgedCreates > cycles, 'writes were acknowledged between the kills');
  t.ok(report.unknownOutcomes > 0, 'kills cut requests in flight');
  t.equal(report.lostWrites, 0, 'every acknowledged write is in the database');
  t.equal(report.changesWithoutEvent, 0, 'every committed change has its event (each create, each version)');
  t.equal(report.phantomEvents, 0, 'no event exists for a change that was not committed (no unknown customer, no version beyond the database’s)');
  t.equal(report.lostEvents, 0, 'every event reached every subscriber at least once');
  t.equal(report.deadLettersMissing, 0, 'every doomed event is a dead letter');
  t.ok(report.deadLettersExpected > 0, 'there were dead letters to find');
  t.equal(report.deadLettersListedByApi, Math.min(200, report.deadLettersExpected), 'and the API lists them');
  t.ok(report.acknowledgedUpdates > 0, 'updates were acknowledged too');
  t.equal(report.webhookLost, 0, 'every event reached the webhook receiver at least once');
});
