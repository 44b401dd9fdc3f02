/**
 * The customer portal: a host token with the `customer` role and a `cust` claim reaches
 * the portal routes and only that customer's tickets (public messages only); every other
 * route of the whole API — walked from the OpenAPI document — answers 403 to it, and the
 * portal routes answer 403 to staff.
 */
import t from 'tap';
import type { HTTPMethods } from 'fastify';
import sales from '../../../plugins/sales/index.js';
import email from '../../../plugins/email/index.js';
import support from '../../../plugins/support/index.js';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { bootSupport, eventsOf, type Ticket } from '../../helpers/support.js';

const p = await bootPeyvand(t, { plugins: [sales, email, support], dispatcher: { gapGraceMs: 0 } });
const s = await bootSupport(t, { p });
await p.admin({ method: 'PUT', url: `/api/v1/admin/tenants/${s.slug}/plugins/sales` });
const other = await bootSupport(t, { p, slug: 'other' });
const { admin } = s;

const maryam = await s.customer('مریم', { externalRefs: [{ source: 'erp', id: 'C-100' }] });
const reza = await s.customer('رضا');
const asMaryam = await s.user('host-user-1', ['customer'], [], { cust: maryam.id });
const asMaryamByRef = await s.user('host-user-1', ['customer'], [], { cust: 'erp:C-100' });
const asReza = await s.user('host-user-2', ['customer'], [], { cust: reza.id });

t.test('a customer sees and answers only their own tickets, public messages only', async (t) => {
  const opened = await s.call(asMaryam, 'POST', '/portal/tickets', { subject: 'ارسال سفارش دیر شد', body: 'سفارش من هنوز نرسیده است.' });
  t.equal(opened.statusCode, 201, opened.body);
  const mine = opened.json();
  t.match(mine, { number: Number, status: 'new', channel: 'web', priority: 'normal', messages: [{ visibility: 'public', author: { kind: 'customer', id: maryam.id } }] });
  t.notOk('assigneeId' in mine || 'customFields' in mine || 'sla' in mine, 'no staff fields');
  const staffView = await s.ok<Ticket>(admin, 'GET', `/tickets/${mine.id}`);
  t.equal(staffView.customerId, maryam.id, 'the ticket is the customer’s');
  await s.ok(admin, 'POST', `/tickets/${mine.id}/messages`, { body: 'مشتری عصبانی است', visibility: 'internal' });
  await s.ok(admin, 'POST', `/tickets/${mine.id}/messages`, { body: 'پیگیری می‌کنیم.', visibility: 'public' });
  const seen = await s.ok<{ messages: Array<{ body: string }> }>(asMaryamByRef, 'GET', `/portal/tickets/${mine.id}`);
  t.same(seen.messages.map((m) => m.body), ['سفارش من هنوز نرسیده است.', 'پیگیری می‌کنیم.'], 'the internal note is not shown; cust by source:externalId works too');

  const staffTicket = await s.ticket({ customerId: reza.id });
  const list = await s.ok<{ items: Array<{ id: string }> }>(asMaryam, 'GET', '/portal/tickets');
  t.same(list.items.map((i) => i.id), [mine.id]);
  t.equal((await s.call(asMaryam, 'GET', `/portal/tickets/${staffTicket.id}`)).statusCode, 404, 'another customer’s ticket is a 404');
  t.equal((await s.call(asMaryam, 'POST', `/portal/tickets/${staffTicket.id}/messages`, { body: 'x' })).statusCode, 404);
  t.equal((await s.call(asReza, 'GET', `/portal/tickets/${mine.id}`)).statusCode, 404);
  t.same((await s.ok<{ items: Array<{ id: string }> }>(asReza, 'GET', '/portal/tickets')).items.map((i) => i.id), [staffTicket.id]);

  await s.ok(admin, 'PATCH', `/tickets/${mine.id}`, { status: 'solved' }, 200);
  const answer = await s.call(asMaryam, 'POST', `/portal/tickets/${mine.id}/messages`, { body: 'هنوز نرسیده!' });
  t.equal(answer.statusCode, 201, answer.body);
  t.equal((await s.ok<Ticket>(admin, 'GET', `/tickets/${mine.id}`)).status, 'open', 'the customer’s answer reopens a solved ticket');
  t.ok((await eventsOf(s, 'ticket.reopened')).some((e) => (e.data.ticket as Ticket).id === mine.id));

  for (const body of [{ subject: 'x' }, { subject: 'x', body: 'y', channel: 'email' }, { subject: 'x', body: 'y', customerId: reza.id }]) {
    t.equal((await s.call(asMaryam, 'POST', '/portal/tickets', body)).statusCode, 400, JSON.stringify(body));
  }
  t.equal((await s.call(asMaryam, 'POST', `/portal/tickets/${mine.id}/messages`, { body: 'x', visibility: 'internal' })).statusCode, 400, 'a customer writes no notes');
});

t.test('tokens that name no known customer', async (t) => {
  const unknown = await s.user('h', ['customer'], [], { cust: 'erp:NOPE' });
  const res = await s.call(unknown, 'GET', '/portal/tickets');
  t.equal(res.statusCode, 403);
  t.equal(res.json().code, 'PORTAL_CUSTOMER_UNKNOWN');
  const foreign = await other.customer('بیگانه');
  t.equal((await s.call(await s.user('h', ['customer'], [], { cust: foreign.id }), 'GET', '/portal/tickets')).statusCode, 403, 'another tenant’s customer');
  t.equal((await s.call(await s.user('h', ['customer']), 'GET', '/portal/tickets')).statusCode, 401, 'the customer role without cust');
  t.equal((await s.call(await s.user('h', ['customer'], [], { cust: 42 }), 'GET', '/portal/tickets')).statusCode, 401, 'a cust that is not a string');
});

interface Route { method: HTTPMethods; path: string; public: boolean; portal: boolean }
const doc = (await p.call(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, { 'x-portal'?: boolean; security?: unknown[] }>> };
const routes: Route[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase() as HTTPMethods, path, public: !op.security, portal: op['x-portal'] === true })),
);
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, (m) => (m === '{slug}' ? 'acme' : m === '{source}' ? 'erp' : '01900000-0000-7000-8000-000000000000'));
const send = (token: string, r: Route) => p.call(token, { method: r.method, url: concrete(r.path), ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { payload: {} } : {}) });

t.test('a customer token gets 403 from every other route of the API', async (t) => {
  t.same(routes.filter((r) => r.portal).map((r) => `${r.method} ${r.path}`).sort(), [
    'GET /api/v1/support/portal/tickets', 'GET /api/v1/support/portal/tickets/{id}', 'POST /api/v1/support/portal/tickets', 'POST /api/v1/support/portal/tickets/{id}/messages',
  ]);
  const others = routes.filter((r) => !r.public && !r.portal && !r.path.startsWith('/api/v1/admin/'));
  t.ok(others.length > 60, `${others.length} routes walked`);
  for (const r of others) t.equal((await send(asMaryam, r)).statusCode, 403, `${r.method} ${r.path}`);
  for (const r of routes.filter((x) => x.path.startsWith('/api/v1/admin/'))) t.equal((await send(asMaryam, r)).statusCode, 401, `${r.method} ${r.path}: admin key only`);
});

t.test('staff get 403 from the portal routes', async (t) => {
  const owner = await s.user('boss', ['owner']);
  for (const r of routes.filter((x) => x.portal)) {
    t.equal((await send(admin, r)).statusCode, 403, `${r.method} ${r.path} with an API key`);
    t.equal((await send(owner, r)).statusCode, 403, `${r.method} ${r.path} with a staff token`);
  }
});
