/**
 * The directory of people (`people/directory.ts`): one row per tenant and subject seen —
 * a host user by the `name` claim of its token, an API key by its name — so widgets and
 * reports show «سارا رحیمی», not `erp-user-1001` or `apikey:0190…`.
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 008: the people directory. */
export const peopleMigration: Migration = {
  name: '011_people',
  async up({ knex, table }) {
    await knex.schema.createTable(table('people'), (t) => {
      t.string('tenant_id', 36).notNullable().references('id').inTable(table('tenants')).onDelete('CASCADE');
      t.string('subject', 200).notNullable();
      t.string('name', 300).notNullable();
      t.string('kind', 20).notNullable();
      t.bigInteger('updated_at').notNullable();
      t.primary(['tenant_id', 'subject']);
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('people'));
  },
};
