/**
 * Crash soak: SIGKILLs `peyvand serve` 1,000 times under concurrent HTTP writes and prints
 * the invariant counts (the same harness CI runs 20 times).
 *
 *   node --import tsx scripts/soak-crash.ts [--cycles 1000] [--db sqlite|postgres|mysql]
 *
 * The database is a fresh throwaway one (PEYVAND_TEST_PG_URL / PEYVAND_TEST_MYSQL_URL
 * name the servers, as for the tests). Exits 1 when an invariant is broken.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../test/helpers/database.js';
import { runCrashHarness } from '../test/crash/harness.js';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '1000' }, db: { type: 'string', default: 'sqlite' } } });
const cycles = Number(values.cycles);
const dialect = values.db as 'sqlite' | 'postgres' | 'mysql';
if (!Number.isInteger(cycles) || cycles < 1 || !['sqlite', 'postgres', 'mysql'].includes(dialect)) {
  console.error('usage: soak-crash.ts [--cycles N] [--db sqlite|postgres|mysql]');
  process.exit(2);
}

const db = await createTestDatabase(dialect);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-soak-'));
try {
  console.log(`crash soak: ${cycles} kill cycles on ${dialect}`);
  const report = await runCrashHarness({ databaseUrl: db.url, cycles, workDir, cwd: process.cwd(), log: (line) => console.log(line) });
  const rows: Array<[string, number | string | boolean | undefined]> = [
    ['kill cycles', report.cycles],
    ['acknowledged creates', report.acknowledgedCreates],
    ['acknowledged updates', report.acknowledgedUpdates],
    ['requests cut by a kill (outcome unknown)', report.unknownOutcomes],
    ['refused (429/503)', report.refused],
    ['committed customers', report.committedCustomers],
    ['customer events in the outbox', report.events],
    ['LOST acknowledged writes', report.lostWrites],
    ['LOST: committed changes without an event (creates and versions)', report.changesWithoutEvent],
    ['PHANTOM events (change not committed)', report.phantomEvents],
    ['LOST events (a subscriber never got it)', report.lostEvents],
    ['duplicate deliveries (at least once, after kills)', report.duplicateDeliveries],
    ['dead letters expected', report.deadLettersExpected],
    ['MISSING dead letters', report.deadLettersMissing],
    ['dead letters listed by the API (first 200)', report.deadLettersListedByApi],
    ['webhook deliveries', report.webhookDeliveries],
    ['LOST webhook events', report.webhookLost],
    ['seconds', report.seconds],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  const broken = report.lostWrites + report.changesWithoutEvent + report.phantomEvents + report.lostEvents + report.deadLettersMissing + report.webhookLost;
  console.log(broken === 0 ? 'invariants hold' : `INVARIANTS BROKEN: ${broken}`);
  process.exitCode = broken === 0 ? 0 : 1;
} finally {
  await db.drop();
  fs.rmSync(workDir, { recursive: true, force: true });
}
