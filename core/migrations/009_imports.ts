/**
 * File imports (`core/imports/`): the job with its progress — the committed row count is
 * what a restarted import resumes from — and the rows that failed, kept with their
 * original cells for the error file.
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 009: imports and their failed rows. */
export const importsMigration: Migration = {
  name: '009_imports',
  async up({ knex, table }) {
    await knex.schema.createTable(table('imports'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('entity', 64).notNullable();
      t.string('status', 16).notNullable();
      t.boolean('dry_run').notNullable();
      t.string('format', 8).notNullable();
      t.string('encoding', 16).notNullable();
      t.text('mapping');
      t.text('header');
      t.text('file_path').notNullable();
      // Who started it (and who asked to undo it): the worker writes as them, within their permissions and scope.
      t.text('actor').notNullable();
      t.text('undo_actor');
      t.integer('rows_read').notNullable().defaultTo(0);
      // Data rows whose batch committed: a resumed import skips exactly these.
      t.integer('committed_rows').notNullable().defaultTo(0);
      t.integer('created').notNullable().defaultTo(0);
      t.integer('updated').notNullable().defaultTo(0);
      t.integer('unchanged').notNullable().defaultTo(0);
      t.integer('failed').notNullable().defaultTo(0);
      t.text('error');
      // A worker's claim: nobody else runs the import until lease_until passes.
      t.string('lease_token', 36);
      t.bigInteger('lease_until').notNullable().defaultTo(0);
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('finished_at');
      t.index(['tenant_id', 'id'], table('imports_tenant'));
      t.index(['status', 'lease_until'], table('imports_due'));
    });
    await knex.schema.createTable(table('import_errors'), (t) => {
      t.string('id', 36).primary();
      t.string('import_id', 36).notNullable();
      t.integer('row_number').notNullable();
      t.text('cells').notNullable();
      t.text('error').notNullable();
      t.index(['import_id', 'row_number'], table('import_errors_row'));
    });
    // Undo reads an import's writes back from the audit log by their context (`import:<id>`).
    await knex.schema.alterTable(table('audit_log'), (t) => {
      t.index(['tenant_id', 'request_id', 'id'], table('audit_request'));
    });
  },
  async down({ knex, table }) {
    await knex.schema.alterTable(table('audit_log'), (t) => {
      t.dropIndex(['tenant_id', 'request_id', 'id'], table('audit_request'));
    });
    for (const name of ['import_errors', 'imports']) await knex.schema.dropTableIfExists(table(name));
  },
};
