/**
 * Lead capture under concurrency and across processes: one open lead per person even
 * when two captures race (the unique open keys, on every dialect), and the web-to-lead
 * rate limit counted in the database, so two Peyvand kernels on one database share one
 * budget. Also the backfill of the open keys for leads captured before they existed.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Knex } from 'knex';
import sales from '../../../plugins/sales/index.js';
import { slidingWindow, WebLeadLimiter } from '../../../plugins/sales/services/web-lead-limit.js';
import { SalesStore } from '../../../plugins/sales/services/store.js';
import { createPeyvand } from '../../../core/peyvand.js';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { freshKnex, testDialect } from '../../helpers/database.js';
import { bootSales } from '../../helpers/sales.js';

const s = await bootSales(t, { peyvand: { pluginOptions: { sales: { webLeadsPerMinute: 4 } } } });
const { admin } = s;
const fa = { 'accept-language': 'fa' };
const knex = s.p.peyvand.kernel.db.knex;
const dialect = testDialect();

/** A lead row written past the API, as another process in the middle of a capture would. */
const rawLead = (email: string) => {
  const now = Date.now();
  return { id: `01900000-0000-7000-8000-${randomBytes(6).toString('hex')}`, tenant_id: s.id, name: 'raw', email, email_key: email.toLowerCase(), open_email_key: email.toLowerCase(), tags: '[]', status: 'new', score: 0, version: 1, created_at: now, updated_at: now };
};

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Inserts into the leads table running right now on another connection of this database (waiting on a lock). */
async function insertsRunning(k: Knex): Promise<number> {
  if (dialect === 'postgres') return Number((await k.raw(`select count(*) as n from pg_stat_activity where datname = current_database() and state = 'active' and query like 'insert into "crm_sales_leads"%'`)).rows[0].n);
  const [rows] = await k.raw("select count(*) as n from information_schema.processlist where db = database() and info like 'insert into `crm_sales_leads`%'");
  return Number(rows[0].n);
}

t.test('concurrent captures of one person: one lead, the others a 409', async (t) => {
  const spellings = [{ email: 'race@example.com' }, { email: 'RACE@example.com' }, { email: 'Race@Example.com' }, { phone: '۰۹۱۲۷۷۷۶۶۵۵', email: 'race@EXAMPLE.com' }];
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.call(admin, 'POST', '/leads', { name: `race ${i}`, ...spellings[i % spellings.length] }, fa)));
  t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409], 'exactly one capture wins');
  for (const r of results.filter((x) => x.statusCode === 409)) t.match(r.json(), { code: 'LEAD_DUPLICATE', title: 'سرنخ تکراری' });
  const winner = results.find((r) => r.statusCode === 201)!.json();
  const rows = await knex('crm_sales_leads').where({ tenant_id: s.id, email_key: 'race@example.com' }).select('id');
  t.same(rows.map((r) => r.id), [winner.id], 'one lead in the database');

  const phones = await Promise.all(['09128889900', '+98 912 888 9900', '٠٩١٢٨٨٨٩٩٠٠', '0098-912-888-9900'].map((phone, i) => s.call(admin, 'POST', '/leads', { name: `phone ${i}`, phone })));
  t.same(phones.map((r) => r.statusCode).sort(), [201, 409, 409, 409], 'the same number in four spellings at once');
});

t.test('the database refuses a second open lead with a taken key', async (t) => {
  await knex('crm_sales_leads').insert(rawLead('unique@example.com'));
  await t.rejects(knex('crm_sales_leads').insert(rawLead('unique@example.com')), 'a unique index, not only a check before the insert');
  const closed = { ...rawLead('unique@example.com'), status: 'disqualified', open_email_key: null };
  await knex('crm_sales_leads').insert(closed);
  t.pass('closed leads hold no open key and never collide');
});

t.test('a capture that commits between our check and our insert', { skip: dialect === 'sqlite' && 'SQLite has one writer: a capture runs whole before or after another' }, async (t) => {
  const held = await knex.transaction();
  try {
    await held('crm_sales_leads').insert(rawLead('held@example.com'));
    const pending = s.call(admin, 'POST', '/leads', { name: 'second', email: 'HELD@example.com' }, fa);
    // The API's check saw nothing (uncommitted); its insert now waits on the unique key.
    await until(async () => (await insertsRunning(knex)) > 0, 60_000);
    await held.commit();
    const res = await pending;
    t.equal(res.statusCode, 409, res.body);
    t.match(res.json(), { code: 'LEAD_DUPLICATE', title: 'سرنخ تکراری' });
  } finally {
    if (!held.isCompleted()) await held.rollback();
  }
  t.equal((await knex('crm_sales_leads').where({ tenant_id: s.id, email_key: 'held@example.com' })).length, 1, 'no second lead');
});

t.test('changes that would make two open leads of one person are refused too', async (t) => {
  const a = await s.ok<{ id: string }>(admin, 'POST', '/leads', { name: 'A', email: 'one@example.com' });
  const b = await s.ok<{ id: string }>(admin, 'POST', '/leads', { name: 'B', email: 'two@example.com' });
  const taken = await s.call(admin, 'PATCH', `/leads/${b.id}`, { email: 'ONE@example.com' }, fa);
  t.equal(taken.statusCode, 409, 'an email another open lead has');
  t.match(taken.json(), { code: 'LEAD_DUPLICATE', errors: [{ path: '/email', message: new RegExp(a.id) }] });
  await s.ok(admin, 'PATCH', `/leads/${a.id}`, { status: 'disqualified', disqualifyReason: 'تکراری' }, 200);
  t.equal((await s.call(admin, 'PATCH', `/leads/${b.id}`, { email: 'one@example.com' })).statusCode, 200, 'free once the other is closed');
  const reopen = await s.call(admin, 'PATCH', `/leads/${a.id}`, { status: 'new' });
  t.equal(reopen.statusCode, 409, 'reopening would duplicate an open lead');
  t.equal((await s.ok<{ status: string }>(admin, 'GET', `/leads/${a.id}`)).status, 'disqualified', 'nothing changed');
  t.equal((await s.call(admin, 'PATCH', `/leads/${b.id}`, { name: 'B2' })).statusCode, 200, 'other changes of a lead are not duplicates of itself');
  // Lead phones have the phone format (5 to 15 digits, E.164): a digit string too long to
  // be a number is refused at the door, so no open lead is kept without its phone key.
  const long = await s.call(admin, 'POST', '/leads', { name: 'long number', phone: '1234567890123456789012345678901234567890' });
  t.equal(long.statusCode, 400, 'a digit string too long to be a number is not a phone');
  t.match(long.json(), { code: 'VALIDATION_FAILED', errors: [{ path: '/phone' }] });
});

t.test('sliding window: the previous minute still counts while it overlaps', async (t) => {
  t.same(slidingWindow({ previous: 0, current: 4, elapsed: 50_000 }, 4), { allowed: true, retryAfterMs: 0 });
  t.same(slidingWindow({ previous: 0, current: 5, elapsed: 50_000 }, 4), { allowed: false, retryAfterMs: 34_000 }, 'next window, 24 s in: 5 × 36/60 + 1 = 4');
  t.same(slidingWindow({ previous: 5, current: 1, elapsed: 5_000 }, 4), { allowed: false, retryAfterMs: 31_000 }, 'this window, 36 s in: 5 × 24/60 + 1 + 1 = 4');
  t.same(slidingWindow({ previous: 5, current: 2, elapsed: 50_000 }, 4), { allowed: true, retryAfterMs: 0 }, '5 × 10/60 + 2 ≤ 4');
});

t.test('web-to-lead limit: one budget per form and address, wherever the request lands', async (t) => {
  const form = await s.ok<{ id: string; key: string }>(admin, 'POST', '/web-forms', { name: 'مشترک' });
  const second = await createPeyvand({ databaseUrl: s.p.databaseUrl, secret: randomBytes(32).toString('base64url'), adminKey: s.p.adminKey, plugins: [sales], pluginOptions: { sales: { webLeadsPerMinute: 4 } }, logger: pino({ level: 'silent' }), dispatch: false });
  t.teardown(() => second.close());
  const kernels = [s.p.peyvand, second];
  const submit = (i: number, remoteAddress: string) =>
    kernels[i % 2]!.app.inject({ method: 'POST', url: `/api/v1/sales/web-leads/${form.key}`, remoteAddress, payload: { name: `n${i}`, phone: `0913000000${i}` } });
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await submit(i, '10.2.2.2')).statusCode);
  t.same(statuses, [202, 202, 202, 202, 429, 429], 'two processes, one budget of four');
  const over = await submit(7, '10.2.2.2');
  t.equal(over.json().code, 'RATE_LIMITED');
  t.ok(Number(over.headers['retry-after']) > 0, 'with Retry-After');
  t.equal((await submit(8, '10.3.3.3')).statusCode, 202, 'another address has its own budget');
  const leads = await s.ok<{ items: unknown[] }>(admin, 'GET', '/leads?source=web&limit=200');
  t.equal(leads.items.length, 5, 'only accepted submissions became leads');
  const stored = await knex('crm_sales_web_form_hits').where({ form_id: form.id }).select('client_key');
  t.notOk(stored.some((r) => String(r.client_key).includes('10.2.2.2')), 'addresses are stored hashed');

  if (dialect !== 'sqlite') {
    // Concurrent bursts through both kernels (SQLite's writers in one process would wait on each other synchronously).
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(20 + i, '10.4.4.4')));
    t.equal(burst.filter((r) => r.statusCode === 202).length, 4, 'a concurrent burst through two kernels: four accepted');
  }
});

t.test('the limiter over time: windows slide, quiet clients are forgotten', async (t) => {
  const form = await s.ok<{ id: string }>(admin, 'POST', '/web-forms', { name: 'زمان' });
  const limiter = new WebLeadLimiter(s.p.peyvand.kernel.db.knex, new SalesStore(s.p.peyvand.kernel.data), 4);
  const target = { id: form.id, tenantId: s.id };
  const start = 1_900_000_000_000 - (1_900_000_000_000 % 60_000);
  const outcome = (at: number) => limiter.hit(target, '10.5.5.5', at).then(() => 'ok', (err: { code?: string; headers?: Record<string, string> }) => `${err.code} ${err.headers?.['retry-after']}`);
  const first = [];
  for (let i = 0; i < 5; i++) first.push(await outcome(start + 50_000));
  t.same(first, ['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED 34'], 'four, then told to wait 34 s');
  t.equal(await outcome(start + 65_000), 'RATE_LIMITED 31', 'just past the window edge the last minute still counts');
  t.equal(await outcome(start + 110_000), 'ok', 'later in the window enough of it has slid away');
  t.equal(await outcome(start + 600_000), 'ok', 'long after: a fresh budget');
  const rows = await knex('crm_sales_web_form_hits').where({ form_id: form.id });
  t.same(rows.map((r) => Number(r.window_start)), [start + 600_000], 'old windows are deleted');
});

t.test('the open keys are backfilled: the oldest open lead of a person keeps the key', async (t) => {
  const { knex: k } = await freshKnex(t);
  const migrator = new Migrator(new Database(k, 'crm_'));
  const all = sales.migrations ?? [];
  await migrator.latest([{ plugin: 'core', migrations: corePlugin.migrations ?? [] }, { plugin: 'sales', migrations: all.slice(0, 4) }]);
  const row = (id: string, status: string, email: string) => ({ id, tenant_id: 't1', name: id, email, email_key: email, tags: '[]', status, score: 0, version: 1, created_at: 1, updated_at: 1 });
  await k('crm_sales_leads').insert([row('a1', 'new', 'x@example.com'), row('a2', 'qualified', 'x@example.com'), row('a3', 'disqualified', 'y@example.com'), row('a4', 'new', 'y@example.com')]);
  await migrator.latest([{ plugin: 'core', migrations: corePlugin.migrations ?? [] }, { plugin: 'sales', migrations: all }]);
  const keys = await k('crm_sales_leads').orderBy('id').select('id', 'open_email_key');
  t.same(keys.map((r) => [r.id, r.open_email_key]), [['a1', 'x@example.com'], ['a2', null], ['a3', null], ['a4', 'y@example.com']]);
});
