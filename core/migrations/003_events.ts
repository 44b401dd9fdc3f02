/** The transactional outbox and per-subscriber delivery progress. */
import type { Migration } from '../db/migrator.js';

export const eventsMigration: Migration = {
  name: '003_events',
  async up({ knex, table, dialect }) {
    await knex.schema.createTable(table('outbox'), (t) => {
      // seq orders events and is the replay cursor; id is what consumers de-duplicate on.
      t.bigIncrements('seq').primary();
      t.string('id', 36).notNullable().unique();
      t.string('tenant_id', 36).notNullable();
      t.string('type', 100).notNullable();
      t.string('aggregate_type', 64).notNullable();
      t.string('aggregate_id', 64).notNullable();
      t.text('data', dialect === 'mysql' ? 'mediumtext' : undefined).notNullable();
      t.bigInteger('occurred_at').notNullable();
      t.index(['tenant_id', 'seq']);
    });
    await knex.schema.createTable(table('subscriber_progress'), (t) => {
      t.string('subscriber_id', 128).primary();
      t.bigInteger('last_seq').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await knex.schema.createTable(table('subscriber_failures'), (t) => {
      t.string('subscriber_id', 128).notNullable();
      t.bigInteger('event_seq').notNullable();
      t.string('tenant_id', 36).notNullable();
      t.integer('attempts').notNullable();
      t.string('status', 16).notNullable();
      t.bigInteger('next_attempt_at').notNullable();
      t.text('last_error').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.primary(['subscriber_id', 'event_seq']);
      t.index(['status', 'next_attempt_at']);
      t.index(['tenant_id', 'status']);
    });
  },
  async down({ knex, table }) {
    for (const name of ['subscriber_failures', 'subscriber_progress', 'outbox']) await knex.schema.dropTableIfExists(table(name));
  },
};
