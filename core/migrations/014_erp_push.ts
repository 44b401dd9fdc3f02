/**
 * ERP write-back: a push looks up a customer's link to a connection by the local id
 * (`erp_records` is keyed by the ERP's id), once per CRM change of a customer; a push
 * run remembers the event that queued it, unique per connection, so an event delivered
 * twice (delivery is at least once) queues one run.
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 014: erp_records by local id. */
export const erpPushMigration: Migration = {
  name: '014_erp_push',
  async up({ knex, table }) {
    await knex.schema.alterTable(table('erp_records'), (t) => {
      t.index(['connection_id', 'entity', 'local_id'], table('erpr_local'));
    });
    await knex.schema.alterTable(table('erp_runs'), (t) => {
      t.string('source_event', 36).nullable();
      t.unique(['connection_id', 'source_event'], { indexName: table('erpruns_event') });
    });
  },
  async down({ knex, table }) {
    await knex.schema.alterTable(table('erp_runs'), (t) => {
      t.dropUnique(['connection_id', 'source_event'], table('erpruns_event'));
    });
    await knex.schema.alterTable(table('erp_runs'), (t) => {
      t.dropColumn('source_event');
    });
    await knex.schema.alterTable(table('erp_records'), (t) => {
      t.dropIndex(['connection_id', 'entity', 'local_id'], table('erpr_local'));
    });
  },
};
