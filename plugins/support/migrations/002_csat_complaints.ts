/**
 * CSAT answers, the per-tenant key that signs survey links, and complaints.
 *
 * `support_csat_responses` is where a ticket's satisfaction rating lives (the ticket's old
 * `csat_*` columns of 001 are not used): one row per ticket, its primary key the
 * single-use guard — two answers racing for one ticket give one row and one 409. Reports
 * read `rating` and `answered_at` from it. `link_hash` names the link that was answered.
 *
 * `support_csat_keys` holds each tenant's HMAC key for survey links, sealed with the
 * installation secret (`ctx.secrets`); it is created with the tenant's first link.
 *
 * `support_complaints` holds one row per complained-about ticket (a low rating or the
 * complaint tag), with its customer: the flag the complaints report counts per period.
 */
import type { Migration } from '../../../core/plugin/index.js';

const TABLES = ['support_csat_responses', 'support_csat_keys', 'support_complaints'];

export const supportCsatMigration: Migration = {
  name: '002_csat_complaints',
  async up({ knex, table }) {
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}_ix`;
    await knex.schema.createTable(table('support_csat_responses'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('ticket_id', 36).notNullable();
      t.integer('rating').notNullable();
      t.string('comment', 2000);
      t.bigInteger('answered_at').notNullable();
      t.string('link_hash', 64).notNullable();
      t.primary(['tenant_id', 'ticket_id']);
      // Reports: answers per period.
      t.index(['tenant_id', 'answered_at'], ix('support_csat_responses', 't_answered'));
    });
    await knex.schema.createTable(table('support_csat_keys'), (t) => {
      t.string('tenant_id', 36).primary();
      t.text('sealed_key').notNullable();
      t.bigInteger('created_at').notNullable();
    });
    await knex.schema.createTable(table('support_complaints'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('ticket_id', 36).notNullable();
      t.string('customer_id', 36);
      t.string('reason', 16).notNullable();
      t.integer('rating');
      t.bigInteger('created_at').notNullable();
      t.unique(['tenant_id', 'ticket_id'], { indexName: ix('support_complaints', 't_ticket').replace(/_ix$/, '_uq') });
      t.index(['tenant_id', 'created_at', 'customer_id'], ix('support_complaints', 't_created_customer'));
    });
  },
  async down({ knex, table }) {
    for (const name of TABLES) await knex.schema.dropTableIfExists(table(name));
  },
};
