/**
 * Multi-node dispatch and external transports: a lease on each subscriber's progress
 * row (so one node at a time delivers to a subscriber), the inbound event ids already
 * taken in from a broker, and the inbound events refused with their reason.
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 005: dispatch leases, inbound de-duplication, rejected inbound events. */
export const dispatchLeasesMigration: Migration = {
  name: '005_dispatch_leases',
  async up({ knex, table, dialect, prefix }) {
    await knex.schema.alterTable(table('subscriber_progress'), (t) => {
      // Who delivers to this subscriber now, until when (database clock, ms), and a
      // fencing token bumped on every claim: a node whose lease was taken over after it
      // expired cannot move the progress any more, because its token no longer matches.
      t.string('lease_owner', 128).nullable();
      t.bigInteger('lease_until').notNullable().defaultTo(0);
      t.bigInteger('lease_token').notNullable().defaultTo(0);
    });
    await knex.schema.createTable(table('inbound_seen'), (t) => {
      // The publisher's event id, per tenant: a redelivered or republished event is taken once.
      t.string('tenant_id', 36).notNullable();
      t.string('event_id', 64).notNullable();
      t.string('outbox_id', 36).notNullable();
      t.bigInteger('received_at').notNullable();
      t.primary(['tenant_id', 'event_id']);
    });
    await knex.schema.createTable(table('inbound_rejected'), (t) => {
      t.string('id', 36).primary();
      // Null when the subject named no known tenant.
      t.string('tenant_id', 36).nullable();
      t.string('transport', 16).notNullable();
      t.string('subject', 300).notNullable();
      t.string('event_id', 200).nullable();
      t.string('type', 200).nullable();
      t.text('reason').notNullable();
      t.text('payload', dialect === 'mysql' ? 'mediumtext' : undefined).notNullable();
      t.bigInteger('received_at').notNullable();
      // Named explicitly: the generated name outgrows MySQL's 64 characters with a long table prefix.
      t.index(['tenant_id', 'received_at', 'id'], `${prefix}inbound_rejected_by_tenant`);
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('inbound_rejected'));
    await knex.schema.dropTableIfExists(table('inbound_seen'));
    await knex.schema.alterTable(table('subscriber_progress'), (t) => {
      t.dropColumn('lease_owner');
      t.dropColumn('lease_until');
      t.dropColumn('lease_token');
    });
  },
};
