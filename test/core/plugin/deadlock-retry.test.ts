/**
 * `retryOnDeadlock`: a transaction the database refused for a concurrent one (a deadlock
 * victim, PostgreSQL 40P01 / MySQL-MariaDB 1213; a PostgreSQL serialization failure 40001;
 * a MariaDB lock wait timeout 1205) runs again after a short jittered wait, up to the
 * attempts given (5 by default); any other error, or the last attempt's, reaches the caller
 * unchanged — and the HTTP layer classifies that one as a busy database.
 */
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { isBusyConflict, isDeadlock, retryOnDeadlock } from '../../../core/plugin/index.js';
import { databaseFault } from '../../../core/db/faults.js';

const deadlock = (dialect: 'postgres' | 'mysql') => Object.assign(new Error('deadlock detected'), dialect === 'postgres' ? { code: '40P01' } : { code: 'ER_LOCK_DEADLOCK', errno: 1213 });

t.test('a deadlock victim runs again and its result is returned', async (t) => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    let runs = 0;
    const result = await retryOnDeadlock(async () => {
      runs++;
      if (runs < 3) throw deadlock(dialect);
      return 'committed';
    });
    t.equal(result, 'committed', dialect);
    t.equal(runs, 3, `${dialect}: two victims, then the third attempt`);
  }
});

t.test('other errors are not retried; the last deadlock is thrown', async (t) => {
  let runs = 0;
  const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
  await t.rejects(retryOnDeadlock(async () => {
    runs++;
    throw unique;
  }), unique);
  t.equal(runs, 1, 'a unique violation is the caller’s to handle');
  runs = 0;
  await t.rejects(retryOnDeadlock(async () => {
    runs++;
    throw deadlock('postgres');
  }, 2), { code: '40P01' });
  t.equal(runs, 2, 'no more than the attempts given');
  t.notOk(isDeadlock(new Error('timeout')));
  t.notOk(isDeadlock(undefined));
});

const coded = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra });
const conflicts = [
  ['PostgreSQL deadlock', coded('40P01')],
  ['PostgreSQL serialization failure', coded('40001')],
  ['PostgreSQL lock_timeout', coded('55P03')],
  ['MariaDB deadlock', coded('ER_LOCK_DEADLOCK', { errno: 1213 })],
  ['MariaDB lock wait timeout', coded('ER_LOCK_WAIT_TIMEOUT', { errno: 1205 })],
] as const;

t.test('serialization failures and lock wait timeouts are retried too; a busy conflict is one through a wrapper', async (t) => {
  for (const [name, error] of conflicts) {
    let runs = 0;
    t.equal(await retryOnDeadlock(async () => (++runs < 2 ? Promise.reject(error) : runs)), 2, `${name}: run again`);
    t.ok(isBusyConflict(error), name);
    t.ok(isBusyConflict(new Error('wrapped', { cause: error })), `${name}, as a cause`);
    t.ok(isBusyConflict(Object.assign(new Error('DBError'), { nativeError: error })), `${name}, as objection's nativeError`);
  }
  for (const other of [coded('23505'), coded('57P01'), coded('SQLITE_BUSY'), new Error('timeout'), undefined, null, 'deadlock']) t.notOk(isBusyConflict(other), `not a busy conflict: ${String((other as { code?: string } | null)?.code ?? other)}`);
});

t.test('five attempts by default, with short growing waits between them, then the last error', async (t) => {
  let runs = 0;
  const at: number[] = [];
  const error = coded('40P01');
  await t.rejects(retryOnDeadlock(async () => {
    runs++;
    at.push(performance.now());
    throw error;
  }), error);
  t.equal(runs, 5, 'five attempts');
  const waits = at.slice(1).map((x, i) => x - at[i]!);
  // From 15 ms doubling, jittered ±50 %: at least 7.5, 15, 30, 60 ms (timers may fire late, never early by more than a ms).
  t.ok(waits.every((w, i) => w >= 7.5 * 2 ** i - 1), `waits grow from about 15 ms: ${waits.map(Math.round).join(', ')} ms`);
  t.ok(at.at(-1)! - at[0]! < 2000, 'and stay short');
});

t.test('at the HTTP layer each dialect’s busy error is a busy database (503 DATABASE_BUSY), not a crash', async (t) => {
  for (const [name, error] of conflicts) t.equal(databaseFault(error), 'busy', name);
  t.equal(databaseFault(coded('SQLITE_BUSY')), 'busy', 'SQLite: another process held the write lock past busy_timeout');
  t.equal(databaseFault(coded('SQLITE_BUSY_SNAPSHOT')), 'busy', 'SQLite: a stale read snapshot could not write');
  t.equal(databaseFault(coded('23505')), undefined, 'a unique violation is not');
});
