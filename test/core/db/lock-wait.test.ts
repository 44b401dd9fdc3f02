/**
 * A transaction left holding a customer's row (an ERP script, a console session) must not
 * hold the requests behind it for ever: every pooled connection bounds its lock waits
 * (`lockWaitMs`; PostgreSQL waited without limit, MariaDB 50 s), and the write that waited
 * answers 503 `DATABASE_BUSY` in the reader's language, changes nothing, and goes through
 * once the lock is gone.
 */
import t from 'tap';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { connect } from '../../../core/db/connect.js';

const LOCK_WAIT_MS = 1_000;
const p = await bootPeyvand(t, { lockWaitMs: LOCK_WAIT_MS });
const acme = await p.tenant('acme', { locale: 'fa' });
const admin = await acme.key('admin');
// Another client of the same database, as the ERP's own scripts are.
const other = connect(p.databaseUrl);
t.teardown(() => other.destroy());

const patch = (id: string, name: string) => p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${id}`, payload: { name } });

t.test('a write behind a held lock answers 503 within the bound, and succeeds once it is released', async (t) => {
  const created = await p.call(admin, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'سارا احمدی' } });
  t.equal(created.statusCode, 201);
  const id = created.json<{ id: string }>().id;

  const holder = await other.transaction();
  // Locks the row (PostgreSQL, MariaDB) or the file's write lock (SQLite) until rollback.
  if (p.dialect === 'sqlite') await holder('crm_customers').where({ id }).update({ name: 'سارا احمدی' });
  else await holder('crm_customers').where({ id }).forUpdate().first('id');

  const started = performance.now();
  const refused = await patch(id, 'سارا رضایی');
  const waited = performance.now() - started;
  t.equal(refused.statusCode, 503, refused.body);
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  t.equal(refused.headers['retry-after'], '1');
  t.match(refused.json(), { code: 'DATABASE_BUSY', status: 503 });
  t.match(refused.json<{ title: string }>().title, /[\u0600-\u06FF]/, 'in the tenant\'s language (fa)');
  // SQLite refuses at once: the write's transaction has read already, and SQLite does not
  // wait on another connection's write lock where waiting could deadlock (its busy handler
  // only runs for a transaction that holds nothing yet).
  if (p.dialect !== 'sqlite') t.ok(waited >= LOCK_WAIT_MS * 0.9, `waited for the lock first (${Math.round(waited)} ms)`);
  t.ok(waited < LOCK_WAIT_MS * 8, `but not without bound (${Math.round(waited)} ms)`);

  await holder.rollback();
  const read = await p.call(admin, { method: 'GET', url: `/api/v1/customers/${id}` });
  t.match(read.json(), { name: 'سارا احمدی', version: 1 }, 'the refused write changed nothing');

  const accepted = await patch(id, 'سارا رضایی');
  t.equal(accepted.statusCode, 200, accepted.body);
  t.match(accepted.json(), { name: 'سارا رضایی', version: 2 });
});
