/**
 * Many concurrent ticket changes through the HTTP API on the same queue, assignee and day,
 * so every change moves the same per-day summary rows (the known hot spot of concurrent
 * writes): writers create tickets, reply to their own and to shared tickets, and solve
 * them, all at once. Whatever the database does under that load (PostgreSQL and MariaDB
 * pick deadlock victims; the transaction is run again), a client sees a 2xx, or a 503
 * `DATABASE_BUSY` problem with `Retry-After` once the retries are spent — never a 500.
 * Every acknowledged change is committed with its event, and the summary equals a recount
 * from the tickets and their targets. Then, deterministically, what a client sees when the
 * database refuses a change for a concurrent one: the change is retried and commits once;
 * refused on every attempt, it answers 503 `DATABASE_BUSY` in the reader's language and
 * leaves nothing behind. Every DB runs the same expectations.
 */
import t from 'tap';
import type { Knex } from 'knex';
import type { Database as KernelDatabase } from '../../../core/db/database.js';
import { readInt } from '../../../core/plugin/index.js';
import { rebuildSummary } from '../../../plugins/support/services/summary.js';
import { ALWAYS_OPEN, bootSupport, eventsOf, type Ticket } from '../../helpers/support.js';

const WRITERS = 8;
const TICKETS_PER_WRITER = 4;
const SHARED_TICKETS = 3;
const AGENTS = ['a1', 'a2', 'a3'];

/** One answer as a client sees it. */
interface Answer {
  change: 'create' | 'reply' | 'solve';
  status: number;
  contentType: string;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

t.test('concurrent creates, replies and solves on the same queue and day', async (t) => {
  const s = await bootSupport(t, { slug: 'busy' });
  const { admin } = s;
  const db = s.p.peyvand.kernel.db;
  await s.ok(admin, 'PUT', '/calendars/always', { name: 'همیشه', week: ALWAYS_OPEN, holidays: [] }, 200);
  await s.ok(admin, 'POST', '/sla-policies', { name: 'عمومی', calendarId: 'always', conditions: {}, targets: { firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 600 } });
  const queue = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'فنی', members: AGENTS, assignment: 'manual' });
  const open = { queueId: queue.id, assigneeId: 'a1' };
  const shared = await Promise.all(Array.from({ length: SHARED_TICKETS }, () => s.ticket(open)));

  const answers: Answer[] = [];
  const send = async (change: Answer['change'], method: 'POST' | 'PATCH', url: string, payload: unknown, language: string): Promise<Answer> => {
    const res = await s.call(admin, method, url, payload, { 'accept-language': language });
    const answer: Answer = { change, status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), retryAfter: res.headers['retry-after'] as string | undefined, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
    answers.push(answer);
    return answer;
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      // Half the writers read Persian: a refusal must be localized too.
      const language = w % 2 ? 'fa' : 'en';
      for (let i = 0; i < TICKETS_PER_WRITER; i++) {
        const created = await send('create', 'POST', '/tickets', { subject: `w${w}-${i}`, channel: 'phone', priority: 'normal', body: 'چاپگر روشن نمی‌شود.', queueId: queue.id, assigneeId: AGENTS[(w + i) % AGENTS.length] }, language);
        const sharedId = shared[(w + i) % SHARED_TICKETS]!.id;
        await send('reply', 'POST', `/tickets/${sharedId}/messages`, { body: `w${w}-${i}`, visibility: 'public' }, language);
        if (created.status !== 201) continue;
        const id = String(created.body.id);
        await send('reply', 'POST', `/tickets/${id}/messages`, { body: 'در حال بررسی.', visibility: 'public' }, language);
        await send('solve', 'PATCH', `/tickets/${id}`, { status: 'solved' }, language);
      }
    }),
  );
  const ms = Math.round(performance.now() - started);

  const ok = answers.filter((a) => a.status >= 200 && a.status < 300);
  const refused = answers.filter((a) => a.status >= 300);
  t.comment(`${db.dialect}: ${answers.length} changes in ${ms} ms, ${ok.length} acknowledged, ${refused.length} refused (${[...new Set(refused.map((a) => `${a.status} ${String(a.body.code)}`))].join(', ') || 'none'})`);
  t.equal(answers.filter((a) => a.status >= 500 && a.status !== 503).length, 0, 'no 500');
  t.same(refused.filter((a) => !(a.status === 503 && a.body.code === 'DATABASE_BUSY' && a.retryAfter && a.contentType.startsWith('application/problem+json') && a.body.title)), [], 'a refusal is only 503 DATABASE_BUSY problem+json with Retry-After');
  t.ok(ok.length >= answers.length * 0.9, 'nearly every change is acknowledged under this load');

  // Every acknowledged change is committed, with its event.
  const tickets = await db.knex(db.table('support_tickets')).where({ tenant_id: s.id });
  const byId = new Map(tickets.map((r: { id: string; status: string }) => [r.id, r]));
  const created = ok.filter((a) => a.change === 'create').map((a) => String(a.body.id));
  t.equal(created.filter((id) => byId.has(id)).length, created.length, `every 201 ticket is stored (${created.length})`);
  const replies = ok.filter((a) => a.change === 'reply').map((a) => String(a.body.id));
  const messages = new Set((await db.knex(db.table('support_messages')).where({ tenant_id: s.id }).whereIn('id', replies).select('id')).map((r: { id: string }) => r.id));
  t.equal(messages.size, replies.length, `every 201 reply is stored (${replies.length})`);
  const solved = ok.filter((a) => a.change === 'solve').map((a) => (a.body as unknown as Ticket).id);
  t.ok(solved.every((id) => byId.get(id)?.status === 'solved'), `every 200 solve is stored (${solved.length})`);
  const events = await db.knex(db.table('outbox')).where({ tenant_id: s.id }).whereIn('type', ['ticket.created', 'ticket.replied', 'ticket.solved']).select('type');
  const count = (type: string) => events.filter((e: { type: string }) => e.type === type).length;
  t.same({ created: count('ticket.created') - SHARED_TICKETS, replied: count('ticket.replied'), solved: count('ticket.solved') }, { created: created.length, replied: replies.length, solved: solved.length }, 'one event per acknowledged change, none for a refused one');

  // The summary against a recount from the tickets and their targets.
  const sum = async (table: string, where: Record<string, string>) => readInt((await db.knex(db.table(table)).where({ tenant_id: s.id, ...where }).sum({ n: 'n' }))[0]!.n ?? 0);
  const live = tickets.filter((r: { merged_into_id: string | null }) => r.merged_into_id == null);
  const targets = await db.knex(db.table('support_sla_targets')).where({ tenant_id: s.id }).select('state', 'breached');
  t.equal(await sum('support_time_daily', { measure: 'first_response' }), live.filter((r: { first_response_at: unknown }) => r.first_response_at != null).length, 'first responses: summary = recount');
  t.equal(await sum('support_time_daily', { measure: 'resolution' }), live.filter((r: { resolved_at: unknown }) => r.resolved_at != null).length, 'resolutions: summary = recount');
  t.equal(await sum('support_sla_daily', { outcome: 'met' }), targets.filter((r: { state: string }) => r.state === 'met').length, 'met SLA targets: summary = recount');
  t.ok(solved.length > 0 && (await sum('support_time_daily', { measure: 'resolution' })) >= solved.length, 'the load did solve tickets');
  const snapshot = async () => {
    const out: string[] = [];
    for (const name of ['support_sla_daily', 'support_time_daily', 'support_time_monthly']) {
      for (const r of (await db.knex(db.table(name)).where({ tenant_id: s.id }).where('n', '<>', 0)) as Array<Record<string, unknown>>) out.push(JSON.stringify(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)])));
    }
    return out.sort();
  };
  const maintained = await snapshot();
  await rebuildSummary(db.knex, db.dialect, (name) => db.table(name), { tenantId: s.id });
  t.same(maintained, await snapshot(), 'every summary row = its rebuild from the tickets');
});

/**
 * Makes the next transactions run by `retryOnDeadlock` fail as the database fails a
 * deadlock victim: each runs its work, then throws the dialect's deadlock error, so its
 * writes are rolled back. (The routes' support services are their own instances; the
 * database object is the one they share.) Returns how many were refused so far; undone at
 * the end of the test.
 */
function refuseNext(t: { teardown(fn: () => void): void }, db: KernelDatabase, times: number): () => number {
  const real = db.transaction;
  let refused = 0;
  const error = () => Object.assign(new Error('deadlock detected'), db.dialect === 'mysql' ? { code: 'ER_LOCK_DEADLOCK', errno: 1213 } : { code: '40P01' });
  db.transaction = function refusing<T>(this: KernelDatabase, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    // Only the transactions the retry runs: no other writer of the test meets the fault.
    const retried = new Error().stack?.includes('retryOnDeadlock') ?? false;
    return real.call(this, async (trx: Knex.Transaction) => {
      const result = await work(trx);
      if (retried && refused < times) {
        refused++;
        throw error();
      }
      return result;
    }) as Promise<T>;
  };
  t.teardown(() => {
    db.transaction = real;
  });
  return () => refused;
}

t.test('a change the database refuses for a concurrent one is retried; past the retries, 503 DATABASE_BUSY', async (t) => {
  const s = await bootSupport(t, { slug: 'refused' });
  const { admin } = s;
  const db = s.p.peyvand.kernel.db;
  const ticket = await s.ticket();
  const updates = async () => (await eventsOf(s, 'ticket.updated')).filter((e) => (e.data.ticket as Ticket).id === ticket.id).length;

  await t.test('refused twice, then committed once', async (t) => {
    const refused = refuseNext(t, db, 2);
    const res = await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { priority: 'high' });
    t.equal(res.statusCode, 200, res.body);
    t.equal(refused(), 2, 'two attempts rolled back');
    t.match(res.json(), { priority: 'high', version: 2 }, 'the version moved once');
    t.equal(await updates(), 1, 'one ticket.updated event');
  });

  await t.test('refused on every attempt: 503 DATABASE_BUSY with Retry-After, localized, nothing saved', async (t) => {
    const refused = refuseNext(t, db, 1000);
    for (const [language, title] of [['fa', 'پایگاه داده مشغول است'], ['en', 'Database busy']] as const) {
      const res = await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { priority: 'urgent' }, { 'accept-language': language });
      t.equal(res.statusCode, 503, res.body);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.equal(res.headers['retry-after'], '1');
      const body = res.json() as Record<string, unknown>;
      t.match(body, { code: 'DATABASE_BUSY', status: 503, title, type: 'urn:peyvand:problem:database-busy' });
      t.ok(String(body.detail).length > 20, `a detail in ${language}`);
      t.same(Object.keys(body).sort(), ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'], 'no stack, no driver message');
    }
    t.equal(refused(), 10, 'five attempts per request');
    const reply = await s.call(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'پاسخ', visibility: 'public' });
    t.equal(reply.statusCode, 503, 'a reply too');
    const stored = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`, undefined, 200);
    t.match(stored, { priority: 'high', version: 2, status: 'new' }, 'the ticket is as before');
    t.equal(await updates(), 1, 'no event of a refused change');
    t.equal((await db.knex(db.table('support_messages')).where({ tenant_id: s.id, ticket_id: ticket.id })).length, 1, 'no message of a refused reply');
  });
});
