/**
 * import: a CSV file of `config.customers` generated customers (1,000,000 in a full run)
 * imported end to end — the upload streamed to disk, then the import worker's batches
 * through the bulk upsert with audit, events and committed progress — vs raw
 * better-sqlite3 inserts of the same customers. Reported: rows/s of both, and the peak
 * resident set of the importing process, which must stay flat whatever the file's size
 * (the file is streamed, never held whole). Generating the CSV is not timed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fmt } from '../http.js';
import { runWorker, type Message } from '../proc.js';
import { generateCustomers } from '../generate.js';
import { csvLine } from '../../core/imports/csv-out.js';
import type { Scenario } from '../scenario.js';
import type { CsvImportOptions } from '../workers/csv-import.js';

type Result = Message & { ms: number; rows: number; peakRssMb: number };

const RSS_TARGET_MB = 300;

/** Writes the CSV the import reads, in the header the import maps by default. */
async function writeCsv(file: string, count: number, seed: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  await write(`\uFEFF${csvLine(['kind', 'name', 'givenName', 'familyName', 'email', 'phone', 'tags', 'externalSource', 'externalId'])}`);
  for (const c of generateCustomers({ seed, count })) {
    const i = c.input;
    await write(csvLine([i.kind, i.name, i.givenName ?? '', i.familyName ?? '', i.emails?.[0]?.value ?? '', i.phones?.[0]?.value ?? '', (i.tags ?? []).join(';'), c.source, c.externalId]));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return fs.statSync(file).size;
}

export const importScenario: Scenario = {
  name: 'import',
  async run(ctx) {
    const { config } = ctx;
    const n = config.customers;
    fs.mkdirSync(config.dataDir, { recursive: true });
    const csv = path.join(config.dataDir, `import-${n}.csv`);
    const bytes = await writeCsv(csv, n, config.seed);
    ctx.log(`${fmt(n)} rows, ${fmt(bytes / 1048576, 1)} MB of CSV`);
    const files = ['peyvand', 'raw'].map((mode) => path.join(config.dataDir, `import-${mode}-${n}.sqlite`));
    const clean = () => {
      for (const f of files) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${f}${suffix}`, { force: true });
    };
    clean();
    try {
      const run = (mode: CsvImportOptions['mode'], file: string) => runWorker<Result>('csv-import', { mode, file, csv, count: n, seed: config.seed, batch: Math.max(config.batch, 1000) } satisfies CsvImportOptions);
      const peyvand = await run('peyvand', files[0]!);
      ctx.log(`peyvand: ${fmt(peyvand.rows)} rows in ${fmt(peyvand.ms / 1000, 1)} s, peak RSS ${fmt(peyvand.peakRssMb)} MB`);
      const raw = await run('raw', files[1]!);
      ctx.log(`raw: ${fmt(raw.rows)} rows in ${fmt(raw.ms / 1000, 1)} s, peak RSS ${fmt(raw.peakRssMb)} MB`);
      if (peyvand.rows !== n || raw.rows !== n) throw new Error(`rows imported: ${peyvand.rows} and ${raw.rows} of ${n}`);
      const rate = (r: Result) => r.rows / (r.ms / 1000);
      return [
        { scenario: `import: ${fmt(n)}-row CSV, end to end`, peyvand: rate(peyvand), baseline: rate(raw), unit: 'rows/s', ratio: rate(peyvand) / rate(raw), ratioLabel: 'Peyvand / raw', target: 'reported', pass: null, details: `${fmt(bytes / 1048576, 1)} MB file; Peyvand ${fmt(peyvand.ms / 1000, 1)} s (upload, parse, validate, upsert, audit, events, progress), raw ${fmt(raw.ms / 1000, 1)} s` },
        { scenario: 'import: peak RSS of the importing process', peyvand: peyvand.peakRssMb, baseline: raw.peakRssMb, unit: 'MB', ratio: peyvand.peakRssMb / raw.peakRssMb, ratioLabel: 'Peyvand / raw', target: `≤ ${RSS_TARGET_MB} MB`, pass: config.quick ? null : peyvand.peakRssMb <= RSS_TARGET_MB, details: 'the file is streamed: the peak does not grow with its size' },
      ];
    } finally {
      clean();
      fs.rmSync(csv, { force: true });
    }
  },
};
