/**
 * CSAT through the HTTP API: solving a ticket queues the survey mail through the email
 * plugin (the queue's account, else the default; none, no mail and no error), the public
 * survey routes (no credential), single use under concurrency, expiry, forged links, the
 * rating on the ticket and `csat.received`; complaints (a low rating or the complaint tag)
 * with their follow-up and the report — and the failure paths.
 */
import t from 'tap';
import { formatNumber } from '../../../core/plugin/index.js';
import { bootSupport, eventsOf, type SupportTenant, type Ticket } from '../../helpers/support.js';
import { assertCallEvents, assertWrittenEvents } from '../../helpers/event-schemas.js';
import { supportEventSchemas } from '../../../plugins/support/events.js';

const BASE = 'https://crm.example.ir';
const s = await bootSupport(t, { peyvand: { pluginOptions: { support: { publicBaseUrl: BASE, complaintTag: 'شکایت' } } } });
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;

interface Mail { id: string; accountId: string; from: string; to: string[]; subject: string; text: string; customerId?: string; status: string }

const smtp = { host: '127.0.0.1', port: 2525, secure: 'none', user: 'u', password: 'p' };
const account = (x: SupportTenant, name: string, address: string) => x.ok<{ id: string }>(x.admin, 'POST', '/api/v1/email/accounts', { name, address, smtp });
const mailsOf = async (x: SupportTenant, customerId: string) => (await x.ok<{ items: Mail[] }>(x.admin, 'GET', `/api/v1/email/messages?customerId=${customerId}&direction=out`)).items;
const compact = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
const tokenOf = (url: string) => url.slice(`${BASE}/api/v1/support/csat/`.length);
const solve = (x: SupportTenant, id: string) => x.ok<Ticket>(x.admin, 'PATCH', `/tickets/${id}`, { status: 'solved' }, 200);
const linkFor = async (x: SupportTenant, id: string) => (await x.ok<{ url: string; expiresAt: string }>(x.admin, 'POST', `/tickets/${id}/csat-link`));
const publicGet = (token: string) => s.call(undefined, 'GET', `/csat/${token}`);
const publicPost = (token: string, body: unknown) => s.call(undefined, 'POST', `/csat/${token}`, body);

const defaultAccount = await account(s, 'پشتیبانی', 'support@acme.test');
const salesAccount = await account(s, 'فروش', 'sales@acme.test');

t.test('solving mails the survey link; the customer rates once through the public routes', async (t) => {
  const customer = await s.customer('مریم رضایی', { emails: [{ value: 'maryam@example.ir' }] });
  const ticket = await s.ticket({ customerId: customer.id, subject: 'فاکتور اشتباه' });
  t.same(await mailsOf(s, customer.id), [], 'nothing mailed before the solve');
  await solve(s, ticket.id);
  const mails = await mailsOf(s, customer.id);
  t.equal(mails.length, 1, 'one survey mail queued');
  const mail = mails[0]!;
  t.same(mail.to, ['maryam@example.ir']);
  t.equal(mail.accountId, defaultAccount.id, 'the tenant’s default account sends it');
  t.match(mail.subject, `تیکت شمارهٔ ${formatNumber(ticket.number, 'fa')}`, 'in the tenant’s language, with Persian digits');
  const link = new RegExp(`${BASE.replace(/\./g, '\\.')}/api/v1/support/csat/(\\S+)`).exec(mail.text);
  t.ok(link, `the body carries the link: ${mail.text}`);
  const token = link![1]!;

  const survey = await publicGet(token);
  t.equal(survey.statusCode, 200, survey.body);
  t.same(survey.json(), { ticketNumber: ticket.number, subject: 'فاکتور اشتباه', locale: 'fa' });

  const answered = await publicPost(token, { rating: 5, comment: ' عالی بود ' });
  t.equal(answered.statusCode, 204, answered.body);
  t.equal(answered.body, '');
  const again = await publicPost(token, { rating: 1 });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'CSAT_ANSWERED');
  t.equal((await publicGet(token)).statusCode, 409, 'the survey page knows it was answered');

  const rated = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`, undefined, 200);
  t.same(rated.csat, { rating: 5, comment: 'عالی بود' }, 'the rating is on the ticket');
  const listed = await s.ok<{ items: Ticket[] }>(admin, 'GET', `/tickets?customerId=${customer.id}`, undefined, 200);
  t.same(listed.items[0]!.csat, { rating: 5, comment: 'عالی بود' }, 'and in lists');
  const events = (await eventsOf(s, 'csat.received')).filter((e) => e.data.ticketId === ticket.id);
  t.equal(events.length, 1);
  t.match(events[0]!.data, { number: ticket.number, customerId: customer.id, rating: 5, comment: 'عالی بود' });
  const audit = await s.ok<{ items: Array<{ action: string; actor: string }> }>(admin, 'GET', `/api/v1/audit?entityType=ticket&entityId=${ticket.id}`, undefined, 200);
  t.ok(audit.items.some((a) => a.action === 'ticket.csat'), 'the answer is audited');

  t.equal((await s.call(admin, 'POST', `/tickets/${ticket.id}/csat-link`)).json().code, 'CSAT_ANSWERED', 'no new link for a rated ticket');
  await s.ok(admin, 'PATCH', `/tickets/${ticket.id}`, { status: 'open' }, 200);
  await solve(s, ticket.id);
  t.equal((await mailsOf(s, customer.id)).length, 1, 'a rated ticket solved again asks no more');
});

t.test('a browser opening the mailed link gets the survey as a page, and its form rates the ticket', async (t) => {
  const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
  const customer = await s.customer('سارا نادری', { emails: [{ value: 'sara@example.ir' }] });
  const ticket = await s.ticket({ customerId: customer.id, subject: '<b>ارسال</b> دیر' });
  await solve(s, ticket.id);
  const token = tokenOf((await linkFor(s, ticket.id)).url);

  const page = await s.call(undefined, 'GET', `/csat/${token}`, undefined, html);
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/);
  t.match(page.headers['content-security-policy'], /script-src 'none'/, 'no script may run');
  t.equal(page.headers['cache-control'], 'no-store');
  t.match(page.body, /<html lang="fa" dir="rtl">/, 'in the customer’s language, right to left');
  t.match(page.body, /کار ما چطور بود؟/);
  t.match(page.body, /&lt;b&gt;ارسال&lt;\/b&gt; دیر/, 'the subject is text, not markup');
  t.notMatch(page.body, /<b>ارسال/);
  t.match(page.body, new RegExp(`<bdi>${(ticket.number as number).toString().replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!)}</bdi>`), 'the ticket number in Persian digits');
  t.equal((page.body.match(/<input type="radio" name="rating"/g) ?? []).length, 5, 'five ratings');
  t.notMatch(page.body, /<script/i);
  t.same((await publicGet(token)).json(), { ticketNumber: ticket.number, subject: '<b>ارسال</b> دیر', locale: 'fa' }, 'an API client still gets JSON');

  const form = { ...html, 'content-type': 'application/x-www-form-urlencoded' };
  const posted = await s.p.call(undefined, { method: 'POST', url: `/api/v1/support/csat/${token}`, payload: 'rating=4&comment=%D8%AE%D9%88%D8%A8', headers: form });
  t.equal(posted.statusCode, 200, posted.body);
  t.match(posted.body, /سپاسگزاریم/, 'a thanks page');
  const rated = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`, undefined, 200);
  t.same(rated.csat, { rating: 4, comment: 'خوب' }, 'the form’s rating is on the ticket');

  const again = await s.p.call(undefined, { method: 'POST', url: `/api/v1/support/csat/${token}`, payload: 'rating=1', headers: { ...form, 'accept-language': 'en' } });
  t.equal(again.statusCode, 409);
  t.match(again.body, /Already rated/, 'a page saying so, in the browser’s language');
  t.same((await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`, undefined, 200)).csat, { rating: 4, comment: 'خوب' }, 'unchanged');
  const reopened = await s.call(undefined, 'GET', `/csat/${token}`, undefined, html);
  t.equal(reopened.statusCode, 409);
  t.match(reopened.body, /قبلاً نظر داده‌اید|Already rated/);

  const forged = await s.call(undefined, 'GET', `/csat/${token.slice(0, -3)}xyz`, undefined, { ...html, 'accept-language': 'en' });
  t.equal(forged.statusCode, 404);
  t.match(forged.body, /This link cannot be used/);
  const second = await s.ticket({ customerId: customer.id, subject: 'دوم' });
  await solve(s, second.id);
  const secondToken = tokenOf((await linkFor(s, second.id)).url);
  const noRating = await s.p.call(undefined, { method: 'POST', url: `/api/v1/support/csat/${secondToken}`, payload: 'rating=9', headers: form });
  t.equal(noRating.statusCode, 400, 'a rating outside 1–5 is refused like the JSON one');
});

t.test('the queue’s email account sends its tickets’ surveys; an English customer is asked in English', async (t) => {
  const queue = await s.ok<{ id: string }>(admin, 'POST', '/queues', { name: 'فروش', members: [], assignment: 'manual', emailAccountId: salesAccount.id });
  const customer = await s.customer('John Smith', { emails: [{ value: 'john@example.com' }], locale: 'en' });
  const ticket = await s.ticket({ customerId: customer.id, queueId: queue.id });
  await solve(s, ticket.id);
  const [mail] = await mailsOf(s, customer.id);
  t.equal(mail?.accountId, salesAccount.id);
  t.equal(mail?.from, 'sales@acme.test');
  t.match(mail?.subject, `How did we do? Ticket #${ticket.number}`);
  const survey = await publicGet(tokenOf(/https:\S+/.exec(mail!.text)![0]));
  t.equal(survey.json().locale, 'en');
});

t.test('no address or no account: no mail and no error; a link can still be sent another way', async (t) => {
  const noAddress = await s.customer('بی‌نشانی');
  const ticket = await s.ticket({ customerId: noAddress.id });
  t.equal((await solve(s, ticket.id)).status, 'solved');
  t.same(await mailsOf(s, noAddress.id), []);

  const customer = await other.customer('سارا', { emails: [{ value: 'sara@example.ir' }] });
  const foreign = await other.ticket({ customerId: customer.id });
  t.equal((await solve(other, foreign.id)).status, 'solved', 'a tenant without an email account still solves');
  t.same(await mailsOf(other, customer.id), [], 'and nothing is queued');
  const link = await linkFor(other, foreign.id);
  t.match(link, { url: new RegExp(`^${BASE}/api/v1/support/csat/`), expiresAt: String });
  const ttl = Date.parse(link.expiresAt) - Date.now();
  t.ok(ttl > 719 * 3_600_000 && ttl <= 720 * 3_600_000, 'valid for 30 days by default');
  t.equal((await publicPost(tokenOf(link.url), { rating: 4 })).statusCode, 204);
  t.equal((await other.ok<Ticket>(other.admin, 'GET', `/tickets/${foreign.id}`, undefined, 200)).csat?.rating, 4);
  t.equal((await s.call(admin, 'GET', `/tickets/${foreign.id}`)).statusCode, 404, 'another tenant’s ticket stays hidden');
});

t.test('two answers at once: one 204, one 409 — with one link or with two', async (t) => {
  for (const links of [1, 2]) {
    const ticket = await s.ticket();
    await solve(s, ticket.id);
    const tokens = [tokenOf((await linkFor(s, ticket.id)).url)];
    tokens.push(links === 1 ? tokens[0]! : tokenOf((await linkFor(s, ticket.id)).url));
    const answers = await Promise.all(tokens.map((token, i) => publicPost(token, { rating: i + 3 })));
    t.same(answers.map((a) => a.statusCode).sort(), [204, 409], `${links} link(s): ${answers.map((a) => a.body).join(' | ')}`);
    const rating = (await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`, undefined, 200)).csat?.rating;
    t.equal(rating, answers[0]!.statusCode === 204 ? 3 : 4, 'the winner’s rating is stored');
    t.equal((await eventsOf(s, 'csat.received')).filter((e) => e.data.ticketId === ticket.id).length, 1, 'one event');
  }
});

t.test('expired, forged and unknown links are 404 and change nothing', async (t) => {
  const ticket = await s.ticket();
  await solve(s, ticket.id);
  const token = tokenOf((await linkFor(s, ticket.id)).url);
  const realNow = Date.now;
  const later = realNow() + 721 * 3_600_000;
  Date.now = () => later;
  let expired;
  try {
    expired = [await publicGet(token), await publicPost(token, { rating: 5 })];
  } finally {
    Date.now = realNow;
  }
  for (const res of expired) {
    t.equal(res.statusCode, 404, 'after 30 days');
    t.equal(res.json().code, 'CSAT_LINK_NOT_FOUND');
  }
  const parts = token.split('.');
  const sig = parts[5]!;
  const otherTicket = await s.ticket();
  const forged = [
    [...parts.slice(0, 5), (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)].join('.'),
    [...parts.slice(0, 5), sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A')].join('.'),
    [parts[0], parts[1], compact(otherTicket.id), ...parts.slice(3)].join('.'),
    [...parts.slice(0, 3), (Date.parse('2099-01-01')).toString(36), ...parts.slice(4)].join('.'),
    [parts[0], compact(other.id), ...parts.slice(2)].join('.'),
    'c1.x.y.z.w.v',
    'not-a-token',
  ];
  for (const f of forged) {
    const res = await publicPost(f, { rating: 1 });
    t.equal(res.statusCode, 404, f);
    t.equal(res.json().code, 'CSAT_LINK_NOT_FOUND');
    t.equal((await publicGet(f)).statusCode, 404);
  }
  const fa = await s.call(undefined, 'GET', `/csat/${forged[0]}`, undefined, { 'accept-language': 'fa' });
  t.equal(fa.json().title, 'پیوند نظرسنجی معتبر نیست');
  for (const bad of [{}, { rating: 0 }, { rating: 6 }, { rating: 2.5 }, { rating: '5' }, { rating: 5, extra: 1 }, { rating: 5, comment: 'x'.repeat(2001) }]) {
    t.equal((await publicPost(token, bad)).statusCode, 400, JSON.stringify(bad).slice(0, 60));
  }
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`, undefined, 200)).csat, undefined, 'nothing was stored');
  t.equal((await publicPost(token, { rating: 4 })).statusCode, 204, 'the genuine link still works');
});

t.test('csat-link: permission, scope and state; an issued link is announced without its token, a refused one not at all', async (t) => {
  const announced = assertCallEvents.bind(null, t, s, supportEventSchemas);
  const none = () => [];
  const viewer = await s.user('viewer-1', ['viewer']);
  const agent = await s.user('agent-1', ['agent']);
  const open = await s.ticket();
  const link = (token: string, id = open.id) => () => s.call(token, 'POST', `/tickets/${id}/csat-link`);
  await announced('a link asked by a viewer', link(viewer), 403, none);
  const notSolved = await announced('a link for an open ticket', link(admin), 422, none);
  t.equal(notSolved.json().code, 'CSAT_NOT_SOLVED');
  await solve(s, open.id);
  await announced('a link for a ticket outside the agent’s scope', link(agent), 404, none);
  await announced('a link asked by another tenant', link(other.admin), 404, none);
  await announced('a link for a missing ticket', link(admin, 'nope'), 404, none);
  const issued = await announced('an issued link', link(admin), 201, (res) => [{ type: 'csat.link_issued', data: { ticketId: open.id, number: open.number, expiresAt: res.json().expiresAt } }]);
  t.notMatch(JSON.stringify(await eventsOf(s, 'csat.link_issued')), tokenOf(issued.json().url), 'the token is not in the event');
});

t.test('a low rating or the complaint tag: a follow-up, the customer flagged, and the report', async (t) => {
  const customer = await s.customer('رضا شاکی', { emails: [{ value: 'reza@example.ir' }] });
  const first = await s.ticket({ customerId: customer.id });
  await solve(s, first.id);
  const token = tokenOf((await linkFor(s, first.id)).url);
  t.equal((await publicPost(token, { rating: 2, comment: 'بد بود' })).statusCode, 204);
  const notes = await s.ok<{ items: Array<{ visibility: string; body: string; author: { kind: string } }> }>(admin, 'GET', `/tickets/${first.id}/messages`, undefined, 200);
  t.match(notes.items.at(-1), { visibility: 'internal', author: { kind: 'system' }, body: /امتیاز ۲ از ۵/ }, 'a follow-up note on the ticket');
  const timeline = await s.ok<{ items: Array<{ summary: string; source: string }> }>(admin, 'GET', `/api/v1/customers/${customer.id}/timeline`, undefined, 200);
  t.match(timeline.items[0], { source: 'support', summary: `شکایت دربارهٔ تیکت شمارهٔ ${formatNumber(first.number, 'fa')}` }, 'and on the customer’s timeline');

  const report = (min: number) => s.ok<{ items: Array<{ customerId: string; complaints: number }> }>(admin, 'GET', `/reports/complaints?min=${min}`, undefined, 200);
  t.same((await report(1)).items.filter((i) => i.customerId === customer.id).map((i) => i.complaints), [1]);
  t.notOk((await report(2)).items.some((i) => i.customerId === customer.id), 'one complaint is under a minimum of 2');

  const tagged = await s.ticket({ customerId: customer.id, tags: ['شکایت'] });
  const third = await s.ticket({ customerId: customer.id });
  await s.ok(admin, 'PATCH', `/tickets/${third.id}`, { tags: ['شکایت'] }, 200);
  await s.ok(admin, 'PATCH', `/tickets/${third.id}`, { tags: ['شکایت', 'vip'] }, 200);
  const recorded = (await eventsOf(s, 'complaint.recorded')).filter((e) => e.data.customerId === customer.id);
  t.same(recorded.map((e) => [e.data.ticketId, e.data.reason]), [[first.id, 'low_rating'], [tagged.id, 'tagged'], [third.id, 'tagged']], 'one complaint per ticket');
  const row = (await report(3)).items.find((i) => i.customerId === customer.id);
  t.match(row, { complaints: 3, lastComplaintAt: String });
  const happy = await s.ticket({ customerId: customer.id });
  await solve(s, happy.id);
  await publicPost(tokenOf((await linkFor(s, happy.id)).url), { rating: 3 });
  t.equal((await report(1)).items.find((i) => i.customerId === customer.id)?.complaints, 3, 'a rating of 3 is no complaint');

  const today = new Date().toISOString().slice(0, 10);
  const inRange = await s.ok<{ items: Array<{ customerId: string }> }>(admin, 'GET', `/reports/complaints?from=${today}&to=${today}&min=3`, undefined, 200);
  t.ok(inRange.items.some((i) => i.customerId === customer.id), 'a date covers its whole day');
  const past = await s.ok<{ items: unknown[] }>(admin, 'GET', '/reports/complaints?from=2020-01-01&to=2020-12-31&min=1', undefined, 200);
  t.same(past.items, [], 'nothing in another period');
  t.same((await other.ok<{ items: unknown[] }>(other.admin, 'GET', '/reports/complaints?min=1', undefined, 200)).items, [], 'another tenant sees none of them');
  const agent = await s.user('agent-2', ['agent']);
  t.equal((await s.call(agent, 'GET', '/reports/complaints')).statusCode, 403, 'managers only');
  const manager = await s.user('manager-north', ['manager'], ['north']);
  const byManager = () => s.ok<{ items: Array<{ customerId: string; complaints: number }> }>(manager, 'GET', '/reports/complaints?min=1', undefined, 200);
  t.notOk((await byManager()).items.some((i) => i.customerId === customer.id), 'a manager counts only tickets in the team’s scope');
  const northAgent = await s.user('agent-north', ['agent'], ['north']);
  await s.ok(admin, 'PATCH', `/api/v1/customers/${customer.id}`, { ownerId: 'agent-north' }, 200);
  await s.ticket({ customerId: customer.id, tags: ['شکایت'] }, northAgent);
  t.same((await byManager()).items.filter((i) => i.customerId === customer.id).map((i) => i.complaints), [1], 'the team’s complaint is counted');
  t.same((await s.ok<{ to: string }>(admin, 'GET', '/reports/complaints', undefined, 200)).to, new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000).toISOString(), 'by default up to the end of today');
  const reversed = await s.call(admin, 'GET', '/reports/complaints?from=2026-02-01&to=2026-01-01');
  t.equal(reversed.statusCode, 422);
  t.equal(reversed.json().code, 'COMPLAINT_RANGE_INVALID');
  t.equal((await s.call(admin, 'GET', '/reports/complaints?from=yesterday')).json().code, 'COMPLAINT_RANGE_INVALID');
  t.equal((await s.call(admin, 'GET', '/reports/complaints?min=0')).statusCode, 400);
});

t.test('the events written match the schemas the plugin declares for their data', async (t) => {
  await assertWrittenEvents(t, s, 'csat.*,complaint.*', supportEventSchemas, ['csat.received', 'complaint.recorded']);
});
