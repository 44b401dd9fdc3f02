/**
 * `npm test`: runs tap, keeps its TAP stream in `test-output/tap.txt` for tools, and
 * prints what a person wants to read — one line per test file as it finishes, then
 * `N passed, N failed, N skipped` and the failed assertions by file and subtest.
 *
 * Arguments go to tap unchanged: `npm test -- test/core/http` runs one suite,
 * `npm test -- --disable-coverage test/plugins/sales/leads.test.ts` one file.
 * The exit code is tap's.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Counts and failures read from a TAP stream. */
export interface TapSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Failed assertions, `file › subtest › assertion`, deepest only. */
  failures: string[];
}

/** Reads TAP line by line: top-level results, failures with their subtest path, and tap's final counts. */
export class TapReader {
  private readonly names: string[] = [];
  private readonly failed: string[][] = [];
  private counts: { pass: number; fail: number; skip: number; todo: number } | undefined;

  /** Feeds one line; returns a line for the person watching when a test file finished. */
  line(raw: string): string | undefined {
    const indent = (/^ */.exec(raw)?.[0].length ?? 0) / 4;
    const text = raw.trim();
    const subtest = /^# Subtest: (.*)$/.exec(text);
    if (subtest) {
      this.names.length = indent;
      this.names[indent] = subtest[1]!;
      return undefined;
    }
    const totals = /^# \{ total: (\d+)(.*)\}$/.exec(text);
    if (totals && indent === 0) {
      const count = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(totals[2]!)?.[1] ?? 0);
      this.counts = { pass: count('pass'), fail: count('fail'), skip: count('skip'), todo: count('todo') };
      return undefined;
    }
    const result = /^(not ok|ok) \d+ - (.*?)(?: # (.*))?$/.exec(text);
    if (!result) return undefined;
    const [, status, name = '', directive = ''] = result;
    if (status === 'not ok') this.failed.push([...this.names.slice(0, indent), name]);
    if (indent !== 0) return undefined;
    const time = /time=([\d.]+)ms/.exec(directive);
    const seconds = time ? ` (${(Number(time[1]) / 1000).toFixed(1)} s)` : '';
    return `${status === 'ok' ? 'ok  ' : 'FAIL'} ${name}${seconds}`;
  }

  /** The run's counts; tap's own totals when it printed them. */
  summary(): TapSummary {
    // A failed subtest is also reported by each parent: keep the deepest.
    const keys = this.failed.map((p) => p.join(' › '));
    const failures = keys.filter((k) => !keys.some((other) => other !== k && other.startsWith(`${k} › `)));
    const counts = this.counts ?? { pass: 0, fail: failures.length, skip: 0, todo: 0 };
    return { passed: counts.pass, failed: counts.fail, skipped: counts.skip + counts.todo, failures };
  }
}

async function main(): Promise<number> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = path.join(root, 'test-output');
  mkdirSync(outDir, { recursive: true });
  const tapFile = path.join(outDir, 'tap.txt');
  const log = createWriteStream(tapFile);
  const tapBin = path.join(root, 'node_modules', '.bin', 'tap');
  const child = spawn(tapBin, ['-R', 'tap', ...process.argv.slice(2)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const reader = new TapReader();
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    log.write(`${line}\n`);
    const shown = reader.line(line);
    if (shown) console.log(shown);
  });
  child.stderr.pipe(log, { end: false });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  await new Promise<void>((resolve) => log.end(resolve));
  const { passed, failed, skipped, failures } = reader.summary();
  console.log('');
  if (failures.length) {
    console.log('Failed:');
    for (const f of failures.slice(0, 30)) console.log(`  ✗ ${f}`);
    if (failures.length > 30) console.log(`  … and ${failures.length - 30} more`);
    console.log('');
  }
  console.log(`TAP: ${path.relative(process.cwd(), tapFile)}`);
  // A run that failed without a failed assertion (a crash, a coverage check) still fails.
  console.log(`${passed} passed, ${failed || (code !== 0 ? 1 : 0)} failed, ${skipped} skipped`);
  return code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
