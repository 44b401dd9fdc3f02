/**
 * Server worker: serves Peyvand (`peyvand`) or a bare baseline (`bare`, `bare-sales`, `bare-support`) on 127.0.0.1,
 * on a free port, until the runner says stop. With `load`, Peyvand first imports the
 * dataset into its (empty) database through the import service and answers `loaded`
 * with the timing — so the server measured later is the process that loaded a million
 * customers. The event dispatcher is held back during the import (the import's figure is
 * the import's own work) and started after it; `loaded` comes once it has delivered the
 * import's events, with how long that took, so the HTTP scenarios meet a server in its
 * steady state. With `sales`, Peyvand runs the sales plugin and loads the sales dataset
 * instead (`loaded` carries its meta); with `support`, the email and support plugins and the
 * support dataset. Answers `ready` with its URL, and `rss` with its resident set size, the
 * rest of `process.memoryUsage()` (also sent with `loaded`) and the heap left alive by a
 * full collection.
 */
import { randomBytes } from 'node:crypto';
import type { Kernel } from '../../core/kernel/kernel.js';
import { workerContext } from '../proc.js';
import type { SupportDatasetMeta } from '../support-dataset.js';

/** Options of the server worker. */
export interface ServerOptions {
  kind: 'peyvand' | 'bare' | 'bare-sales' | 'bare-support';
  databaseUrl: string;
  /** Tenant of the bare server's rows (Peyvand takes it from the credential). */
  tenantId?: string;
  load?: { count: number; seed: number; batch: number };
  /** Boot with the sales plugin and load this many deals (see `sales-dataset.ts`). */
  sales?: { deals: number; seed: number };
  /**
   * Boot with the email and support plugins and load this many tickets (see
   * `support-dataset.ts`); with `kept`, the database already holds them (`--reuse`).
   */
  support?: { tickets: number; seed: number; kept?: SupportDatasetMeta };
}

const { options, send, onStop } = await workerContext<ServerOptions>();
let url: string;
// Imported per kind: a bare server's RSS holds none of Peyvand's modules, and Peyvand's
// none of the baselines'.
if (options.kind === 'peyvand') {
  const [{ default: pino }, { createPeyvand }, { importDataset }, { loadSalesDataset }, { loadSupportDataset }, { default: email }, { default: sales }, { default: support }] = await Promise.all([
    import('pino'),
    import('../../core/peyvand.js'),
    import('../load-dataset.js'),
    import('../sales-dataset.js'),
    import('../support-dataset.js'),
    import('../../plugins/email/index.js'),
    import('../../plugins/sales/index.js'),
    import('../../plugins/support/index.js'),
  ]);
  const peyvand = await createPeyvand({
    databaseUrl: options.databaseUrl,
    secret: randomBytes(32).toString('base64url'),
    // Warnings only: an access line per request is a deployment's choice, and the bare
    // baseline logs nothing either.
    logger: pino({ level: 'warn' }),
    // The limiter still runs on every request; its default (1,200 a minute per
    // credential) would turn the load into 429s after a second.
    http: { rateLimitPerMinute: 1_000_000_000 },
    dispatch: !options.load,
    ...(options.sales && { plugins: [sales] }),
    ...(options.support && { plugins: [email, support] }),
  });
  onStop(() => peyvand.close());
  if (options.sales) {
    const meta = await loadSalesDataset(peyvand.kernel, options.databaseUrl, options.sales);
    // As autovacuum leaves a table after a bulk insert: statistics, and a visibility map
    // so PostgreSQL can answer the reports from their covering indexes alone.
    if (peyvand.kernel.db.dialect === 'postgres') await peyvand.kernel.db.knex.raw('vacuum analyze');
    send({ type: 'loaded', meta });
  }
  if (options.support) {
    const meta = options.support.kept ?? (await loadSupportDataset(peyvand.kernel, options.databaseUrl, options.support));
    if (peyvand.kernel.db.dialect === 'postgres' && !options.support.kept) await peyvand.kernel.db.knex.raw('vacuum analyze');
    send({ type: 'loaded', meta });
  }
  if (options.load) {
    const { meta, timing } = await importDataset(peyvand.kernel, options.databaseUrl, options.load);
    const t0 = performance.now();
    peyvand.kernel.dispatcher.start();
    const events = await drained(peyvand.kernel);
    // Statistics, as autovacuum gathers them within a minute of a bulk load: without them
    // PostgreSQL's planner takes the fresh tables for empty and plans every search as a
    // walk over all customers (200+ ms at 20,000 rows instead of ~1 ms).
    if (peyvand.kernel.db.dialect === 'postgres') await peyvand.kernel.db.knex.raw('analyze');
    send({ type: 'loaded', meta, timing, delivery: { events, ms: performance.now() - t0 }, memory: process.memoryUsage() });
  }
  url = await peyvand.listen({ port: 0, host: '127.0.0.1' });
} else {
  const tenantId = options.tenantId ?? '';
  const bare =
    options.kind === 'bare-sales'
      ? (await import('../baseline/bare-sales.js')).bareSalesServer(options.databaseUrl, tenantId)
      : options.kind === 'bare-support'
        ? (await import('../baseline/bare-support.js')).bareSupportServer(options.databaseUrl, tenantId)
        : (await import('../baseline/bare-server.js')).bareServer(options.databaseUrl, tenantId);
  const server = await bare;
  onStop(() => server.close());
  url = await server.listen({ port: 0, host: '127.0.0.1' });
}
/** Waits until every subscriber's progress reached the end of the outbox; returns the outbox size. */
async function drained(kernel: Kernel): Promise<number> {
  const { knex } = kernel.db;
  for (;;) {
    const head = Number((await knex(kernel.db.table('outbox')).max({ seq: 'seq' }).first())?.seq ?? 0);
    const behind = await knex(kernel.db.table('subscriber_progress')).where('last_seq', '<', head).first();
    if (!behind) return head;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

process.on('message', (m: { type: string }) => {
  // The whole breakdown: whether the RSS is V8's heap, native memory or the heap left
  // grown by earlier work (the memory scenario reports it).
  if (m.type !== 'rss') return;
  const usage = process.memoryUsage();
  // Then what of the heap is alive: a full collection (the worker runs with --expose-gc),
  // after the figures above were taken, so it does not lower them.
  const { gc } = globalThis as { gc?: () => void };
  gc?.();
  send({ type: 'rss', ...usage, ...(gc && { liveHeap: process.memoryUsage().heapUsed }) });
});
send({ type: 'ready', url });
