/**
 * A fresh, empty database for one test file, on the dialect chosen by
 * `PEYVAND_TEST_DB` (`sqlite` default, `postgres`, `mysql`). Each call creates its own
 * database and drops it afterwards; tests never depend on leftovers (`core/testing/database.ts`).
 */
import knexFactory, { type Knex } from 'knex';
import { connect, type Dialect } from '../../core/db/connect.js';
import { createTestDatabase } from '../../core/testing/index.js';

// The database itself is `peyvand/testing`'s, the one plugin authors use.
export { createTestDatabase, testDialect, type TestDatabase } from '../../core/testing/index.js';

/** A knex instance on a fresh database, destroyed and dropped in teardown. */
export async function freshKnex(t: { teardown(fn: () => Promise<void> | void): void }): Promise<{ knex: Knex; dialect: Dialect; url: string }> {
  const db = await createTestDatabase();
  const knex = connect(db.url);
  t.teardown(async () => {
    await knex.destroy();
    await db.drop();
  });
  return { knex, dialect: db.dialect, url: db.url };
}

export { knexFactory };
