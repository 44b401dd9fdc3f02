/**
 * dispatch-throughput: how fast the dispatcher moves a backlog of outbox events to
 * in-process subscribers that do nothing, on embedded SQLite — the dispatcher's own cost:
 * reading batches, the gap rule, pattern and plugin-enabled checks, progress commits.
 * Each event goes to two no-op plugin subscribers (and to core's webhook feeder, which
 * every deployment runs). The baseline is a raw scan of the same rows (batches of 500,
 * JSON parsed): the floor any dispatcher pays to read them.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createKernel } from '../../core/kernel/kernel.js';
import { definePlugin } from '../../core/plugin/contract.js';
import { newId } from '../../core/plugin/ids.js';
import type { ResultRow, Scenario } from '../scenario.js';

const noop = definePlugin({
  name: 'bench-noop',
  version: '1.0.0',
  core: '^0.1.0',
  subscribers: [
    { id: 'bench-noop.a', events: ['customer.*'], handle: async () => undefined },
    { id: 'bench-noop.b', events: ['customer.created'], handle: async () => undefined },
  ],
});

export const dispatchThroughput: Scenario = {
  name: 'dispatch-throughput',
  async run(ctx): Promise<ResultRow[]> {
    const events = ctx.config.quick ? 10_000 : 100_000;
    const warmUp = ctx.config.quick ? 5_000 : 20_000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-bench-dispatch-'));
    const kernel = await createKernel({ databaseUrl: `sqlite:${path.join(dir, 'bench.sqlite')}`, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), plugins: [noop], dispatch: false });
    try {
      const tenant = await kernel.tenants.create({ slug: 'bench', name: 'Bench', plugins: ['bench-noop'] });
      await kernel.dispatcher.drain();
      const outbox = kernel.db.table('outbox');
      const data = JSON.stringify({ customer: { id: newId(), name: 'مشتری', emails: [{ value: 'a@example.com' }], tags: ['x'] } });
      const write = (count: number) =>
        kernel.db.transaction(async (trx) => {
          for (let done = 0; done < count; done += 500) {
            const rows = Array.from({ length: Math.min(500, count - done) }, (_, i) => ({ id: newId(), tenant_id: tenant.id, type: (done + i) % 4 === 3 ? 'customer.updated' : 'customer.created', aggregate_type: 'customer', aggregate_id: newId(), data, occurred_at: Date.now() }));
            await trx(outbox).insert(rows);
          }
        });
      // A warm-up backlog first, untimed: the figure is the dispatcher's, not the JIT's.
      await write(warmUp);
      await kernel.dispatcher.drain(1_000_000);
      const first = Number((await kernel.db.knex(outbox).max({ m: 'seq' }).first())?.m ?? 0);
      ctx.log(`writing ${events.toLocaleString('en-US')} events (after a warm-up of ${warmUp.toLocaleString('en-US')})`);
      await write(events);

      const scanStart = performance.now();
      let scanned = 0;
      for (let after = first; ; ) {
        const rows = await kernel.db.knex(outbox).where('seq', '>', after).orderBy('seq').limit(500);
        if (rows.length === 0) break;
        for (const row of rows) JSON.parse(String(row.data));
        scanned += rows.length;
        after = Number(rows[rows.length - 1]!.seq);
      }
      const scanRate = scanned / ((performance.now() - scanStart) / 1000);

      ctx.log('dispatching');
      const before = kernel.dispatcher.stats.delivered;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await kernel.dispatcher.drain(1_000_000);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const delivered = kernel.dispatcher.stats.delivered - before;
      const rate = events / seconds;
      const perCpuSecond = events / cpuSeconds;
      return [
        {
          scenario: 'dispatch throughput to no-op subscribers (SQLite)',
          peyvand: rate,
          baseline: scanRate,
          unit: 'events/s',
          ratio: rate / scanRate,
          ratioLabel: 'dispatch / raw outbox scan',
          target: '≥ 20,000 events/s',
          pass: rate >= 20_000,
          // CPU time beside wall time: on a shared machine the wall figure includes waiting for a core.
          details: `${Math.round(perCpuSecond).toLocaleString('en-US')} events per CPU-second (process.cpuUsage) vs ${Math.round(rate).toLocaleString('en-US')} per wall second; ${events.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU; ${delivered.toLocaleString('en-US')} deliveries (2 no-op subscribers + the webhook feeder), batch 500`,
        },
      ];
    } finally {
      await kernel.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
