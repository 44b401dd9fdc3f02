/**
 * The row of the migrator's own record table (created by `Migrator`, not by a migration).
 *
 * @module
 */
import type { BigIntColumn } from '../../plugin/data.js';

/** `migrations`: one applied migration of a plugin (core is the plugin `core`). */
export interface MigrationRecordRow {
  plugin: string;
  name: string;
  batch: number;
  migrated_at: BigIntColumn;
}

/** The migrator's entry of `CoreTables`. */
export interface MigrationTables {
  migrations: MigrationRecordRow;
}
