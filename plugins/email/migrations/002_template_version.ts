/**
 * A version on email templates, as accounts already have: `PATCH …/templates/{id}` honours
 * `If-Match` (412 on a stale version) like every other update. Existing templates start at 1.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const templateVersionMigration: Migration = {
  name: '002_template_version',
  async up({ knex, table }) {
    await knex.schema.alterTable(table('email_templates'), (t) => {
      t.integer('version').notNullable().defaultTo(1);
    });
  },
  async down({ knex, table }) {
    await knex.schema.alterTable(table('email_templates'), (t) => {
      t.dropColumn('version');
    });
  },
};
