/**
 * The email channel: which mail thread belongs to which ticket, and which mail became
 * which ticket message (both directions).
 *
 * `support_email_threads` maps an email thread (the email plugin's `threadId`) to the
 * ticket it feeds, with the account it came in on and the customer's address, where an
 * agent's public reply is mailed back. A thread whose ticket was closed is pointed at the
 * follow-up ticket the next mail opens.
 *
 * `support_email_messages` holds one row per mail handled — an `email.received` turned into
 * a ticket message, or an agent's reply queued as mail — keyed by the email plugin's message
 * id, with a unique ticket message id: the guard that makes a redelivered event do nothing.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const supportEmailChannelMigration: Migration = {
  name: '004_email_channel',
  async up({ knex, table }) {
    await knex.schema.createTable(table('support_email_threads'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('thread_id', 36).notNullable();
      t.string('ticket_id', 36).notNullable();
      t.string('account_id', 36).notNullable();
      t.string('address', 320).notNullable();
      t.bigInteger('created_at').notNullable();
      t.primary(['tenant_id', 'thread_id']);
      t.index(['tenant_id', 'ticket_id'], `${table('support_email_threads')}_ticket_ix`);
    });
    await knex.schema.createTable(table('support_email_messages'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('email_message_id', 36).notNullable();
      t.string('ticket_id', 36).notNullable();
      t.string('message_id', 36).notNullable();
      t.string('direction', 8).notNullable();
      t.bigInteger('created_at').notNullable();
      t.primary(['tenant_id', 'email_message_id']);
      t.unique(['tenant_id', 'message_id'], { indexName: `${table('support_email_messages')}_message_ux` });
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('support_email_messages'));
    await knex.schema.dropTableIfExists(table('support_email_threads'));
  },
};
