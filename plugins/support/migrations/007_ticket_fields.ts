/**
 * The tenant's JSON Schema for tickets' `customFields` (issue 13: "custom fields, same
 * JSON-Schema mechanism as customers"): one row per tenant that has set one. Kept in the
 * plugin's own table, not core's tenant settings, so disabling or uninstalling support
 * leaves core untouched.
 */
import type { Migration } from '../../../core/plugin/index.js';

/** Migration 007 of the support plugin: per-tenant settings, starting with the ticket field schema. */
export const supportTicketFieldsMigration: Migration = {
  name: '007_ticket_fields',
  async up({ knex, table }) {
    await knex.schema.createTable(table('support_settings'), (t) => {
      t.string('tenant_id', 36).primary();
      t.text('ticket_fields_schema');
      t.bigInteger('updated_at').notNullable();
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('support_settings'));
  },
};
