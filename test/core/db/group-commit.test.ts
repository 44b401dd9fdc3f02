/**
 * Group commit on SQLite (core/db/group-commit.ts): concurrent customer creates share one
 * COMMIT, each in a savepoint of its own, and the promises of a transaction of one's own
 * hold: a 201 only after the COMMIT, a failing member rolled back alone, a failed COMMIT
 * failing every member, a crash mid-group leaving nothing. Groups are made deterministic
 * by holding the single connection until every write has joined the waiting group.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Knex } from 'knex';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { createTestDatabase, freshKnex } from '../../helpers/database.js';
import { connect } from '../../../core/db/connect.js';
import { GroupCommit } from '../../../core/db/group-commit.js';

const p = await bootPeyvand(t);
const { kernel } = p.peyvand;
const acme = await p.tenant('acme');
const admin = await acme.key('admin');
const group = kernel.db.groupCommit;

const post = (payload: Record<string, unknown>) => p.call(admin, { method: 'POST', url: '/api/v1/customers', payload });
const count = async (table: string, where: Record<string, unknown>) => Number((await kernel.db.knex(kernel.db.table(table)).where(where).count({ n: '*' }).first())?.n);

/** Resolves once `condition` holds, checking at every turn of the event loop (no fixed sleep). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 30_000; !condition(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Holds the pool's one connection, starts `writes`, waits until `members` of them wait in
 * the group that forms behind it, then lets go: they all run in that one group.
 */
async function inOneGroup<T>(knex: Knex, gc: GroupCommit, members: number, writes: () => T): Promise<T> {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding = (): void => undefined;
  const acquired = new Promise<void>((resolve) => (holding = resolve));
  const holder = knex.transaction(async () => {
    holding();
    await held;
  });
  await acquired;
  const started = writes();
  await until(() => gc.waiting === members, `${members} writes wait in one group`);
  release();
  await holder;
  return started;
}

// Warm the credential and tenant caches: in the tests a request must reach its transaction
// without a query of its own on the held connection.
t.equal((await post({ kind: 'person', name: 'Warm-up' })).statusCode, 201);

if (!group) {
  t.not(kernel.db.dialect, 'sqlite', 'no group commit off SQLite: each write has its own transaction');
  t.test('concurrent creates on this dialect are each committed once', async (t) => {
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ kind: 'person', name: `Concurrent ${i}` })));
    t.same(replies.map((r) => r.statusCode), replies.map(() => 201));
    for (const r of replies) t.equal(await count('outbox', { aggregate_id: r.json().id, type: 'customer.created' }), 1);
  });
} else {
  t.test('concurrent creates share one COMMIT; each is there once with its audit entry and event', async (t) => {
    const N = 24;
    const before = { ...group.stats };
    const answered = await inOneGroup(kernel.db.knex, group, N, () => Promise.all(Array.from({ length: N }, (_, i) => post({ kind: 'person', name: `Grouped ${i}`, emails: [{ value: `grouped${i}@example.com` }] }))));
    t.same(answered.map((r) => r.statusCode), answered.map(() => 201), 'every create answered 201');
    t.equal(group.stats.groups - before.groups, 1, 'one shared transaction');
    t.equal(group.stats.members - before.members, N, `with all ${N} creates in it`);
    const ids = answered.map((r) => r.json().id as string);
    t.equal(new Set(ids).size, N, 'distinct customers');
    for (const [i, id] of ids.entries()) {
      t.equal(await count('customers', { id, tenant_id: acme.id, name: `Grouped ${i}` }), 1, `customer ${i} committed once`);
      t.equal(await count('audit_log', { entity_id: id, action: 'customer.create' }), 1, `customer ${i} has its audit entry`);
      t.equal(await count('outbox', { aggregate_id: id, type: 'customer.created' }), 1, `customer ${i} has its event`);
      t.equal(await count('customer_identities', { customer_id: id, kind: 'email' }), 1, `customer ${i} has its identity row`);
    }
    const read = await p.call(admin, { method: 'GET', url: `/api/v1/customers/${ids[N - 1]}` });
    t.equal(read.json().name, `Grouped ${N - 1}`, 'a read after the 201 sees the customer');
  });

  t.test('a failing member is rolled back alone; the others commit and answer 201', async (t) => {
    const taken = await post({ kind: 'person', name: 'Holder', externalRefs: [{ source: 'erp', id: 'GC-1' }] });
    t.equal(taken.statusCode, 201);
    const before = { ...group.stats };
    const writes = () => Promise.all([
      post({ kind: 'person', name: 'Before the duplicate' }),
      // Fails after its customer row and identities are written: the unique ref index refuses it.
      post({ kind: 'person', name: 'Duplicate ref', emails: [{ value: 'dup@example.com' }], externalRefs: [{ source: 'erp', id: 'GC-1' }] }),
      post({ kind: 'person', name: 'After the duplicate' }),
    ]);
    const [first, duplicate, last] = await inOneGroup(kernel.db.knex, group, 3, writes);
    t.equal(group.stats.groups - before.groups, 1, 'all three ran in one group');
    t.equal(duplicate!.statusCode, 409);
    t.equal(duplicate!.json().code, 'EXTERNAL_REF_TAKEN');
    t.equal(first!.statusCode, 201, 'the member before it commits');
    t.equal(last!.statusCode, 201, 'the member after it commits');
    t.equal(await count('customers', { tenant_id: acme.id, name: 'Duplicate ref' }), 0, 'no customer row of the failed member');
    t.equal(await count('customer_identities', { tenant_id: acme.id, value: 'dup@example.com' }), 0, 'no identity row of it');
    t.equal(await count('audit_log', { tenant_id: acme.id, action: 'customer.create' }) - (await count('customers', { tenant_id: acme.id })), 0, 'one audit entry per customer, none for the failed one');
    for (const r of [first!, last!]) t.equal(await count('outbox', { aggregate_id: r.json().id, type: 'customer.created' }), 1, `${r.json().name as string} has its event`);
  });

  t.test('search terms inserted at the group\'s end: members rolled back take theirs, a rewrite sees earlier members\' terms', async (t) => {
    const { search } = kernel.customers.store;
    const prefix = kernel.db.prefix;
    const entry = (customerId: string, word: string) => ({ tenantId: acme.id, customerId, fields: [[word]] });
    const found = async (word: string) => (await search.matching(kernel.db.knex, prefix, acme.id, [word])!).map((r: { customer_id: string }) => r.customer_id);
    const failed = (err: Error) => err.message;
    const before = { ...group.stats };
    const writes = () => Promise.all([
      kernel.db.transaction((trx) => search.putMany(trx, prefix, [entry('gc-fts-1', 'deferredalpha')], { isNew: true })),
      // Rewrites the first member's customer (its terms are still held back), then fails.
      kernel.db.transaction(async (trx) => {
        await search.put(trx, prefix, entry('gc-fts-1', 'deferredbeta'));
        throw new Error('rewrite rolled back');
      }).catch(failed),
      kernel.db.transaction(async (trx) => {
        await search.putMany(trx, prefix, [entry('gc-fts-2', 'deferredgamma')], { isNew: true });
        throw new Error('create rolled back');
      }).catch(failed),
      // Indexes then removes its own customer within the member.
      kernel.db.transaction(async (trx) => {
        await search.putMany(trx, prefix, [entry('gc-fts-3', 'deferreddelta')], { isNew: true });
        await search.remove(trx, prefix, acme.id, 'gc-fts-3');
      }),
      kernel.db.transaction((trx) => search.putMany(trx, prefix, [entry('gc-fts-4', 'deferredepsilon')], { isNew: true })),
    ]);
    const [, rewrite, create] = await inOneGroup(kernel.db.knex, group, 5, writes);
    t.equal(group.stats.groups - before.groups, 1, 'all five ran in one group');
    t.equal(rewrite, 'rewrite rolled back');
    t.equal(create, 'create rolled back');
    t.same(await found('deferredalpha'), ['gc-fts-1'], 'the first member\'s terms survive the rollback of the member that rewrote them');
    t.same(await found('deferredbeta'), [], 'the rolled-back rewrite left no terms');
    t.same(await found('deferredgamma'), [], 'the rolled-back create left no terms');
    t.same(await found('deferreddelta'), [], 'terms removed within their member are gone');
    t.same(await found('deferredepsilon'), ['gc-fts-4'], 'the last member\'s terms are committed');
  });

  t.test('a failed COMMIT fails every member; none is acknowledged and nothing is kept', async (t) => {
    const customersBefore = await count('customers', { tenant_id: acme.id });
    const eventsBefore = await count('outbox', { tenant_id: acme.id });
    const before = { ...group.stats };
    const writes = () => Promise.all([
      post({ kind: 'person', name: 'Doomed 1' }),
      // A deferred foreign-key violation passes its savepoint and is only found at COMMIT.
      kernel.db.transaction(async (trx) => {
        await trx.raw('PRAGMA defer_foreign_keys = ON');
        await trx(kernel.db.table('customer_identities')).insert({ tenant_id: acme.id, customer_id: 'no-such-customer', kind: 'email', value: 'orphan@example.com' });
      }).then(() => 'committed', (err: Error) => err.message),
      post({ kind: 'person', name: 'Doomed 2' }),
    ]);
    const [one, orphan, two] = await inOneGroup(kernel.db.knex, group, 3, writes);
    t.match(orphan, /FOREIGN KEY constraint failed/, 'the member that broke the COMMIT fails with its cause');
    for (const r of [one!, two!]) {
      t.not(r.statusCode, 201, 'a create in the failed group is not acknowledged');
      t.match(r.headers['content-type'], /^application\/problem\+json/);
    }
    t.equal(group.stats.groups, before.groups, 'the group is not counted as committed');
    t.equal(await count('customers', { tenant_id: acme.id }), customersBefore, 'no customer of the group is there');
    t.equal(await count('outbox', { tenant_id: acme.id }), eventsBefore, 'nor any of their events');
    t.equal(await count('customer_identities', { value: 'orphan@example.com' }), 0, 'nor the orphan row');
    const after = await post({ kind: 'person', name: 'After the failed group' });
    t.equal(after.statusCode, 201, 'the connection was rolled back and takes the next write');
  });

  t.test('SQLite aborting the shared transaction under a member: the members that ran fail, those waiting run in the next group', async (t) => {
    const { knex } = await freshKnex(t);
    await knex.schema.createTable('gc_items', (tb) => tb.string('id').primary());
    const gc = new GroupCommit(knex);
    const insert = (id: string) => gc.run(async (trx) => {
      await trx('gc_items').insert({ id });
      return id;
    });
    const settled = await inOneGroup(knex, gc, 5, () => Promise.allSettled([
      insert('a'),
      insert('b'),
      // What SQLite does on a full disk or an I/O error: it rolls the whole transaction back.
      gc.run(async (trx) => {
        await trx('gc_items').insert({ id: 'c' });
        await trx.raw('ROLLBACK');
      }),
      insert('d'),
      insert('e'),
    ]));
    t.same(settled.map((s) => s.status), ['rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled'], 'a, b and c are lost with the transaction; d and e ran afterwards');
    t.same(await knex('gc_items').orderBy('id').pluck('id'), ['d', 'e'], 'nothing of the aborted group is in the database');
    t.equal(gc.stats.groups, 1, 'one group committed: the one d and e ran in');
  });

  t.test('group bounds: a group admits at most maxMembers', async (t) => {
    const { knex } = await freshKnex(t);
    await knex.schema.createTable('gc_items', (tb) => tb.integer('id').primary());
    const gc = new GroupCommit(knex, { maxMembers: 4, maxOpenMs: 50, queueTimeoutMs: 10_000 });
    // Ten writes queue behind the held connection at once: the last of their groups holds 2.
    await inOneGroup(knex, gc, 2, () => Promise.all(Array.from({ length: 10 }, (_, id) => gc.run((trx) => trx('gc_items').insert({ id })))));
    t.equal(await knex('gc_items').count({ n: '*' }).first().then((r) => Number(r?.n)), 10, 'every write committed');
    t.equal(gc.stats.largest, 4, 'no group larger than its bound');
    t.equal(gc.stats.groups, 3, 'ten writes in groups of 4, 4 and 2');
  });

  t.test('a member awaiting a transaction of its own times out as the pool wait did, instead of waiting for itself', async (t) => {
    const { knex } = await freshKnex(t);
    const gc = new GroupCommit(knex, { maxMembers: 32, maxOpenMs: 50, queueTimeoutMs: 200 });
    await t.rejects(gc.run(() => gc.run(async () => 'inner')), /Timeout acquiring a connection/);
    t.equal(await gc.run(async () => 'next'), 'next', 'the queue moves on');
  });

  t.test('SIGKILL mid-group: nothing of the group is in the database', async (t) => {
    const db = await createTestDatabase();
    t.teardown(() => db.drop());
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/group-commit-node.ts'], {
      env: { ...process.env, DATABASE_URL: db.url, PEYVAND_SECRET: randomBytes(32).toString('hex') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let tenantId: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      tenantId = /^mid-group (\S+)$/.exec(line)?.[1];
      if (tenantId) break;
    }
    t.ok(tenantId, 'the child reached the middle of its group');
    if (!tenantId) return;
    child.kill('SIGKILL');
    await exited;
    const knex = connect(db.url);
    t.teardown(() => knex.destroy());
    t.equal(Number((await knex('crm_tenants').where({ id: tenantId }).count({ n: '*' }).first())?.n), 1, 'the tenant, committed before, is there');
    for (const table of ['crm_customers', 'crm_customer_identities', 'crm_audit_log', 'crm_outbox']) {
      const rows = knex(table).where({ tenant_id: tenantId });
      // The tenant's own creation left an audit entry and an event, committed before the group.
      if (table === 'crm_audit_log') rows.where({ entity_type: 'customer' });
      if (table === 'crm_outbox') rows.whereNot({ type: 'tenant.created' });
      t.equal(Number((await rows.count({ n: '*' }).first())?.n), 0, `no row of the group in ${table}`);
    }
    const check = await knex.raw('PRAGMA integrity_check');
    t.same(check, [{ integrity_check: 'ok' }], 'the database file is intact');
  });
}
