/**
 * The email plugin's tables. Message-IDs are matched through `message_key` (SHA-256 of the
 * lower-cased id): Message-IDs may be longer than MySQL's index limit. `email_ingested` is
 * the ingest ledger — one row per (account, message) whatever became of it (a message, a
 * quarantined raw mail, a bounce) — written in the transaction of that outcome, so a mail
 * fetched again (after a crash, a UIDVALIDITY reset, a second folder) is never imported twice.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const emailMigration: Migration = {
  name: '001_email',
  async up({ knex, table, dialect }) {
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}_ix`;
    const longText = (t: { text(name: string, type?: string): unknown }, name: string) => t.text(name, dialect === 'mysql' ? 'mediumtext' : undefined);
    await knex.schema.createTable(table('email_accounts'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 200).notNullable();
      t.string('address', 320).notNullable();
      t.text('smtp').notNullable();
      t.text('smtp_password').notNullable();
      t.text('imap');
      t.text('imap_password');
      t.string('unknown_senders', 16).notNullable();
      t.boolean('is_default').notNullable();
      t.integer('max_attachment_bytes').notNullable();
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'id'], ix('email_accounts', 't_id'));
    });
    await knex.schema.createTable(table('email_threads'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('token', 32).notNullable();
      t.string('subject', 998).notNullable();
      t.string('customer_id', 36);
      t.text('participants').notNullable();
      t.text('flags').notNullable();
      t.integer('message_count').notNullable();
      t.bigInteger('last_message_at').notNullable();
      t.bigInteger('created_at').notNullable();
      t.unique(['tenant_id', 'token'], { indexName: ix('email_threads', 't_token') });
      t.index(['tenant_id', 'last_message_at', 'id'], ix('email_threads', 't_last'));
      t.index(['tenant_id', 'customer_id', 'last_message_at'], ix('email_threads', 't_customer'));
    });
    await knex.schema.createTable(table('email_messages'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('account_id', 36).notNullable();
      t.string('thread_id', 36).notNullable();
      t.string('direction', 3).notNullable();
      t.string('status', 16).notNullable();
      t.string('message_id', 998).notNullable();
      t.string('message_key', 64).notNullable();
      t.string('in_reply_to', 998);
      t.text('references').notNullable();
      t.string('from_address', 320).notNullable();
      t.string('from_name', 300).notNullable();
      t.text('to').notNullable();
      t.text('cc').notNullable();
      t.text('bcc').notNullable();
      t.string('subject', 998).notNullable();
      longText(t, 'text');
      longText(t, 'html');
      t.string('customer_id', 36);
      t.text('flags').notNullable();
      t.integer('attempts').notNullable();
      t.bigInteger('next_attempt_at');
      t.string('claim', 36);
      t.bigInteger('claimed_at');
      t.text('last_error');
      t.bigInteger('sent_at');
      t.bigInteger('received_at');
      t.bigInteger('created_at').notNullable();
      t.index(['tenant_id', 'message_key'], ix('email_messages', 't_key'));
      t.index(['tenant_id', 'thread_id', 'created_at'], ix('email_messages', 't_thread'));
      t.index(['tenant_id', 'customer_id', 'id'], ix('email_messages', 't_customer'));
      t.index(['tenant_id', 'id'], ix('email_messages', 't_id'));
      // The sender's scan across tenants: queued and due.
      t.index(['status', 'next_attempt_at'], ix('email_messages', 'status_due'));
    });
    await knex.schema.createTable(table('email_attachments'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('message_id', 36).notNullable();
      t.string('filename', 300).notNullable();
      t.string('content_type', 200).notNullable();
      t.bigInteger('size').notNullable();
      t.string('storage_key', 200).notNullable();
      t.index(['tenant_id', 'message_id'], ix('email_attachments', 't_message'));
    });
    await knex.schema.createTable(table('email_ingested'), (t) => {
      t.string('account_id', 36).notNullable();
      t.string('dedup_key', 64).notNullable();
      t.string('tenant_id', 36).notNullable();
      t.string('outcome', 16).notNullable();
      t.string('ref_id', 36);
      t.bigInteger('created_at').notNullable();
      t.primary(['account_id', 'dedup_key']);
    });
    await knex.schema.createTable(table('email_cursors'), (t) => {
      t.string('account_id', 36).notNullable();
      t.string('folder', 300).notNullable();
      t.string('tenant_id', 36).notNullable();
      t.bigInteger('uid_validity').notNullable();
      t.bigInteger('last_uid').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.primary(['account_id', 'folder']);
    });
    await knex.schema.createTable(table('email_quarantine'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('account_id', 36).notNullable();
      t.string('folder', 300).notNullable();
      t.bigInteger('uid').notNullable();
      t.string('reason', 64).notNullable();
      t.bigInteger('size').notNullable();
      t.string('storage_key', 200).notNullable();
      t.string('dedup_key', 64).notNullable();
      t.bigInteger('received_at').notNullable();
      t.index(['tenant_id', 'id'], ix('email_quarantine', 't_id'));
    });
    await knex.schema.createTable(table('email_templates'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('key', 100).notNullable();
      t.string('locale', 8).notNullable();
      t.string('subject', 998).notNullable();
      longText(t, 'html');
      longText(t, 'text');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.unique(['tenant_id', 'key', 'locale'], { indexName: ix('email_templates', 't_key_locale') });
    });
    await knex.schema.createTable(table('email_bounces'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('address', 320).notNullable();
      t.string('status', 16).notNullable();
      t.text('diagnostic').notNullable();
      t.integer('count').notNullable();
      t.bigInteger('bounced_at').notNullable();
      t.primary(['tenant_id', 'address']);
    });
  },
  async down({ knex, table }) {
    for (const name of ['email_bounces', 'email_templates', 'email_quarantine', 'email_cursors', 'email_ingested', 'email_attachments', 'email_messages', 'email_threads', 'email_accounts']) {
      await knex.schema.dropTableIfExists(table(name));
    }
  },
};
