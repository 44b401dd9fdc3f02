/**
 * Business calendars and SLA policies through the API; SLA due times on the issue's
 * hand-computed vectors (stored targets, driven at chosen instants); pausing, meeting,
 * next response; policy change, disable and delete recompute open tickets; warnings and
 * breaches exactly once across a restart, with escalation; migrations up → down → up.
 */
import t from 'tap';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import email from '../../../plugins/email/index.js';
import support from '../../../plugins/support/index.js';
import type { SupportServices } from '../../../plugins/support/index.js';
import { createPeyvand } from '../../../core/peyvand.js';
import { Database } from '../../../core/db/database.js';
import { Migrator } from '../../../core/db/migrator.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { subjectOf, type SlaChange } from '../../../plugins/support/services/sla.js';
import { freshKnex } from '../../helpers/database.js';
import { ALWAYS_OPEN, bootSupport, eventsOf, type Ticket } from '../../helpers/support.js';
import { assertCallEvents, assertWrittenEvents } from '../../helpers/event-schemas.js';
import { supportEventSchemas } from '../../../plugins/support/events.js';

const s = await bootSupport(t);
const main = s;
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;
const MIN = 60_000;
const tehran = (local: string): number => Date.parse(`${local}:00+03:30`);
const iso = (ms: number) => new Date(ms).toISOString();
const NOWRUZ = [1, 2, 3, 4].map((d) => ({ date: `1404-01-0${d}`, calendar: 'persian', yearly: true, name: 'نوروز' }));

t.test('calendars: PUT creates or replaces, defaults, validation, .ics import', async (t) => {
  const put = await s.call(admin, 'PUT', '/calendars/tehran', { name: 'دفتر تهران', holidays: [{ date: '1404-01-13', calendar: 'persian', yearly: true, name: 'سیزده‌به‌در' }] });
  t.equal(put.statusCode, 200, put.body);
  t.match(put.json(), { id: 'tehran', name: 'دفتر تهران', timeZone: 'Asia/Tehran', week: { sat: [['08:00', '16:00']], thu: [['08:00', '12:00']], fri: [] }, version: 1 }, 'Tehran and the Iranian week by default');
  const again = await s.ok<{ version: number; timeZone: string; holidays: unknown[] }>(admin, 'PUT', '/calendars/tehran', { name: 'دفتر تهران', timeZone: 'Asia/Tehran', week: { sat: [['08:00', '12:00'], ['13:00', '17:00']] }, holidays: [] });
  t.match(again, { version: 2, holidays: [] }, 'replaced whole');
  t.same((await s.ok(admin, 'GET', '/calendars/tehran')), again);
  for (const [body, code, why] of [
    [{ name: 'x', timeZone: 'Mars/Olympus' }, 'CALENDAR_INVALID', 'an unknown zone'],
    [{ name: 'x', week: { sat: [['08:00', '12:00'], ['11:00', '13:00']] } }, 'CALENDAR_INVALID', 'overlapping ranges'],
    [{ name: 'x', week: { fri: [] } }, 'CALENDAR_INVALID', 'never open'],
    [{ name: 'x', holidays: [{ date: '1404-13-01', calendar: 'persian', name: 'x' }] }, 'CALENDAR_INVALID', 'a month 13'],
    [{ name: 'x', holidays: [{ date: '2026-02-30', calendar: 'gregorian', name: 'x' }] }, 'CALENDAR_INVALID', '30 February'],
  ] as const) {
    const res = await s.call(admin, 'PUT', '/calendars/bad', body);
    t.equal(res.json().code, code, why);
    t.equal(res.statusCode, 422, why);
  }
  for (const body of [{ name: 'x', week: { sat: [['8:00', '12:00']] } }, { name: 'x', week: { sat: [['08:00', '25:00']] } }, { name: 'x', week: { sunday: [] } }, { name: 'x', id: 'y' }]) {
    t.equal((await s.call(admin, 'PUT', '/calendars/bad', body)).statusCode, 400, JSON.stringify(body));
  }
  t.equal((await s.call(admin, 'GET', '/calendars/bad')).statusCode, 404, 'nothing was written');
  t.equal((await s.call(admin, 'PUT', '/calendars/a b', { name: 'x' })).statusCode, 400, 'an id with a space');
  t.equal((await other.call(other.admin, 'GET', '/calendars/tehran')).statusCode, 404, 'another tenant’s calendar');
  const agent = await s.user('a', ['agent']);
  t.equal((await s.call(agent, 'PUT', '/calendars/tehran', { name: 'x' })).statusCode, 403);

  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN',
    'BEGIN:VEVENT', 'UID:1', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260320', 'DTEND;VALUE=DATE:20260322', 'SUMMARY:عید فطر', 'END:VEVENT',
    'BEGIN:VEVENT', 'UID:2', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260527', 'SUMMARY:عید قربان', 'END:VEVENT',
    'BEGIN:VEVENT', 'UID:3', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260601T100000Z', 'SUMMARY:a meeting, not a holiday', 'END:VEVENT',
    'END:VCALENDAR'].join('\r\n');
  const imported = await s.call(admin, 'POST', '/calendars/tehran/holidays/import', ics, { 'content-type': 'text/calendar' });
  t.equal(imported.statusCode, 200, imported.body);
  t.equal(imported.json().imported, 3);
  t.same(imported.json().calendar.holidays.map((h: { date: string }) => h.date), ['2026-03-20', '2026-03-21', '2026-05-27']);
  t.equal((await s.call(admin, 'POST', '/calendars/tehran/holidays/import', ics, { 'content-type': 'text/calendar' })).json().imported, 0, 'a second import adds nothing');
  t.equal((await s.call(admin, 'POST', '/calendars/tehran/holidays/import', 'not a calendar', { 'content-type': 'text/calendar' })).json().code, 'ICS_INVALID');
  t.equal((await s.call(admin, 'POST', '/calendars/missing/holidays/import', ics, { 'content-type': 'text/calendar' })).statusCode, 404);
});

/** Replays a ticket's SLA from scratch at chosen instants, as the services do on each change. */
async function replay(ticketId: string, steps: Array<[number, SlaChange, string?]>, at: number): Promise<Ticket['sla']> {
  const { sla, store } = s.services();
  const db = s.p.peyvand.kernel.db;
  await store.rows(db.knex, 'sla_targets', s.id).where({ ticket_id: ticketId }).delete();
  for (const [now, change, status] of steps) {
    await db.transaction(async (trx) => {
      if (status) await store.rows(trx, 'tickets', s.id).where({ id: ticketId }).update({ status });
      const row = await store.rows(trx, 'tickets', s.id).where({ id: ticketId }).first();
      if (!row) throw new Error(`ticket ${ticketId} missing`);
      await sla.apply(trx, s.id, subjectOf(row), change, now);
    });
  }
  const row = await store.rows(db.knex, 'tickets', s.id).where({ id: ticketId }).first();
  if (!row) throw new Error(`ticket ${ticketId} missing`);
  return (await sla.views(db.knex, s.id, [{ id: ticketId, policyId: row.sla_policy_id }], at)).get(ticketId)!;
}

t.test('due times on hand-computed vectors', async (t) => {
  await s.ok(admin, 'PUT', '/calendars/fa', { name: 'fa', holidays: [{ date: '1404-12-28', calendar: 'persian', name: 'تعطیل' }, ...NOWRUZ] });
  await s.ok(admin, 'PUT', '/calendars/split', { name: 'split', week: { wed: [['08:00', '12:00'], ['13:00', '17:00']], sat: [['08:00', '12:00']] } });
  const fa = await s.ok<{ id: string }>(admin, 'POST', '/sla-policies', { name: 'عادی', calendarId: 'fa', conditions: { channel: ['phone'] }, targets: { firstResponseMinutes: 60, resolutionMinutes: 120 } });
  const split = await s.ok<{ id: string }>(admin, 'POST', '/sla-policies', { name: 'چت', calendarId: 'split', conditions: { channel: ['chat'] }, targets: { firstResponseMinutes: 60, resolutionMinutes: 30 } });
  const phone = await s.ticket({ channel: 'phone' });
  t.equal(phone.sla?.policyId, fa.id, 'the phone policy');
  const chat = await s.ticket({ channel: 'chat' });
  t.equal(chat.sla?.policyId, split.id, 'the chat policy');

  // Opened Wednesday 1404-12-27 15:30 before the holiday Thursday; Friday off; Nowruz Saturday–Tuesday.
  const wed = tehran('2026-03-18T15:30');
  let sla = await replay(phone.id, [[wed, { kind: 'created' }]], wed);
  t.same(sla?.targets, [
    { kind: 'first_response', dueAt: iso(tehran('2026-03-25T08:30')), state: 'running', remainingBusinessMinutes: 60 },
    { kind: 'resolution', dueAt: iso(tehran('2026-03-25T09:30')), state: 'running', remainingBusinessMinutes: 120 },
  ]);
  sla = await replay(phone.id, [[wed, { kind: 'created' }]], tehran('2026-03-21T10:00'));
  t.equal(sla?.targets[0]?.remainingBusinessMinutes, 30, 'during Nowruz no business time passes');

  // Over a split shift: opened 11:30, first response runs 30 before lunch and 30 after.
  sla = await replay(chat.id, [[tehran('2026-03-11T11:30'), { kind: 'created' }]], tehran('2026-03-11T11:30'));
  t.same(sla?.targets.map((x) => x.dueAt), [iso(tehran('2026-03-11T13:30')), iso(tehran('2026-03-11T12:00'))], 'resolution runs out exactly at the end of the morning range: due then');

  // Paused in pending across a weekend: opened Wednesday 15:00, pending at 15:30, the customer answers Saturday 10:00.
  sla = await replay(phone.id, [
    [tehran('2026-03-11T15:00'), { kind: 'created' }, 'new'],
    [tehran('2026-03-11T15:30'), { kind: 'status', from: 'new', to: 'pending' }, 'pending'],
  ], tehran('2026-03-13T12:00'));
  t.same(sla?.targets, [
    { kind: 'first_response', dueAt: null, state: 'paused', remainingBusinessMinutes: 30 },
    { kind: 'resolution', dueAt: null, state: 'paused', remainingBusinessMinutes: 90 },
  ], 'paused over the weekend');
  sla = await replay(phone.id, [
    [tehran('2026-03-11T15:00'), { kind: 'created' }, 'new'],
    [tehran('2026-03-11T15:30'), { kind: 'status', from: 'new', to: 'pending' }, 'pending'],
    [tehran('2026-03-14T10:00'), { kind: 'status', from: 'pending', to: 'open' }, 'open'],
  ], tehran('2026-03-14T10:00'));
  t.same(sla?.targets.map((x) => [x.dueAt, x.state]), [[iso(tehran('2026-03-14T10:30')), 'running'], [iso(tehran('2026-03-14T11:30')), 'running']]);
  sla = await replay(phone.id, [[tehran('2026-03-11T15:00'), { kind: 'created' }, 'new']], tehran('2026-03-11T15:00'));
  t.equal(sla?.targets[1]?.dueAt, iso(tehran('2026-03-12T09:00')), 'not paused: Thursday 09:00 (Thursday half-day)');

  // Each target on its own clock: a next-response target never moves the first-response one.
  await s.ok(admin, 'PATCH', `/sla-policies/${fa.id}`, { targets: { nextResponseMinutes: 15 } }, 200);
  sla = await replay(phone.id, [
    [tehran('2026-03-14T09:00'), { kind: 'created' }, 'open'],
    [tehran('2026-03-14T09:20'), { kind: 'customer_reply' }],
    [tehran('2026-03-14T09:40'), { kind: 'agent_reply' }],
    [tehran('2026-03-14T10:00'), { kind: 'customer_reply' }],
  ], tehran('2026-03-14T10:05'));
  t.same(sla?.targets, [
    { kind: 'first_response', dueAt: iso(tehran('2026-03-14T10:00')), state: 'met', remainingBusinessMinutes: 20 },
    { kind: 'next_response', dueAt: iso(tehran('2026-03-14T10:15')), state: 'running', remainingBusinessMinutes: 10 },
    { kind: 'resolution', dueAt: iso(tehran('2026-03-14T11:00')), state: 'running', remainingBusinessMinutes: 55 },
  ], 'a customer message before any answer starts no next-response clock');
  for (const id of [fa.id, split.id]) await s.ok(admin, 'DELETE', `/sla-policies/${id}`, undefined, 204);
});

t.test('the API: targets pause, resume, are met; the list filters by SLA state', async (t) => {
  await s.ok(admin, 'PUT', '/calendars/always', { name: '24/7', timeZone: 'UTC', week: ALWAYS_OPEN });
  const policy = await s.ok<{ id: string; version: number }>(admin, 'POST', '/sla-policies', { name: 'همیشه', calendarId: 'always', conditions: {}, targets: { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 240 } });
  const ticket = await s.ticket();
  const created = Date.parse(ticket.createdAt);
  t.same(ticket.sla, { policyId: policy.id, targets: [
    { kind: 'first_response', dueAt: iso(created + 60 * MIN), state: 'running', remainingBusinessMinutes: 60 },
    { kind: 'resolution', dueAt: iso(created + 240 * MIN), state: 'running', remainingBusinessMinutes: 240 },
  ] });
  const pending = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'pending' }, 200);
  t.same(pending.sla?.targets.map((x) => [x.state, x.dueAt]), [['paused', null], ['paused', null]]);
  t.ok((await s.ok<{ items: Ticket[] }>(admin, 'GET', '/tickets?slaState=paused')).items.some((x) => x.id === ticket.id), 'listed as paused');
  const open = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'open' }, 200);
  t.same(open.sla?.targets.map((x) => x.state), ['running', 'running']);
  t.ok(Date.parse(open.sla!.targets[0]!.dueAt!) >= created + 60 * MIN, 'the pause moved the due time, never earlier');
  await s.ok(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'پاسخ', visibility: 'internal' });
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`)).sla?.targets[0]?.state, 'running', 'a note is no response');
  await s.ok(admin, 'POST', `/tickets/${ticket.id}/messages`, { body: 'پاسخ', visibility: 'public' });
  const answered = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`);
  t.same(answered.sla?.targets.map((x) => [x.kind, x.state]), [['first_response', 'met'], ['resolution', 'running']]);
  await s.services().tickets.addMessage({ ...(await actorFor()), scopes: { ticket: 'all' } }, ticket.id, { body: 'هنوز درست نشده', visibility: 'public' }, { kind: 'customer' });
  const next = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`);
  t.same(next.sla?.targets.map((x) => [x.kind, x.state]), [['first_response', 'met'], ['next_response', 'running'], ['resolution', 'running']], 'the customer’s answer starts the next-response clock');
  const solved = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'solved' }, 200);
  t.same(solved.sla?.targets.map((x) => [x.kind, x.state]), [['first_response', 'met'], ['next_response', 'paused'], ['resolution', 'met']]);
  t.ok((await s.ok<{ items: Ticket[] }>(admin, 'GET', '/tickets?slaState=met')).items.some((x) => x.id === ticket.id));
  t.notOk((await s.ok<{ items: Ticket[] }>(admin, 'GET', '/tickets?slaState=breached')).items.some((x) => x.id === ticket.id));
  await s.ok(admin, 'DELETE', `/sla-policies/${policy.id}`, undefined, 204);
});

async function actorFor() {
  const { systemActor } = await import('../../../core/plugin/index.js');
  return systemActor({ id: s.id, slug: s.slug }, 'test', []);
}

t.test('policies: conditions choose; a change, disable or delete recomputes open tickets', async (t) => {
  const base = await s.ok<{ id: string }>(admin, 'POST', '/sla-policies', { name: 'پایه', calendarId: 'always', conditions: {}, targets: { firstResponseMinutes: 60, resolutionMinutes: 600 } });
  const vip = await s.ok<{ id: string; version: number }>(admin, 'POST', '/sla-policies', { name: 'ویژه', calendarId: 'always', conditions: { priority: ['urgent'], customerTag: ['vip'] }, targets: { firstResponseMinutes: 10, resolutionMinutes: 60 } });
  const vipCustomer = await s.customer('ویژه', { tags: ['vip'] });
  const plain = await s.ticket();
  const urgent = await s.ticket({ priority: 'urgent', customerId: vipCustomer.id });
  const urgentNoTag = await s.ticket({ priority: 'urgent' });
  t.equal(plain.sla?.policyId, base.id);
  t.equal(urgent.sla?.policyId, vip.id, 'the most specific match');
  t.equal(urgentNoTag.sla?.policyId, base.id, 'every condition must hold');
  const lowered = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${urgent.id}`, { priority: 'normal' }, 200);
  t.equal(lowered.sla?.policyId, base.id, 'a priority change re-chooses the policy');
  t.equal(lowered.sla?.targets[0]?.dueAt, iso(Date.parse(urgent.createdAt) + 60 * MIN), 'with its budget, from the same start');

  const patched = await s.call(admin, 'PATCH', `/sla-policies/${base.id}`, { targets: { firstResponseMinutes: 30 } }, { 'if-match': '"1"' });
  t.equal(patched.statusCode, 200, patched.body);
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${plain.id}`)).sla?.targets[0]?.dueAt, iso(Date.parse(plain.createdAt) + 30 * MIN), 'open tickets recomputed');
  t.equal((await s.call(admin, 'PATCH', `/sla-policies/${base.id}`, { enabled: false }, { 'if-match': '"1"' })).statusCode, 412);
  await s.ok(admin, 'PATCH', `/sla-policies/${base.id}`, { enabled: false }, 200);
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${plain.id}`)).sla, null, 'switched off: no SLA, nothing left to escalate');
  await s.ok(admin, 'PATCH', `/sla-policies/${base.id}`, { enabled: true }, 200);
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${plain.id}`)).sla?.policyId, base.id, 'switched on again');
  await s.ok(admin, 'DELETE', `/sla-policies/${base.id}`, undefined, 204);
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${plain.id}`)).sla, null);

  t.equal((await s.call(admin, 'POST', '/sla-policies', { name: 'x', calendarId: 'missing', conditions: {}, targets: { firstResponseMinutes: 1, resolutionMinutes: 1 } })).json().code, 'CALENDAR_NOT_FOUND');
  t.equal((await s.call(admin, 'POST', '/sla-policies', { name: 'x', calendarId: 'always', conditions: { priority: ['asap'] }, targets: { firstResponseMinutes: 1, resolutionMinutes: 1 } })).statusCode, 400);
  t.equal((await s.call(admin, 'POST', '/sla-policies', { name: 'x', calendarId: 'always', conditions: {}, targets: { firstResponseMinutes: 0, resolutionMinutes: 1 } })).statusCode, 400);
  t.equal((await s.call(admin, 'POST', '/sla-policies', { name: 'x', calendarId: 'always', conditions: {}, targets: { resolutionMinutes: 1 } })).statusCode, 400);
  t.equal((await other.call(other.admin, 'PATCH', `/sla-policies/${vip.id}`, { name: 'y' })).statusCode, 404);
  t.equal((await other.call(other.admin, 'DELETE', `/sla-policies/${vip.id}`)).statusCode, 404);
  t.equal((await s.call(admin, 'DELETE', `/sla-policies/${base.id}`)).statusCode, 404, 'deleted already');
  await s.ok(admin, 'DELETE', `/sla-policies/${vip.id}`, undefined, 204);
});

t.test('a calendar or policy change writes its one event with the record; a refused one writes none', async (t) => {
  const announced = assertCallEvents.bind(null, t, s, supportEventSchemas);
  const none = () => [];
  const agent = await s.user('a', ['agent']);
  const put = (body: Record<string, unknown>, token = admin) => () => s.call(token, 'PUT', '/calendars/announced', body);
  await announced('a new calendar', put({ name: 'اعلام', timeZone: 'UTC', week: ALWAYS_OPEN }), 200, (res) => [{ type: 'calendar.created', data: { calendar: res.json() } }]);
  const replaced = await announced('a replaced calendar', put({ name: 'اعلام‌شده', timeZone: 'UTC', week: ALWAYS_OPEN, holidays: NOWRUZ }), 200, (res) => [{ type: 'calendar.updated', data: { calendar: res.json() } }]);
  t.match(replaced.json(), { version: 2, holidays: NOWRUZ });
  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:1', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260320', 'SUMMARY:عید فطر', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
  const importIcs = (id: string) => () => s.call(admin, 'POST', `/calendars/${id}/holidays/import`, ics, { 'content-type': 'text/calendar' });
  await announced('holidays imported', importIcs('announced'), 200, (res) => [{ type: 'calendar.updated', data: { calendar: res.json().calendar } }]);
  await announced('an invalid calendar', put({ name: 'x', timeZone: 'Mars/Olympus' }), 422, none);
  await announced('a calendar body the schema refuses', put({ name: 'x', id: 'y' }), 400, none);
  await announced('a calendar put by an agent', put({ name: 'x' }, agent), 403, none);
  await announced('an import into a missing calendar', importIcs('missing'), 404, none);
  t.equal((await s.ok<{ version: number }>(admin, 'GET', '/calendars/announced')).version, 3, 'the refused puts changed nothing');

  const input = { name: 'اعلام', calendarId: 'announced', conditions: { queueId: ['no-ticket-has-this-queue'] }, targets: { firstResponseMinutes: 30, resolutionMinutes: 120 } };
  const created = await announced('a new policy', () => s.call(admin, 'POST', '/sla-policies', input), 201, (res) => [{ type: 'sla_policy.created', data: { policy: res.json() } }]);
  const id = created.json().id as string;
  const patch = (body: Record<string, unknown>, headers: Record<string, string> = {}) => () => s.call(admin, 'PATCH', `/sla-policies/${id}`, body, headers);
  const updated = await announced('a changed policy', patch({ targets: { resolutionMinutes: 240 } }, { 'if-match': '"1"' }), 200, (res) => [{ type: 'sla_policy.updated', data: { policy: res.json() } }]);
  t.match(updated.json(), { version: 2, targets: { firstResponseMinutes: 30, resolutionMinutes: 240 } });
  await announced('a stale change', patch({ enabled: false }, { 'if-match': '"1"' }), 412, none);
  await announced('a policy on a missing calendar', patch({ calendarId: 'missing' }), 404, none);
  await announced('a policy body the schema refuses', patch({ targets: { resolutionMinutes: 0 } }), 400, none);
  await announced('a new policy on a missing calendar', () => s.call(admin, 'POST', '/sla-policies', { ...input, calendarId: 'missing' }), 404, none);
  await announced('a policy change by an agent', () => s.call(agent, 'PATCH', `/sla-policies/${id}`, { name: 'y' }), 403, none);
  await announced('a policy deleted by another tenant', () => other.call(other.admin, 'DELETE', `/sla-policies/${id}`), 404, none);
  await announced('a deleted policy', () => s.call(admin, 'DELETE', `/sla-policies/${id}`), 204, () => [{ type: 'sla_policy.deleted', data: { policy: updated.json() } }]);
  await announced('a policy deleted again', () => s.call(admin, 'DELETE', `/sla-policies/${id}`), 404, none);
  t.same(await eventsOf(other, 'calendar.*,sla_policy.*'), [], 'nothing in another tenant');
});

t.test('scheduler: warning and breach once each, across a restart; escalation; a later deadline re-arms', async (t) => {
  const scheduler = main.services().scheduler;
  await scheduler.runOnce(Date.now() + 20 * 365 * 24 * 60 * MIN); // drain what earlier tests left
  // A tenant of its own: no open ticket of the earlier tests takes this policy.
  const s = await bootSupport(t, { p: other.p, slug: 'sched' });
  const { admin } = s;
  await s.ok(admin, 'PUT', '/calendars/always', { name: '24/7', timeZone: 'UTC', week: ALWAYS_OPEN });
  const policy = await s.ok<{ id: string }>(admin, 'POST', '/sla-policies', { name: 'تشدید', calendarId: 'always', conditions: {}, targets: { firstResponseMinutes: 60, resolutionMinutes: 600, warningPercent: 50 }, escalation: { raisePriority: true, assignTo: 'supervisor' } });
  const ticket = await s.ticket({ priority: 'normal' });
  const start = Date.parse(ticket.createdAt);
  t.same(await scheduler.runOnce(start + 29 * MIN), { warnings: 0, breaches: 0 });
  t.same(await scheduler.runOnce(start + 31 * MIN), { warnings: 1, breaches: 0 }, 'half the first-response budget');
  t.same(await scheduler.runOnce(start + 32 * MIN), { warnings: 0, breaches: 0 }, 'not twice');
  t.same(await scheduler.runOnce(start + 61 * MIN), { warnings: 0, breaches: 1 });

  // A second kernel on the same database (a restart): the claims are in the rows.
  const restarted = await createPeyvand({ databaseUrl: s.p.databaseUrl, secret: randomBytes(32).toString('base64url'), adminKey: s.p.adminKey, plugins: [email, support], logger: pino({ level: 'silent' }), dispatch: false });
  t.teardown(() => restarted.close());
  const again = restarted.kernel.servicesOf<SupportServices>('support')!.scheduler;
  t.same(await again.runOnce(start + 62 * MIN), { warnings: 0, breaches: 0 }, 'nothing again after the restart');

  const escalated = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`);
  t.match(escalated, { priority: 'high', assigneeId: 'supervisor' }, 'escalated by the policy');
  const breaches = (await eventsOf(s, 'ticket.sla_breached')).filter((e) => e.data.ticketId === ticket.id);
  t.equal(breaches.length, 1);
  t.match(breaches[0]?.data, { number: ticket.number, policyId: policy.id, target: { kind: 'first_response' } });
  t.equal((await eventsOf(s, 'ticket.sla_warning')).filter((e) => e.data.ticketId === ticket.id).length, 1);
  await assertWrittenEvents(t, s, 'ticket.sla_warning,ticket.sla_breached', supportEventSchemas, ['ticket.sla_warning', 'ticket.sla_breached']);
  const trail = await s.ok<{ items: Array<{ action: string; actor: string }> }>(admin, 'GET', `/api/v1/audit?entityType=ticket&entityId=${ticket.id}`);
  t.ok(trail.items.some((a) => a.action === 'ticket.sla_breached' && a.actor === 'system:support-sla'), 'audited as the scheduler');

  // A longer budget moves the due time into the future: no stale escalation, and the new deadline fires once.
  await s.ok(admin, 'PATCH', `/sla-policies/${policy.id}`, { targets: { firstResponseMinutes: 24 * 60, resolutionMinutes: 48 * 60 } }, 200);
  const rearmed = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`);
  t.equal(rearmed.sla?.targets[0]?.state, 'running', 'no longer breached');
  t.same(await scheduler.runOnce(start + 62 * MIN), { warnings: 0, breaches: 0 });
  t.same(await scheduler.runOnce(start + 24 * 60 * MIN + MIN), { warnings: 1, breaches: 1 }, 'the new first-response deadline breaches (its own warning is pointless by then); the resolution warns at half of 48 h');
  await s.ok(admin, 'DELETE', `/sla-policies/${policy.id}`, undefined, 204);
});

t.test('support migrations: up → down → up', async (t) => {
  const { knex } = await freshKnex(t);
  const migrator = new Migrator(new Database(knex, 'erp_'));
  const plugins = [{ plugin: 'core', migrations: corePlugin.migrations ?? [] }, { plugin: 'support', migrations: support.migrations ?? [] }];
  const ran = await migrator.latest(plugins);
  t.same(ran.filter((m) => m.startsWith('support/')), ['support/001_support', 'support/002_csat_complaints', 'support/003_report_figures', 'support/004_email_channel', 'support/005_ticket_targets_index', 'support/006_report_summary', 'support/007_ticket_fields', 'support/008_agent_absences', 'support/009_complaint_follow_ups', 'support/010_undecided_targets_index']);
  for (const name of ['support_tickets', 'support_sla_targets', 'support_calendars', 'support_csat_responses', 'support_csat_keys', 'support_complaints', 'support_email_threads', 'support_email_messages', 'support_sla_daily', 'support_time_daily', 'support_time_monthly', 'support_settings', 'support_absences']) t.ok(await knex.schema.hasTable(`erp_${name}`), name);
  await migrator.rollback(plugins, { all: true });
  for (const name of ['support_tickets', 'support_sla_targets', 'support_counters', 'support_csat_responses', 'support_csat_keys', 'support_complaints', 'support_email_threads', 'support_email_messages', 'support_sla_daily', 'support_time_daily', 'support_time_monthly', 'support_settings', 'support_absences']) t.notOk(await knex.schema.hasTable(`erp_${name}`), `${name} dropped`);
  t.same(await migrator.latest(plugins), ran, 'up again');
});

/** The index names of a table, on each dialect. */
async function indexNames(knex: Knex, dialect: string, table: string): Promise<string[]> {
  const sql = {
    sqlite: "select name from sqlite_master where type = 'index' and tbl_name = ?",
    postgres: 'select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ?',
    mysql: 'select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ?',
  }[dialect]!;
  const result = await knex.raw(sql, [table]);
  const rows = (dialect === 'sqlite' ? result : dialect === 'postgres' ? result.rows : result[0]) as Array<Record<string, unknown>>;
  return rows.map((r) => String(r.name ?? r.NAME ?? r.INDEX_NAME));
}

t.test('migration 005: the targets index by tenant and ticket, up → down → up', async (t) => {
  const { knex, dialect } = await freshKnex(t);
  const migrator = new Migrator(new Database(knex, 'erp_'));
  const all = support.migrations ?? [];
  const core = { plugin: 'core', migrations: corePlugin.migrations ?? [] };
  await migrator.latest([core, { plugin: 'support', migrations: all.slice(0, 4) }]);
  const plugins = [core, { plugin: 'support', migrations: all.slice(0, 5) }];
  const name = 'erp_support_sla_targets_t_ticket_ix';
  t.notOk((await indexNames(knex, dialect, 'erp_support_sla_targets')).includes(name), 'not there before');
  t.same(await migrator.latest(plugins), ['support/005_ticket_targets_index']);
  t.ok((await indexNames(knex, dialect, 'erp_support_sla_targets')).includes(name), 'created');
  t.same(await migrator.rollback(plugins), ['support/005_ticket_targets_index']);
  t.notOk((await indexNames(knex, dialect, 'erp_support_sla_targets')).includes(name), 'dropped');
  t.same(await migrator.latest(plugins), ['support/005_ticket_targets_index'], 'up again');
  t.ok((await indexNames(knex, dialect, 'erp_support_sla_targets')).includes(name), 'created again');
});
