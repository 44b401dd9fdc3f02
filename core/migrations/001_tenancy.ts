/** Tenants, per-tenant plugin switches, API keys, roles, idempotency records and the audit log. */
import type { Migration } from '../db/migrator.js';

export const tenancyMigration: Migration = {
  name: '001_tenancy',
  async up({ knex, table }) {
    await knex.schema.createTable(table('tenants'), (t) => {
      t.string('id', 36).primary();
      t.string('slug', 64).notNullable().unique();
      t.string('name', 200).notNullable();
      t.string('locale', 8).notNullable();
      t.string('time_zone', 64).notNullable();
      t.text('settings').notNullable();
      // AES-256-GCM sealed JSON: HS256 secret, JWKS URL, algorithms, allowed origins.
      t.text('embed_config');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await knex.schema.createTable(table('tenant_plugins'), (t) => {
      t.string('tenant_id', 36).notNullable().references('id').inTable(table('tenants')).onDelete('CASCADE');
      t.string('plugin', 64).notNullable();
      t.boolean('enabled').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.primary(['tenant_id', 'plugin']);
    });
    await knex.schema.createTable(table('api_keys'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable().references('id').inTable(table('tenants')).onDelete('CASCADE');
      t.string('key_id', 32).notNullable().unique();
      t.string('secret_hash', 64).notNullable();
      t.string('name', 200).notNullable();
      t.string('role', 64).notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('revoked_at');
      t.index(['tenant_id']);
    });
    await knex.schema.createTable(table('roles'), (t) => {
      t.string('tenant_id', 36).notNullable().references('id').inTable(table('tenants')).onDelete('CASCADE');
      t.string('name', 64).notNullable();
      t.text('permissions').notNullable();
      t.text('scopes').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.primary(['tenant_id', 'name']);
    });
    await knex.schema.createTable(table('idempotency_keys'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('principal', 128).notNullable();
      t.string('idem_key', 200).notNullable();
      t.string('request_hash', 64).notNullable();
      t.integer('status_code');
      t.text('response_body');
      t.string('content_type', 100);
      t.bigInteger('created_at').notNullable();
      t.primary(['tenant_id', 'principal', 'idem_key']);
      t.index(['created_at']);
    });
    await knex.schema.createTable(table('audit_log'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('actor', 200).notNullable();
      t.string('actor_kind', 16).notNullable();
      t.string('action', 64).notNullable();
      t.string('entity_type', 64).notNullable();
      t.string('entity_id', 64).notNullable();
      t.text('before');
      t.text('after');
      t.string('request_id', 64);
      t.bigInteger('occurred_at').notNullable();
      t.index(['tenant_id', 'id']);
      t.index(['tenant_id', 'entity_type', 'entity_id', 'id']);
    });
  },
  async down({ knex, table }) {
    for (const name of ['audit_log', 'idempotency_keys', 'roles', 'api_keys', 'tenant_plugins', 'tenants']) {
      await knex.schema.dropTableIfExists(table(name));
    }
  },
};
