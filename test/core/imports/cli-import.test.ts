/**
 * `peyvand import` and `peyvand export`: a file imported as the platform with progress on
 * stderr (redrawn on a terminal, plain lines otherwise), then exported back.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { run, type CliIo } from '../../../core/cli/commands.js';
import { createTestDatabase } from '../../helpers/database.js';

const db = await createTestDatabase();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-cli-import-'));
t.teardown(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await db.drop();
});
const env = { DATABASE_URL: db.url, PEYVAND_DATA_DIR: dir, PEYVAND_IMPORTS_DIR: path.join(dir, 'imports'), PEYVAND_SECRET: randomBytes(32).toString('base64url'), PEYVAND_LANG: 'en' };
async function cli(argv: string[], io: Partial<CliIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env, cwd: dir, logger: pino({ level: 'silent' }), waitForShutdown: () => new Promise<string>(() => undefined), ...io });
  return { code, stdout, stderr };
}

t.test('import with progress, then export', async (t) => {
  t.equal((await cli(['tenants', 'create', 'shop', '--name', 'Shop'])).code, 0);
  fs.writeFileSync(path.join(dir, 'customers.csv'), ['name,phone,externalSource,externalId', ...Array.from({ length: 40 }, (_, i) => `مشتری ${i},0912000${String(i).padStart(4, '0')},erp,C-${i}`), ',,erp,BAD'].join('\n'));
  const plain = await cli(['import', 'customers.csv', '--tenant', 'shop', '--entity', 'customers']);
  t.equal(plain.code, 0, plain.stderr);
  t.match(plain.stdout, /succeeded — 41 rows, 40 created, 0 updated, 0 unchanged, 1 failed/);
  t.match(plain.stderr, /41\/41 rows, \d+ rows\/s, ETA \d+:\d\d, 1 failed/, 'a plain progress line');
  t.notMatch(plain.stderr, /\r/, 'no redrawing when not a terminal');
  t.match(plain.stderr, /GET \/api\/v1\/imports\/[0-9a-f-]+\/errors/, 'where the failed rows are');

  const tty = await cli(['import', 'customers.csv', '--tenant', 'shop', '--entity', 'customers', '--dry-run'], { interactive: true });
  t.equal(tty.code, 0);
  t.match(tty.stderr, /\r█+ 41\/41 rows/, 'a bar redrawn in place on a terminal');
  t.match(tty.stdout, /0 created, 0 updated, 40 unchanged/);

  const csv = await cli(['export', 'customers', '--tenant', 'shop', '--calendar', 'persian']);
  t.equal(csv.code, 0, csv.stderr);
  t.ok(csv.stdout.startsWith('\uFEFFid,kind,name'), 'CSV with a BOM on stdout');
  t.equal(csv.stdout.split('\r\n').filter((l) => l.includes('مشتری')).length, 40);
  t.equal((await cli(['export', 'customers', '--tenant', 'shop', '--out', 'all.xlsx'])).code, 0);
  t.ok(fs.statSync(path.join(dir, 'all.xlsx')).size > 0, 'xlsx to a file');

  t.equal((await cli(['import', 'nope.csv', '--tenant', 'shop', '--entity', 'customers'])).code, 2, 'a missing file is a usage error');
  t.equal((await cli(['import', 'customers.csv', '--tenant', 'nobody', '--entity', 'customers'])).code, 1, 'an unknown tenant fails');
  t.equal((await cli(['import', 'customers.csv', '--tenant', 'shop'])).code, 2, '--entity is required');
});
