/**
 * A fresh, empty database for one test run, on the dialect chosen by `PEYVAND_TEST_DB`
 * (`sqlite` default, `postgres`, `mysql`). Each call creates its own database and drops it
 * afterwards, so a test never depends on leftovers.
 *
 * @module
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect, type Dialect } from '../db/connect.js';

/** The dialect a test run targets: `PEYVAND_TEST_DB` (`sqlite`, `postgres`, `mysql`), default `sqlite`. */
export function testDialect(env: NodeJS.ProcessEnv = process.env): Dialect {
  const wanted = (env.PEYVAND_TEST_DB ?? 'sqlite').toLowerCase();
  if (wanted === 'sqlite' || wanted === 'postgres' || wanted === 'mysql') return wanted;
  throw new Error(`PEYVAND_TEST_DB must be sqlite, postgres or mysql, not "${wanted}"`);
}

/** Server URLs a test database is created on (override with `PEYVAND_TEST_PG_URL` / `PEYVAND_TEST_MYSQL_URL`). */
function adminUrlOf(dialect: 'postgres' | 'mysql'): string {
  return dialect === 'postgres'
    ? (process.env.PEYVAND_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
    : (process.env.PEYVAND_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
}

/** A throwaway database: its URL, and a function that drops it. */
export interface TestDatabase {
  url: string;
  dialect: Dialect;
  /** Drops the database (SQLite: deletes its folder). */
  drop(): Promise<void>;
}

/**
 * Creates an empty database: a SQLite file in a new temporary folder, or a new database on
 * the PostgreSQL / MariaDB server of `PEYVAND_TEST_PG_URL` / `PEYVAND_TEST_MYSQL_URL`.
 */
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
  const adminUrl = adminUrlOf(dialect);
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
