/**
 * The rows of the import tables (migration 009) as the drivers of the three databases
 * return them: instants as BIGINT (a string on PostgreSQL), booleans as 0/1 on SQLite
 * and MariaDB, JSON as text.
 *
 * @module
 */
import type { BigIntColumn, BoolColumn, JsonTextColumn } from '../../plugin/data.js';

/** `imports`: one import job, its progress and its lease. */
export interface ImportJobRow {
  id: string;
  tenant_id: string;
  /** The registered import entity (`customers`, a plugin's). */
  entity: string;
  /** An `ImportDto['status']`. */
  status: string;
  dry_run: BoolColumn;
  /** An `ImportFormat`. */
  format: string;
  /** A `TextEncoding`. */
  encoding: string;
  /** `Record<header, field>` as JSON; null: headers name the fields. */
  mapping: JsonTextColumn | null;
  /** The file's header row, `string[]` as JSON, once read. */
  header: JsonTextColumn | null;
  file_path: string;
  /** The `StoredActor` the job runs as, as JSON. */
  actor: JsonTextColumn;
  /** The `StoredActor` that asked for the undo, as JSON; null: no undo asked. */
  undo_actor: JsonTextColumn | null;
  rows_read: number;
  committed_rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  error: string | null;
  lease_token: string | null;
  lease_until: BigIntColumn;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
  finished_at: BigIntColumn | null;
}

/** `import_errors`: a row that failed, with its cells, for the error file. */
export interface ImportErrorRow {
  id: string;
  import_id: string;
  row_number: number;
  /** The row's cells, `string[]` as JSON. */
  cells: JsonTextColumn;
  /** The `RowError` as JSON. */
  error: JsonTextColumn;
}

/** The import tables' entries of `CoreTables`. */
export interface ImportTables {
  imports: ImportJobRow;
  import_errors: ImportErrorRow;
}
