/**
 * outbox-cost: what the transactional outbox adds to a write. The same customer create
 * (validation, derived rows, search index, audit entry) runs through CustomerService
 * twice in this run: once with the real outbox (the event row is inserted in the same
 * transaction) and once with an event bus that writes nothing. Rounds alternate so drift
 * of the machine hits both sides alike; the median of the per-round ratios counts.
 * Embedded SQLite, in process (no HTTP, whose noise would hide a few percent).
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createKernel } from '../../core/kernel/kernel.js';
import { systemActor } from '../../core/plugin/actor.js';
import { CustomerService } from '../../core/customers/customer-service.js';
import type { CustomerInput } from '../../core/customers/customer-types.js';
import type { EventBus } from '../../core/plugin/events.js';
import type { ResultRow, Scenario } from '../scenario.js';

/** An event bus that drops every event: the write without its outbox row. */
const noEvents: EventBus = {
  emit: async () => '',
  emitUntyped: async () => '',
};

const customer = (i: number): CustomerInput => ({
  kind: 'person',
  name: `مشتری آزمایشی ${i}`,
  emails: [{ value: `bench-${i}@example.com`, label: 'work' }],
  phones: [{ value: `0912${String(1_000_000 + i).slice(-7)}`, label: 'mobile' }],
  tags: ['bench'],
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const outboxCost: Scenario = {
  name: 'outbox-cost',
  async run(ctx): Promise<ResultRow[]> {
    const perRound = ctx.config.quick ? 200 : 2_000;
    const rounds = ctx.config.quick ? 3 : Math.max(5, ctx.config.rounds * 2 + 1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-bench-outbox-'));
    const kernel = await createKernel({ databaseUrl: `sqlite:${path.join(dir, 'bench.sqlite')}`, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false });
    try {
      const tenant = await kernel.tenants.create({ slug: 'bench', name: 'Bench' });
      const actor = systemActor(tenant, 'bench', kernel.registry.list().map((p) => p.name));
      const withoutEvent = new CustomerService(kernel.db, noEvents, kernel.audit, kernel.tenants);
      let n = 0;
      /** Milliseconds per create: wall and CPU (process.cpuUsage, less exposed to other work on the machine). */
      const time = async (service: CustomerService): Promise<{ wall: number; cpu: number }> => {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (let i = 0; i < perRound; i++) await service.create(actor, customer(n++));
        const cpu = process.cpuUsage(c0);
        return { wall: (performance.now() - t0) / perRound, cpu: (cpu.user + cpu.system) / 1000 / perRound };
      };
      await time(kernel.customers); // warm-up: JIT, statement caches, page cache
      await time(withoutEvent);
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      const withMs: number[] = [];
      const withoutMs: number[] = [];
      ctx.log(`${rounds} alternating rounds of ${perRound} creates each side`);
      for (let r = 0; r < rounds; r++) {
        // Alternate which side goes first, so neither always runs on a warmer file.
        const [a, b] = r % 2 === 0 ? [await time(kernel.customers), await time(withoutEvent)] : (([y, x]) => [x, y])([await time(withoutEvent), await time(kernel.customers)]);
        withMs.push(a!.wall);
        withoutMs.push(b!.wall);
        ratios.push(a!.wall / b!.wall);
        cpuRatios.push(a!.cpu / b!.cpu);
      }
      const ratio = median(ratios);
      const outboxRows = Number((await kernel.db.knex(kernel.db.table('outbox')).where({ type: 'customer.created' }).count({ n: '*' }).first())?.n);
      return [
        {
          scenario: 'outbox cost: customer create with its event vs without',
          peyvand: 1000 / median(withMs),
          baseline: 1000 / median(withoutMs),
          unit: 'writes/s',
          ratio,
          ratioLabel: 'time with / without the event',
          target: '≤ 1.20 (event adds ≤ 20%)',
          pass: ratio <= 1.2,
          details: `median ${median(withMs).toFixed(3)} vs ${median(withoutMs).toFixed(3)} ms per create (wall), SQLite in process, ${rounds}×${perRound} each side; per-round ratios ${ratios.map((x) => x.toFixed(3)).join(', ')}; CPU-time ratio ${median(cpuRatios).toFixed(3)} (per round ${cpuRatios.map((x) => x.toFixed(3)).join(', ')}); ${outboxRows} events written`,
        },
      ];
    } finally {
      await kernel.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
