/**
 * SQLite's WAL checkpoints run on a thread of their own (core/db/wal-checkpointer.ts), not
 * inside the COMMIT of whichever write group crossed the threshold: the writer's automatic
 * checkpoint is pushed out to a bound, the WAL is still copied back and started over (it
 * stays small, and under writes without a pause it stays under the bound), nothing written
 * is lost, and if the thread dies the writer checkpoints by itself again.
 * PostgreSQL and MariaDB have no such thing: there the database has no checkpointer.
 */
import fs from 'node:fs';
import t from 'tap';
import Sqlite from 'better-sqlite3';
import { bootPeyvand } from '../../helpers/peyvand.js';

const p = await bootPeyvand(t);
const { db } = p.peyvand.kernel;

/** Resolves once `check` holds, looking every 20 ms; fails the test after `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const autocheckpoint = async () => ((await db.knex.raw('pragma wal_autocheckpoint')) as Array<{ wal_autocheckpoint: number }>)[0]!.wal_autocheckpoint;

if (p.dialect !== 'sqlite') {
  t.test('no checkpointing thread on a database server', async (t) => {
    t.equal(db.checkpointer, undefined);
  });
} else {
  const file = p.databaseUrl.slice('sqlite:'.length);
  const acme = await p.tenant('acme', { locale: 'fa' });
  const admin = await acme.key('admin');

  t.test('writes are checkpointed by the thread, the WAL stays small, and nothing is lost', async (t) => {
    t.ok(db.checkpointer, 'a file database has the thread');
    t.equal(await autocheckpoint(), 10_000, "the writer's own checkpoint is only a bound, far past SQLite's 1,000 pages");
    let largestWal = 0;
    for (let batch = 0; batch < 20; batch++) {
      const before = db.checkpointer!.stats.checkpoints;
      const created = await Promise.all(Array.from({ length: 30 }, (_, i) => p.call(admin, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: `مشتری ${batch}-${i}`, emails: [{ value: `c${batch}-${i}@example.com` }] } })));
      t.same(created.map((r) => r.statusCode), Array(30).fill(201), `batch ${batch} created`);
      await until(() => db.checkpointer!.stats.checkpoints > before, `a checkpoint after batch ${batch}`);
      largestWal = Math.max(largestWal, fs.statSync(`${file}-wal`).size);
    }
    // Without checkpoints these 600 creates leave about 8 MB of WAL (measured: 4.2 MB for 300);
    // copied and started over after each batch, it stays near one batch's frames.
    t.ok(largestWal < 4 * 1024 * 1024, `the WAL was started over as it was copied (largest ${(largestWal / 1024 / 1024).toFixed(1)} MB)`);
    const { log, checkpointed } = db.checkpointer!.stats;
    t.equal(checkpointed, log, `the last checkpoint copied every frame (${checkpointed}/${log})`);

    // What a new connection sees is the whole of it.
    const fresh = new Sqlite(file, { readonly: true });
    t.teardown(() => fresh.close());
    t.equal((fresh.prepare("select count(*) as n from crm_customers where name like 'مشتری %'").get() as { n: number }).n, 600);
    t.same(fresh.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  });

  t.test('under writes without a pause the WAL stays under the writer\'s bound', async (t) => {
    // A small bound (200 pages, 0.8 MB) so that 600 creates without a pause cross it
    // several times; without the bound they leave about 8 MB of WAL.
    await db.stopCheckpoints();
    await db.startCheckpoints(undefined, { writerBoundPages: 200 });
    t.equal(await autocheckpoint(), 200);
    const writerKey = await acme.key('admin', 'sustained'); // a budget of its own (1,200 a minute per key)
    let largestWal = 0;
    let next = 0;
    const writer = async () => {
      while (next < 600) {
        const i = next++;
        const created = await p.call(writerKey, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: `پیوسته ${i}` } });
        if (created.statusCode !== 201) throw new Error(`create ${i}: ${created.statusCode} ${created.body}`);
        largestWal = Math.max(largestWal, fs.statSync(`${file}-wal`).size);
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    t.ok(largestWal < 3 * 1024 * 1024, `largest WAL ${(largestWal / 1024 / 1024).toFixed(1)} MB`);
    await db.stopCheckpoints();
    await db.startCheckpoints();
  });

  t.test('if the thread dies, the writer checkpoints by itself again and writes go on', async (t) => {
    const checkpointer = db.checkpointer!;
    await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await until(async () => (await autocheckpoint()) === 1000, 'automatic checkpoints back on');
    const created = await p.call(admin, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'پس از توقف' } });
    t.equal(created.statusCode, 201);
  });
}
