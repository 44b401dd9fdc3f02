/**
 * The permission catalog: every permission any installed plugin has declared, with when
 * this deployment first saw it. A plugin upgrade that declares a new permission adds a row
 * at boot; a stored role edited before that time has not been asked about it, so the
 * permission is pending review for that role (`GET /api/v1/roles/pending-permissions`).
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 012: the permission catalog. */
export const permissionCatalogMigration: Migration = {
  name: '012_permission_catalog',
  async up({ knex, table }) {
    await knex.schema.createTable(table('permission_catalog'), (t) => {
      t.string('name', 100).primary();
      t.string('plugin', 64).notNullable();
      t.bigInteger('first_seen_at').notNullable();
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('permission_catalog'));
  },
};
