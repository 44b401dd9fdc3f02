/**
 * The run's two datasets of the same generated customers: Peyvand's (loaded through the
 * import service by a server process that keeps serving it) and the raw baseline's (the
 * same rows inserted with raw statements). The bulk scenario loads both and is timed; any
 * later scenario gets them ready, loading them untimed if the bulk scenario did not run.
 */
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import type { BenchConfig } from './config.js';
import { prng } from './generate.js';
import { runWorker, startWorker, type Message, type Worker } from './proc.js';
import type { DatasetMeta, LoadTiming } from './load-dataset.js';

/** A Peyvand server over the dataset. */
export interface PeyvandServer {
  url: string;
  meta: DatasetMeta;
  worker: Worker;
  /** Whether this process imported the dataset itself (the memory scenario's premise). */
  loadedHere: boolean;
  /** The server's memory right after it loaded the dataset (when it did). */
  loadedMemory?: NodeJS.MemoryUsage;
}

/** The raw baseline's dataset. */
export interface RawDataset {
  file: string;
  tenantId: string;
}

/** What loading Peyvand's dataset took: the import, then delivering its events. */
export interface Loaded {
  timing: LoadTiming;
  delivery: { events: number; ms: number };
}

/** Raw bulk timings. */
export type RawTiming = Message & { ms: number; cpuMs: number; rows: number; tenantId: string };

const removeSqlite = (file: string) => {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.json`]) fs.rmSync(f, { force: true });
};

/** Owner of the datasets and of the long-lived Peyvand server. */
export class Datasets {
  readonly peyvandFile: string;
  readonly rawFile: string;
  private server: PeyvandServer | undefined;
  private raw: RawDataset | undefined;

  constructor(private readonly config: BenchConfig) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    this.peyvandFile = path.join(config.dataDir, `peyvand-${config.customers}.sqlite`);
    this.rawFile = path.join(config.dataDir, `raw-${config.customers}.sqlite`);
  }

  /** Loads Peyvand's dataset in a new server process and keeps that server running. */
  async loadPeyvand(): Promise<Loaded> {
    await this.server?.worker.stop();
    removeSqlite(this.peyvandFile);
    const { config } = this;
    const worker = startWorker('server', { kind: 'peyvand', databaseUrl: `sqlite:${this.peyvandFile}`, load: { count: config.customers, seed: config.seed, batch: config.batch } });
    const loaded = await worker.next<Message & Loaded & { meta: DatasetMeta; memory: NodeJS.MemoryUsage }>('loaded');
    const { url } = await worker.next<Message & { url: string }>('ready');
    fs.writeFileSync(`${this.peyvandFile}.json`, JSON.stringify(loaded.meta, null, 2));
    this.server = { url, meta: loaded.meta, worker, loadedHere: true, loadedMemory: loaded.memory };
    return { timing: loaded.timing, delivery: loaded.delivery };
  }

  /** The running Peyvand server: the one that loaded the dataset, else one on a kept file. */
  async peyvand(): Promise<PeyvandServer> {
    if (this.server) return this.server;
    if (!(this.config.reuse && fs.existsSync(`${this.peyvandFile}.json`))) {
      await this.loadPeyvand();
      return this.server!;
    }
    const meta = JSON.parse(fs.readFileSync(`${this.peyvandFile}.json`, 'utf8')) as DatasetMeta;
    const worker = startWorker('server', { kind: 'peyvand', databaseUrl: meta.databaseUrl });
    const { url } = await worker.next<Message & { url: string }>('ready');
    this.server = { url, meta, worker, loadedHere: false };
    return this.server;
  }

  /** Loads the raw baseline's dataset (timed by the worker). */
  async loadRaw(): Promise<RawTiming> {
    removeSqlite(this.rawFile);
    const { config } = this;
    const timing = await runWorker<RawTiming>('bulk', { mode: 'raw', file: this.rawFile, count: config.customers, seed: config.seed, batch: config.batch });
    this.raw = { file: this.rawFile, tenantId: timing.tenantId };
    fs.writeFileSync(`${this.rawFile}.json`, JSON.stringify(this.raw));
    return timing;
  }

  /** The raw dataset, loaded now if needed. */
  async rawDataset(): Promise<RawDataset> {
    if (this.raw) return this.raw;
    if (this.config.reuse && fs.existsSync(`${this.rawFile}.json`)) this.raw = JSON.parse(fs.readFileSync(`${this.rawFile}.json`, 'utf8')) as RawDataset;
    else await this.loadRaw();
    return this.raw!;
  }

  /** `count` random customer ids of a dataset file (sampled by rowid: no full scan). */
  sampleIds(file: string, count: number): string[] {
    const db = new Sqlite(file, { readonly: true });
    try {
      const max = Number(db.prepare('select max(rowid) as m from crm_customers').get()?.m ?? 0);
      const byRowid = db.prepare('select id from crm_customers where rowid = ?');
      const ids: string[] = [];
      const r = prng(this.config.seed);
      for (let i = 0; ids.length < count && i < count * 4; i++) {
        const row = byRowid.get(1 + Math.floor(r() * max));
        if (row) ids.push(String(row.id));
      }
      return ids;
    } finally {
      db.close();
    }
  }

  /** Stops the server; removes the data files unless asked to keep them. */
  async close(): Promise<void> {
    await this.server?.worker.stop();
    this.server = undefined;
    if (!this.config.keepData) for (const f of [this.peyvandFile, this.rawFile]) removeSqlite(f);
  }
}
