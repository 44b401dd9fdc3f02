/**
 * `retryOnDeadlock`: a transaction the database aborted to break a deadlock (PostgreSQL
 * 40P01, MySQL/MariaDB 1213) runs again, up to the attempts given; any other error, or the
 * last attempt's deadlock, reaches the caller unchanged.
 */
import t from 'tap';
import { isDeadlock, retryOnDeadlock } from '../../../core/plugin/index.js';

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
