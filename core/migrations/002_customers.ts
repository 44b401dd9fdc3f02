/** The customer registry: customers, their tags, identities for dedup, external refs, timeline and search index. */
import type { Migration } from '../db/migrator.js';
import { searchIndexFor } from '../customers/search-index/index.js';

export const customersMigration: Migration = {
  name: '002_customers',
  async up({ knex, table, dialect, prefix }) {
    const longText = (t: { text(name: string, type?: string): unknown }, name: string) => t.text(name, dialect === 'mysql' ? 'mediumtext' : undefined);
    await knex.schema.createTable(table('customers'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable().references('id').inTable(table('tenants')).onDelete('CASCADE');
      t.string('kind', 16).notNullable();
      t.string('name', 300).notNullable();
      t.string('given_name', 200);
      t.string('family_name', 200);
      t.string('organization_id', 36);
      longText(t, 'emails');
      longText(t, 'phones');
      longText(t, 'addresses');
      longText(t, 'tags');
      longText(t, 'custom_fields');
      longText(t, 'external_refs');
      t.string('locale', 8);
      t.string('owner_id', 200);
      t.string('team_id', 200);
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      // Cursor pagination walks (tenant_id, id); UUIDv7 ids make that creation order.
      t.index(['tenant_id', 'id']);
      t.index(['tenant_id', 'owner_id', 'id']);
      t.index(['tenant_id', 'team_id', 'id']);
      t.index(['tenant_id', 'organization_id']);
    });
    await knex.schema.createTable(table('customer_tags'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('tag', 100).notNullable();
      t.string('customer_id', 36).notNullable().references('id').inTable(table('customers')).onDelete('CASCADE');
      t.primary(['tenant_id', 'tag', 'customer_id']);
      t.index(['customer_id']);
    });
    // Normalized emails, phones and names: the keys duplicate detection matches on.
    await knex.schema.createTable(table('customer_identities'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('kind', 8).notNullable();
      t.string('value', 190).notNullable();
      t.string('customer_id', 36).notNullable().references('id').inTable(table('customers')).onDelete('CASCADE');
      t.primary(['tenant_id', 'kind', 'value', 'customer_id']);
      t.index(['customer_id']);
    });
    await knex.schema.createTable(table('customer_refs'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('source', 64).notNullable();
      t.string('external_id', 128).notNullable();
      t.string('customer_id', 36).notNullable().references('id').inTable(table('customers')).onDelete('CASCADE');
      t.primary(['tenant_id', 'source', 'external_id']);
      t.index(['customer_id']);
    });
    await knex.schema.createTable(table('timeline'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36).notNullable().references('id').inTable(table('customers')).onDelete('CASCADE');
      t.string('channel', 16).notNullable();
      t.string('direction', 8);
      t.text('summary').notNullable();
      t.bigInteger('occurred_at').notNullable();
      t.string('actor', 200);
      t.string('source', 64).notNullable();
      t.bigInteger('created_at').notNullable();
      t.index(['tenant_id', 'customer_id', 'occurred_at', 'id']);
    });
    await searchIndexFor(dialect).up(knex, prefix);
  },
  async down({ knex, table, dialect, prefix }) {
    await searchIndexFor(dialect).down(knex, prefix);
    for (const name of ['timeline', 'customer_refs', 'customer_identities', 'customer_tags', 'customers']) {
      await knex.schema.dropTableIfExists(table(name));
    }
  },
};
