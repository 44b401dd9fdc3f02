/**
 * `npm run bench`: runs each scenario against its baseline in this run, on this machine,
 * prints the results table, writes `bench/results/latest.json` and, after a full run of
 * every scenario, the table into docs/performance.md.
 *
 * Flags: `--quick` (CI smoke size: proves the runner works, asserts no timing),
 * `--only=read,search`, `--customers=N`, `--seconds=N`, `--rounds=N`, `--queries=N`,
 * `--batch=N`, `--deals=N`, `--tickets=N`, `--loyalty-customers=N`, `--loyalty-orders=N`,
 * `--loyalty-lines=N`, `--partners=N`, `--requests=N`, `--no-postgres`, `--postgres=URL`, `--keep-data`, `--reuse`.
 * The exit code is non-zero only when a scenario could not run, never for a missed target.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { BENCH_FLAGS, configFrom, unknownFlags } from './config.js';
import { Datasets } from './dataset.js';
import { machine, machineLine, notes, table, updateDoc } from './report.js';
import type { Context, ResultRow, Scenario } from './scenario.js';
import { bulk } from './scenarios/bulk.js';
import { read } from './scenarios/read.js';
import { salesScenario } from './scenarios/sales.js';
import { supportScenario } from './scenarios/support.js';
import { importScenario } from './scenarios/import.js';
import { memory } from './scenarios/memory.js';
import { list } from './scenarios/list.js';
import { search, searchMariadb, searchPostgres } from './scenarios/search.js';
import { write } from './scenarios/write.js';
import { outboxCost } from './scenarios/outbox-cost.js';
import { dispatchThroughput } from './scenarios/dispatch-throughput.js';
import { loyaltyScenario } from './scenarios/loyalty.js';
import { erpSyncScenario } from './scenarios/erp-sync.js';
import { emailScenario } from './scenarios/email.js';

// Order matters: bulk loads the datasets; memory follows read on the same server; write adds rows.
// The event scenarios bring their own small databases and need no dataset; sales has its
// own dataset (deals), loaded by the scenario, and so has support (tickets).
const SCENARIOS: Scenario[] = [bulk, read, memory, list, search, searchPostgres, searchMariadb, write, outboxCost, dispatchThroughput, salesScenario, supportScenario, importScenario, loyaltyScenario, erpSyncScenario, emailScenario];

const argv = process.argv.slice(2);
const unknown = unknownFlags(argv);
const unknownScenarios = (argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? []).filter((name) => !SCENARIOS.some((s) => s.name === name));
const help = unknown.length > 0 && unknown.every((a) => a === '--help' || a === '-h');
if (help || unknown.length > 0 || unknownScenarios.length > 0) {
  if (!help) console.error(`bench: unknown ${unknown.length ? `flag(s) ${unknown.join(' ')}` : `scenario(s) ${unknownScenarios.join(', ')}`}; nothing was run`);
  const valued = BENCH_FLAGS.filter((f) => !['quick', 'only', 'no-postgres', 'reuse', 'keep-data'].includes(f));
  console.error(`usage: npm run bench -- [--quick] [--only=${SCENARIOS.map((s) => s.name).join(',')}] [--no-postgres] [--reuse] [--keep-data]\n       ${valued.map((f) => `[--${f}=…]`).join(' ')}\n(see the comment at the top of bench/run.ts, and docs/performance.md)`);
  process.exit(help ? 0 : 2);
}
const config = configFrom(argv);
const sqliteVersion = String(new Sqlite(':memory:').prepare('select sqlite_version() as v').get()?.v);
const m = machine(sqliteVersion);
const datasets = new Datasets(config);
const started = Date.now();
const log = (message: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${message}`);
const ctx: Context = { config, datasets, log };
const rows: ResultRow[] = [];
const failures: string[] = [];
const selected = SCENARIOS.filter((s) => (config.only ? config.only.has(s.name) : !s.onlyWhenNamed));
log(`${config.quick ? 'quick' : 'full'} run: ${selected.map((s) => s.name).join(', ')}; ${config.customers.toLocaleString('en-US')} customers; ${os.cpus().length} cores`);
try {
  for (const scenario of selected) {
    const t0 = Date.now();
    log(`— ${scenario.name}`);
    try {
      rows.push(...(await scenario.run({ ...ctx, log: (msg) => log(`${scenario.name}: ${msg}`) })));
    } catch (err) {
      failures.push(scenario.name);
      console.error(`scenario ${scenario.name} failed:`, err);
    }
    log(`${scenario.name} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
} finally {
  await datasets.close();
}
m.loadEnd = os.loadavg()[0]!;
const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
console.log(`\n${table(rows)}\n\n${notes(rows)}\n\n${machineLine(m, config.quick)}\n`);
fs.mkdirSync(config.resultsDir, { recursive: true });
fs.writeFileSync(path.join(config.resultsDir, 'latest.json'), JSON.stringify({ command, config: { ...config, only: config.only && [...config.only] }, machine: m, rows, failures, seconds: (Date.now() - started) / 1000 }, null, 2));
const docFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'performance.md');
if (!config.quick && !config.only && failures.length === 0 && updateDoc(docFile, rows, m, command)) log('docs/performance.md updated');
if (failures.length) {
  console.error(`bench: ${failures.join(', ')} failed`);
  process.exitCode = 1;
}
