/**
 * SQLite's WAL checkpoints on a thread of their own.
 *
 * With SQLite's automatic checkpoints, the COMMIT that takes the WAL past 1,000 pages also
 * copies them back into the database file, inside that COMMIT, on the one thread that
 * serves every request: a write group waits for it, and so does every request behind it.
 * (Writes went from 725 to 1,315 requests/s on the bench's 20,000-customer dataset with
 * automatic checkpoints off; docs/performance.md.) So the writer's automatic checkpoints
 * are pushed out to a bound (DEFAULT_WRITER_BOUND_PAGES), and a worker thread with its own connection runs a PASSIVE checkpoint
 * every `intervalMs` when anything was committed since (`data_version`): it copies the
 * frames no reader still needs, while the writer goes on appending and readers go on
 * reading (WAL mode allows both), and the writer starts the WAL over from its beginning
 * once everything in it was copied, so the WAL holds about one interval's writes (under
 * writes without a pause, up to the bound).
 * Durability does not change: a commit is durable in the WAL, checkpointed or not.
 *
 * If the thread cannot start or dies, the writer's automatic checkpoints come back on, as
 * before, and a warning is logged. A checkpoint left over at shutdown is SQLite's: the
 * last connection to close checkpoints and removes the WAL.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { sqliteFileOf } from './read-connection.js';

/** How often the thread looks for committed writes to checkpoint. */
const DEFAULT_INTERVAL_MS = 100;
/**
 * The writer's own automatic checkpoint, kept as a bound rather than switched off: the WAL
 * starts over only when a checkpoint has copied every frame before the next write begins,
 * which under writes without a pause the thread may never manage (it copies what was there
 * when it started, and more arrives meanwhile). Past this many frames the writer
 * checkpoints inside its COMMIT, as SQLite does by default at 1,000, and the WAL starts
 * over; in normal running the thread keeps it far below.
 */
const DEFAULT_WRITER_BOUND_PAGES = 10_000;
/** SQLite's own threshold, given back to the writer when the thread stops or fails. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1_000;

/** How the checkpointer is paced. */
export interface CheckpointPacing {
  /** How often the thread looks for committed writes (default 100 ms). */
  intervalMs?: number;
  /** WAL frames past which the writer checkpoints by itself (default 10,000 pages, ~40 MB). */
  writerBoundPages?: number;
}

// The worker's whole program: CommonJS (an eval worker), the driver passed in by path so it
// is the same copy knex uses, whatever the host's module layout.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
let seen = db.pragma('data_version', { simple: true });
const timer = setInterval(() => {
  try {
    const version = db.pragma('data_version', { simple: true });
    if (version === seen) return;
    seen = version;
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String((err && err.message) || err) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** What one checkpoint reported (SQLite's `wal_checkpoint` row). */
interface CheckpointResult {
  ok: boolean;
  log?: number;
  checkpointed?: number;
  message?: string;
}

/** The checkpointing thread of one SQLite database file. */
export class WalCheckpointer {
  private closed = false;
  /** Checkpoints run, and the WAL frames the last one found and copied: for tests and diagnostics. */
  readonly stats = { checkpoints: 0, log: 0, checkpointed: 0 };

  private constructor(
    private readonly knex: Knex,
    private readonly worker: Worker,
    private readonly logger?: Logger,
  ) {
    worker.on('message', (result: CheckpointResult) => {
      if (!result.ok) return void this.logger?.warn({ error: result.message }, 'WAL checkpoint failed; the next one retries');
      this.stats.checkpoints++;
      this.stats.log = result.log ?? 0;
      this.stats.checkpointed = result.checkpointed ?? 0;
    });
    worker.on('error', (err) => void this.fallBack(err));
    worker.on('exit', (code) => void this.fallBack(new Error(`checkpoint thread exited with code ${code}`)));
  }

  /**
   * Starts checkpointing the file of a better-sqlite3 knex instance; undefined for another
   * dialect or an in-memory database (the same rule as the read connection's), leaving
   * SQLite's automatic checkpoints as they are.
   */
  static async start(knex: Knex, logger?: Logger, pacing: CheckpointPacing = {}): Promise<WalCheckpointer | undefined> {
    const intervalMs = pacing.intervalMs ?? DEFAULT_INTERVAL_MS;
    const file = sqliteFileOf(knex);
    if (!file) return undefined;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // Raised to the bound before the thread exists, so that a thread failing at once turns
    // them back to SQLite's default after. (On the pool's one connection: one the pool opens
    // in its place checkpoints at the default, which is harmless.)
    await knex.raw(`pragma wal_autocheckpoint = ${Math.max(1, Math.round(pacing.writerBoundPages ?? DEFAULT_WRITER_BOUND_PAGES))}`);
    // No loaders in the thread (tsx and the like): it runs plain CommonJS.
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { driver, file, intervalMs } });
    } catch (err) {
      logger?.warn({ err }, 'WAL checkpoint thread could not start; the writer checkpoints by itself');
      await writerCheckpointsAgain(knex);
      return undefined;
    }
    worker.unref();
    return new WalCheckpointer(knex, worker, logger);
  }

  /** The thread is gone: SQLite's automatic checkpoints on the writer again. */
  private async fallBack(err: unknown): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.logger?.warn({ err }, 'WAL checkpoint thread stopped; the writer checkpoints by itself again');
    await writerCheckpointsAgain(this.knex).catch(() => undefined);
  }

  /** Stops the thread (its connection closed) and gives checkpoints back to the writer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('close');
    await exited;
    await writerCheckpointsAgain(this.knex).catch(() => undefined);
  }
}

/** SQLite's automatic checkpoints on the writer at their default threshold again. */
async function writerCheckpointsAgain(knex: Knex): Promise<void> {
  await knex.raw(`pragma wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
}
