/**
 * Sync runs and their record-level issues: what was asked (dry run, full), where it is
 * (`queued` → `running` → `succeeded|failed`), what it did per entity, and every record
 * it could not apply as it wished, with the reason and the ERP's raw payload.
 *
 * @module
 */
import { newId } from '../plugin/ids.js';
import { readBool, readInt, readJson, type Database, type Executor } from '../db/database.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import { ERP_ENTITIES, type ErpEntity } from '../plugin/erp.js';
import { erpError } from './erp-errors.js';
import type { RunCounts, RunDto, RunIssue, RunTrigger } from './erp-schemas.js';
import type { ErpRunRow } from './erp-rows.js';

/** Zero counts. */
export function emptyCounts(): RunCounts {
  return { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, conflicts: 0 };
}

/** Zero counts for every entity. */
export function emptyCountsByEntity(): Record<ErpEntity, RunCounts> {
  return Object.fromEntries(ERP_ENTITIES.map((e) => [e, emptyCounts()])) as Record<ErpEntity, RunCounts>;
}

/** Largest raw payload kept on one issue (the rest is cut, and said so). */
const PAYLOAD_LIMIT = 64 * 1024;

/** Runs and issues in the database. */
export class RunStore {
  constructor(private readonly db: Database) {}

  async create(trx: Executor, tenantId: string, connectionId: string, options: { trigger: RunTrigger; dryRun: boolean; full: boolean; payload?: unknown; sourceEvent?: string }): Promise<RunDto> {
    const now = Date.now();
    const row: ErpRunRow = {
      id: newId(),
      tenant_id: tenantId,
      connection_id: connectionId,
      trigger: options.trigger,
      status: 'queued',
      dry_run: options.dryRun,
      full: options.full,
      counts: JSON.stringify(emptyCountsByEntity()),
      payload: options.payload === undefined ? null : JSON.stringify(options.payload),
      attempts: 0,
      error_code: null,
      error_message: null,
      source_event: options.sourceEvent ?? null,
      not_before: now,
      created_at: now,
      started_at: null,
      finished_at: null,
    };
    await this.db.rows('erp_runs', trx).insert(row);
    return runFromRow(row);
  }

  async get(tenantId: string, id: string): Promise<RunDto> {
    const row = await this.db.rows('erp_runs').where({ tenant_id: tenantId, id }).first();
    if (!row) throw erpError('ERP_RUN_NOT_FOUND', { id });
    return runFromRow(row);
  }

  /** Runs of a connection, newest first, optionally of one trigger (`push`: the write-backs). */
  async list(tenantId: string, connectionId: string, limit: number, options: { trigger?: RunTrigger; cursor?: string } = {}): Promise<{ items: RunDto[]; nextCursor: string | null }> {
    const q = this.db.rows('erp_runs').where({ tenant_id: tenantId, connection_id: connectionId });
    if (options.trigger) q.where('trigger', options.trigger);
    if (options.cursor) q.where('id', '<', String(decodeCursor(options.cursor, ['string'])[0]));
    const rows = await q.orderBy('id', 'desc').limit(limit + 1);
    return { items: rows.slice(0, limit).map(runFromRow), nextCursor: rows.length > limit ? encodeCursor([rows[limit - 1]!.id]) : null };
  }

  /** Issues of a run, oldest first. */
  async issues(tenantId: string, runId: string, limit: number, cursor?: string): Promise<{ items: RunIssue[]; nextCursor: string | null }> {
    await this.get(tenantId, runId);
    const q = this.db.rows('erp_run_issues').where({ tenant_id: tenantId, run_id: runId });
    if (cursor) q.where('id', '>', String(decodeCursor(cursor, ['string'])[0]));
    const rows = await q.orderBy('id').limit(limit + 1);
    const items = rows.slice(0, limit).map((r) => ({ entity: r.entity, externalId: r.external_id, code: r.code, message: r.message, payload: readJson<unknown>(r.payload, null) }));
    return { items, nextCursor: rows.length > limit ? encodeCursor([rows[limit - 1]!.id]) : null };
  }

  async addIssues(tenantId: string, runId: string, issues: readonly RunIssue[]): Promise<void> {
    if (issues.length === 0) return;
    await this.db.insertRows('erp_run_issues', this.db.knex, issues.map((issue) => {
      let payload = JSON.stringify(issue.payload ?? null);
      if (payload.length > PAYLOAD_LIMIT) payload = JSON.stringify({ truncated: true, excerpt: payload.slice(0, PAYLOAD_LIMIT) });
      return { id: newId(), tenant_id: tenantId, run_id: runId, entity: issue.entity, external_id: issue.externalId.slice(0, 190), code: issue.code, message: issue.message.slice(0, 2000), payload };
    }));
  }
}

/** Maps a run row to the API shape. */
export function runFromRow(row: ErpRunRow): RunDto {
  const byEntity = { ...emptyCountsByEntity(), ...readJson<Partial<Record<ErpEntity, RunCounts>>>(row.counts, {}) };
  const counts = emptyCounts();
  for (const entity of ERP_ENTITIES) for (const key of Object.keys(counts) as Array<keyof RunCounts>) counts[key] += byEntity[entity][key];
  return {
    id: row.id,
    connectionId: row.connection_id,
    trigger: row.trigger,
    status: row.status,
    dryRun: readBool(row.dry_run),
    full: readBool(row.full),
    counts,
    countsByEntity: byEntity,
    ...(row.error_code != null && { error: { code: row.error_code, message: row.error_message ?? '' } }),
    startedAt: row.started_at == null ? null : new Date(readInt(row.started_at)).toISOString(),
    finishedAt: row.finished_at == null ? null : new Date(readInt(row.finished_at)).toISOString(),
  };
}
