/**
 * Canned responses through the HTTP API: create (compiled on save, a broken template is a
 * 422 and nothing is stored), list by language, merge-patch with If-Match, delete, and the
 * rendering for a ticket with Persian data — plain text, never the template itself —
 * within the caller's record scope and tenant. Each change writes its one
 * `canned_response.*` event; a refused change writes none.
 */
import t from 'tap';
import { bootSupport, eventsOf } from '../../helpers/support.js';
import { assertCallEvents } from '../../helpers/event-schemas.js';
import { supportEventSchemas } from '../../../plugins/support/events.js';

const s = await bootSupport(t);
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;

interface Canned { id: string; name: string; locale: string; body: string; version: number }

const FA_BODY = '{{customer.name}} گرامی، دربارهٔ تیکت شمارهٔ {{digits ticket.number}} («{{ticket.subject}}»): مشکل برطرف شد. {{agent.name}}';

t.test('create, render with Persian data, list', async (t) => {
  const res = await s.call(admin, 'POST', '/canned-responses', { name: ' حل شد ', locale: 'fa', body: FA_BODY });
  t.equal(res.statusCode, 201, res.body);
  const canned = res.json() as Canned;
  t.match(canned, { name: 'حل شد', locale: 'fa', body: FA_BODY, version: 1 });
  t.equal(res.headers.etag, '"1"');
  await s.ok(admin, 'POST', '/canned-responses', { name: 'Thanks', locale: 'en', body: 'Dear {{customer.name}}, thank you.' });

  const customer = await s.customer('علی & <پسران> "رضایی"', { emails: [{ value: 'ali@example.ir' }] });
  const ticket = await s.ticket({ customerId: customer.id, subject: 'چاپگر ۳ طبقه' });
  const agent = await s.user('agent-7', ['agent'], [], { name: 'زهرا' });
  await s.ok(admin, 'PATCH', `/tickets/${ticket.id}`, { assigneeId: 'agent-7' }, 200);
  const rendered = await s.call(agent, 'POST', `/tickets/${ticket.id}/canned-responses/${canned.id}/render`);
  t.equal(rendered.statusCode, 200, rendered.body);
  const digits = String(ticket.number).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
  t.same(rendered.json(), { id: canned.id, locale: 'fa', text: `علی & <پسران> "رضایی" گرامی، دربارهٔ تیکت شمارهٔ ${digits} («چاپگر ۳ طبقه»): مشکل برطرف شد. زهرا` }, 'plain text: filled in, Persian digits, nothing HTML-escaped');
  t.notMatch(rendered.json().text, /\{\{/, 'never the template itself');

  const all = await s.ok<{ items: Canned[] }>(agent, 'GET', '/canned-responses', undefined, 200);
  t.same(all.items.map((c) => c.name), ['Thanks', 'حل شد']);
  const fa = await s.ok<{ items: Canned[] }>(agent, 'GET', '/canned-responses?locale=fa', undefined, 200);
  t.same(fa.items.map((c) => c.id), [canned.id]);
  t.same((await other.ok<{ items: Canned[] }>(other.admin, 'GET', '/canned-responses', undefined, 200)).items, [], 'another tenant has none');
  t.equal((await s.call(agent, 'GET', `/canned-responses/${canned.id}`)).statusCode, 200);
});

t.test('a broken template is a 422 and nothing is stored', async (t) => {
  const before = (await s.ok<{ items: Canned[] }>(admin, 'GET', '/canned-responses', undefined, 200)).items.length;
  for (const body of ['{{#if ticket.number}}بدون پایان', '{{customer.name', '{{nothelper ticket.number}}', '{{#each}}{{/if}}']) {
    const res = await s.call(admin, 'POST', '/canned-responses', { name: 'خراب', locale: 'fa', body }, { 'accept-language': 'fa' });
    t.equal(res.statusCode, 422, body);
    t.equal(res.json().code, 'CANNED_TEMPLATE_INVALID');
    t.equal(res.json().title, 'قالب قابل استفاده نیست');
  }
  for (const body of [{ name: 'x', locale: 'de', body: 'b' }, { name: 'x', locale: 'fa' }, { name: '', locale: 'fa', body: 'b' }, { name: 'x', locale: 'fa', body: 'b', extra: 1 }]) {
    t.equal((await s.call(admin, 'POST', '/canned-responses', body)).statusCode, 400, JSON.stringify(body));
  }
  t.equal((await s.ok<{ items: Canned[] }>(admin, 'GET', '/canned-responses', undefined, 200)).items.length, before);
});

t.test('merge-patch with If-Match, delete, and who may do what', async (t) => {
  const canned = await s.ok<Canned>(admin, 'POST', '/canned-responses', { name: 'پیگیری', locale: 'fa', body: 'سلام {{customer.name}}' });
  const stale = await s.call(admin, 'PATCH', `/canned-responses/${canned.id}`, { body: 'x' }, { 'if-match': '"9"' });
  t.equal(stale.statusCode, 412);
  const broken = await s.call(admin, 'PATCH', `/canned-responses/${canned.id}`, { body: '{{#if}}' });
  t.equal(broken.json().code, 'CANNED_TEMPLATE_INVALID');
  const patched = await s.call(admin, 'PATCH', `/canned-responses/${canned.id}`, { body: 'درود {{customer.name}}' }, { 'if-match': '"1"' });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { name: 'پیگیری', body: 'درود {{customer.name}}', version: 2 });
  t.equal(patched.headers.etag, '"2"');
  const ticket = await s.ticket();
  const rendered = await s.ok<{ text: string }>(admin, 'POST', `/tickets/${ticket.id}/canned-responses/${canned.id}/render`, undefined, 200);
  t.equal(rendered.text, 'درود ', 'a ticket without a customer leaves the customer fields empty');

  const agent = await s.user('agent-8', ['agent']);
  const viewer = await s.user('viewer-8', ['viewer']);
  t.equal((await s.call(agent, 'POST', '/canned-responses', { name: 'x', locale: 'fa', body: 'b' })).statusCode, 403, 'agents use, managers manage');
  t.equal((await s.call(agent, 'PATCH', `/canned-responses/${canned.id}`, { name: 'y' })).statusCode, 403);
  t.equal((await s.call(viewer, 'GET', '/canned-responses')).statusCode, 403);
  t.equal((await s.call(agent, 'POST', `/tickets/${ticket.id}/canned-responses/${canned.id}/render`)).statusCode, 404, 'a ticket outside the agent’s scope');
  const foreign = await other.ticket();
  t.equal((await s.call(admin, 'POST', `/tickets/${foreign.id}/canned-responses/${canned.id}/render`)).statusCode, 404, 'another tenant’s ticket');
  t.equal((await other.call(other.admin, 'POST', `/tickets/${foreign.id}/canned-responses/${canned.id}/render`)).json().code, 'CANNED_RESPONSE_NOT_FOUND', 'another tenant’s canned response');
  t.equal((await other.call(other.admin, 'PATCH', `/canned-responses/${canned.id}`, { name: 'z' })).statusCode, 404);

  t.equal((await s.call(admin, 'DELETE', `/canned-responses/${canned.id}`)).statusCode, 204);
  const gone = await s.call(admin, 'POST', `/tickets/${ticket.id}/canned-responses/${canned.id}/render`);
  t.equal(gone.statusCode, 404);
  t.equal(gone.json().code, 'CANNED_RESPONSE_NOT_FOUND');
  t.equal((await s.call(admin, 'DELETE', `/canned-responses/${canned.id}`)).statusCode, 404);
  const audit = await s.ok<{ items: Array<{ action: string }> }>(admin, 'GET', `/api/v1/audit?entityType=support_canned_response&entityId=${canned.id}`, undefined, 200);
  t.same(audit.items.map((a) => a.action).sort(), ['support_canned_response.create', 'support_canned_response.delete', 'support_canned_response.update']);
});

t.test('a change writes its one canned_response event with the record; a refused one writes none', async (t) => {
  const announced = assertCallEvents.bind(null, t, s, supportEventSchemas);
  const none = () => [];
  const agent = await s.user('agent-9', ['agent']);
  const created = await announced('a new canned response', () => s.call(admin, 'POST', '/canned-responses', { name: 'اعلام', locale: 'fa', body: 'سلام {{customer.name}}' }), 201, (res) => [{ type: 'canned_response.created', data: { cannedResponse: res.json() } }]);
  const id = created.json().id as string;
  await announced('a broken template', () => s.call(admin, 'POST', '/canned-responses', { name: 'خراب', locale: 'fa', body: '{{#if}}' }), 422, none);
  await announced('a canned response created by an agent', () => s.call(agent, 'POST', '/canned-responses', { name: 'x', locale: 'fa', body: 'b' }), 403, none);
  const patch = (body: Record<string, unknown>, headers: Record<string, string> = {}) => () => s.call(admin, 'PATCH', `/canned-responses/${id}`, body, headers);
  const updated = await announced('a changed canned response', patch({ name: 'اعلام‌شده' }, { 'if-match': '"1"' }), 200, (res) => [{ type: 'canned_response.updated', data: { cannedResponse: res.json() } }]);
  await announced('a stale change', patch({ name: 'y' }, { 'if-match': '"1"' }), 412, none);
  await announced('a change to a broken template', patch({ body: '{{customer.name' }), 422, none);
  await announced('a body the schema refuses', patch({ locale: 'de' }), 400, none);
  await announced('a change by another tenant', () => other.call(other.admin, 'PATCH', `/canned-responses/${id}`, { name: 'z' }), 404, none);
  await announced('a deleted canned response', () => s.call(admin, 'DELETE', `/canned-responses/${id}`), 204, () => [{ type: 'canned_response.deleted', data: { cannedResponse: updated.json() } }]);
  await announced('a canned response deleted again', () => s.call(admin, 'DELETE', `/canned-responses/${id}`), 404, none);
  t.same(await eventsOf(other, 'canned_response.*'), [], 'nothing in another tenant');
});
