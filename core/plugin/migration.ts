/** The migration contract: what a plugin's `migrations` entries are and what they receive. */
import type { Knex } from 'knex';
import type { Dialect } from './sql.js';
import type { SecretBox } from './services.js';

/** What a migration's `up`/`down` receives. */
export interface MigrationContext {
  /** The transaction (or the connection, on MySQL where DDL is not transactional). */
  knex: Knex;
  dialect: Dialect;
  prefix: string;
  /** Prefixed table name. */
  table(name: string): string;
  /**
   * The box keyed by `PEYVAND_SECRET`, for a migration that must read sealed values
   * (the kernel's migrator has it; one built without it leaves it undefined).
   */
  secrets?: SecretBox;
}

/** One migration step. Names sort in the order they run (`001_customers`). */
export interface Migration {
  name: string;
  up(ctx: MigrationContext): Promise<void>;
  down(ctx: MigrationContext): Promise<void>;
}
