/** Webhook subscriptions, their deliveries (one per event and subscription) and every attempt. */
import type { Migration } from '../db/migrator.js';

export const webhooksMigration: Migration = {
  name: '004_webhooks',
  async up({ knex, table }) {
    await knex.schema.createTable(table('webhooks'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('url', 2048).notNullable();
      t.text('events').notNullable();
      // AES-256-GCM under PEYVAND_SECRET (secret-box): a dump alone cannot forge signatures.
      t.text('secret_sealed').notNullable();
      t.boolean('active').notNullable();
      t.text('paused_reason');
      t.bigInteger('paused_at');
      t.integer('consecutive_failures').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'id']);
    });
    await knex.schema.createTable(table('webhook_deliveries'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('webhook_id', 36).notNullable();
      t.bigInteger('event_seq').notNullable();
      t.string('event_id', 36).notNullable();
      t.string('event_type', 100).notNullable();
      // "<aggregate_type>:<aggregate_id>": deliveries of one aggregate go out in event_seq order.
      t.string('aggregate_key', 130).notNullable();
      t.string('status', 16).notNullable();
      t.integer('attempts').notNullable();
      t.bigInteger('next_attempt_at').notNullable();
      // A sender's claim (epoch ms): nobody else sends the delivery until it passes.
      t.bigInteger('lease_until').notNullable();
      t.integer('last_status_code');
      t.text('last_error');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('delivered_at');
      // Enqueueing an event twice (a replayed dispatch) creates one delivery.
      t.unique(['webhook_id', 'event_seq'], { indexName: table('whd_event') });
      t.index(['status', 'next_attempt_at'], table('whd_due'));
      // Explicit short names: knex's defaults exceed MySQL's 64 characters with a longer prefix.
      t.index(['webhook_id', 'aggregate_key', 'event_seq'], table('whd_order'));
      t.index(['webhook_id', 'id'], table('whd_page'));
    });
    await knex.schema.createTable(table('webhook_attempts'), (t) => {
      t.string('id', 36).primary();
      t.string('delivery_id', 36).notNullable();
      t.string('webhook_id', 36).notNullable();
      t.string('tenant_id', 36).notNullable();
      t.integer('attempt').notNullable();
      t.string('trigger', 16).notNullable();
      t.bigInteger('started_at').notNullable();
      t.integer('status_code');
      t.integer('latency_ms').notNullable();
      t.text('error');
      t.bigInteger('next_attempt_at');
      t.index(['delivery_id', 'attempt'], table('wha_delivery'));
      t.index(['webhook_id']);
    });
  },
  async down({ knex, table }) {
    for (const name of ['webhook_attempts', 'webhook_deliveries', 'webhooks']) await knex.schema.dropTableIfExists(table(name));
  },
};
