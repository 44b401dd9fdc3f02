/**
 * The auth epoch (`auth/auth-epoch.ts`): one row whose number every change to who may do
 * what (an API key revoked, a role edited, a plugin switched, an embed configuration
 * saved) raises in the change's own transaction. Every node polls it and drops its
 * cached credentials, tenants and grants when it moved.
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 013: the auth epoch row. */
export const authEpochMigration: Migration = {
  name: '013_auth_epoch',
  async up({ knex, table }) {
    await knex.schema.createTable(table('auth_epoch'), (t) => {
      t.integer('id').primary();
      t.bigInteger('epoch').notNullable();
    });
    await knex(table('auth_epoch')).insert({ id: 1, epoch: 0 });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('auth_epoch'));
  },
};
