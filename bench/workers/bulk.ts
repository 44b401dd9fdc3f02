/**
 * Raw bulk worker: the bulk baseline. Migrates a fresh SQLite file with Peyvand's own
 * migrations (same schema and indexes), then inserts `count` generated customers with raw
 * better-sqlite3 statements in batches of `batch` — all the rows the import writes
 * (`raw`), or only the customer rows (`raw-customers`, the floor). Generation is not
 * timed. Answers `{ type: 'result', ms, cpuMs, rows, tenantId }`.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKernel } from '../../core/kernel/kernel.js';
import { generateCustomers } from '../generate.js';
import { workerContext } from '../proc.js';
import { RawImporter } from '../baseline/raw-import.js';

/** Options of the raw bulk worker. */
export interface BulkOptions {
  mode: 'raw' | 'raw-customers';
  file: string;
  count: number;
  seed: number;
  batch: number;
}

const { options, send } = await workerContext<BulkOptions>();
const kernel = await createKernel({ databaseUrl: `sqlite:${options.file}`, secret: randomBytes(32).toString('base64url'), logger: pino({ level: 'warn' }), dispatch: false });
await kernel.close();
const raw = new RawImporter(options.file, options.mode === 'raw-customers');
let ms = 0;
let cpuMs = 0;
for (let start = 0; start < options.count; start += options.batch) {
  const rows = [...generateCustomers({ seed: options.seed, count: Math.min(options.batch, options.count - start), start })];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  raw.insertBatch(rows);
  ms += performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpuMs += (c.user + c.system) / 1000;
}
raw.close();
send({ type: 'result', ms, cpuMs, rows: options.count, tenantId: raw.tenantId });
