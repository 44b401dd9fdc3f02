/**
 * A fresh, empty database for one test file, on the dialect chosen by
 * `PEYVAND_TEST_DB` (`sqlite` default, `postgres`, `mysql`). Each call creates its own
 * database and drops it afterwards; tests never depend on leftovers.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { connect, type Dialect } from '../../core/db/connect.js';

/** The dialect this test run targets. */
export function testDialect(): Dialect {
  const wanted = (process.env.PEYVAND_TEST_DB ?? 'sqlite').toLowerCase();
  if (wanted === 'sqlite' || wanted === 'postgres' || wanted === 'mysql') return wanted;
  throw new Error(`PEYVAND_TEST_DB must be sqlite, postgres or mysql, not "${wanted}"`);
}

const PG_ADMIN = process.env.PEYVAND_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MY_ADMIN = process.env.PEYVAND_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** A throwaway database: its URL, and a function that drops it. */
export interface TestDatabase {
  url: string;
  dialect: Dialect;
  drop(): Promise<void>;
}

/** Creates an empty database for one test file. */
export async function createTestDatabase(dialect: Dialect = testDialect()): Promise<TestDatabase> {
  const name = `peyvand_t_${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-test-'));
    return {
      url: `sqlite:${path.join(dir, 'db.sqlite')}`,
      dialect,
      async drop() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = dialect === 'postgres' ? PG_ADMIN : MY_ADMIN;
  const admin = connect(adminUrl);
  try {
    await admin.raw(dialect === 'postgres' ? `create database ${name}` : `create database ${name} character set utf8mb4 collate utf8mb4_unicode_ci`);
  } catch (err) {
    await admin.destroy();
    throw new Error(`cannot create a ${dialect} test database at ${adminUrl}: ${(err as Error).message}`, { cause: err });
  }
  await admin.destroy();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    dialect,
    async drop() {
      const again = connect(adminUrl);
      try {
        if (dialect === 'postgres') await again.raw(`drop database if exists ${name} with (force)`);
        else await again.raw(`drop database if exists ${name}`);
      } finally {
        await again.destroy();
      }
    },
  };
}

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
