/**
 * bulk upsert: the dataset through `kernel.customerImport.upsertMany` (validation,
 * normalization, rules, derived rows, audit, one event per customer; batches of
 * `config.batch` rows, one transaction each) vs raw better-sqlite3 inserts of the same
 * rows. Also reported: raw inserts of the customer rows alone, the floor of any importer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fmt } from '../http.js';
import { runWorker } from '../proc.js';
import type { RawTiming } from '../dataset.js';
import type { Scenario } from '../scenario.js';

export const bulk: Scenario = {
  name: 'bulk',
  async run(ctx) {
    const { config } = ctx;
    const n = config.customers;
    ctx.log(`raw baseline: ${fmt(n)} customers`);
    const raw = await ctx.datasets.loadRaw();
    ctx.log(`raw baseline, customer rows only`);
    const floorFile = path.join(config.dataDir, `floor-${n}.sqlite`);
    const floor = await runWorker<RawTiming>('bulk', { mode: 'raw-customers', file: floorFile, count: n, seed: config.seed, batch: config.batch });
    for (const f of [floorFile, `${floorFile}-wal`, `${floorFile}-shm`]) fs.rmSync(f, { force: true });
    ctx.log(`Peyvand import: ${fmt(n)} customers`);
    const { timing: peyvand, delivery } = await ctx.datasets.loadPeyvand();
    const rate = (ms: number) => n / (ms / 1000);
    const ratio = rate(peyvand.ms) / rate(raw.ms);
    const cpuRatio = rate(peyvand.cpuMs) / rate(raw.cpuMs);
    return [
      {
        scenario: `bulk upsert (${fmt(n)})`,
        peyvand: rate(peyvand.ms),
        baseline: rate(raw.ms),
        unit: 'rows/s',
        ratio,
        ratioLabel: 'Peyvand / raw',
        target: '≥ 0.50',
        pass: ratio >= 0.5,
        details: `CPU time: ${fmt(rate(peyvand.cpuMs))} vs ${fmt(rate(raw.cpuMs))} rows/s (${cpuRatio.toFixed(2)})`,
      },
      { scenario: 'bulk upsert, total time', peyvand: peyvand.ms / 1000, baseline: raw.ms / 1000, unit: 's', ratio: peyvand.ms / raw.ms, ratioLabel: 'Peyvand / raw', target: '< 60 s', pass: peyvand.ms / 1000 < 60 },
      {
        scenario: 'event delivery after the import (reference)',
        peyvand: delivery.events / (delivery.ms / 1000),
        baseline: Number.NaN,
        unit: 'events/s',
        ratio: Number.NaN,
        ratioLabel: '',
        target: '—',
        pass: null,
        details: `${fmt(delivery.events)} outbox events through the core subscribers in ${fmt(delivery.ms / 1000, 1)} s, after the import`,
      },
      { scenario: 'bulk floor: customer rows only (reference)', peyvand: rate(peyvand.ms), baseline: rate(floor.ms), unit: 'rows/s', ratio: rate(peyvand.ms) / rate(floor.ms), ratioLabel: 'Peyvand / raw', target: '—', pass: null },
    ];
  },
};
