/**
 * The origin index (`tenancy/tenant-origins.ts`): one row per tenant and origin it allows,
 * filled from the embed configurations saved so far. Those are sealed, so this migration
 * needs `PEYVAND_SECRET` (the kernel's migrator has it: `peyvand migrate` and every boot).
 * Every config is opened before the table is created: a wrong secret fails the migration
 * before any change, also on MySQL, where DDL commits at once and could not be undone.
 */
import type { Knex } from 'knex';
import type { Migration, MigrationContext } from '../db/migrator.js';
import { insertMany } from '../db/database.js';
import type { EmbedConfig } from '../auth/host-token.js';
import { MAX_ORIGIN_LENGTH, originRows } from '../tenancy/tenant-origins.js';

const PAGE = 500;

/** The origin rows of every tenant with an embed config; throws when one cannot be opened. */
async function savedOrigins({ knex, table, secrets }: MigrationContext): Promise<Array<{ origin: string; tenant_id: string }>> {
  const rows: Array<{ origin: string; tenant_id: string }> = [];
  // Keyset over ids: each page is one index range, however many tenants there are.
  for (let after = ''; ; ) {
    const page: Array<{ id: string; slug: string; embed_config: string }> = await knex(table('tenants'))
      .whereNotNull('embed_config')
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .select('id', 'slug', 'embed_config');
    if (page.length === 0) return rows;
    if (!secrets) throw new Error('migration 007_tenant_origins needs PEYVAND_SECRET to read the saved embed configurations: run it through `peyvand migrate` or a booting Peyvand');
    for (const tenant of page) {
      let config: EmbedConfig;
      try {
        config = JSON.parse(secrets.open(String(tenant.embed_config))) as EmbedConfig;
      } catch (err) {
        throw new Error(`migration 007_tenant_origins cannot open the embed configuration of tenant "${tenant.slug}": is PEYVAND_SECRET the one it was saved under? (If that secret is lost, set the tenant's embed_config to NULL and configure it again.)`, { cause: err });
      }
      rows.push(...originRows(String(tenant.id), Array.isArray(config.allowedOrigins) ? config.allowedOrigins : []));
    }
    after = String(page[page.length - 1]!.id);
  }
}

async function createTable(knex: Knex, table: (name: string) => string): Promise<void> {
  await knex.schema.createTable(table('tenant_origins'), (t) => {
    t.string('origin', MAX_ORIGIN_LENGTH).notNullable();
    t.string('tenant_id', 36).notNullable().references('id').inTable(table('tenants')).onDelete('CASCADE');
    // Origin first: the primary key is the lookup index. Several tenants may share an origin
    // (one ERP domain serving many client companies).
    t.primary(['origin', 'tenant_id']);
    // Saving a config replaces the tenant's rows.
    t.index(['tenant_id']);
  });
}

/** Core migration 007: the tenant origin index, backfilled from the saved embed configs. */
export const tenantOriginsMigration: Migration = {
  name: '007_tenant_origins',
  async up(ctx) {
    const rows = await savedOrigins(ctx);
    await createTable(ctx.knex, ctx.table);
    await insertMany(ctx.knex, ctx.table('tenant_origins'), rows);
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('tenant_origins'));
  },
};
