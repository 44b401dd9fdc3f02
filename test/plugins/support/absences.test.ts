/**
 * Reassignment on absence (issue 13, "queues and assignment"): marking an agent absent
 * hands each of their open tickets to the member the ticket's queue picks (round-robin or
 * least-open, present members only) — or to nobody for a manual queue or a ticket without
 * one — with `ticket.assigned` events, in one transaction; automatic assignment passes the
 * agent over until the absence ends (at `until`, or early by DELETE); bad input is a
 * localized 4xx that changes nothing; an agent may mark only themselves.
 */
import t from 'tap';
import { supportEventSchemas } from '../../../plugins/support/schemas/event-schemas.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { bootSupport, eventsOf, type Ticket } from '../../helpers/support.js';

const s = await bootSupport(t);
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;
const HOUR = 3600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

interface Absence { agentId: string; since: string; until: string; reason?: string; reassigned: string[] }

const get = (id: string) => s.ok<Ticket>(admin, 'GET', `/tickets/${id}`);

t.test('an absent agent\'s open tickets go to the present members, by each queue\'s rule', async (t) => {
  const rr = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'فنی', members: ['ali', 'sara', 'reza'], assignment: 'round_robin' });
  const lo = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'مالی', members: ['ali', 'maryam', 'nima'], assignment: 'least_open' });
  const manual = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'دستی', members: ['ali', 'sara'], assignment: 'manual' });

  const rrTickets = [await s.ticket({ queueId: rr.id, assigneeId: 'ali' }), await s.ticket({ queueId: rr.id, assigneeId: 'ali' })];
  await s.ticket({ queueId: lo.id, assigneeId: 'maryam' }); // maryam has one open ticket, nima none
  const loTicket = await s.ticket({ queueId: lo.id, assigneeId: 'ali' });
  const manualTicket = await s.ticket({ queueId: manual.id, assigneeId: 'ali' });
  const noQueue = await s.ticket({ assigneeId: 'ali' });
  const solved = await s.ticket({ queueId: rr.id, assigneeId: 'ali' });
  await s.ok(admin, 'PATCH', `/tickets/${solved.id}`, { status: 'solved' });
  const sinceEvents = (await eventsOf(s, 'ticket.assigned')).length;

  const res = await s.call(admin, 'PUT', '/agents/ali/absence', { until: inHours(48), reason: ' مرخصی ' });
  t.equal(res.statusCode, 200, res.body);
  const absence = res.json() as Absence;
  t.match(absence, { agentId: 'ali', reason: 'مرخصی' });
  t.ok(Date.parse(absence.until) > Date.now() + 47 * HOUR);
  const moved = [...rrTickets, loTicket, manualTicket, noQueue].map((x) => x.id);
  t.same([...absence.reassigned].sort(), [...moved].sort(), 'every open ticket of the agent, not the solved one');

  const rrAfter = await Promise.all(rrTickets.map((x) => get(x.id)));
  t.ok(rrAfter.every((x) => x.assigneeId === 'sara' || x.assigneeId === 'reza'), 'round-robin among the present members');
  t.not(rrAfter[0]!.assigneeId, rrAfter[1]!.assigneeId, 'taking turns');
  t.equal((await get(loTicket.id)).assigneeId, 'nima', 'least-open: nima had none');
  t.equal((await get(manualTicket.id)).assigneeId, undefined, 'a manual queue\'s ticket waits unassigned for a manager');
  t.equal((await get(noQueue.id)).assigneeId, undefined, 'a ticket without a queue too');
  t.equal((await get(solved.id)).assigneeId, 'ali', 'a solved ticket stays');

  const events = (await eventsOf(s, 'ticket.assigned')).slice(sinceEvents);
  t.equal(events.length, moved.length, 'one ticket.assigned per ticket handed on');
  t.ok(events.every((e) => e.data.previousAssigneeId === 'ali'));

  t.same((await s.ok<{ items: Absence[] }>(admin, 'GET', '/agents/absences')).items.map((a) => a.agentId), ['ali']);
  t.same((await other.ok<{ items: Absence[] }>(other.admin, 'GET', '/agents/absences')).items, [], 'another tenant sees none');

  // While away, new tickets of the queue pass ali over.
  const fresh = await Promise.all([1, 2, 3, 4].map(() => s.ticket({ queueId: rr.id })));
  t.ok(fresh.every((x) => x.assigneeId !== 'ali' && x.assigneeId !== undefined), 'new tickets go to present members');

  // After `until`, ali takes turns again (the instant is the service's argument: no waiting).
  const picks = await s.p.peyvand.kernel.db.transaction(async (trx) => {
    const out: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) out.push(await s.services().queues.pickAssignee(trx, s.id, rr.id, Date.parse(absence.until) + 1));
    return out;
  });
  t.ok(picks.includes('ali'), 'back in the rotation once the absence is over');

  await s.ok(admin, 'DELETE', '/agents/ali/absence', undefined, 204);
  t.same((await s.ok<{ items: Absence[] }>(admin, 'GET', '/agents/absences')).items, []);
  const after = await Promise.all([1, 2, 3].map(() => s.ticket({ queueId: rr.id })));
  t.ok(after.some((x) => x.assigneeId === 'ali'), 'ended early: assigned again');
  const again = await s.call(admin, 'DELETE', '/agents/ali/absence', undefined, { 'accept-language': 'fa' });
  t.equal(again.statusCode, 404);
  t.equal(again.json().code, 'ABSENCE_NOT_FOUND');
  t.equal(again.json().title, 'غیبتی ثبت نشده است');
});

t.test('when nobody else is available the tickets wait unassigned', async (t) => {
  const q = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'تنها', members: ['solo'], assignment: 'round_robin' });
  const ticket = await s.ticket({ queueId: q.id, assigneeId: 'solo' });
  const absence = await s.ok<Absence>(admin, 'PUT', '/agents/solo/absence', { until: inHours(2) }, 200);
  t.same(absence.reassigned, [ticket.id]);
  t.equal((await get(ticket.id)).assigneeId, undefined);
  t.equal((await s.ticket({ queueId: q.id })).assigneeId, undefined, 'a new ticket is not given to the absent member');
});

t.test('bad input is a localized 4xx and changes nothing; agents mark only themselves', async (t) => {
  const q = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'کنترل', members: ['kian', 'leila'], assignment: 'round_robin' });
  const ticket = await s.ticket({ queueId: q.id, assigneeId: 'kian' });
  for (const until of [inHours(-1), inHours(24 * 400)]) {
    const res = await s.call(admin, 'PUT', '/agents/kian/absence', { until }, { 'accept-language': 'fa' });
    t.equal(res.statusCode, 422, until);
    t.equal(res.json().code, 'ABSENCE_INVALID');
    t.equal(res.json().title, 'غیبت نامعتبر است');
  }
  for (const body of [{}, { until: 'فردا' }, { until: inHours(1), extra: true }, { until: inHours(1), reason: 'a\u202Eb' }]) {
    t.equal((await s.call(admin, 'PUT', '/agents/kian/absence', body)).statusCode, 400, JSON.stringify(body));
  }
  t.equal((await get(ticket.id)).assigneeId, 'kian', 'nothing was handed on');
  t.same((await s.ok<{ items: Absence[] }>(admin, 'GET', '/agents/absences')).items.filter((a) => a.agentId === 'kian'), []);

  const kian = await s.user('kian', ['agent']);
  const forbidden = await s.call(kian, 'PUT', '/agents/leila/absence', { until: inHours(1) });
  t.equal(forbidden.statusCode, 403);
  t.equal((await s.call(kian, 'DELETE', '/agents/leila/absence')).statusCode, 403);
  const self = await s.call(kian, 'PUT', '/agents/kian/absence', { until: inHours(8) });
  t.equal(self.statusCode, 200, self.body);
  t.same((self.json() as Absence).reassigned, [ticket.id], 'an agent going away hands on their own tickets');
  t.equal((await get(ticket.id)).assigneeId, 'leila');
  t.equal((await s.call(kian, 'DELETE', '/agents/kian/absence')).statusCode, 204);
});

t.test('setting and ending an absence are announced through the outbox, with their declared data', async (t) => {
  const set = (await eventsOf(s, 'agent.absence_set')).map((e) => e.data);
  t.match(set.find((d) => d.agentId === 'kian'), { agentId: 'kian', reason: null, reassigned: [String] });
  t.match(set.find((d) => d.agentId === 'ali'), { agentId: 'ali', reason: 'مرخصی' });
  t.same((await eventsOf(s, 'agent.absence_ended')).map((e) => e.data.agentId), ['ali', 'kian']);
  t.same((await eventsOf(other, 'agent.*')), [], 'nothing in another tenant');
  await assertWrittenEvents(t, s, 'agent.*', supportEventSchemas, ['agent.absence_set', 'agent.absence_ended']);
});
