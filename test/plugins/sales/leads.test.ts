/**
 * Leads through the HTTP API: capture with duplicate detection (core's normalized email
 * and phone keys), status changes, assignment rules, scoring recomputed on events,
 * conversion (and its atomicity), the public web-to-lead endpoint, and record scope.
 */
import t from 'tap';
import type { Dialect } from '../../../core/index.js';
import { testDialect } from '../../helpers/database.js';
import { bootSales, eventsOf } from '../../helpers/sales.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { salesEventSchemas } from '../../../plugins/sales/events.js';

const s = await bootSales(t, { peyvand: { pluginOptions: { sales: { webLeadsPerMinute: 4 } } } });
const other = await bootSales(t, { p: s.p, slug: 'other' });
const { admin } = s;
const fa = { 'accept-language': 'fa' };
type Lead = { id: string; status: string; score: number; ownerId?: string; teamId?: string; matchedCustomerId?: string; customerId?: string; dealId?: string; version: number; disqualifyReason?: string };

t.test('capture, duplicates and status changes', async (t) => {
  const res = await s.call(admin, 'POST', '/leads', { name: 'سارا کریمی', email: 'Sara@Example.com', phone: '۰۹۱۲۳۴۵۶۷۸۹', company: 'پارس', source: 'ads', utm: { source: 'google', campaign: 'nowruz' } });
  t.equal(res.statusCode, 201, res.body);
  const lead = res.json() as Lead;
  t.match(lead, { status: 'new', score: 0, utm: { source: 'google', campaign: 'nowruz' }, email: 'Sara@Example.com' });
  t.equal(res.headers.etag, '"1"');

  for (const [label, body] of [['same email, other case', { email: 'sara@EXAMPLE.com' }], ['same phone, other digits', { phone: '+98 912 345 6789' }]] as const) {
    const dup = await s.call(admin, 'POST', '/leads', { name: 'Sara', ...body }, fa);
    t.equal(dup.statusCode, 409, label);
    t.match(dup.json(), { code: 'LEAD_DUPLICATE', title: 'سرنخ تکراری', errors: [{ message: new RegExp(lead.id) }] });
  }
  const customer = await s.customer(admin, 'علی رضایی', { emails: [{ value: 'ali@example.com' }] });
  const matched = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'Ali', email: 'ALI@example.com' });
  t.equal(matched.matchedCustomerId, customer.id, 'a lead matching a customer is linked to it');

  t.equal((await s.call(admin, 'POST', '/leads', { name: 'x', score: 99 })).statusCode, 400, 'score is read-only');
  t.equal((await s.call(admin, 'POST', '/leads', { name: 'x', status: 'converted' })).statusCode, 400, 'converted only by conversion');
  t.equal((await s.call(admin, 'POST', '/leads', { name: 'x', email: 'not-an-email' })).statusCode, 400);
  t.equal((await s.call(admin, 'POST', '/leads', { name: 'x', utm: { term: 'y' } })).statusCode, 400, 'unknown utm field');

  const contacted = await s.call(admin, 'PATCH', `/leads/${lead.id}`, { status: 'contacted' }, { 'if-match': '"1"' });
  t.equal(contacted.statusCode, 200);
  const back = await s.call(admin, 'PATCH', `/leads/${lead.id}`, { status: 'new' }, fa);
  t.equal(back.statusCode, 422, 'contacted → new is not a step');
  t.match(back.json(), { code: 'LEAD_STATUS_INVALID', title: 'تغییر وضعیت مجاز نیست' });
  t.equal((await s.call(admin, 'PATCH', `/leads/${lead.id}`, { status: 'disqualified' })).statusCode, 400, 'disqualifying needs a reason');
  const out = await s.ok<Lead>(admin, 'PATCH', `/leads/${lead.id}`, { status: 'disqualified', disqualifyReason: 'بودجه ندارد' }, 200);
  t.match(out, { status: 'disqualified', disqualifyReason: 'بودجه ندارد' });
  const again = await s.call(admin, 'POST', '/leads', { name: 'Sara again', email: 'sara@example.com' });
  t.equal(again.statusCode, 201, 'a disqualified lead is no longer a duplicate');
  t.equal((await s.call(admin, 'PATCH', `/leads/${lead.id}`, { status: 'new' })).statusCode, 409, 'reopening it while the new one is open would make two');
  await s.ok(admin, 'PATCH', `/leads/${again.json().id}`, { status: 'disqualified', disqualifyReason: 'تکراری' }, 200);
  const reopened = await s.ok<Lead>(admin, 'PATCH', `/leads/${lead.id}`, { status: 'new' }, 200);
  t.equal(reopened.disqualifyReason, undefined, 'reopening clears the reason');
  const types = (await eventsOf(s, 'lead.*')).filter((e) => (e.data.lead as { id?: string } | undefined)?.id === lead.id).map((e) => e.type);
  t.same(types, ['lead.created', 'lead.updated', 'lead.updated', 'lead.disqualified', 'lead.updated']);
  t.equal((await other.call(other.admin, 'GET', `/leads/${lead.id}`)).statusCode, 404, 'another tenant’s lead is a 404');
  t.equal((await other.call(other.admin, 'PATCH', `/leads/${lead.id}`, { name: 'x' })).statusCode, 404);
});

t.test('assignment rules: round robin within a team, by territory and tag', async (t) => {
  const bad = await s.call(admin, 'PATCH', '/settings', { assignmentRules: [{ id: 'r', members: ['a'] }, { id: 'r', members: ['b'] }] }, fa);
  t.equal(bad.statusCode, 422);
  t.equal(bad.json().code, 'SETTINGS_INVALID');
  await s.ok(admin, 'PATCH', '/settings', {
    assignmentRules: [
      { id: 'tehran', when: { territory: 'تهران' }, team: 'north', members: ['user-a', 'user-b'] },
      { id: 'vip', when: { tag: 'ویژه' }, members: ['user-m'] },
    ],
  }, 200);
  const owners: Array<[string | undefined, string | undefined]> = [];
  for (let i = 0; i < 4; i++) {
    const lead = await s.ok<Lead>(admin, 'POST', '/leads', { name: `tehran ${i}`, territory: 'تهران' });
    owners.push([lead.ownerId, lead.teamId]);
  }
  t.same(owners, [['user-a', 'north'], ['user-b', 'north'], ['user-a', 'north'], ['user-b', 'north']], 'turns within the team');
  const vip = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'vip', tags: ['ويژه'] });
  t.equal(vip.ownerId, 'user-m', 'tag rule, Arabic yeh matches Persian yeh');
  const plain = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'plain' });
  t.match(plain.ownerId, /^apikey:/, 'no rule: the creator owns it');
  const assigned = (await eventsOf(s, 'lead.assigned')).filter((e) => e.data.ruleId === 'tehran');
  t.equal(assigned.length, 4, 'lead.assigned names the rule');

  const agentA = await s.user('user-a', ['agent'], ['north']);
  const agentB = await s.user('user-b', ['agent'], ['north']);
  const manager = await s.user('user-m', ['manager'], ['north']);
  const names = async (token: string) => (await s.ok<{ items: Array<{ name: string }> }>(token, 'GET', '/leads?limit=200')).items.map((l) => l.name).filter((n) => n.startsWith('tehran')).sort();
  t.same(await names(agentA), ['tehran 0', 'tehran 2'], 'an agent sees their own leads');
  t.same(await names(manager), ['tehran 0', 'tehran 1', 'tehran 2', 'tehran 3'], 'the manager sees the team');
  const ofA = (await s.ok<{ items: Lead[] }>(agentA, 'GET', '/leads')).items[0]!;
  t.equal((await s.call(agentB, 'GET', `/leads/${ofA.id}`)).statusCode, 404, 'another agent’s lead is a 404');
  t.equal((await s.call(agentB, 'PATCH', `/leads/${ofA.id}`, { status: 'contacted' })).statusCode, 404);
  t.equal((await s.call(agentB, 'POST', `/leads/${ofA.id}/convert`, {})).statusCode, 404);
  t.equal((await s.call(agentA, 'PATCH', `/leads/${ofA.id}`, { ownerId: 'user-b' })).statusCode, 400, 'agents do not reassign');
  await s.ok(admin, 'PATCH', '/settings', { assignmentRules: [] }, 200);
});

t.test('scoring: attribute and activity points, recomputed on events', async (t) => {
  const early = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'early', utm: { source: 'Google' } });
  t.equal(early.score, 0, 'no rules, no points');
  await s.ok(admin, 'PATCH', '/settings', {
    scoringRules: [
      { id: 'ads', kind: 'attribute', field: 'utm.source', equals: 'google', points: 10 },
      { id: 'company', kind: 'attribute', field: 'company', points: 5 },
      { id: 'calls', kind: 'activity', activity: 'call', points: 7, maxPoints: 14 },
    ],
  }, 200);
  await s.p.peyvand.kernel.dispatcher.drain();
  t.equal((await s.ok<Lead>(admin, 'GET', `/leads/${early.id}`)).score, 10, 'a rule change rescores existing open leads');

  const lead = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'scored', company: 'آریا', utm: { source: 'google' } });
  t.equal(lead.score, 15, 'attribute points on create');
  t.equal((await s.ok<Lead>(admin, 'PATCH', `/leads/${lead.id}`, { company: null }, 200)).score, 10, 'and on change');
  const calls: string[] = [];
  for (let i = 0; i < 3; i++) {
    const task = await s.ok<{ id: string }>(admin, 'POST', '/tasks', { type: 'call', title: `call ${i}`, dueAt: '2030-01-01T10:00:00Z', leadId: lead.id });
    await s.ok(admin, 'PATCH', `/tasks/${task.id}`, { status: 'done' }, 200);
    await s.p.peyvand.kernel.dispatcher.drain();
    calls.push(task.id);
  }
  const after = await s.ok<Lead>(admin, 'GET', `/leads/${lead.id}`);
  t.equal(after.score, 24, 'completed calls add points, capped at maxPoints');
  t.equal(after.version, 2, 'a derived score does not bump the version');
  for (const id of calls.slice(1)) await s.ok(admin, 'PATCH', `/tasks/${id}`, { status: 'open' }, 200);
  await s.p.peyvand.kernel.dispatcher.drain();
  t.equal((await s.ok<Lead>(admin, 'GET', `/leads/${lead.id}`)).score, 17, 'reopened calls take their points back');
  const scored = (await eventsOf(s, 'lead.scored')).filter((e) => e.data.leadId === lead.id).map((e) => e.data.score);
  t.same(scored, [17, 24, 17], 'lead.scored when the score changes');
  const audit = await s.ok<{ items: Array<{ action: string; actor: string; before: unknown; after: unknown }> }>(admin, 'GET', `/api/v1/audit?entityType=lead&entityId=${lead.id}`);
  t.match(audit.items.filter((a) => a.action === 'lead.rescore').map((a) => [a.actor, a.before, a.after]), [['system:sales', { score: 24 }, { score: 17 }], ['system:sales', { score: 17 }, { score: 24 }], ['system:sales', { score: 10 }, { score: 17 }]], 'rescoring is audited, newest first, as the plugin’s own change');
  await s.ok(admin, 'PATCH', '/settings', { scoringRules: [] }, 200);
  await s.p.peyvand.kernel.dispatcher.drain();
  t.equal((await s.ok<Lead>(admin, 'GET', `/leads/${lead.id}`)).score, 0);
});

t.test('conversion: customer and deal in one transaction', async (t) => {
  const pipeline = await s.pipeline();
  const lead = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'مهدی نوری', email: 'mahdi@example.com', phone: '09121112233' });
  const res = await s.call(admin, 'POST', `/leads/${lead.id}/convert`, { deal: { title: 'سفارش اول', amount: 90_000_000, pipelineId: pipeline.id, expectedCloseDate: '2025-06-01' } });
  t.equal(res.statusCode, 200, res.body);
  const conv = res.json();
  t.match(conv, { customerCreated: true, customer: { name: 'مهدی نوری' }, lead: { status: 'converted' }, deal: { title: 'سفارش اول', currency: 'IRR', leadId: lead.id } });
  t.equal(conv.lead.customerId, conv.customer.id);
  t.equal(conv.lead.dealId, conv.deal.id);
  t.equal(conv.deal.customerId, conv.customer.id);
  t.equal(conv.deal.customerName, 'مهدی نوری', 'the new deal names the customer made in the same transaction');
  const customer = await s.ok<{ emails: Array<{ value: string }> }>(admin, 'GET', `/api/v1/customers/${conv.customer.id}`);
  t.same(customer.emails, [{ value: 'mahdi@example.com' }]);
  const events = (await eventsOf(s, 'lead.converted,customer.created,deal.created')).filter((e) => JSON.stringify(e.data).includes(conv.customer.id)).map((e) => e.type);
  t.same(events, ['customer.created', 'deal.created', 'lead.converted']);
  const twice = await s.call(admin, 'POST', `/leads/${lead.id}/convert`, {}, fa);
  t.equal(twice.statusCode, 422);
  t.equal(twice.json().title, 'سرنخ قابل تبدیل نیست');

  const existing = await s.customer(admin, 'Existing');
  const linked = await s.ok<{ customerCreated: boolean; customer: { id: string }; deal: null }>(admin, 'POST', `/leads/${(await s.ok<Lead>(admin, 'POST', '/leads', { name: 'link me' })).id}/convert`, { customerId: existing.id }, 200);
  t.match(linked, { customerCreated: false, customer: { id: existing.id }, deal: null }, 'link to an existing customer');
  const known = await s.customer(admin, 'Known', { phones: [{ value: '+98 935 000 1111' }] });
  const matchedLead = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'known?', phone: '۰۹۳۵۰۰۰۱۱۱۱' });
  const viaMatch = await s.ok<{ customerCreated: boolean; customer: { id: string } }>(admin, 'POST', `/leads/${matchedLead.id}/convert`, {}, 200);
  t.match(viaMatch, { customerCreated: false, customer: { id: known.id } }, 'the matched customer is used, not duplicated');
});

t.test('conversion atomicity: a failure mid-way leaves nothing behind', async (t) => {
  const pipeline = await s.pipeline();
  const foreign = await other.customer(other.admin, 'foreign');
  for (const [label, body, status, code] of [
    ['a deal in a currency the tenant does not accept', { deal: { title: 'x', amount: 5, pipelineId: pipeline.id, currency: 'GBP' } }, 422, 'CURRENCY_NOT_ACCEPTED'],
    ['a negative deal amount', { deal: { title: 'x', amount: -5, pipelineId: pipeline.id } }, 422, 'AMOUNT_NEGATIVE'],
    ['another tenant’s customer', { customerId: foreign.id }, 404, 'CUSTOMER_NOT_FOUND'],
    ['an unknown pipeline', { deal: { title: 'x', amount: 5, pipelineId: '01900000-0000-7000-8000-000000000000' } }, 404, 'PIPELINE_NOT_FOUND'],
  ] as const) {
    const name = `atomic ${code}`;
    const lead = await s.ok<Lead>(admin, 'POST', '/leads', { name, email: `${code.toLowerCase()}@example.com` });
    const before = (await eventsOf(s, '*')).length;
    const res = await s.call(admin, 'POST', `/leads/${lead.id}/convert`, body, fa);
    t.equal(res.statusCode, status, label);
    t.equal(res.json().code, code);
    const after = await s.ok<Lead>(admin, 'GET', `/leads/${lead.id}`);
    t.match(after, { status: 'new', version: lead.version }, `${label}: the lead is untouched`);
    t.notOk(after.customerId);
    const customers = await s.ok<{ items: unknown[] }>(admin, 'GET', `/api/v1/customers?q=${encodeURIComponent(name)}`);
    t.same(customers.items, [], `${label}: no customer was created`);
    t.equal((await eventsOf(s, '*')).length, before, `${label}: no event`);
  }
});

/** A database trigger that fails the last write of a conversion (the lead's own row) for one lead name. */
const FAILING_CONVERSION: Record<Dialect, { create: string[]; drop: string[] }> = {
  sqlite: {
    create: [`create trigger crm_test_fail_conversion before update of status on crm_sales_leads when new.status = 'converted' and new.name = 'inject failure' begin select raise(abort, 'injected failure'); end`],
    drop: ['drop trigger crm_test_fail_conversion'],
  },
  postgres: {
    create: [
      `create function crm_test_fail_conversion() returns trigger language plpgsql as $$ begin if new.status = 'converted' and new.name = 'inject failure' then raise exception 'injected failure'; end if; return new; end $$`,
      'create trigger crm_test_fail_conversion before update on crm_sales_leads for each row execute function crm_test_fail_conversion()',
    ],
    drop: ['drop trigger crm_test_fail_conversion on crm_sales_leads', 'drop function crm_test_fail_conversion()'],
  },
  mysql: {
    create: [`create trigger crm_test_fail_conversion before update on crm_sales_leads for each row begin if new.status = 'converted' and new.name = 'inject failure' then signal sqlstate '45000' set message_text = 'injected failure'; end if; end`],
    drop: ['drop trigger crm_test_fail_conversion'],
  },
};

t.test('conversion atomicity: the database fails the very last write', async (t) => {
  const knex = s.p.peyvand.kernel.db.knex;
  const pipeline = await s.pipeline();
  const lead = await s.ok<Lead>(admin, 'POST', '/leads', { name: 'inject failure', email: 'inject@example.com' });
  const before = (await eventsOf(s, '*')).length;
  for (const sql of FAILING_CONVERSION[testDialect()].create) await knex.raw(sql);
  const res = await s.call(admin, 'POST', `/leads/${lead.id}/convert`, { deal: { title: 'injected deal', amount: 5, pipelineId: pipeline.id } });
  for (const sql of FAILING_CONVERSION[testDialect()].drop) await knex.raw(sql);
  t.equal(res.statusCode, 500, 'customer and deal were written, then the lead update failed');
  t.match(res.json(), { code: 'INTERNAL', requestId: String });
  t.match(await s.ok<Lead>(admin, 'GET', `/leads/${lead.id}`), { status: 'new', version: lead.version }, 'the lead is untouched');
  t.same((await s.ok<{ items: unknown[] }>(admin, 'GET', `/api/v1/customers?q=${encodeURIComponent('inject failure')}`)).items, [], 'no customer');
  t.same((await knex('crm_customers').where({ tenant_id: s.id, name: 'inject failure' })).length, 0, 'not even one the search would miss');
  t.same((await knex('crm_sales_deals').where({ tenant_id: s.id, title: 'injected deal' })).length, 0, 'no deal');
  t.equal((await eventsOf(s, '*')).length, before, 'no event');
  t.same((await s.ok<{ items: Array<{ action: string }> }>(admin, 'GET', `/api/v1/audit?entityType=lead&entityId=${lead.id}`)).items.map((a) => a.action), ['lead.create'], 'no audit entry');
  const retried = await s.ok<{ customerCreated: boolean; deal: { title: string } }>(admin, 'POST', `/leads/${lead.id}/convert`, { deal: { title: 'injected deal', amount: 5, pipelineId: pipeline.id } }, 200);
  t.match(retried, { customerCreated: true, deal: { title: 'injected deal' } }, 'once the fault is gone the same conversion succeeds');
});

t.test('web-to-lead: public, honeypot, duplicates, rate limit, unknown key', async (t) => {
  const form = await s.ok<{ id: string; key: string }>(admin, 'POST', '/web-forms', { name: 'فرم تماس', source: 'website' });
  t.match(form.key, /^wf_/);
  const url = `/web-leads/${form.key}`;
  const res = await s.call(undefined, 'POST', url, { name: 'بازدیدکننده', email: 'visitor@example.com', message: 'لطفاً تماس بگیرید', utm: { source: 'instagram' } });
  t.equal(res.statusCode, 202, res.body);
  t.same(res.json(), { status: 'received' }, 'says nothing about leads');
  const leads = await s.ok<{ items: Array<Lead & { name: string; source: string }> }>(admin, 'GET', '/leads?source=website');
  t.equal(leads.items.length, 1);
  t.match(leads.items[0], { name: 'بازدیدکننده', source: 'website', notes: 'لطفاً تماس بگیرید', utm: { source: 'instagram' } });

  const dup = await s.call(undefined, 'POST', url, { name: 'again', email: 'VISITOR@example.com' });
  t.same([dup.statusCode, dup.json()], [202, { status: 'received' }], 'a duplicate looks the same to the visitor');
  const bot = await s.call(undefined, 'POST', url, { name: 'bot', email: 'bot@example.com', website: 'http://spam.example' });
  t.same([bot.statusCode, bot.json()], [202, { status: 'received' }], 'the honeypot looks the same too');
  t.equal((await s.ok<{ items: unknown[] }>(admin, 'GET', '/leads?source=website')).items.length, 1, 'neither created a lead');

  const limited = await s.ok<{ key: string }>(admin, 'POST', '/web-forms', { name: 'limited' });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await s.call(undefined, 'POST', `/web-leads/${limited.key}`, { name: `n${i}`, phone: `0912000000${i}` })).statusCode);
  t.same(statuses, [202, 202, 202, 202, 429], 'rate limited per form key and address');
  const over = await s.call(undefined, 'POST', `/web-leads/${limited.key}`, { name: 'n', phone: '09120000009' }, fa);
  t.equal(over.json().code, 'RATE_LIMITED');
  t.ok(Number(over.headers['retry-after']) > 0);

  const unknown = await s.call(undefined, 'POST', '/web-leads/wf_unknown', { name: 'x', email: 'x@example.com' }, fa);
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { code: 'WEB_FORM_NOT_FOUND', title: 'فرم پیدا نشد' });
  // Each form key has its own budget of 4 a minute here, so the checks below use fresh forms.
  const strict = `/web-leads/${(await s.ok<{ key: string }>(admin, 'POST', '/web-forms', { name: 'strict' })).key}`;
  t.equal((await s.call(undefined, 'POST', strict, { name: 'no contact' })).statusCode, 400, 'an email or a phone is needed');
  t.equal((await s.call(undefined, 'POST', strict, { name: 'x', email: 'y@example.com', ownerId: 'me' })).statusCode, 400, 'unknown fields');
  t.equal((await s.call(undefined, 'GET', '/leads')).statusCode, 401, 'the rest of the API still needs a credential');

  // A phone must look like one: digits in any script, separators, an optional +.
  const phones = `/web-leads/${(await s.ok<{ key: string }>(admin, 'POST', '/web-forms', { name: 'phones' })).key}`;
  const leadsBefore = (await s.ok<{ items: unknown[] }>(admin, 'GET', '/leads?limit=200')).items.length;
  for (const phone of ['abc', '12']) {
    const refused = await s.call(undefined, 'POST', phones, { name: 'تلفن نادرست', phone }, fa);
    t.equal(refused.statusCode, 400, `phone ${JSON.stringify(phone)} is refused`);
    t.same(refused.json().errors, [{ path: '/phone', message: 'تلفن باید شمارهٔ تلفن باشد (رقم، با + و جداکننده در صورت نیاز)' }], 'named by its Persian label');
  }
  t.equal((await s.ok<{ items: unknown[] }>(admin, 'GET', '/leads?limit=200')).items.length, leadsBefore, 'nothing stored');
  t.equal((await s.call(undefined, 'POST', phones, { name: 'تلفن فارسی', phone: '۰۹۱۲ ۳۴۵ ۶۷۸۹' })).statusCode, 202, 'Persian digits with spaces are a phone');

  const gone = await s.ok<{ id: string; key: string }>(admin, 'POST', '/web-forms', { name: 'gone' });
  await s.p.admin({ method: 'DELETE', url: `/api/v1/admin/tenants/${s.slug}/plugins/sales` });
  t.equal((await s.call(undefined, 'POST', `/web-leads/${gone.key}`, { name: 'x', email: 'off@example.com' })).statusCode, 404, 'a tenant without sales has no forms');
  await s.p.admin({ method: 'PUT', url: `/api/v1/admin/tenants/${s.slug}/plugins/sales` });
  t.equal((await s.call(admin, 'DELETE', `/web-forms/${gone.id}`)).statusCode, 204);
  t.equal((await s.call(undefined, 'POST', `/web-leads/${gone.key}`, { name: 'x', email: 'late@example.com' })).statusCode, 404, 'a deleted form’s key stops working');
  t.equal((await other.call(other.admin, 'DELETE', `/web-forms/${limited.key}`)).statusCode, 404);
});

t.test('web-to-lead: a refused submission names every field to fix at once, in Persian digits', async (t) => {
  const url = `/web-leads/${(await s.ok<{ key: string }>(admin, 'POST', '/web-forms', { name: 'all errors' })).key}`;
  const broken = { name: '', email: 'not-an-email', company: '', message: 'پ'.repeat(5001) };
  const res = await s.call(undefined, 'POST', url, broken, fa);
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'VALIDATION_FAILED');
  t.same(res.json().errors, [
    { path: '/name', message: 'نام باید دست‌کم ۱ نویسه باشد' },
    { path: '/email', message: 'ایمیل باید نشانی ایمیل معتبر باشد' },
    { path: '/company', message: 'شرکت باید دست‌کم ۱ نویسه باشد' },
    { path: '/message', message: 'پیام باید حداکثر ۵٬۰۰۰ نویسه باشد' },
  ], 'four broken fields, four messages, no Latin digits');
  const en = await s.call(undefined, 'POST', url, broken, { 'accept-language': 'en' });
  t.same(en.json().errors.map((e: { path: string }) => e.path), ['/name', '/email', '/company', '/message'], 'in English too');

  const empty = await s.call(undefined, 'POST', url, {}, fa);
  t.same(empty.json().errors.map((e: { path: string }) => e.path).sort(), ['', '/email', '/name', '/phone'], 'nothing filled in: the name, and an email or a phone');
  const unknown = await s.call(undefined, 'POST', url, { name: 'x', email: 'x@example.com', ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 1])) });
  t.equal(unknown.statusCode, 400);
  t.equal(unknown.json().errors.length, 50, 'a body of 300 unknown fields is answered with 50 of them, not 300');
  const huge = await s.call(undefined, 'POST', url, { name: 'x', email: 'x@example.com', message: 'x'.repeat(70 * 1024) });
  t.equal(huge.statusCode, 413, 'a form body is small: past 64 KiB it is refused before validation');

  // Refused submissions never reach the form's budget (4 a minute here): the widget may ask again in another language.
  for (let i = 0; i < 6; i++) t.equal((await s.call(undefined, 'POST', url, broken)).statusCode, 400);
  t.equal((await s.call(undefined, 'POST', url, { name: 'پس از اصلاح', email: 'fixed@example.com' })).statusCode, 202, 'a corrected one goes through');

  // Authenticated routes keep stopping at the first broken rule (see core/http/validation.ts).
  const deal = await s.call(admin, 'POST', '/deals', { title: '', customerId: '', pipelineId: '', amount: 1.5 });
  t.equal(deal.json().errors.length, 1, 'POST /deals reports one');
});

t.test('the events written match the schemas the plugin declares for their data', async (t) => {
  await assertWrittenEvents(t, s, 'lead.*', salesEventSchemas, ['lead.created', 'lead.updated', 'lead.assigned', 'lead.scored', 'lead.disqualified', 'lead.converted']);
});
