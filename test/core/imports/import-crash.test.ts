/**
 * An import survives its worker being SIGKILLed mid-file: a real worker process takes the
 * job, is killed after some batches committed, and the next worker (this process, once
 * the lease ran out) resumes from the last committed batch. The rows have no external
 * ref, so a row written twice would be a second customer: every row must be there once.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { bootPeyvand } from '../../helpers/peyvand.js';

const ROWS = 600;
const BATCH = 30;
const LEASE_MS = 1500;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-import-crash-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const p = await bootPeyvand(t, { imports: { dir, batchSize: BATCH, leaseMs: LEASE_MS } });
const { kernel } = p.peyvand;
const tenant = await p.tenant('crash');
const admin = await tenant.key('admin');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const job = (id: string) => kernel.db.knex(kernel.db.table('imports')).where({ id }).first();

t.test('SIGKILL mid-import, then resume: no row twice, none lost', async (t) => {
  const csv = ['name,tags', ...Array.from({ length: ROWS }, (_, i) => `ردیف ${i + 1},crash`)].join('\n');
  const res = await p.call(admin, { method: 'POST', url: '/api/v1/imports?entity=customers', payload: csv, headers: { 'content-type': 'text/csv' } });
  t.equal(res.statusCode, 202, res.body);
  const id = res.json().id as string;

  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/import-node.ts'], {
    env: { ...process.env, DATABASE_URL: p.databaseUrl, PEYVAND_SECRET: kernel.options.secret, PEYVAND_IMPORTS_DIR: dir, PEYVAND_IMPORT_BATCH: String(BATCH), PEYVAND_LEASE_MS: String(LEASE_MS) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  // Kill it once a few batches committed, well before the end.
  const deadline = Date.now() + 60_000;
  while (Number((await job(id)).committed_rows) < 3 * BATCH) {
    if (Date.now() > deadline) throw new Error('the worker process made no progress');
    await sleep(10);
  }
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const atKill = await job(id);
  t.equal(atKill.status, 'running', 'killed mid-import');
  t.ok(Number(atKill.committed_rows) < ROWS, `${String(atKill.committed_rows)} of ${ROWS} rows committed when killed`);
  t.equal(Number(atKill.committed_rows) % BATCH, 0, 'progress moves by whole batches');

  // The lease still holds: nobody takes the job over before it runs out.
  t.equal(await kernel.importWorker.runOnce(), false, 'a live lease is respected');
  const resumeBy = Date.now() + 60_000;
  while ((await job(id)).status !== 'succeeded') {
    if (Date.now() > resumeBy) throw new Error('the import was not resumed');
    await kernel.importWorker.runOnce();
    await sleep(50);
  }
  const done = await p.call(admin, { method: 'GET', url: `/api/v1/imports/${id}` });
  t.match(done.json(), { status: 'succeeded', rowsRead: ROWS, created: ROWS, failed: 0 });
  const customers = kernel.db.knex(kernel.db.table('customers')).where({ tenant_id: tenant.id });
  const names = (await customers.select('name')).map((r: { name: string }) => r.name);
  t.equal(names.length, ROWS, 'every row once');
  t.equal(new Set(names).size, ROWS, 'no row twice');
  const audited = await kernel.db.knex(kernel.db.table('audit_log')).where({ tenant_id: tenant.id, request_id: `import:${id}` }).count({ n: '*' }).first();
  t.equal(Number(audited?.n), ROWS, 'one audit entry per row, each naming the import');
  t.notOk(fs.existsSync(path.join(dir, `${id}.csv`)), 'the upload is removed once done');
});
