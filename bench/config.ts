/**
 * Sizes and switches of a benchmark run. The full run is what `docs/performance.md`
 * reports; `--quick` is the CI smoke size, which only proves the runner works.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything a scenario needs to know about the run. */
export interface BenchConfig {
  quick: boolean;
  seed: number;
  /** Customers in the dataset (bulk, read, list, search, memory, write). */
  customers: number;
  /** Rows per import batch (one transaction each). */
  batch: number;
  /** Measured seconds per HTTP load run, after `warmupSeconds`. */
  seconds: number;
  warmupSeconds: number;
  /** Alternating baseline/Peyvand rounds per HTTP comparison; the median counts. */
  rounds: number;
  connections: number;
  /** Distinct search queries, sent one at a time. */
  searchQueries: number;
  /** The deep page of the list scenario (page 1 is its baseline). */
  listPage: number;
  /** Deals in the sales scenario's dataset. */
  deals: number;
  /** Tickets in the support scenario's dataset. */
  tickets: number;
  /** The loyalty scenario's dataset: customers, paid orders and lines per order. */
  loyaltyCustomers: number;
  loyaltyOrders: number;
  loyaltyLines: number;
  /** Odoo partners in the erp-sync scenario's fake. */
  erpPartners: number;
  /** Requests per latency measurement of the sales and support scenarios, sent one at a time. */
  salesRequests: number;
  pageSize: number;
  resultsDir: string;
  dataDir: string;
  /** PostgreSQL server for the second search run; null skips it. */
  postgresUrl: string | null;
  /** MariaDB/MySQL server of the `search-mariadb` scenario (`--mysql=URL`); null when not given. */
  mysqlUrl: string | null;
  /** Scenarios to run (all when null). */
  only: Set<string> | null;
  /** Reuse datasets kept by an earlier `--keep-data` run instead of loading them. */
  reuse: boolean;
  keepData: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The configuration from command-line flags. */
/** Every flag {@link configFrom} reads: anything else is a mistake, refused before a run starts. */
export const BENCH_FLAGS = ['quick', 'seed', 'customers', 'batch', 'seconds', 'rounds', 'connections', 'queries', 'deals', 'tickets', 'loyalty-customers', 'loyalty-orders', 'loyalty-lines', 'partners', 'requests', 'no-postgres', 'postgres', 'mysql', 'only', 'reuse', 'keep-data'] as const;

/**
 * The flags of `argv` that {@link configFrom} does not know (`--help` among them): a typo
 * must not start an hour-long full-size run.
 */
export function unknownFlags(argv: readonly string[]): string[] {
  return argv.filter((arg) => !(BENCH_FLAGS as readonly string[]).includes(arg.replace(/^--/, '').replace(/=.*$/, '')) || !arg.startsWith('--'));
}

export function configFrom(argv: readonly string[]): BenchConfig {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = flag('quick');
  const resultsDir = path.join(here, 'results');
  const customers = Number(value('customers') ?? (quick ? 2_000 : 1_000_000));
  return {
    quick,
    seed: Number(value('seed') ?? 20_240_601),
    customers,
    batch: Number(value('batch') ?? (quick ? 500 : 2_000)),
    seconds: Number(value('seconds') ?? (quick ? 1 : 10)),
    warmupSeconds: quick ? 0.5 : 3,
    rounds: Number(value('rounds') ?? (quick ? 1 : 3)),
    connections: Number(value('connections') ?? (quick ? 4 : 16)),
    searchQueries: Number(value('queries') ?? (quick ? 40 : 2_000)),
    // Page 1,000 needs 50,000 customers; a smaller dataset gets the deepest page it has.
    listPage: Math.min(1_000, Math.floor(customers / 50) - 1),
    pageSize: 50,
    deals: Number(value('deals') ?? (quick ? 2_000 : 100_000)),
    tickets: Number(value('tickets') ?? (quick ? 5_000 : 1_000_000)),
    // The size: 1,000,000 customers, 10,000,000 order lines (2,000,000 orders of 5).
    loyaltyCustomers: Number(value('loyalty-customers') ?? (quick ? 400 : 1_000_000)),
    loyaltyOrders: Number(value('loyalty-orders') ?? (quick ? 2_000 : 2_000_000)),
    loyaltyLines: Number(value('loyalty-lines') ?? 5),
    erpPartners: Number(value('partners') ?? (quick ? 2_000 : 100_000)),
    salesRequests: Number(value('requests') ?? (quick ? 40 : 500)),
    resultsDir,
    dataDir: path.join(resultsDir, 'data'),
    postgresUrl: flag('no-postgres') ? null : (value('postgres') ?? process.env.PEYVAND_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
    mysqlUrl: value('mysql') ?? null,
    only: value('only') ? new Set(value('only')!.split(',')) : null,
    reuse: flag('reuse'),
    keepData: flag('keep-data') || flag('reuse'),
  };
}
