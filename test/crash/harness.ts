/**
 * Crash harness: starts `peyvand serve` as a child process with the recorder test plugin
 * (PEYVAND_TEST_PLUGINS), drives concurrent creates and updates through the HTTP API
 * while a webhook receiver counts deliveries, SIGKILLs the server at a random moment,
 * restarts it, and repeats. After the last cycle one more start drains everything, and
 * the invariants (`invariants.ts`) are checked against the database.
 *
 * Used by `test/crash/crash.test.ts` (CI: 20 cycles on SQLite and PostgreSQL) and by
 * `scripts/soak-crash.ts` (1,000 cycles).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect } from '../../core/db/connect.js';
import { api, startServer, type ServerProcess } from './server-process.js';
import { checkInvariants, type Acknowledged, type InvariantCounts } from './invariants.js';

/** What to run. */
export interface CrashOptions {
  databaseUrl: string;
  cycles: number;
  /** Where the delivery record goes. */
  workDir: string;
  /** The repository root (the server's working directory). */
  cwd: string;
  /** Concurrent HTTP writers (default 4). */
  writers?: number;
  /** The server is killed this long (random in the range, ms) after its first acknowledged write (default 100–800). */
  upMs?: readonly [number, number];
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What happened, for the report. */
export interface CrashReport extends InvariantCounts {
  cycles: number;
  /** Requests cut by a kill: committed or not, nobody was told. */
  unknownOutcomes: number;
  /** Answers other than success (429 under load, 503 while closing). */
  refused: number;
  /** Dead letters `GET /api/v1/events/failures?status=dead` listed. */
  deadLettersListedByApi: number;
  seconds: number;
}

const ADMIN_KEY = `crash_admin_${randomBytes(12).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: readonly [number, number]) => lo + Math.floor(Math.random() * (hi - lo));

/** Runs the cycles and checks the invariants. */
export async function runCrashHarness(options: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const record = path.join(options.workDir, 'deliveries.tsv');
  const acknowledged: Acknowledged = { creates: new Map(), updates: new Map() };
  const counters = { unknownOutcomes: 0, refused: 0, sent: 0 };
  const receiver = await webhookReceiver();
  const env = (node: string): NodeJS.ProcessEnv => ({
    DATABASE_URL: options.databaseUrl,
    PEYVAND_SECRET: 'crash-harness-secret-0123456789abcdef',
    PEYVAND_ADMIN_KEY: ADMIN_KEY,
    PEYVAND_TEST_PLUGINS: 'test/fixtures/recorder-plugin.ts',
    PEYVAND_RECORD_FILE: record,
    PEYVAND_RECORD_NODE: node,
    PEYVAND_WEBHOOK_ALLOWLIST: '127.0.0.1',
    // Short lease: a restarted node waits this long for the killed one's (PostgreSQL, MySQL).
    PEYVAND_DISPATCH_LEASE_MS: '1000',
    PEYVAND_DISPATCH_MAX_ATTEMPTS: '2',
    PEYVAND_DISPATCH_BACKOFF_MS: '50',
  });
  let keys: string[] = [];
  try {
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const server = await startServer(env(`cycle-${cycle}`), options.cwd);
      if (cycle === 0) keys = await setUp(server, options.writers ?? 4, receiver.url);
      const stop = { killed: false };
      const before = acknowledged.creates.size;
      const writers = keys.map((key, w) => writeUntilKilled(server.url, key, `c${cycle}-w${w}`, stop, acknowledged, counters));
      // Once writes flow (a loaded machine may take a while), kill at a random moment.
      for (let waited = 0; acknowledged.creates.size === before && waited < 10_000; waited += 20) await sleep(20);
      await sleep(between(options.upMs ?? [100, 800]));
      stop.killed = true;
      await server.kill();
      await Promise.all(writers);
      if (cycle % 10 === 9 || cycle === options.cycles - 1) log(`cycle ${cycle + 1}/${options.cycles}: ${acknowledged.creates.size} creates and ${acknowledged.updates.size} updates acknowledged, ${counters.unknownOutcomes} cut by a kill`);
    }
    const final = await startServer(env('final'), options.cwd);
    const knex = connect(options.databaseUrl);
    try {
      let counts = await checkInvariants(knex, 'crm_', record, acknowledged, receiver.ids);
      // Drain: the gap rule may hold delivery up to 10 s behind a killed transaction's gap.
      for (let waited = 0; waited < 120_000 && (counts.lostEvents > 0 || counts.deadLettersMissing > 0 || counts.webhookLost > 0); waited += 500) {
        await sleep(500);
        counts = await checkInvariants(knex, 'crm_', record, acknowledged, receiver.ids);
      }
      const listed = await api(final.url, keys[0]!, 'GET', '/api/v1/events/failures?status=dead&limit=200');
      const deadLettersListedByApi = ((listed.body.items as Array<{ subscriber: string }> | undefined) ?? []).filter((f) => f.subscriber === 'recorder.doomed').length;
      await final.stop();
      return { cycles: options.cycles, unknownOutcomes: counters.unknownOutcomes, refused: counters.refused, ...counts, deadLettersListedByApi, seconds: Math.round((Date.now() - started) / 1000) };
    } finally {
      await knex.destroy();
      if (final.child.exitCode === null) await final.kill();
    }
  } finally {
    receiver.close();
  }
}

/** Tenant with the recorder plugin, one API key per writer, and a webhook to the receiver. */
async function setUp(server: ServerProcess, writers: number, hookUrl: string): Promise<string[]> {
  const tenant = await api(server.url, ADMIN_KEY, 'POST', '/api/v1/admin/tenants', { slug: 'crash', name: 'Crash', plugins: ['recorder'] });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const keys: string[] = [];
  // A key per writer: the rate limit is per credential.
  for (let i = 0; i < writers; i++) keys.push(String((await api(server.url, ADMIN_KEY, 'POST', '/api/v1/admin/tenants/crash/api-keys', { name: `writer-${i}`, role: 'admin' })).body.key));
  const hook = await api(server.url, keys[0]!, 'POST', '/api/v1/webhooks', { url: hookUrl, events: ['customer.*'] });
  if (hook.status !== 201) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
  return keys;
}

/** Creates customers (every 13th one sent is `doomed-…`) and updates acknowledged ones until the kill. */
async function writeUntilKilled(base: string, key: string, label: string, stop: { killed: boolean }, acknowledged: Acknowledged, counters: { unknownOutcomes: number; refused: number; sent: number }): Promise<void> {
  const mine: string[] = [];
  for (let i = 0; !stop.killed; i++) {
    const update = mine.length > 0 && i % 3 === 2;
    const id = update ? mine[Math.floor(Math.random() * mine.length)]! : undefined;
    try {
      const answer = update
        ? await api(base, key, 'PATCH', `/api/v1/customers/${id}`, { tags: [`${label}-${i}`] })
        : await api(base, key, 'POST', '/api/v1/customers', { kind: 'person', name: `${++counters.sent % 13 === 5 ? 'doomed-' : ''}${label}-${i}` });
      if (answer.status === 201) {
        acknowledged.creates.set(String(answer.body.id), String(answer.body.name));
        mine.push(String(answer.body.id));
      } else if (answer.status === 200 && id) {
        acknowledged.updates.set(id, Math.max(acknowledged.updates.get(id) ?? 0, Number(answer.body.version)));
      } else {
        counters.refused++;
        if (answer.status === 429) await sleep(200);
      }
    } catch {
      // No answer: the server died with the request in flight (or was already gone).
      counters.unknownOutcomes++;
      return;
    }
  }
}

/** A local webhook receiver counting deliveries by `Peyvand-Event-Id`. */
async function webhookReceiver(): Promise<{ url: string; ids: Map<string, number>; close(): void }> {
  const ids = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const id = req.headers['peyvand-event-id'];
    req.resume();
    req.on('end', () => {
      if (typeof id === 'string') ids.set(id, (ids.get(id) ?? 0) + 1);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, ids, close: () => server.close() };
}

/** Removes the harness's files. */
export function cleanWorkDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
