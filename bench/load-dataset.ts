/**
 * Loads the generated dataset through Peyvand's import service — the path an ERP sync
 * takes — into a kernel's database: a `bench` tenant, an admin API key (the sync's
 * credential, resolved like any request's), then `count` customers in batches of `batch`.
 * Generating a batch is not timed; `upsertMany` is, in wall and CPU time.
 */
import type { Kernel } from '../core/kernel/kernel.js';
import { generateCustomers } from './generate.js';

/** What the HTTP scenarios need to know about a loaded dataset. */
export interface DatasetMeta {
  databaseUrl: string;
  tenantId: string;
  /** An admin API key of the tenant. */
  token: string;
  count: number;
  seed: number;
}

/** Timings of a load. */
export interface LoadTiming {
  /** Wall time inside `upsertMany`. */
  ms: number;
  /** CPU time of this process inside `upsertMany` (a shared machine's waits left out). */
  cpuMs: number;
  rows: number;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Imports the dataset; every row must come back `created`. */
export async function importDataset(kernel: Kernel, databaseUrl: string, o: { count: number; seed: number; batch: number }): Promise<{ meta: DatasetMeta; timing: LoadTiming }> {
  const tenant = await kernel.tenants.create({ slug: 'bench', name: 'Bench', locale: 'fa' });
  const key = await kernel.apiKeys.create({ tenantId: tenant.id, subject: 'system:bench', kind: 'system' }, 'bench', 'admin');
  const { actor } = await kernel.authenticator.authenticate(key.key);
  const timing: LoadTiming = { ms: 0, cpuMs: 0, rows: o.count };
  for (let start = 0; start < o.count; start += o.batch) {
    const rows = [...generateCustomers({ seed: o.seed, count: Math.min(o.batch, o.count - start), start })];
    const t0 = performance.now();
    const c0 = cpuNow();
    const results = await kernel.customerImport.upsertMany(actor, rows);
    timing.ms += performance.now() - t0;
    timing.cpuMs += cpuNow() - c0;
    const failed = results.find((r) => r.status !== 'created');
    if (failed) throw new Error(`import row was ${JSON.stringify(failed)}`);
  }
  return { meta: { databaseUrl, tenantId: tenant.id, token: key.key, count: o.count, seed: o.seed }, timing };
}
