/**
 * ERP sync: connections (config, sealed secrets, mapping, ownership, schedule and the
 * one-run-at-a-time lease), runs and their record-level issues, per-entity cursors, the
 * sync state of every record (the ERP values last applied: the base that tells a CRM
 * edit from an ERP change, and the list a full run compares against to find deletions),
 * and the inbound signatures already accepted (replay refusal).
 */
import type { Migration } from '../db/migrator.js';

export const erpMigration: Migration = {
  name: '010_erp',
  async up({ knex, table }) {
    await knex.schema.createTable(table('erp_connections'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 200).notNullable();
      t.string('adapter', 40).notNullable();
      t.text('config').notNullable();
      // AES-256-GCM under PEYVAND_SECRET: API keys and passwords never sit in the clear.
      t.text('secrets_sealed').notNullable();
      t.text('mapping').notNullable();
      t.text('field_ownership').notNullable();
      t.text('schedule');
      t.bigInteger('next_run_at');
      // One run per connection at a time across nodes: the node holding the lease runs it.
      t.string('lease_owner', 64);
      t.bigInteger('lease_until').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.integer('version').notNullable();
      t.index(['tenant_id', 'id'], table('erpc_tenant'));
      t.index(['next_run_at'], table('erpc_due'));
    });
    await knex.schema.createTable(table('erp_runs'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('connection_id', 36).notNullable();
      t.string('trigger', 16).notNullable();
      t.string('status', 16).notNullable();
      t.boolean('dry_run').notNullable();
      t.boolean('full').notNullable();
      t.text('counts').notNullable();
      t.string('error_code', 64);
      t.text('error_message');
      // The batch an inbound webhook delivered (the run's input).
      t.text('payload', 'mediumtext');
      t.integer('attempts').notNullable();
      t.bigInteger('not_before').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('started_at');
      t.bigInteger('finished_at');
      t.index(['status', 'not_before'], table('erpr_due'));
      t.index(['connection_id', 'status', 'id'], table('erpr_conn'));
    });
    await knex.schema.createTable(table('erp_run_issues'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('run_id', 36).notNullable();
      t.string('entity', 16).notNullable();
      t.string('external_id', 190).notNullable();
      t.string('code', 64).notNullable();
      t.text('message').notNullable();
      t.text('payload', 'mediumtext');
      t.index(['run_id', 'id'], table('erpi_run'));
    });
    await knex.schema.createTable(table('erp_cursors'), (t) => {
      t.string('connection_id', 36).notNullable();
      t.string('entity', 16).notNullable();
      t.string('tenant_id', 36).notNullable();
      t.text('cursor');
      t.bigInteger('updated_at').notNullable();
      t.primary(['connection_id', 'entity']);
    });
    await knex.schema.createTable(table('erp_records'), (t) => {
      t.string('connection_id', 36).notNullable();
      t.string('entity', 16).notNullable();
      t.string('external_id', 190).notNullable();
      t.string('tenant_id', 36).notNullable();
      t.string('local_id', 36).notNullable();
      t.text('base').notNullable();
      t.bigInteger('synced_at').notNullable();
      t.primary(['connection_id', 'entity', 'external_id']);
    });
    await knex.schema.createTable(table('erp_inbound_signatures'), (t) => {
      t.string('connection_id', 36).notNullable();
      t.string('signature', 64).notNullable();
      t.bigInteger('received_at').notNullable();
      t.primary(['connection_id', 'signature']);
      t.index(['received_at'], table('erps_age'));
    });
  },
  async down({ knex, table }) {
    for (const name of ['erp_inbound_signatures', 'erp_records', 'erp_cursors', 'erp_run_issues', 'erp_runs', 'erp_connections']) await knex.schema.dropTableIfExists(table(name));
  },
};
