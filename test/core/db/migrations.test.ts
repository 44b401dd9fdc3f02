/**
 * Every migration, core's and a plugin's, runs up → down → up on this dialect, recorded
 * per plugin; the table prefix is honoured; rollback goes newest first.
 */
import t from 'tap';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { notesPlugin } from '../../fixtures/notes-plugin.js';
import { freshKnex } from '../../helpers/database.js';

const { knex, dialect } = await freshKnex(t);
const db = new Database(knex, 'erp_crm_');
const migrator = new Migrator(db);
const plugins = [
  { plugin: 'core', migrations: corePlugin.migrations ?? [] },
  { plugin: 'notes', migrations: notesPlugin().migrations ?? [] },
];

async function tables(): Promise<string[]> {
  const rows: Array<Record<string, string>> =
    dialect === 'sqlite'
      ? await knex.raw("select name from sqlite_master where type in ('table') and name like 'erp_crm_%' and name not like '%\\_data' escape '\\' and name not like '%\\_idx' escape '\\' and name not like '%\\_docsize' escape '\\' and name not like '%\\_config' escape '\\' and name not like '%\\_content' escape '\\'")
      : dialect === 'postgres'
        ? (await knex.raw("select table_name as name from information_schema.tables where table_schema = 'public' and table_name like 'erp_crm_%'")).rows
        : (await knex.raw("select table_name as name from information_schema.tables where table_schema = database() and table_name like 'erp_crm_%'"))[0];
  return rows.map((r) => String(r.name ?? r.NAME ?? r.TABLE_NAME)).sort();
}

t.test('up → down → up', async (t) => {
  const ran = await migrator.latest(plugins);
  t.same(ran, ['core/001_tenancy', 'core/002_customers', 'core/003_events', 'core/004_webhooks', 'core/005_dispatch_leases', 'core/006_customer_search_prefixes', 'core/007_tenant_origins', 'core/008_orders', 'core/009_imports', 'core/010_erp', 'core/011_people', 'core/012_permission_catalog', 'core/013_auth_epoch', 'core/014_erp_push', 'core/015_rate_limits', 'core/016_customer_search_terms', 'core/017_customer_search_short_heads', 'notes/001_notes'], 'core first, then the plugin, in order');
  const afterUp = await tables();
  for (const name of ['erp_crm_tenants', 'erp_crm_tenant_origins', 'erp_crm_people', 'erp_crm_customers', 'erp_crm_outbox', 'erp_crm_audit_log', 'erp_crm_notes_notes', 'erp_crm_rate_limit_counts', 'erp_crm_migrations']) t.ok(afterUp.includes(name), `${name} exists`);
  t.same(await migrator.latest(plugins), [], 'nothing left to run');
  t.same((await migrator.applied()).map((m) => `${m.plugin}/${m.name}`), ran, 'recorded per plugin');

  const reverted = await migrator.rollback(plugins, { all: true });
  t.same(reverted, [...ran].reverse(), 'newest first');
  t.same(await tables(), ['erp_crm_migrations'], 'down removes everything but the record');

  t.same(await migrator.latest(plugins), ran, 'up again');
  t.same(await tables(), afterUp, 'the same tables');
});

t.test('applied and rolled back in run order even when the clock does not move', async (t) => {
  await migrator.rollback(plugins, { all: true });
  const realNow = Date.now;
  const frozen = realNow();
  Date.now = () => frozen;
  let ran: string[];
  try {
    ran = await migrator.latest(plugins);
  } finally {
    Date.now = realNow;
  }
  t.same((await migrator.applied()).map((m) => `${m.plugin}/${m.name}`), ran, 'core/017 before notes/001, not by name');
  t.same(await migrator.rollback(plugins, { all: true }), [...ran].reverse(), 'newest first');
  await migrator.latest(plugins);
});

t.test('rollback takes the last batch only', async (t) => {
  await migrator.rollback(plugins, { all: true });
  await migrator.latest([plugins[0]!]);
  await migrator.latest(plugins);
  t.same(await migrator.rollback(plugins), ['notes/001_notes'], 'the plugin enabled later is its own batch');
  t.same((await migrator.pending(plugins)).map((p) => p.migration.name), ['001_notes']);
  await t.rejects(migrator.rollback([]), /not installed/, 'a migration whose plugin is gone cannot be reverted silently');
});
