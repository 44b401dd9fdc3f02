/**
 * File imports: the upload is streamed to a file (never buffered whole), a job row is
 * queued, and the {@link ImportWorker} runs it in batches. Progress, the error file and
 * undo are read from and requested through here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { i18n } from 'i18next';
import type { Actor } from '../plugin/actor.js';
import { can } from '../plugin/actor.js';
import type { Database } from '../db/database.js';
import { readBool, readJson } from '../db/database.js';
import type { ImportJobRow } from '../db/rows/imports.js';
import { newId } from '../plugin/ids.js';
import { coreError } from '../plugin/errors.js';
import type { Language } from '../i18n/i18n.js';
import { translator } from '../i18n/i18n.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import type { ImportEntities, RowError } from './import-entities.js';
import { detectEncoding, type ImportFormat } from './sources.js';
import { csvLine } from './csv-out.js';
import type { ImportDto } from './import-schemas.js';

export type { ImportDto } from './import-schemas.js';

/** Largest accepted upload. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/** What a new import is. */
export interface ImportRequest {
  entity: string;
  format: ImportFormat;
  dryRun: boolean;
  /** Header → field path. */
  mapping?: Record<string, string>;
  /** The `charset` the upload declared. */
  charset?: string;
}

/** The actor as stored with a job (permissions as a list). */
export type StoredActor = Omit<Actor, 'permissions' | 'requestId'> & { permissions: string[] };

/** Starts, reads and undoes imports. */
export class ImportService {
  constructor(
    private readonly db: Database,
    private readonly entities: ImportEntities,
    private readonly tenants: TenantService,
    private readonly i18n: i18n,
    /** Where uploads wait for the worker; shared storage when several nodes run workers. */
    readonly dir: string,
    /** Called when a job is queued, so a local worker starts at once. */
    private readonly wake: () => void = () => undefined,
  ) {}

  /**
   * Streams `body` to a file and queues the import. An upload over 512 MiB is a 413 and
   * leaves nothing behind; an entity that is unknown, or whose plugin the tenant has not
   * enabled, is a 422.
   */
  async start(actor: Actor, request: ImportRequest, body: Readable): Promise<ImportDto> {
    const entity = this.entities.get(request.entity);
    if (!entity || (entity.plugin !== 'core' && !(await this.tenants.isEnabled(actor.tenantId, entity.plugin)))) {
      body.resume();
      throw coreError('IMPORT_ENTITY_UNAVAILABLE', { entity: request.entity });
    }
    if (!can(actor, entity.writePermission)) {
      body.resume();
      throw coreError('FORBIDDEN', { permission: entity.writePermission });
    }
    const id = newId();
    await fs.promises.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${id}.${request.format}`);
    try {
      await pipeline(body, byteLimit(MAX_IMPORT_BYTES), fs.createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    const encoding = request.format === 'csv' ? await detectEncoding(file, request.charset) : 'utf-8';
    const now = Date.now();
    const stored: StoredActor = { ...actor, permissions: [...actor.permissions] };
    delete (stored as { requestId?: string }).requestId;
    await this.db.rows('imports').insert({
      id, tenant_id: actor.tenantId, entity: entity.name, status: 'queued', dry_run: request.dryRun, format: request.format, encoding,
      mapping: request.mapping ? JSON.stringify(request.mapping) : null, header: null, file_path: file, actor: JSON.stringify(stored), undo_actor: null,
      rows_read: 0, committed_rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, error: null, lease_token: null, lease_until: 0, created_at: now, updated_at: now, finished_at: null,
    });
    this.wake();
    return this.get(actor, id);
  }

  /** An import of the actor's tenant, or 404. */
  async get(actor: Actor, id: string): Promise<ImportDto> {
    return importFromRow(await this.row(actor, id));
  }

  /**
   * The failed rows as CSV: the file's header and cells, plus an `error` column in
   * `lng`. Streamed in pages; a UTF-8 BOM first, so Excel reads Persian text.
   */
  async *errorsCsv(actor: Actor, id: string, lng: Language): AsyncGenerator<string> {
    const job = await this.row(actor, id);
    const t = translator(this.i18n, lng);
    yield '\uFEFF';
    yield csvLine([...readJson<string[]>(job.header, []), 'error']);
    for (let after = 0; ; ) {
      const rows = await this.db.rows('import_errors').where('import_id', id).where('row_number', '>', after).orderBy('row_number').limit(500);
      for (const r of rows) yield csvLine([...readJson<string[]>(r.cells, []), describe(readJson<RowError>(r.error, { code: 'INTERNAL', i18nKey: 'core:errors.INTERNAL', params: {}, errors: [] }), t)]);
      if (rows.length < 500) return;
      after = rows[rows.length - 1]!.row_number;
    }
  }

  /**
   * Asks for the import to be undone (the worker does it, in batches, resumably): what it
   * created is removed, what it updated is restored from the audit log's before-images.
   * Only a finished, written import can be undone; asking twice is the same request.
   */
  async requestUndo(actor: Actor, id: string): Promise<ImportDto> {
    const job = await this.row(actor, id);
    if (readBool(job.dry_run) || !['succeeded', 'failed', 'undone'].includes(job.status)) throw coreError('IMPORT_NOT_UNDOABLE', { id, status: job.status });
    if (job.undo_actor == null && job.status !== 'undone') {
      const stored: StoredActor = { ...actor, permissions: [...actor.permissions] };
      delete (stored as { requestId?: string }).requestId;
      await this.db.rows('imports').where({ id, undo_actor: null }).update({ undo_actor: JSON.stringify(stored), updated_at: Date.now() });
      this.wake();
    }
    return this.get(actor, id);
  }

  private async row(actor: Actor, id: string): Promise<ImportJobRow> {
    const row = await this.db.rows('imports').where({ tenant_id: actor.tenantId, id }).first();
    // Another user's import is readable: imports are the tenant's, and need core.import.read.
    if (!row) throw coreError('IMPORT_NOT_FOUND', { id });
    return row;
  }
}

/** Maps a job row to the API shape. */
export function importFromRow(row: ImportJobRow): ImportDto {
  return {
    id: row.id,
    entity: row.entity,
    // The column holds only the statuses this service and the worker write.
    status: row.status as ImportDto['status'],
    dryRun: readBool(row.dry_run),
    rowsRead: row.rows_read,
    created: row.created,
    updated: row.updated,
    unchanged: row.unchanged,
    failed: row.failed,
  };
}

/** A row's error in one language: the title, then each field's message. */
function describe(error: RowError, t: ReturnType<typeof translator>): string {
  const [ns, key] = error.i18nKey.split(':') as [string, string];
  const title = t(`${key}.title`, { ns, ...error.params, defaultValue: error.code });
  if (!error.errors.length) return title;
  return `${title}: ${error.errors.map((e) => `${e.path.replace(/^\//, '')} ${e.key ? t(e.key, { ...e.params, defaultValue: e.message }) : e.message}`.trim()).join('; ')}`;
}

/** Passes bytes through until `limit`, then fails with 413. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(coreError('PAYLOAD_TOO_LARGE', { limit }));
      else done(null, chunk);
    },
  });
}
