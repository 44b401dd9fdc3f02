/**
 * Per-plugin migrations. Core counts as one plugin. Migrations run in plugin dependency
 * order and are recorded per plugin in `<prefix>migrations`, so enabling a plugin later
 * or removing one never confuses another plugin's history.
 */
import type { Knex } from 'knex';
import type { Database } from './database.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Migration, MigrationContext } from '../plugin/migration.js';

export type { Migration, MigrationContext } from '../plugin/migration.js';

/** A plugin's migrations, in run order. */
export interface PluginMigrations {
  plugin: string;
  migrations: readonly Migration[];
}

/** A row of the migration record. */
export interface AppliedMigration {
  plugin: string;
  name: string;
  batch: number;
}

/** Runs and reverts per-plugin migrations. */
export class Migrator {
  private readonly recordTable: string;

  constructor(
    private readonly db: Database,
    private readonly secrets?: SecretBox,
  ) {
    this.recordTable = db.table('migrations');
  }

  private async ensureRecordTable(): Promise<void> {
    const exists = await this.db.knex.schema.hasTable(this.recordTable);
    if (exists) return;
    await this.db.knex.schema.createTable(this.recordTable, (t) => {
      t.string('plugin', 64).notNullable();
      t.string('name', 128).notNullable();
      t.integer('batch').notNullable();
      t.bigInteger('migrated_at').notNullable();
      t.primary(['plugin', 'name']);
    });
  }

  /** Migrations already applied, oldest first. */
  async applied(): Promise<AppliedMigration[]> {
    await this.ensureRecordTable();
    const rows = await this.db.rows('migrations').select('plugin', 'name', 'batch').orderBy([{ column: 'batch' }, { column: 'migrated_at' }, { column: 'name' }]);
    return rows.map((r) => ({ plugin: r.plugin, name: r.name, batch: Number(r.batch) }));
  }

  /** Migrations not applied yet, in run order. */
  async pending(plugins: readonly PluginMigrations[]): Promise<Array<{ plugin: string; migration: Migration }>> {
    const done = new Set((await this.applied()).map((m) => `${m.plugin}/${m.name}`));
    return plugins.flatMap((p) => p.migrations.filter((m) => !done.has(`${p.plugin}/${m.name}`)).map((migration) => ({ plugin: p.plugin, migration })));
  }

  /** Applies every pending migration as one batch; returns what ran. */
  async latest(plugins: readonly PluginMigrations[]): Promise<string[]> {
    const todo = await this.pending(plugins);
    if (todo.length === 0) return [];
    const batch = (await this.maxBatch()) + 1;
    const ran: string[] = [];
    // Strictly increasing within the batch: two migrations recorded in the same millisecond
    // would otherwise be ordered by name (`notes/001` before `core/017`), and rolled back so.
    let recordedAt = 0;
    for (const { plugin, migration } of todo) {
      recordedAt = Math.max(Date.now(), recordedAt + 1);
      const migratedAt = recordedAt;
      await this.inTransaction(async (knex) => {
        await migration.up(this.context(knex));
        await this.db.rows('migrations', knex).insert({ plugin, name: migration.name, batch, migrated_at: migratedAt });
      });
      ran.push(`${plugin}/${migration.name}`);
    }
    return ran;
  }

  /**
   * Reverts the last batch (or everything with `all`), newest first. Migrations whose
   * plugin is no longer installed cannot be reverted and are reported as an error.
   */
  async rollback(plugins: readonly PluginMigrations[], options: { all?: boolean } = {}): Promise<string[]> {
    const applied = await this.applied();
    if (applied.length === 0) return [];
    const last = Math.max(...applied.map((m) => m.batch));
    const toRevert = applied.filter((m) => options.all || m.batch === last).reverse();
    const byKey = new Map(plugins.flatMap((p) => p.migrations.map((m) => [`${p.plugin}/${m.name}`, m] as const)));
    const reverted: string[] = [];
    for (const row of toRevert) {
      const migration = byKey.get(`${row.plugin}/${row.name}`);
      if (!migration) throw new Error(`cannot revert ${row.plugin}/${row.name}: the plugin that owns it is not installed`);
      await this.inTransaction(async (knex) => {
        await migration.down(this.context(knex));
        await this.db.rows('migrations', knex).where({ plugin: row.plugin, name: row.name }).delete();
      });
      reverted.push(`${row.plugin}/${row.name}`);
    }
    return reverted;
  }

  private async maxBatch(): Promise<number> {
    const row = await this.db.rows('migrations').max({ max: 'batch' }).first();
    return Number(row?.max ?? 0);
  }

  private context(knex: Knex): MigrationContext {
    return { knex, dialect: this.db.dialect, prefix: this.db.prefix, table: (name) => this.db.table(name), ...(this.secrets && { secrets: this.secrets }) };
  }

  // MySQL commits DDL implicitly, so a transaction would only pretend; there a failed
  // migration leaves its partial work and the record says it did not run.
  private async inTransaction(work: (knex: Knex) => Promise<void>): Promise<void> {
    if (this.db.dialect === 'mysql') return work(this.db.knex);
    await this.db.knex.transaction(async (trx) => work(trx));
  }
}
