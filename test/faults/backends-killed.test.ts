/**
 * The database server drops the application's connections under load: PostgreSQL's
 * `pg_terminate_backend` and MariaDB's `KILL` on every connection of `peyvand serve`,
 * again and again, while concurrent creates go on. A request in flight either succeeds
 * or answers 503 `DATABASE_UNAVAILABLE` problem+json with `Retry-After` (never a 500 or a
 * dropped socket); the pool recovers without a restart; every 201 is in the database with
 * its outbox event and audit row.
 *
 * CI runs this file with PEYVAND_TEST_DB=postgres and =mysql. On SQLite (`npm test`) there
 * is no server to lose: it checks that each dialect's lost-connection and disk-full errors
 * map to their fault, which is what the server answers on.
 */
import t from 'tap';
import type { Knex } from 'knex';
import { connect } from '../../core/db/connect.js';
import { databaseFault } from '../../core/db/faults.js';
import { createTestDatabase, testDialect } from '../helpers/database.js';
import { acknowledgedButMissing, loggedErrors, newWriteLog, serverEnv, startServer, tenantKey, waitFor, writeConcurrently, checkWritesResume } from './fault-harness.js';

t.setTimeout(120_000);
const dialect = testDialect();
/** Rounds of kills; each waits for ten answers before the next. */
const ROUNDS = 8;

/** Ends every other connection to the test database; returns how many it ended. */
async function killConnections(admin: Knex): Promise<number> {
  if (dialect === 'postgres') {
    const result = await admin.raw('select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    return (result.rows as Array<{ ended: boolean }>).filter((r) => r.ended).length;
  }
  const [rows] = (await admin.raw('select id from information_schema.processlist where db = database() and id <> connection_id()')) as [Array<{ id: number }>];
  let ended = 0;
  for (const { id } of rows) {
    // A connection may close by itself between the listing and the KILL.
    await admin.raw(`kill ${Number(id)}`).then(() => ended++, () => undefined);
  }
  return ended;
}

if (dialect === 'sqlite') {
  t.test('each dialect’s lost connection and full disk map to their fault', async (t) => {
    const coded = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`driver said ${code}`), { code, ...extra });
    t.equal(databaseFault(coded('57P01')), 'unavailable', 'PostgreSQL: terminated by an administrator');
    t.equal(databaseFault(new Error('Connection terminated unexpectedly')), 'unavailable', 'node-postgres: socket closed mid-query');
    t.equal(databaseFault(coded('PROTOCOL_CONNECTION_LOST')), 'unavailable', 'mysql2: connection lost');
    t.equal(databaseFault(coded('ER_CONNECTION_KILLED', { errno: 1927 })), 'unavailable', 'MariaDB: connection killed');
    t.equal(databaseFault(Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' })), 'unavailable', 'knex: no connection in time');
    t.equal(databaseFault(coded('SQLITE_FULL')), 'storage-full', 'SQLite: disk full');
    t.equal(databaseFault(coded('53100')), 'storage-full', 'PostgreSQL: disk full');
    t.equal(databaseFault(coded('ER_RECORD_FILE_FULL', { errno: 1114 })), 'storage-full', 'MariaDB: table full');
    t.equal(databaseFault(new Error('wrapped', { cause: coded('57P01') })), 'unavailable', 'through a wrapping error’s cause');
    t.equal(databaseFault(Object.assign(new Error('BEGIN; - read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' })), 'unavailable', 'a socket reset under a query');
    t.equal(databaseFault(new TypeError('fetch failed', { cause: coded('ECONNRESET') })), undefined, 'a reset outside a database driver (an ERP call) is not a database fault');
    t.equal(databaseFault(coded('23505')), undefined, 'a unique violation is not a fault');
  });
} else {
  t.test(`${dialect} connections killed under load: clean answers, recovery, nothing acknowledged lost`, async (t) => {
    const db = await createTestDatabase();
    const server = await startServer(serverEnv(db.url), process.cwd());
    const admin = connect(db.url);
    t.teardown(async () => {
      await admin.destroy();
      if (server.child.exitCode === null) await server.kill();
      await db.drop();
    });
    const errors = loggedErrors(server);
    const key = await tenantKey(server, 'killed');
    const log = newWriteLog();
    let stop = false;
    const writing = writeConcurrently(server.url, key, 6, 'killed', log, () => stop);
    t.ok(await waitFor(() => log.created.length >= 20, 20_000), 'writes flow before the kills');

    let ended = 0;
    for (let round = 0; round < ROUNDS; round++) {
      ended += await killConnections(admin);
      // Let the pool reconnect and some writes through before the next round.
      const before = log.created.length + log.refused.length;
      await waitFor(() => log.created.length + log.refused.length >= before + 10, 5_000);
    }
    stop = true;
    await writing;
    t.comment(`${ended} connections killed; ${log.created.length} creates acknowledged, ${log.refused.length} refused, ${log.noAnswer} without an answer`);
    t.ok(ended >= ROUNDS, 'the app’s connections were killed in every round');
    t.ok(log.refused.length > 0, 'kills cut requests in flight');

    t.equal(log.noAnswer, 0, 'every request got an answer (the server did not drop a socket or die)');
    if (!t.same([...new Set(log.refused.map((r) => r.status))], [503], 'every failure is 503 (no 500)')) t.comment(`500s: ${log.refused.filter((r) => r.status !== 503).map((r) => errors.get(String(r.body.requestId)) ?? JSON.stringify(r.body)).join('\n')}`);
    t.ok(log.refused.every((r) => r.contentType.startsWith('application/problem+json') && r.body.code === 'DATABASE_UNAVAILABLE'), 'as problem+json DATABASE_UNAVAILABLE');
    t.ok(log.refused.every((r) => r.retryAfter === '1'), 'with a Retry-After hint');
    t.ok(log.refused.every((r) => !('stack' in r.body) && !/terminat|node_modules|ECONN/.test(JSON.stringify(r.body))), 'without the driver’s message or a stack');
    t.ok(new Set(log.refused.map((r) => r.body.title)).size >= 1, 'titled');

    // The pool recovers: later requests succeed, on the same process.
    const all = [...log.created, ...(await checkWritesResume(t, server, key, 6))];
    t.same(await acknowledgedButMissing(admin, all), { customers: 0, events: 0, audit: 0 }, 'every 201 is in the database with its outbox event and audit row');
  });
}
