/**
 * Optional DKIM signing per account: `dkim` holds the public part (`{domain, selector}` as
 * JSON) and `dkim_private_key` the private key sealed with `PEYVAND_SECRET`, like the
 * account's passwords. Both null when the account does not sign.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const dkimMigration: Migration = {
  name: '003_dkim',
  async up({ knex, table }) {
    await knex.schema.alterTable(table('email_accounts'), (t) => {
      t.text('dkim');
      t.text('dkim_private_key');
    });
  },
  async down({ knex, table }) {
    await knex.schema.alterTable(table('email_accounts'), (t) => {
      t.dropColumn('dkim');
      t.dropColumn('dkim_private_key');
    });
  },
};
