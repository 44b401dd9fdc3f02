/**
 * Runs imports in batches, resumably. A worker claims a job with a lease (a conditional
 * UPDATE, so one worker per job across nodes), reads its file from the start, skips the
 * rows already committed, and writes each batch in ONE transaction together with the
 * job's progress (committed row count, counts, failed rows) — guarded by its lease token.
 * A crash or restart therefore loses only the batch in flight, which the next claim of
 * the job (after the lease runs out) writes again: no row twice, none lost.
 *
 * Every write carries `import:<id>` as the actor's request id, so each audit entry names
 * the import; undo reads those entries back and reverts them, newest first, in batches.
 */
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Actor } from '../plugin/actor.js';
import type { Database } from '../db/database.js';
import { readBool, readJson } from '../db/database.js';
import type { ImportJobRow } from '../db/rows/imports.js';
import { newId } from '../plugin/ids.js';
import { PeyvandError } from '../plugin/errors.js';
import { PollingLoop } from '../plugin/polling-loop.js';
import type { ImportEntities, ImportEntity, MappedRow, RowOutcome } from './import-entities.js';
import type { StoredActor } from './import-service.js';
import { readRows, type ImportFormat, type TextEncoding } from './sources.js';

/** Worker tuning. */
export interface ImportWorkerOptions {
  /** Rows per transaction (default 1,000). */
  batchSize?: number;
  /** How long a claim holds without progress (default 60 s); a crashed worker's job waits this long. */
  leaseMs?: number;
  /** Poll interval (default 2 s). */
  intervalMs?: number;
}

/** Thrown when another worker took the job over: this one stops without writing. */
class LeaseLost extends Error {}
/** Thrown to roll back a dry run's batch after its outcomes were taken. */
class DryRunRollback extends Error {}

/** Picks up queued, interrupted and to-be-undone imports. */
export class ImportWorker {
  private readonly loop: PollingLoop;
  private readonly batchSize: number;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Database,
    private readonly entities: ImportEntities,
    private readonly logger: Logger,
    options: ImportWorkerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.loop = new PollingLoop({ name: 'import worker', intervalMs: options.intervalMs ?? 2_000, logger, pass: () => this.runOnce() });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Asks for a pass now (a job was queued). */
  wake(): void {
    this.loop.wake();
  }

  /** Claims one job whose lease is free and runs it to the end. Resolves true when one ran. */
  async runOnce(now = Date.now()): Promise<boolean> {
    const candidates = await this.db
      .rows('imports')
      .where((q) => q.whereIn('status', ['queued', 'running']).orWhere((u) => u.whereNotNull('undo_actor').whereNot('status', 'undone')))
      .where('lease_until', '<', now)
      .orderBy('created_at')
      .limit(10);
    for (const job of candidates) {
      const undo = job.undo_actor != null;
      // Another node's upload is not here: leave it to that node (or shared storage).
      if (!undo && !fs.existsSync(job.file_path)) continue;
      const token = newId();
      const claimed = await this.db.rows('imports').where({ id: job.id }).where('lease_until', '<', now).update({ lease_token: token, lease_until: Date.now() + this.leaseMs });
      if (claimed !== 1) continue;
      try {
        if (undo) await this.undo(job, token);
        else await this.run(job, token);
      } catch (err) {
        if (err instanceof LeaseLost) return true;
        this.logger.error({ err, importId: job.id }, 'import failed');
        const message = err instanceof Error ? err.message.slice(0, 1000) : String(err);
        await this.db.rows('imports').where({ id: job.id, lease_token: token }).update({ status: undo ? job.status : 'failed', ...(undo && { undo_actor: null }), error: message, finished_at: Date.now(), updated_at: Date.now(), lease_until: 0 });
      }
      return true;
    }
    return false;
  }

  private async run(job: ImportJobRow, token: string): Promise<void> {
    const id = job.id;
    const entity = this.entities.get(job.entity);
    if (!entity) throw new Error(`import entity "${job.entity}" is not registered on this node`);
    const actor = actorOf(readJson<StoredActor>(job.actor, {} as StoredActor), `import:${id}`);
    const dryRun = readBool(job.dry_run);
    const done = job.committed_rows;
    const mapping = readJson<Record<string, string> | null>(job.mapping, null);
    if (job.status === 'queued') await this.db.rows('imports').where({ id, lease_token: token }).update({ status: 'running', updated_at: Date.now() });
    let header: string[] | undefined;
    let columns: Array<string | undefined> = [];
    let batch: Array<MappedRow & { cells: string[] }> = [];
    let rowNumber = 0;
    for await (const cells of readRows(job.file_path, job.format as ImportFormat, job.encoding as TextEncoding)) {
      if (!header) {
        header = cells.map((c) => c.trim());
        columns = header.map((h) => fieldOf(entity, h, mapping));
        if (job.header == null) await this.db.rows('imports').where({ id, lease_token: token }).update({ header: JSON.stringify(header) });
        continue;
      }
      rowNumber++;
      if (rowNumber <= done) continue;
      const row = { row: rowNumber, cells, fields: fieldsOf(columns, cells) };
      // A batch is cut only between groups: an order's lines stay together.
      const last = batch[batch.length - 1];
      if (batch.length >= this.batchSize && (!entity.groupKey || !last || entity.groupKey(last) !== entity.groupKey(row))) {
        await this.commit(id, token, entity, actor, batch, dryRun);
        batch = [];
      }
      batch.push(row);
    }
    if (batch.length) await this.commit(id, token, entity, actor, batch, dryRun);
    const finished = await this.db.rows('imports').where({ id, lease_token: token }).update({ status: 'succeeded', finished_at: Date.now(), updated_at: Date.now(), lease_until: 0 });
    if (finished !== 1) throw new LeaseLost();
    // The file is no longer needed: the failed rows are kept in the database for the error file.
    await fs.promises.rm(job.file_path, { force: true });
  }

  /** Writes one batch (or, in a dry run, writes and rolls it back) and records progress with it. */
  private async commit(id: string, token: string, entity: ImportEntity, actor: Actor, batch: ReadonlyArray<MappedRow & { cells: string[] }>, dryRun: boolean): Promise<void> {
    let outcomes: RowOutcome[] = [];
    const progress = async (trx: Parameters<Parameters<Database['transaction']>[0]>[0]) => {
      const count = (status: string) => outcomes.filter((o) => o.status === status).length;
      const failed = outcomes.flatMap((o, i) => (o.status === 'invalid' ? [{ id: newId(), import_id: id, row_number: batch[i]!.row, cells: JSON.stringify(batch[i]!.cells), error: JSON.stringify(o.error) }] : []));
      await this.db.insertRows('import_errors', trx, failed);
      const inc = (column: string, n: number) => trx.raw('?? + ?', [column, n]);
      const updated = await this.db.rows('imports', trx).where({ id, lease_token: token }).update({
        committed_rows: batch[batch.length - 1]!.row,
        rows_read: inc('rows_read', batch.length),
        created: inc('created', count('created')),
        updated: inc('updated', count('updated')),
        unchanged: inc('unchanged', count('unchanged')),
        failed: inc('failed', failed.length),
        lease_until: Date.now() + this.leaseMs,
        updated_at: Date.now(),
      });
      if (updated !== 1) throw new LeaseLost();
    };
    if (!dryRun) {
      await this.db.transaction(async (trx) => {
        outcomes = await entity.write(trx, actor, batch);
        await progress(trx);
      });
      return;
    }
    await this.db.transaction(async (trx) => {
      outcomes = await entity.write(trx, actor, batch);
      throw new DryRunRollback();
    }).catch((err: unknown) => {
      if (!(err instanceof DryRunRollback)) throw err;
    });
    await this.db.transaction(progress);
  }

  /** Reverts an import's audited writes, newest first, a batch per transaction. */
  private async undo(job: ImportJobRow, token: string): Promise<void> {
    const id = job.id;
    const entity = this.entities.get(job.entity);
    if (!entity) throw new Error(`import entity "${job.entity}" is not registered on this node`);
    const actor = actorOf(readJson<StoredActor>(job.undo_actor, {} as StoredActor), `import-undo:${id}`);
    // Newest first; each step is idempotent (a removed record is skipped, a restored one unchanged), so a resumed undo starts over safely.
    for (let before: string | undefined; ; ) {
      const q = this.db.rows('audit_log').where({ tenant_id: job.tenant_id, request_id: `import:${id}`, entity_type: entity.auditType }).orderBy('id', 'desc').limit(200);
      if (before) q.where('id', '<', before);
      const entries = await q;
      if (entries.length === 0) break;
      await this.db.transaction(async (trx) => {
        for (const e of entries) {
          try {
            await trx.transaction((sp) => entity.undo(sp, actor, { action: e.action, entityId: e.entity_id, before: readJson<unknown>(e.before, null), after: readJson<unknown>(e.after, null) }));
          } catch (err) {
            // A record changed since so that it cannot take its old state back (a rule refuses it): left as it is, logged.
            if (!(err instanceof PeyvandError)) throw err;
            this.logger.warn({ importId: id, entityId: e.entity_id, code: err.code }, 'import undo skipped a record');
          }
        }
        const renewed = await this.db.rows('imports', trx).where({ id, lease_token: token }).update({ lease_until: Date.now() + this.leaseMs, updated_at: Date.now() });
        if (renewed !== 1) throw new LeaseLost();
      });
      before = entries[entries.length - 1]!.id;
    }
    const finished = await this.db.rows('imports').where({ id, lease_token: token }).update({ status: 'undone', finished_at: Date.now(), updated_at: Date.now(), lease_until: 0 });
    if (finished !== 1) throw new LeaseLost();
  }
}

/** The actor a job runs as, with the import as the request context of every write. */
function actorOf(stored: StoredActor, requestId: string): Actor {
  return { ...stored, permissions: new Set(stored.permissions), requestId };
}

/** The field a header maps to: the mapping's, else the header itself when it names a field. */
function fieldOf(entity: ImportEntity, header: string, mapping: Record<string, string> | null): string | undefined {
  const mapped = mapping?.[header];
  if (mapped !== undefined) return mapped;
  if (mapping && Object.values(mapping).includes(header)) return undefined;
  return entity.fields.includes(header) || header.startsWith('customFields.') ? header : undefined;
}

/** A row's non-empty cells by field path. */
function fieldsOf(columns: ReadonlyArray<string | undefined>, cells: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  columns.forEach((field, i) => {
    const value = cells[i]?.trim();
    if (field && value) fields[field] = value;
  });
  return fields;
}
