/**
 * Tickets through the HTTP API: the contract's shape, per-tenant numbers under
 * concurrency, merge-patch with If-Match, record scope, public replies and internal
 * notes, merge, queues and assignment, the customer's timeline, audit and events — and
 * the failure paths.
 */
import t from 'tap';
import { formatNumber } from '../../../core/plugin/index.js';
import { bootSupport, eventsOf, type Ticket } from '../../helpers/support.js';
import { assertCallEvents, assertWrittenEvents } from '../../helpers/event-schemas.js';
import { supportEventSchemas } from '../../../plugins/support/events.js';

const s = await bootSupport(t);
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;

t.test('a ticket: shape, events, timeline, audit', async (t) => {
  const customer = await s.customer('مریم رضایی');
  const res = await s.call(admin, 'POST', '/tickets', { subject: ' فاکتور اشتباه ', customerId: customer.id, channel: 'email', priority: 'high', tags: ['billing', 'billing'], customFields: { order: 'SO-12' }, body: 'مبلغ فاکتور اشتباه است.' });
  t.equal(res.statusCode, 201, res.body);
  const ticket = res.json() as Ticket;
  t.match(ticket, { number: Number, subject: 'فاکتور اشتباه', customerId: customer.id, channel: 'email', priority: 'high', status: 'new', tags: ['billing'], customFields: { order: 'SO-12' }, sla: null, version: 1 });
  t.equal(res.headers.etag, '"1"');
  t.equal(res.headers.location, `/api/v1/support/tickets/${ticket.id}`);
  const second = await s.ticket();
  t.equal(second.number, ticket.number + 1, 'numbers increase per tenant');
  t.equal((await other.ticket()).number, 1, 'another tenant counts from 1');

  const got = await s.call(admin, 'GET', `/tickets/${ticket.id}`);
  t.equal(got.statusCode, 200);
  t.same(got.json(), ticket);
  const timeline = await s.ok<{ items: Array<{ summary: string; source: string; channel: string }> }>(admin, 'GET', `/api/v1/customers/${customer.id}/timeline`);
  t.match(timeline.items, [{ source: 'support', channel: 'email', summary: `تیکت شمارهٔ ${formatNumber(ticket.number, 'fa')} باز شد: فاکتور اشتباه` }], 'in the tenant’s language, with Persian digits');
  const types = (await eventsOf(s, 'ticket.*')).filter((e) => (e.data.ticket as Ticket).id === ticket.id).map((e) => e.type);
  t.same(types, ['ticket.created']);
  const audit = await s.ok<{ items: Array<{ action: string }> }>(admin, 'GET', `/api/v1/audit?entityType=ticket&entityId=${ticket.id}`);
  t.same(audit.items.map((a) => a.action), ['ticket.create']);
});

t.test('ticket numbers are unique and increasing under concurrent creation', async (t) => {
  const created = await Promise.all(Array.from({ length: 12 }, () => s.ticket()));
  const numbers = created.map((c) => c.number).sort((a, b) => a - b);
  t.equal(new Set(numbers).size, 12, 'no number twice');
  t.equal(numbers[11]! - numbers[0]!, 11, 'no gap');
});

t.test('merge-patch, If-Match, status changes and their events', async (t) => {
  const customer = await s.customer('علی');
  const ticket = await s.ticket({ customerId: customer.id, customFields: { a: 1, b: 2 } });
  t.equal((await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { priority: 'urgent' }, { 'if-match': '"7"' })).statusCode, 412, 'a stale version');
  const patched = await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { priority: 'urgent', customFields: { a: null, c: 3 }, status: 'open' }, { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { priority: 'urgent', status: 'open', customFields: { b: 2, c: 3 }, version: 2 });
  t.notOk('a' in patched.json().customFields, 'null removes a custom field');
  const solved = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'solved' }, 200);
  t.equal(solved.status, 'solved');
  const reopened = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'open' }, 200);
  t.equal(reopened.status, 'open');
  const back = await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'new' }, { 'accept-language': 'fa' });
  t.equal(back.statusCode, 422);
  t.equal(back.json().code, 'TICKET_STATUS_INVALID');
  t.equal(back.json().title, 'این تغییر وضعیت مجاز نیست');
  await s.ok(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'closed' }, 200);
  t.equal((await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'open' })).json().code, 'TICKET_CLOSED');
  const types = (await eventsOf(s, 'ticket.*')).filter((e) => (e.data.ticket as Ticket).id === ticket.id).map((e) => e.type);
  t.same(types, ['ticket.created', 'ticket.updated', 'ticket.updated', 'ticket.solved', 'ticket.updated', 'ticket.reopened', 'ticket.updated']);
  const timeline = await s.ok<{ items: Array<{ summary: string }> }>(admin, 'GET', `/api/v1/customers/${customer.id}/timeline`);
  t.match(timeline.items.map((i) => i.summary), [/حل شد/, /باز شد/]);
});

t.test('bad input changes nothing', async (t) => {
  const base = { subject: 's', channel: 'web', priority: 'normal', body: 'b' };
  for (const [body, why] of [
    [{ ...base, channel: 'fax' }, 'unknown channel'],
    [{ ...base, priority: 'asap' }, 'unknown priority'],
    [{ ...base, status: 'open' }, 'status is not set on create'],
    [{ ...base, number: 5 }, 'number is read-only'],
    [{ subject: 's', channel: 'web', priority: 'normal' }, 'no body'],
    [{ ...base, subject: '' }, 'empty subject'],
  ] as const) t.equal((await s.call(admin, 'POST', '/tickets', body)).statusCode, 400, why);
  const foreign = await other.customer('خارجی');
  const res = await s.call(admin, 'POST', '/tickets', { ...base, customerId: foreign.id });
  t.equal(res.statusCode, 404, 'another tenant’s customer');
  t.equal((await s.call(admin, 'POST', '/tickets', { ...base, queueId: 'nope' })).json().code, 'QUEUE_NOT_FOUND');
  const ticket = await s.ticket();
  t.equal((await other.call(other.admin, 'GET', `/tickets/${ticket.id}`)).statusCode, 404, 'another tenant’s ticket is a 404');
  t.equal((await other.call(other.admin, 'PATCH', `/tickets/${ticket.id}`, { priority: 'low' })).statusCode, 404);
  t.equal((await other.call(other.admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'x', visibility: 'public' })).statusCode, 404);
  t.equal((await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, {})).statusCode, 400, 'an empty patch');
  t.equal((await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'done' })).statusCode, 400);
  t.equal((await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { id: 'x' })).statusCode, 400);
  t.equal((await s.call(admin, 'GET', '/tickets?slaState=late')).statusCode, 400);
  t.equal((await s.call(admin, 'GET', '/tickets?limit=500')).statusCode, 400);
  t.equal((await s.call(undefined, 'GET', '/tickets')).statusCode, 401);
  const viewer = await s.user('v', ['viewer']);
  t.equal((await s.call(viewer, 'POST', '/tickets', base)).statusCode, 403, 'viewers do not open tickets');
  t.same(await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`), ticket, 'unchanged');
});

t.test('record scope: own, team, all', async (t) => {
  const a = await s.user('agent-a', ['agent'], ['north']);
  const b = await s.user('agent-b', ['agent'], ['north']);
  const manager = await s.user('boss', ['manager'], ['north']);
  const mine = await s.ticket({ subject: 'mine' }, a);
  t.equal(mine.assigneeId, 'agent-a', 'an agent limited to own tickets keeps the one they open');
  const unassigned = await s.ticket({ subject: 'triage' });
  t.equal(unassigned.assigneeId, undefined, 'an admin’s ticket waits for triage');
  t.equal((await s.call(a, 'GET', `/tickets/${unassigned.id}`)).statusCode, 404, 'out of an agent’s own scope');
  t.equal((await s.call(a, 'PATCH', `/tickets/${mine.id}`, { assigneeId: 'agent-b' })).statusCode, 400, 'but does not hand it to others');
  t.equal((await s.call(b, 'GET', `/tickets/${mine.id}`)).statusCode, 404, 'another agent’s ticket is a 404');
  t.equal((await s.call(manager, 'GET', `/tickets/${mine.id}`)).statusCode, 200, 'the team’s manager sees it');
  const handed = await s.ok<Ticket>(manager, 'PATCH', `/tickets/${mine.id}`, { assigneeId: 'agent-b' }, 200);
  t.equal(handed.assigneeId, 'agent-b');
  const list = await s.ok<{ items: Ticket[] }>(b, 'GET', '/tickets');
  t.same(list.items.map((i) => i.id), [mine.id], 'agent b lists only the ticket assigned to b');
  const assignedEvents = (await eventsOf(s, 'ticket.assigned')).filter((e) => (e.data.ticket as Ticket).id === mine.id).map((e) => [e.data.previousAssigneeId, e.data.assigneeId]);
  t.same(assignedEvents, [[null, 'agent-a'], ['agent-a', 'agent-b']]);
});

t.test('public replies, internal notes, reopening by the customer’s answer, merge', async (t) => {
  const ticket = await s.ticket();
  const note = await s.ok<{ visibility: string; author: { kind: string } }>(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'فقط برای همکاران', visibility: 'internal' });
  t.match(note, { visibility: 'internal', author: { kind: 'agent' } });
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`)).status, 'new', 'a note is not a response');
  await s.ok(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'بررسی می‌کنیم.', visibility: 'public' });
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`)).status, 'open', 'the first public reply opens it');
  const messages = await s.ok<{ items: Array<{ visibility: string; body: string }> }>(admin, 'GET', `/tickets/${ticket.id}/messages`);
  t.same(messages.items.map((m) => m.visibility), ['public', 'internal', 'public']);
  t.equal((await s.call(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'x', visibility: 'secret' })).statusCode, 400);
  t.equal((await s.call(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: '', visibility: 'public' })).statusCode, 400);

  const dup = await s.ticket({ tags: ['dup'] });
  await s.ok(admin, 'POST', `/tickets/${dup.id}/messages`, { body: 'همان مشکل', visibility: 'public' });
  t.equal((await s.call(admin, 'POST', `/tickets/${ticket.id}/merge`, { from: [ticket.id] })).json().code, 'TICKET_MERGE_INVALID', 'not into itself');
  t.equal((await s.call(admin, 'POST', `/tickets/${ticket.id}/merge`, { from: ['missing'] })).statusCode, 404);
  const merged = await s.ok<Ticket>(admin, 'POST', `/tickets/${ticket.id}/merge`, { from: [dup.id] }, 200);
  t.same(merged.tags, ['dup']);
  const source = await s.ok<Ticket>(admin, 'GET', `/tickets/${dup.id}`);
  t.match(source, { status: 'closed', mergedIntoId: ticket.id });
  t.equal((await s.ok<{ items: unknown[] }>(admin, 'GET', `/tickets/${ticket.id}/messages`)).items.length, 5, 'the messages moved over');
  t.equal((await s.call(admin, 'POST', `/tickets/${dup.id}/messages`, { body: 'x', visibility: 'public' })).json().code, 'TICKET_MERGED');
  t.equal((await s.call(admin, 'POST', `/tickets/${ticket.id}/merge`, { from: [dup.id] })).json().code, 'TICKET_MERGE_INVALID', 'not twice');
  const events = (await eventsOf(s, 'ticket.merged')).map((e) => e.data.from);
  t.same(events.at(-1), [dup.id]);
  const manager = await s.user('m', ['agent']);
  t.equal((await s.call(manager, 'POST', `/tickets/${ticket.id}/merge`, { from: [dup.id] })).statusCode, 403, 'agents do not merge');
});

t.test('queues: round-robin, least-open, off shift, manual', async (t) => {
  const rr = await s.ok<{ id: string; members: string[] }>(admin, 'POST', '/queues', { name: 'پشتیبانی فنی', members: ['u1', 'u2', 'u3'], assignment: 'round_robin' });
  const picks = [];
  for (let i = 0; i < 4; i++) picks.push((await s.ticket({ queueId: rr.id })).assigneeId);
  t.same(picks, ['u1', 'u2', 'u3', 'u1']);
  const lo = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'مالی', members: ['u1', 'u4'], assignment: 'least_open' });
  t.equal((await s.ticket({ queueId: lo.id })).assigneeId, 'u4', 'u1 already has open tickets');
  t.equal((await s.ticket({ queueId: lo.id, assigneeId: 'u9' })).assigneeId, 'u9', 'an explicit assignee wins');
  const manual = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'دستی', members: ['u1'], assignment: 'manual' });
  t.equal((await s.ticket({ queueId: manual.id })).assigneeId, undefined);
  await s.ok(admin, 'PUT', '/calendars/never-now', { name: 'shift', timeZone: 'UTC', week: Object.fromEntries(['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['00:00', '00:01']]])) });
  const closed = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'شب', members: ['u1'], assignment: 'round_robin', calendarId: 'never-now' });
  const offShift = await s.ticket({ queueId: closed.id });
  const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
  if (minute !== 0) t.equal(offShift.assigneeId, undefined, 'nobody on shift: left for a person');
  t.equal((await s.call(admin, 'POST', '/queues', { name: 'x', members: [], assignment: 'random' })).statusCode, 400);
  t.equal((await s.call(admin, 'POST', '/queues', { name: 'x', members: [], assignment: 'manual', calendarId: 'missing' })).json().code, 'CALENDAR_NOT_FOUND');
  // A queue's mail account must be the tenant's own: another tenant's is as unknown as a missing one.
  const account = { name: 'support', address: 'support@example.test', smtp: { host: '127.0.0.1', port: 2525, secure: 'none', user: 'u', password: 'p' } };
  const own = await s.p.call(admin, { method: 'POST', url: '/api/v1/email/accounts', payload: account });
  const foreign = await s.p.call(other.admin, { method: 'POST', url: '/api/v1/email/accounts', payload: account });
  t.equal(own.statusCode, 201);
  t.equal(foreign.statusCode, 201);
  for (const emailAccountId of [foreign.json().id as string, '0190a0b0-0000-7000-8000-000000000000']) {
    const res = await s.call(admin, 'POST', '/queues', { name: 'x', members: [], assignment: 'manual', emailAccountId });
    t.equal(res.statusCode, 404, `${emailAccountId}: 404`);
    t.equal(res.json().code, 'EMAIL_ACCOUNT_NOT_FOUND');
  }
  const mailed = await s.ok<{ emailAccountId?: string }>(admin, 'POST', '/queues', { name: 'ایمیل', members: [], assignment: 'manual', emailAccountId: own.json().id as string });
  t.equal(mailed.emailAccountId, own.json().id);
  const patched = await s.ok<{ members: string[]; version: number }>(admin, 'PATCH', `/queues/${rr.id}`, { members: ['u2'] }, 200);
  t.same(patched.members, ['u2']);
  t.equal((await s.call(admin, 'PATCH', `/queues/${rr.id}`, { name: 'y' }, { 'if-match': '"1"' })).statusCode, 412);
  t.equal((await other.call(other.admin, 'PATCH', `/queues/${rr.id}`, { name: 'y' })).statusCode, 404);
  const agent = await s.user('a', ['agent']);
  t.equal((await s.call(agent, 'POST', '/queues', { name: 'x', members: [], assignment: 'manual' })).statusCode, 403);
  t.equal((await s.ok<{ items: unknown[] }>(agent, 'GET', '/queues')).items.length, 5);
});

t.test('a queue change writes its one queue event with the record; a refused one writes none', async (t) => {
  const announced = assertCallEvents.bind(null, t, s, supportEventSchemas);
  const none = () => [];
  const created = await announced('a new queue', () => s.call(admin, 'POST', '/queues', { name: 'اعلام', members: ['u1'], assignment: 'manual' }), 201, (res) => [{ type: 'queue.created', data: { queue: res.json() } }]);
  const id = created.json().id as string;
  await announced('a queue on a missing calendar', () => s.call(admin, 'POST', '/queues', { name: 'x', members: [], assignment: 'manual', calendarId: 'missing' }), 404, none);
  await announced('a queue body the schema refuses', () => s.call(admin, 'POST', '/queues', { name: 'x', members: [], assignment: 'random' }), 400, none);
  await announced('a queue created by an agent', async () => s.call(await s.user('a', ['agent']), 'POST', '/queues', { name: 'x', members: [], assignment: 'manual' }), 403, none);
  const patch = (body: Record<string, unknown>, headers: Record<string, string> = {}) => () => s.call(admin, 'PATCH', `/queues/${id}`, body, headers);
  const updated = await announced('a changed queue', patch({ members: ['u1', 'u2'], assignment: 'round_robin' }, { 'if-match': '"1"' }), 200, (res) => [{ type: 'queue.updated', data: { queue: res.json() } }]);
  t.match(updated.json(), { members: ['u1', 'u2'], assignment: 'round_robin', version: 2 });
  await announced('a stale change', patch({ name: 'y' }, { 'if-match': '"1"' }), 412, none);
  await announced('a change to a missing email account', patch({ emailAccountId: '0190a0b0-0000-7000-8000-000000000000' }), 404, none);
  await announced('a change by another tenant', () => other.call(other.admin, 'PATCH', `/queues/${id}`, { name: 'y' }), 404, none);
  t.same(await eventsOf(other, 'queue.*'), [], 'nothing in another tenant');
});

t.test('the events written match the schemas the plugin declares for their data', async (t) => {
  await assertWrittenEvents(t, s, 'ticket.*', supportEventSchemas, ['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.replied', 'ticket.solved', 'ticket.reopened', 'ticket.merged']);
});
