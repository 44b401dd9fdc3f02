/**
 * CSV import worker: `peyvand` runs a CSV file through the import pipeline exactly as
 * `POST /api/v1/imports` does (upload streamed to disk, the worker's batches through the
 * bulk upsert, progress committed with each batch) on a fresh SQLite file; `raw` inserts
 * the same generated customers with raw better-sqlite3 statements (the bulk scenario's
 * baseline). Each runs in its own process, so `peakRssMb` (the process's maximum
 * resident set) is the importer's alone. Answers `{ type: 'result', ms, rows, peakRssMb }`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKernel } from '../../core/kernel/kernel.js';
import { systemActor } from '../../core/plugin/actor.js';
import { generateCustomers } from '../generate.js';
import { workerContext } from '../proc.js';
import { RawImporter } from '../baseline/raw-import.js';

/** Options of the CSV import worker. */
export interface CsvImportOptions {
  mode: 'peyvand' | 'raw';
  file: string;
  csv: string;
  count: number;
  seed: number;
  batch: number;
}

const { options, send } = await workerContext<CsvImportOptions>();
const secret = randomBytes(32).toString('base64url');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-bench-import-'));
const kernel = await createKernel({ databaseUrl: `sqlite:${options.file}`, secret, logger: pino({ level: 'warn' }), dispatch: false, imports: { dir, batchSize: options.batch } });
const t0 = performance.now();
let rows = 0;
if (options.mode === 'peyvand') {
  const tenant = await kernel.tenants.create({ slug: 'bench-import', name: 'Bench import', locale: 'fa', plugins: [] }, { via: 'cli' });
  const actor = systemActor(tenant, 'bench', kernel.registry.list().map((p) => p.name));
  const job = await kernel.imports.start(actor, { entity: 'customers', format: 'csv', dryRun: false }, fs.createReadStream(options.csv));
  while (!['succeeded', 'failed'].includes((await kernel.imports.get(actor, job.id)).status)) await kernel.importWorker.runOnce();
  const done = await kernel.imports.get(actor, job.id);
  if (done.status !== 'succeeded' || done.failed > 0) throw new Error(`import ${done.status}, ${done.failed} rows failed`);
  rows = done.created + done.updated + done.unchanged;
  await kernel.close();
} else {
  await kernel.close();
  const raw = new RawImporter(options.file);
  for (let start = 0; start < options.count; start += options.batch) {
    const batch = [...generateCustomers({ seed: options.seed, count: Math.min(options.batch, options.count - start), start })];
    raw.insertBatch(batch);
    rows += batch.length;
  }
  raw.close();
}
const ms = performance.now() - t0;
fs.rmSync(dir, { recursive: true, force: true });
send({ type: 'result', ms, rows, peakRssMb: process.resourceUsage().maxRSS / 1024 });
