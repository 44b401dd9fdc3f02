/**
 * Tasks through the HTTP API (completion writes the customer's timeline), the durable
 * scheduler (reminder and due events exactly once: per round, across a restart, with
 * two kernels on one database), and the sales migrations up → down → up.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import knexFactory, { type Knex } from 'knex';
import sales, { type SalesServices } from '../../../plugins/sales/index.js';
import { createPeyvand, type Peyvand } from '../../../core/peyvand.js';
import { knexConfigFor } from '../../../core/db/connect.js';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { createTestDatabase, freshKnex } from '../../helpers/database.js';
import { bootSales, eventsOf } from '../../helpers/sales.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { salesEventSchemas } from '../../../plugins/sales/events.js';

const s = await bootSales(t);
const other = await bootSales(t, { p: s.p, slug: 'other' });
const { admin } = s;
type Task = { id: string; status: string; dueAt: string; remindAt?: string; customerId?: string; version: number; assigneeId?: string };
const MIN = 60_000;

t.test('tasks: linked records, scope, completion writes the timeline', async (t) => {
  const pipeline = await s.pipeline();
  const agentA = await s.user('user-a', ['agent'], ['north']);
  const agentB = await s.user('user-b', ['agent'], ['north']);
  const customer = await s.customer(admin, 'مشتری کار');
  const deal = await s.ok<{ id: string }>(admin, 'POST', '/deals', { title: 'd', customerId: customer.id, pipelineId: pipeline.id, amount: 1, ownerId: 'user-a' });
  const res = await s.call(agentA, 'POST', '/tasks', { type: 'call', title: 'پیگیری پیش‌فاکتور', dueAt: '2031-01-02T09:00:00Z', dealId: deal.id, remindBeforeMinutes: 30 });
  t.equal(res.statusCode, 201, res.body);
  const task = res.json() as Task;
  t.match(task, { status: 'open', customerId: customer.id, assigneeId: 'user-a', remindAt: '2031-01-02T08:30:00.000Z' }, 'the deal’s customer; reminder before the due time');

  const own = await s.customer(agentA, 'مشتری خودم');
  t.equal((await s.call(agentA, 'POST', '/tasks', { type: 'todo', title: 'x', dueAt: '2031-02-01T09:00:00Z', customerId: customer.id })).statusCode, 404, 'a customer outside the agent’s scope');
  const later = await s.ok<Task>(agentA, 'POST', '/tasks', { type: 'todo', title: 'later', dueAt: '2031-02-01T09:00:00Z', customerId: own.id });
  t.equal(later.remindAt, new Date(Date.parse(later.dueAt) - 15 * MIN).toISOString(), 'default reminder from the plugin options');
  const page1 = await s.ok<{ items: Task[]; nextCursor: string }>(agentA, 'GET', '/tasks?limit=1');
  const page2 = await s.ok<{ items: Task[]; nextCursor: string | null }>(agentA, 'GET', `/tasks?limit=1&cursor=${page1.nextCursor}`);
  t.same([...page1.items, ...page2.items].map((x) => x.id), [task.id, later.id], 'soonest due first, by cursor');
  t.equal((await s.call(agentB, 'GET', `/tasks/${task.id}`)).statusCode, 404, 'another agent’s task is a 404');
  t.equal((await s.call(agentB, 'PATCH', `/tasks/${task.id}`, { status: 'done' })).statusCode, 404);
  t.equal((await s.call(agentA, 'POST', '/tasks', { type: 'call', title: 'x', dueAt: '2031-01-01T00:00:00Z', customerId: own.id, assigneeId: 'user-b' })).statusCode, 400, 'agents do not assign others');

  t.equal((await s.call(agentA, 'PATCH', `/tasks/${task.id}`, { status: 'done' }, { 'if-match': '"9"' })).statusCode, 412);
  const done = await s.call(agentA, 'PATCH', `/tasks/${task.id}`, { status: 'done', outcome: 'قرار شد سفارش بدهد' }, { 'if-match': '"1"' });
  t.equal(done.statusCode, 200, done.body);
  t.match(done.json(), { status: 'done', completedAt: String, version: 2 });
  const timeline = await s.ok<{ items: Array<{ channel: string; summary: string; source: string; actor: string }> }>(admin, 'GET', `/api/v1/customers/${customer.id}/timeline`);
  t.match(timeline.items, [{ channel: 'phone', source: 'sales', actor: 'user-a', summary: 'تماس انجام شد: پیگیری پیش‌فاکتور — قرار شد سفارش بدهد' }], 'the customer’s timeline, in the tenant’s language, though the agent does not own the customer');
  const types = (await eventsOf(s, 'task.*')).filter((e) => (e.data.task as { id: string }).id === task.id).map((e) => e.type);
  t.same(types, ['task.created', 'task.updated', 'task.completed']);
  const audit = await s.ok<{ items: Array<{ action: string }> }>(admin, 'GET', `/api/v1/audit?entityType=task&entityId=${task.id}`);
  t.same(audit.items.map((a) => a.action).sort(), ['task.create', 'task.update']);
});

t.test('tasks: bad input', async (t) => {
  const customer = await s.customer(admin, 'bad input');
  const base = { type: 'meeting', title: 'x', dueAt: '2031-01-01T10:00:00Z' };
  t.equal((await s.call(admin, 'POST', '/tasks', base)).statusCode, 400, 'linked to nothing');
  const lead = await s.ok<{ id: string }>(admin, 'POST', '/leads', { name: 'lead for task' });
  t.equal((await s.call(admin, 'POST', '/tasks', { ...base, customerId: customer.id, leadId: lead.id })).statusCode, 400, 'linked to two things');
  t.equal((await s.call(admin, 'POST', '/tasks', { ...base, type: 'lunch', customerId: customer.id })).statusCode, 400);
  t.equal((await s.call(admin, 'POST', '/tasks', { ...base, dueAt: 'tomorrow', customerId: customer.id })).statusCode, 400);
  t.equal((await s.call(admin, 'POST', '/tasks', { ...base, customerId: customer.id, priority: 1 })).statusCode, 400, 'unknown field');
  const foreignLead = await other.ok<{ id: string }>(other.admin, 'POST', '/leads', { name: 'foreign' });
  const foreign = await s.call(admin, 'POST', '/tasks', { ...base, leadId: foreignLead.id }, { 'accept-language': 'fa' });
  t.equal(foreign.statusCode, 404, 'another tenant’s lead is a 404');
  t.equal(foreign.json().title, 'سرنخ پیدا نشد');
  const task = await s.ok<Task>(admin, 'POST', '/tasks', { ...base, leadId: lead.id });
  t.equal((await other.call(other.admin, 'GET', `/tasks/${task.id}`)).statusCode, 404);
  t.equal((await other.call(other.admin, 'PATCH', `/tasks/${task.id}`, { status: 'done' })).statusCode, 404);
  t.equal((await s.call(admin, 'PATCH', `/tasks/${task.id}`, {})).statusCode, 400, 'an empty patch');
  t.equal((await s.call(admin, 'PATCH', `/tasks/${task.id}`, { status: 'finished' })).statusCode, 400);
});

t.test('scheduler: a reminder, then the due event, each exactly once', async (t) => {
  const scheduler = s.p.peyvand.kernel.servicesOf<SalesServices>('sales')!.scheduler;
  await scheduler.runOnce(Date.now() + 1000 * 24 * 3600 * 365 * 20); // drain what earlier tests left
  const customer = await s.customer(admin, 'scheduled');
  const now = Date.now();
  const task = await s.ok<Task>(admin, 'POST', '/tasks', { type: 'call', title: 'soon', dueAt: new Date(now + 10 * MIN).toISOString(), customerId: customer.id, remindBeforeMinutes: 15 });
  const overdue = await s.ok<Task>(admin, 'POST', '/tasks', { type: 'todo', title: 'overdue', dueAt: new Date(now - MIN).toISOString(), customerId: customer.id });
  const finished = await s.ok<Task>(admin, 'POST', '/tasks', { type: 'todo', title: 'finished', dueAt: new Date(now - MIN).toISOString(), customerId: customer.id });
  await s.ok(admin, 'PATCH', `/tasks/${finished.id}`, { status: 'done' }, 200);

  t.same(await scheduler.runOnce(now), { due: 1, reminders: 1 }, 'the overdue task is due; the other one’s reminder');
  t.same(await scheduler.runOnce(now), { due: 0, reminders: 0 }, 'nothing twice');
  t.same(await scheduler.runOnce(now + 11 * MIN), { due: 1, reminders: 0 }, 'later the task itself is due');
  t.same(await scheduler.runOnce(now + 12 * MIN), { due: 0, reminders: 0 });
  await s.ok(admin, 'PATCH', `/tasks/${task.id}`, { dueAt: new Date(now + 60 * MIN).toISOString() }, 200);
  t.same(await scheduler.runOnce(now + 61 * MIN), { due: 1, reminders: 0 }, 'a new due time fires again (its reminder is already past)');
  const due = (await eventsOf(s, 'task.due,task.reminder_due')).map((e) => [e.type, (e.data.task as { id: string }).id]);
  t.same(due.filter(([, id]) => [task.id, overdue.id, finished.id].includes(id!)), [['task.due', overdue.id], ['task.reminder_due', task.id], ['task.due', task.id], ['task.due', task.id]], 'no event for a completed task');
  const trail = await s.ok<{ items: Array<{ action: string; actor: string; actorKind: string; after: unknown }> }>(admin, 'GET', `/api/v1/audit?entityType=task&entityId=${task.id}`);
  t.match(trail.items.map((a) => [a.action, a.actor, a.after]).reverse(), [
    ['task.create', /^apikey:/, {}],
    ['task.reminder_due', 'system:sales-scheduler', { remindAt: task.remindAt }],
    ['task.due', 'system:sales-scheduler', { dueAt: task.dueAt }],
    ['task.update', /^apikey:/, {}],
    ['task.due', 'system:sales-scheduler', { dueAt: new Date(now + 60 * MIN).toISOString() }],
  ], 'each notice is audited as the scheduler’s own change, in its transaction');

  const otherCustomer = await other.customer(other.admin, 'paused');
  const paused = await other.ok<Task>(other.admin, 'POST', '/tasks', { type: 'call', title: 'paused', dueAt: new Date(now - MIN).toISOString(), customerId: otherCustomer.id });
  await s.p.admin({ method: 'DELETE', url: '/api/v1/admin/tenants/other/plugins/sales' });
  await scheduler.runOnce(now);
  await s.p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/other/plugins/sales' });
  t.same((await eventsOf(other, 'task.due')).map((e) => (e.data.task as { id: string }).id), [], 'a tenant with sales off gets no events…');
  await scheduler.runOnce(now);
  t.same((await eventsOf(other, 'task.due')).map((e) => (e.data.task as { id: string }).id), [paused.id], '…until it is back on');
});

/** A Peyvand with a running scheduler on a shared database. */
async function node(url: string, secret: string, adminKey: string): Promise<{ peyvand: Peyvand; knex: Knex }> {
  const config = knexConfigFor(url);
  if (url.startsWith('sqlite:')) {
    // Two kernels in one process share one thread: a busy wait would block the lock holder
    // too. Fail fast instead; the scheduler retries the next round.
    const pool = config.pool as { afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void): void };
    const original = pool.afterCreate;
    pool.afterCreate = (conn, done) => original(conn, (err) => {
      conn.pragma('busy_timeout = 0');
      done(err, conn);
    });
  }
  const knex = knexFactory(config);
  const peyvand = await createPeyvand({ knex, secret, adminKey, plugins: [sales], pluginOptions: { sales: { schedulerIntervalMs: 15, schedulerBatchSize: 7 } }, logger: pino({ level: 'silent' }), dispatch: false, background: true });
  return { peyvand, knex };
}

async function dueCounts(knex: Knex): Promise<Map<string, number>> {
  const rows = (await knex('crm_outbox').where({ type: 'task.due' }).groupBy('aggregate_id').select('aggregate_id').count({ n: '*' })) as Array<Record<string, unknown>>;
  return new Map(rows.map((r) => [String(r.aggregate_id), Number(r.n)]));
}

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

t.test('scheduler: exactly once across a restart and with two kernels at once', async (t) => {
  const db = await createTestDatabase();
  const secret = randomBytes(32).toString('base64url');
  const adminKey = `admin_${randomBytes(8).toString('hex')}`;
  const nodes: Array<{ peyvand: Peyvand; knex: Knex }> = [];
  t.teardown(async () => {
    for (const n of nodes) {
      await n.peyvand.close().catch(() => undefined);
      await n.knex.destroy();
    }
    await db.drop();
  });
  const first = await node(db.url, secret, adminKey);
  nodes.push(first);
  const api = (n: { peyvand: Peyvand }, token: string, method: 'POST', url: string, payload: Record<string, unknown>) => n.peyvand.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  await api(first, adminKey, 'POST', '/api/v1/admin/tenants', { slug: 'sched', name: 'sched', plugins: ['sales'] });
  const key = (await api(first, adminKey, 'POST', '/api/v1/admin/tenants/sched/api-keys', { name: 'k', role: 'admin' })).json().key as string;
  const customer = (await api(first, key, 'POST', '/api/v1/customers', { kind: 'person', name: 'c' })).json().id as string;
  const create = async (n: { peyvand: Peyvand }, count: number, dueInMs: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await api(n, key, 'POST', '/api/v1/sales/tasks', { type: 'todo', title: `t${i}`, dueAt: new Date(Date.now() + dueInMs).toISOString(), customerId: customer, remindBeforeMinutes: 0 })).json().id);
    return ids;
  };

  const pastDue = await create(first, 10, -MIN);
  const dueAfterRestart = await create(first, 10, 1500);
  await until(async () => (await dueCounts(first.knex)).size >= pastDue.length);
  await first.peyvand.close();
  const second = await node(db.url, secret, adminKey);
  nodes.push(second);
  await until(async () => (await dueCounts(second.knex)).size >= pastDue.length + dueAfterRestart.length);
  let counts = await dueCounts(second.knex);
  t.same([...pastDue, ...dueAfterRestart].map((id) => counts.get(id)), Array(20).fill(1), 'each task due once, before and after the restart');

  // Two kernels polling the same table: tasks due in a moment, both racing for them.
  const third = await node(db.url, secret, adminKey);
  nodes.push(third);
  const raced = await create(second, 40, 700);
  await until(async () => (await dueCounts(third.knex)).size >= 20 + raced.length);
  await new Promise((r) => setTimeout(r, 200));
  counts = await dueCounts(third.knex);
  t.same(raced.map((id) => counts.get(id)), Array(40).fill(1), 'each task due exactly once with two kernels');
  t.equal([...counts.values()].reduce((a, b) => a + b, 0), 60, 'no duplicates anywhere');
});

t.test('sales migrations: up → down → up', async (t) => {
  const { knex } = await freshKnex(t);
  const migrator = new Migrator(new Database(knex, 'erp_'));
  const plugins = [{ plugin: 'core', migrations: corePlugin.migrations ?? [] }, { plugin: 'sales', migrations: sales.migrations ?? [] }];
  const ran = await migrator.latest(plugins);
  t.same(ran.filter((m) => m.startsWith('sales/')), ['sales/001_pipelines_deals', 'sales/002_leads', 'sales/003_tasks', 'sales/004_settings', 'sales/005_lead_open_keys', 'sales/006_web_form_hits', 'sales/007_report_indexes']);
  for (const name of ['sales_deals', 'sales_leads', 'sales_tasks', 'sales_web_forms', 'sales_web_form_hits']) t.ok(await knex.schema.hasTable(`erp_${name}`), name);
  await migrator.rollback(plugins, { all: true });
  for (const name of ['sales_pipelines', 'sales_deals', 'sales_leads', 'sales_tasks', 'sales_settings', 'sales_web_form_hits']) t.notOk(await knex.schema.hasTable(`erp_${name}`), `${name} dropped`);
  t.same(await migrator.latest(plugins), ran, 'up again');
});

t.test('the events written match the schemas the plugin declares for their data', async (t) => {
  await assertWrittenEvents(t, s, 'task.*', salesEventSchemas, ['task.created', 'task.updated', 'task.completed', 'task.due', 'task.reminder_due']);
});
