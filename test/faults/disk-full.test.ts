/**
 * The disk fills up under SQLite writes. `peyvand serve` runs on a database in a
 * size-limited tmpfs; concurrent creates go on while a filler file takes the last free
 * space. Writes then answer 507 `STORAGE_FULL` problem+json in the reader's language (never
 * a 500), reads keep working, the database passes `PRAGMA integrity_check`, every 201 is
 * in it with its outbox event and audit row, and once the filler is removed writes
 * succeed again on the same process.
 *
 * SQLite only by nature (the embedded database shares the server's disk), so the file
 * ignores PEYVAND_TEST_DB. Mounting needs root; under CI=true a failed mount fails.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { connect } from '../../core/db/connect.js';
import { acknowledgedButMissing, api, newWriteLog, serverEnv, startServer, tenantKey, waitFor, writeConcurrently, checkWritesResume } from './fault-harness.js';

t.setTimeout(120_000);

/** Mounts a tmpfs of `megabytes` on a new directory; undefined with the reason when it cannot. */
function mountTmpfs(megabytes: number): { dir: string } | { error: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { error: `cannot mount a tmpfs (root needed): ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Writes `file` until the disk refuses more (ENOSPC), in shrinking chunks down to one page. */
function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  try {
    for (let chunk = 1 << 20; chunk >= 4096; chunk >>= 1) {
      const buffer = Buffer.alloc(chunk, 0x5a);
      for (;;) {
        try {
          fs.writeSync(fd, buffer);
          written += chunk;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

/**
 * `PRAGMA integrity_check` on a connection of its own. SQLite's FTS5 check reads the
 * index structure a connection cached when it last read the table: a long-lived
 * connection that read it before the server wrote more reports "fts5: corruption found"
 * for a database that is whole (a fresh connection, or any search on the old one, sees
 * it is). So each check opens a new connection.
 */
async function integrity(url: string): Promise<string> {
  const knex = connect(url);
  try {
    const [row] = (await knex.raw('PRAGMA integrity_check')) as Array<{ integrity_check: string }>;
    return String(row?.integrity_check);
  } finally {
    await knex.destroy();
  }
}

t.test('a full disk refuses writes clearly, keeps reads, loses nothing and recovers without a restart', async (t) => {
  const mounted = mountTmpfs(24);
  if ('error' in mounted) {
    if (process.env.CI === 'true') t.fail(mounted.error);
    else t.plan(0, mounted.error); // a developer without root can still run the rest
    return;
  }
  const { dir } = mounted;
  const url = `sqlite:${path.join(dir, 'peyvand.db')}`;
  const filler = path.join(dir, 'filler');
  const server = await startServer(serverEnv(url), process.cwd());
  const knex = connect(url);
  t.teardown(async () => {
    await knex.destroy();
    if (server.child.exitCode === null) await server.kill();
    execFileSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const key = await tenantKey(server, 'full');
  const log = newWriteLog();

  // Writes flow, then the filler takes every free byte while they go on.
  let stop = false;
  const writing = writeConcurrently(server.url, key, 4, 'full', log, () => stop);
  t.ok(await waitFor(() => log.created.length >= 40, 20_000), 'writes are acknowledged before the disk fills');
  const fillerBytes = fillDisk(filler);
  t.comment(`filler: ${(fillerBytes / 1048576).toFixed(1)} MiB; ${log.created.length} creates acknowledged when the disk filled`);
  const full = await waitFor(() => log.refused.length >= 20, 30_000);
  stop = true;
  await writing;
  t.ok(full, 'writes are refused once the disk is full');
  t.comment(`${log.created.length} creates acknowledged, ${log.refused.length} refused, ${log.noAnswer} without an answer`);

  t.equal(log.noAnswer, 0, 'every request got an answer');
  t.same([...new Set(log.refused.map((r) => r.status))], [507], 'every refusal is 507 Insufficient Storage (no 500)');
  t.ok(log.refused.every((r) => r.contentType.startsWith('application/problem+json') && r.body.code === 'STORAGE_FULL'), 'as problem+json with code STORAGE_FULL');
  t.ok(log.refused.every((r) => !('stack' in r.body) && !JSON.stringify(r.body).includes('SQLITE_')), 'without a stack or the driver’s error');
  const titles = new Set(log.refused.map((r) => r.body.title));
  t.ok(titles.has('Storage full') && titles.has('فضای ذخیره‌سازی پر است'), 'titled in the reader’s language (en and fa)');

  // Reads keep working on the full disk.
  const first = await api(server.url, key, 'GET', `/api/v1/customers/${log.created[0]}`);
  t.equal(first.status, 200, 'a customer is read');
  const list = await api(server.url, key, 'GET', '/api/v1/customers?limit=50');
  t.equal(list.status, 200, 'the customer list is read');
  t.equal((list.body.items as unknown[]).length, 50, 'with its customers');

  t.equal(await integrity(url), 'ok', 'the database is not corrupted while the disk is full');
  t.same(await acknowledgedButMissing(knex, log.created), { customers: 0, events: 0, audit: 0 }, 'every 201 is in the database with its outbox event and audit row');

  // Space returns: writes succeed again on the same process.
  fs.rmSync(filler);
  const resumed = await checkWritesResume(t, server, key, 4);

  await server.stop();
  const all = [...log.created, ...resumed];
  t.same(await acknowledgedButMissing(knex, all), { customers: 0, events: 0, audit: 0 }, 'after shutdown every 201 is there with its event and audit row');
  t.equal(await integrity(url), 'ok', 'and the database is whole');
});
