/**
 * Tickets' custom fields under the tenant's JSON Schema (issue 13, "custom fields, same
 * JSON-Schema mechanism as customers"): set and read through the API; an agent's ticket
 * and every change of a ticket's fields must satisfy it — a 422 naming each field, in the
 * reader's language, and nothing stored; a schema a tenant may not set is a 400 that
 * changes nothing; a customer's portal ticket is not held to fields it cannot fill.
 * Setting it writes one `support_settings.updated` event; a refused setting writes none.
 */
import t from 'tap';
import { bootSupport, eventsOf, type Ticket } from '../../helpers/support.js';
import { assertCallEvents } from '../../helpers/event-schemas.js';
import { supportEventSchemas } from '../../../plugins/support/events.js';

const s = await bootSupport(t);
const other = await bootSupport(t, { p: s.p, slug: 'other' });
const { admin } = s;

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 40 },
    warrantyMonths: { type: 'integer', minimum: 0, maximum: 60 },
  },
};

interface Problem { code: string; title: string; errors: Array<{ path: string; message: string }> }

const ticketCount = async () => (await s.ok<{ items: Ticket[] }>(admin, 'GET', '/tickets?limit=100')).items.length;

t.test('without a schema any object is accepted; the schema is set, read back and tenant-bound', async (t) => {
  t.same(await s.ok(admin, 'GET', '/settings/ticket-fields'), { schema: null });
  const loose = await s.ticket({ customFields: { anything: ['goes', 1] } });
  t.same(loose.customFields, { anything: ['goes', 1] });

  const put = await s.call(admin, 'PUT', '/settings/ticket-fields', { schema: SCHEMA });
  t.equal(put.statusCode, 200, put.body);
  t.same(put.json(), { schema: SCHEMA });
  t.same(await s.ok(admin, 'GET', '/settings/ticket-fields'), { schema: SCHEMA });
  t.same(await other.ok(other.admin, 'GET', '/settings/ticket-fields'), { schema: null }, 'another tenant keeps its own');
  t.equal((await other.ticket({ customFields: { anything: 1 } })).customFields.anything, 1);

  // Set again: replaced whole, the same row.
  const widened = { ...SCHEMA, properties: { ...SCHEMA.properties, color: { type: 'string' } } };
  t.same(await s.ok(admin, 'PUT', '/settings/ticket-fields', { schema: widened }), { schema: widened });
  await s.ok(admin, 'PUT', '/settings/ticket-fields', { schema: SCHEMA });
});

t.test('an agent\'s ticket must satisfy the schema: 422 naming each field, in Persian, nothing stored', async (t) => {
  const before = await ticketCount();
  const res = await s.call(admin, 'POST', '/tickets', { subject: 'گارانتی', channel: 'phone', priority: 'normal', body: 'سلام', customFields: { warrantyMonths: 99, serial: 'x' } }, { 'accept-language': 'fa' });
  t.equal(res.statusCode, 422, res.body);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  const problem = res.json() as Problem;
  t.equal(problem.code, 'CUSTOM_FIELDS_INVALID');
  t.equal(problem.title, 'فیلدهای سفارشی نامعتبرند');
  t.same(problem.errors.map((e) => e.path).sort(), ['/customFields/model', '/customFields/serial', '/customFields/warrantyMonths']);
  t.equal(await ticketCount(), before, 'no ticket was opened');

  const ok = await s.ticket({ customFields: { model: 'HP LaserJet 1020', warrantyMonths: 12 } });
  t.same(ok.customFields, { model: 'HP LaserJet 1020', warrantyMonths: 12 });
  t.equal(ok.number, before + 1, 'the refused ticket took no number');
});

t.test('a change of the fields must satisfy it; the ticket is unchanged on a refusal', async (t) => {
  const ticket = await s.ticket({ customFields: { model: 'Canon', warrantyMonths: 6 } });
  for (const customFields of [{ warrantyMonths: 61 }, { model: null }, { model: '' }, { serial: 'S-1' }]) {
    const res = await s.call(admin, 'PATCH', `/tickets/${ticket.id}`, { customFields, subject: 'عوض شود؟' });
    t.equal(res.statusCode, 422, JSON.stringify(customFields));
    t.equal(res.json().code, 'CUSTOM_FIELDS_INVALID');
  }
  const after = await s.ok<Ticket>(admin, 'GET', `/tickets/${ticket.id}`);
  t.same([after.customFields, after.subject, after.version], [ticket.customFields, ticket.subject, ticket.version], 'nothing of the refused patches was stored');

  const patched = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${ticket.id}`, { customFields: { warrantyMonths: null } });
  t.same(patched.customFields, { model: 'Canon' }, 'merge-patch: null removes an optional field');
});

t.test('tickets that predate the schema, or come from a customer, are held to it once their fields change', async (t) => {
  await s.ok(admin, 'PUT', '/settings/ticket-fields', { schema: { type: 'object' } });
  const old = await s.ticket({ customFields: { legacy: true } });
  await s.ok(admin, 'PUT', '/settings/ticket-fields', { schema: SCHEMA });
  t.equal((await s.ok<Ticket>(admin, 'PATCH', `/tickets/${old.id}`, { priority: 'high' })).priority, 'high', 'a change of other fields passes');
  t.equal((await s.call(admin, 'PATCH', `/tickets/${old.id}`, { customFields: { model: 'Epson' } })).statusCode, 422, 'the legacy field is refused once fields change');
  const fixed = await s.ok<Ticket>(admin, 'PATCH', `/tickets/${old.id}`, { customFields: { model: 'Epson', legacy: null } });
  t.same(fixed.customFields, { model: 'Epson' });

  const customer = await s.customer('نرگس');
  const asNarges = await s.user('host-user-9', ['customer'], [], { cust: customer.id });
  const portal = await s.call(asNarges, 'POST', '/portal/tickets', { subject: 'دستگاه خراب است', body: 'روشن نمی‌شود.' });
  t.equal(portal.statusCode, 201, portal.body);
});

t.test('a schema a tenant may not set is a 400 that changes nothing; only admins set it', async (t) => {
  const bad = [
    { type: 'array' },
    { type: 'object', patternProperties: { '^x': { type: 'string' } } },
    { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } },
    { type: 'object', properties: { n: { type: 'wat' } } },
  ];
  for (const schema of bad) {
    const res = await s.call(admin, 'PUT', '/settings/ticket-fields', { schema }, { 'accept-language': 'en' });
    t.equal(res.statusCode, 400, JSON.stringify(schema));
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
  t.equal((await s.call(admin, 'PUT', '/settings/ticket-fields', { schema: SCHEMA, extra: 1 })).statusCode, 400, 'unknown members refused');
  t.same(await s.ok(admin, 'GET', '/settings/ticket-fields'), { schema: SCHEMA }, 'the schema in force is unchanged');

  const manager = await s.user('manager-1', ['manager']);
  const agent = await s.user('agent-1', ['agent']);
  t.equal((await s.call(manager, 'PUT', '/settings/ticket-fields', { schema: { type: 'object' } })).statusCode, 403);
  t.equal((await s.call(agent, 'PUT', '/settings/ticket-fields', { schema: { type: 'object' } })).statusCode, 403);
  t.same(await s.ok(agent, 'GET', '/settings/ticket-fields'), { schema: SCHEMA }, 'agents read it, to fill the form');
});

t.test('setting the schema writes one support_settings.updated naming ticketFields; a refused setting writes none', async (t) => {
  const announced = assertCallEvents.bind(null, t, s, supportEventSchemas);
  const put = (body: Record<string, unknown>, token = admin) => () => s.call(token, 'PUT', '/settings/ticket-fields', body);
  await announced('the schema set', put({ schema: { ...SCHEMA, required: [] } }), 200, () => [{ type: 'support_settings.updated', data: { changed: ['ticketFields'] } }]);
  await announced('a schema a tenant may not set', put({ schema: { type: 'object', patternProperties: { '^x': { type: 'string' } } } }), 400, () => []);
  await announced('a body the schema refuses', put({ schema: SCHEMA, extra: 1 }), 400, () => []);
  await announced('a schema set by a manager', put({ schema: SCHEMA }, await s.user('manager-2', ['manager'])), 403, () => []);
  await announced('the schema set back', put({ schema: SCHEMA }), 200, () => [{ type: 'support_settings.updated', data: { changed: ['ticketFields'] } }]);
  t.same(await eventsOf(other, 'support_settings.*'), [], 'nothing in another tenant');
});
