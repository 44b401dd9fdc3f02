/**
 * Complaint follow-ups (issue 13, "a rating ≤ 2, or a ticket tagged as a complaint, creates
 * a follow-up task for the queue's manager"): the task goes to the manager of the ticket's
 * queue (nobody in particular without one); managers list them, newest first, paged and
 * filtered; done is final (409 the second time), announced, and refused input changes nothing.
 * The customer is flagged on their own record (the complaint tag) unless core refuses the change.
 */
import t from 'tap';
import { supportEventSchemas } from '../../../plugins/support/schemas/event-schemas.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { bootSupport, eventsOf } from '../../helpers/support.js';

const BASE = 'https://crm.example.ir';
const s = await bootSupport(t, { peyvand: { pluginOptions: { support: { publicBaseUrl: BASE } } } });
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;

interface FollowUp { id: string; ticketId: string; ticketNumber: number; customerId: string | null; reason: string; rating: number | null; assigneeId: string | null; status: string; doneBy?: string; note?: string; doneAt?: string }
interface Page { items: FollowUp[]; nextCursor: string | null }

const customer = await s.customer('پروین');
const queue = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'پس از فروش', members: ['agent-1'], assignment: 'manual', managerId: 'mgr-1' });
const tagged = await s.ticket({ queueId: queue.id, customerId: customer.id, tags: ['complaint'] });
const rated = await s.ticket({ customerId: customer.id });
await s.ok(admin, 'PATCH', `/tickets/${rated.id}`, { status: 'solved' });
const { url } = await s.ok<{ url: string }>(admin, 'POST', `/tickets/${rated.id}/csat-link`);
const answer = await s.call(undefined, 'POST', url.slice(BASE.length), { rating: 1, comment: 'بسیار بد' });
if (answer.statusCode !== 204) throw new Error(answer.body);

t.test('each complaint is a task for the manager of its ticket\'s queue', async (t) => {
  const page = await s.ok<Page>(admin, 'GET', '/follow-ups');
  t.same(page.items.map((f) => [f.ticketId, f.reason, f.rating, f.assigneeId, f.status]), [
    [rated.id, 'low_rating', 1, null, 'open'],
    [tagged.id, 'tagged', null, 'mgr-1', 'open'],
  ], 'newest first; no queue, no manager: any manager\'s');
  t.equal(page.items[1]!.ticketNumber, tagged.number);
  t.equal(page.items[1]!.customerId, customer.id);
  t.same((await s.ok<Page>(admin, 'GET', '/follow-ups?assigneeId=mgr-1')).items.map((f) => f.ticketId), [tagged.id]);
  const first = await s.ok<Page>(admin, 'GET', '/follow-ups?limit=1');
  t.equal(first.items.length, 1);
  t.ok(first.nextCursor);
  t.same((await s.ok<Page>(admin, 'GET', `/follow-ups?limit=1&cursor=${first.nextCursor}`)).items.map((f) => f.ticketId), [tagged.id], 'the next page');
  t.same((await other.ok<Page>(other.admin, 'GET', '/follow-ups')).items, [], 'another tenant sees none');
});

t.test('done once, with a note, announced; a second time is a 409 in Persian', async (t) => {
  const [followUp] = (await s.ok<Page>(admin, 'GET', '/follow-ups?assigneeId=mgr-1')).items;
  const manager = await s.user('mgr-1', ['manager']);
  t.same((await s.ok<Page>(manager, 'GET', '/follow-ups')).items.map((f) => f.id), [followUp!.id], 'the queue\'s manager sees their own, outside their team\'s tickets');
  t.same((await s.ok<Page>(await s.user('mgr-2', ['manager']), 'GET', '/follow-ups')).items, [], 'another manager of no team sees none');
  const done = await s.call(manager, 'POST', `/follow-ups/${followUp!.id}/done`, { note: ' تماس گرفته شد و عذرخواهی شد ' });
  t.equal(done.statusCode, 200, done.body);
  t.match(done.json(), { id: followUp!.id, status: 'done', doneBy: 'mgr-1', note: 'تماس گرفته شد و عذرخواهی شد', doneAt: String });
  t.same((await s.ok<Page>(admin, 'GET', '/follow-ups')).items.map((f) => f.ticketId), [rated.id], 'no longer open');
  t.same((await s.ok<Page>(admin, 'GET', '/follow-ups?status=done')).items.map((f) => f.id), [followUp!.id]);

  const again = await s.call(manager, 'POST', `/follow-ups/${followUp!.id}/done`, {}, { 'accept-language': 'fa' });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'FOLLOW_UP_DONE');
  t.equal(again.json().title, 'پیگیری پیش‌تر انجام شده است');

  const events = await eventsOf(s, 'complaint.followed_up');
  t.same(events.map((e) => e.data), [{ id: followUp!.id, ticketId: tagged.id, customerId: customer.id, doneBy: 'mgr-1', note: 'تماس گرفته شد و عذرخواهی شد' }]);
  await assertWrittenEvents(t, s, 'complaint.*', supportEventSchemas, ['complaint.recorded', 'complaint.followed_up']);
});

t.test('the customer is flagged on their own record, once', async (t) => {
  const record = await s.ok<{ tags: string[]; version: number }>(admin, 'GET', `/api/v1/customers/${customer.id}`);
  t.same(record.tags, ['complaint'], 'the complaint tag, once for two complaints');
});

t.test('refused input and callers change nothing', async (t) => {
  const [open] = (await s.ok<Page>(admin, 'GET', '/follow-ups')).items;
  for (const body of [{ note: '' }, { note: 'x'.repeat(2001) }, { extra: 1 }]) {
    t.equal((await s.call(admin, 'POST', `/follow-ups/${open!.id}/done`, body)).statusCode, 400, JSON.stringify(body));
  }
  t.equal((await s.call(admin, 'GET', '/follow-ups?status=pending')).statusCode, 400);
  const missing = await s.call(admin, 'POST', '/follow-ups/00000000-0000-7000-8000-000000000000/done', {}, { 'accept-language': 'fa' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().title, 'پیگیری پیدا نشد');
  t.equal((await other.call(other.admin, 'POST', `/follow-ups/${open!.id}/done`, {})).statusCode, 404, 'another tenant\'s is not found');
  const agent = await s.user('agent-1', ['agent']);
  t.equal((await s.call(agent, 'GET', '/follow-ups')).statusCode, 403, 'agents do not follow complaints up');
  t.equal((await s.call(agent, 'POST', `/follow-ups/${open!.id}/done`, {})).statusCode, 403);
  t.same((await s.ok<Page>(admin, 'GET', '/follow-ups')).items.map((f) => [f.id, f.status]), [[open!.id, 'open']], 'still open');
});

t.test('a customer core refuses to change is left unflagged; the complaint stands', async (t) => {
  const legacy = await s.customer('کاوه');
  await s.ok(admin, 'PUT', '/api/v1/settings/custom-fields', { schema: { type: 'object', required: ['nationalId'] } });
  t.teardown(() => s.ok(admin, 'PUT', '/api/v1/settings/custom-fields', { schema: { type: 'object' } }).then(() => undefined));
  const ticket = await s.ticket({ customerId: legacy.id, tags: ['complaint'] });
  t.same((await s.ok<{ tags: string[] }>(admin, 'GET', `/api/v1/customers/${legacy.id}`)).tags, [], 'not tagged: its record no longer meets the schema');
  t.same((await s.ok<Page>(admin, 'GET', '/follow-ups')).items.filter((f) => f.ticketId === ticket.id).map((f) => f.reason), ['tagged'], 'the complaint and its follow-up stand');
  const report = await s.ok<{ items: Array<{ customerId: string }> }>(admin, 'GET', '/reports/complaints?min=1');
  t.ok(report.items.some((i) => i.customerId === legacy.id), 'counted in the complaints report');
});
