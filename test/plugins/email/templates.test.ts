/**
 * Email templates through the API: created and listed per key and locale (409 on a second
 * of the same), compiled on save (a syntax error or an unknown helper is a 422 that stores
 * nothing), previewed with sample data (fa wrapped right-to-left with Persian digits and a
 * Jalali date, a plain-text part generated when missing, data HTML-escaped), and sent by key
 * in the locale asked for, else the customer's, else the tenant's, falling back to en and
 * then any locale — delivered through Postfix into the customer's Dovecot mailbox.
 * (If-Match on a template update is in accounts.test.ts.)
 */
import t from 'tap';
import { simpleParser } from 'mailparser';
import { bootEmail } from '../../helpers/email.js';

const h = await bootEmail(t, [{ address: 'nasrin@example.test' }]);
const nasrin = h.mail.users[1]!;
const account = await h.ok<{ id: string }>('POST', '/accounts', { name: 'Acme', address: h.support.address, smtp: h.server(h.support, 'smtp') });
type Template = { id: string; key: string; locale: string; subject: string; html: string; text: string | null; version: number };
type Rendered = { subject: string; html: string; text: string };
type Message = { id: string; status: string; subject: string; text: string; html: string | null; messageId: string };
const faBody = { key: 'order-shipped', locale: 'fa', subject: 'سفارش {{digits order}} ارسال شد', html: '<p>{{name}} عزیز، سفارش {{digits order}} در {{date at}} ارسال شد.</p><p>مبلغ: {{number total}} ریال</p>' };
const enBody = { key: 'order-shipped', locale: 'en', subject: 'Order {{order}} shipped', html: '<p>Dear {{name}}, order {{order}} shipped on {{date at}}.</p>', text: 'Dear {{name}}, order {{order}} has shipped.' };
const sample = { name: 'نسرین', order: 123, at: '2025-03-21T10:00:00Z', total: 1234567 };
let fa: Template;
let en: Template;

t.test('create and list per key and locale; a second of the same key and locale is a 409', async (t) => {
  const created = await h.call(h.owner, 'POST', '/templates', faBody);
  t.equal(created.statusCode, 201, created.body);
  t.equal(created.headers.etag, '"1"');
  fa = created.json();
  t.match(fa, { ...faBody, text: null, version: 1 });
  en = await h.ok<Template>('POST', '/templates', enBody);
  const duplicate = await h.call(h.owner, 'POST', '/templates', { ...faBody, subject: 'again' }, { 'accept-language': 'fa' });
  t.equal(duplicate.statusCode, 409);
  t.match(duplicate.json(), { code: 'TEMPLATE_DUPLICATE', title: /[\u0600-\u06ff]/ });
  t.same((await h.ok<{ items: Template[] }>('GET', '/templates?key=order-shipped')).items.map((x) => [x.key, x.locale]), [['order-shipped', 'en'], ['order-shipped', 'fa']]);
  t.same((await h.ok<{ items: Template[] }>('GET', '/templates?locale=fa')).items.map((x) => x.id), [fa.id]);
  t.equal((await h.call(h.owner, 'POST', '/templates', { ...faBody, key: 'Bad Key' })).statusCode, 400, 'a key outside the pattern');
  t.equal((await h.call(h.owner, 'POST', '/templates', { ...faBody, key: 'x', locale: 'de' })).statusCode, 400, 'a locale outside fa and en');
});

t.test('a broken template is a 422 TEMPLATE_INVALID that stores nothing', async (t) => {
  const broken = [
    { html: '<p>{{#if name}}unclosed</p>' },
    { html: '<p>{{shout name}}</p>' },
    { subject: 'Hi {{' },
    { text: '{{#each items}}' },
  ];
  for (const change of broken) {
    const res = await h.call(h.owner, 'POST', '/templates', { ...enBody, key: 'broken', ...change }, { 'accept-language': 'fa' });
    t.equal(res.statusCode, 422, JSON.stringify(change));
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.match(res.json(), { code: 'TEMPLATE_INVALID', title: /[\u0600-\u06ff]/ });
  }
  t.same((await h.ok<{ items: unknown[] }>('GET', '/templates?key=broken')).items, [], 'none stored');
  const patched = await h.call(h.owner, 'PATCH', `/templates/${en.id}`, { html: '<p>{{#unless}}' });
  t.equal(patched.statusCode, 422);
  t.equal(patched.json().code, 'TEMPLATE_INVALID');
  t.match((await h.ok<{ items: Template[] }>('GET', '/templates?key=order-shipped&locale=en')).items, [{ html: enBody.html, version: 1 }], 'the update changed nothing');
});

t.test('preview: fa wrapped right-to-left with Persian digits and a Jalali date, text generated', async (t) => {
  const res = await h.call(h.owner, 'POST', `/templates/${fa.id}/preview`, { data: sample });
  t.equal(res.statusCode, 200, res.body);
  const r = res.json() as Rendered;
  t.equal(r.subject, 'سفارش ۱۲۳ ارسال شد');
  t.match(r.html, /^<!doctype html><html lang="fa" dir="rtl">/);
  t.match(r.html, /<body dir="rtl" style="direction:rtl;text-align:right;/);
  t.match(r.html, /۱۴۰۴/, 'the date in the Jalali calendar (2025-03-21 is 1 Farvardin 1404), in Persian digits');
  t.match(r.html, /۱٬۲۳۴٬۵۶۷/, 'the amount grouped in Persian digits');
  t.match(r.text, /^نسرین عزیز، سفارش ۱۲۳ در .*۱۴۰۴.* ارسال شد\.\n+مبلغ: ۱٬۲۳۴٬۵۶۷ ریال$/, 'plain text generated from the HTML');
  t.notMatch(r.text, /</);
  const enPreview = await h.ok<Rendered>('POST', `/templates/${en.id}/preview`, { data: { ...sample, name: '<script>alert(1)</script>' } });
  t.equal(enPreview.subject, 'Order 123 shipped');
  t.match(enPreview.html, /^<!doctype html><html lang="en" dir="ltr">/);
  t.match(enPreview.html, /Dear &lt;script&gt;alert\(1\)&lt;\/script&gt;, order 123 shipped on/, 'data is HTML-escaped');
  t.equal(enPreview.text, 'Dear <script>alert(1)</script>, order 123 has shipped.', 'the stored text part, as plain text');
  t.equal((await h.ok<Rendered>('POST', `/templates/${en.id}/preview`, { data: { order: 'A&B "1"' } })).subject, 'Order A&B "1" shipped', 'the subject is not HTML-escaped');
  t.same(await h.ok<Rendered>('POST', `/templates/${en.id}/preview`, { data: { constructor: { name: 'x' } } }).then((x) => x.subject), 'Order  shipped', 'missing data renders empty');
  const missing = await h.call(h.owner, 'POST', '/templates/01a24000-0000-7000-8000-000000000000/preview', { data: {} });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'TEMPLATE_NOT_FOUND');
  t.equal((await h.call(h.owner, 'POST', `/templates/${fa.id}/preview`, {})).statusCode, 400, 'data is required');
  const other = await (await h.p.tenant('other', { plugins: ['email'] })).key('owner');
  t.equal((await h.call(other, 'POST', `/templates/${fa.id}/preview`, { data: {} })).statusCode, 404, 'another tenant’s template');
});

t.test('a template send picks the customer’s locale, delivered through Postfix', async (t) => {
  const customer = await h.ok<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name: 'نسرین', locale: 'fa', emails: [{ value: nasrin.address }] });
  const res = await h.call(h.owner, 'POST', '/messages', { accountId: account.id, to: [nasrin.address], template: { key: 'order-shipped', data: sample } });
  t.equal(res.statusCode, 202, res.body);
  const queued = res.json() as { id: string; messageId: string };
  const sent = await h.waitFor('sent', async () => {
    await h.services.outbound.deliverDue();
    const m = await h.ok<Message & { customerId?: string }>('GET', `/messages/${queued.id}`);
    return m.status === 'sent' ? m : undefined;
  });
  t.match(sent, { customerId: customer.id, subject: /^سفارش ۱۲۳ ارسال شد \[#[a-z2-7]{12}\]$/ });
  const raw = await h.waitFor('the mail in Nasrin’s mailbox', async () => (await h.mailbox(nasrin)).find((m) => m.includes(queued.messageId)));
  const parsed = await simpleParser(raw);
  t.match(parsed.subject, /^سفارش ۱۲۳ ارسال شد/);
  t.match(String(parsed.html), /<html lang="fa" dir="rtl">/);
  t.match(parsed.text ?? '', /نسرین عزیز، سفارش ۱۲۳/, 'with its plain-text part');
});

t.test('locale choice: asked for, else the customer’s, else the tenant’s; then en, then any', async (t) => {
  const subjectOf = async (body: Record<string, unknown>) => {
    const res = await h.call(h.owner, 'POST', '/messages', { accountId: account.id, ...body });
    if (res.statusCode !== 202) return `${res.statusCode} ${res.json().code}`;
    return (await h.ok<Message>('GET', `/messages/${res.json().id}`)).subject.replace(/ \[#[a-z2-7]{12}\]$/, '');
  };
  await h.ok('POST', '/api/v1/customers', { kind: 'person', name: 'John', locale: 'en', emails: [{ value: 'john@example.test' }] });
  await h.ok('POST', '/api/v1/customers', { kind: 'person', name: 'Nobody', emails: [{ value: 'nolocale@example.test' }] });
  const data = { order: 7 };
  t.equal(await subjectOf({ to: [nasrin.address], template: { key: 'order-shipped', data, locale: 'en' } }), 'Order 7 shipped', 'the locale asked for wins');
  t.equal(await subjectOf({ to: ['john@example.test'], template: { key: 'order-shipped', data } }), 'Order 7 shipped', 'an en customer');
  t.equal(await subjectOf({ to: ['nolocale@example.test'], template: { key: 'order-shipped', data } }), 'Order 7 shipped', 'no customer locale: the tenant’s (en)');
  await h.ok('POST', '/templates', { key: 'only-en', locale: 'en', subject: 'English only {{order}}', html: '<p>x</p>' });
  await h.ok('POST', '/templates', { key: 'only-fa', locale: 'fa', subject: 'فقط فارسی {{digits order}}', html: '<p>x</p>' });
  t.equal(await subjectOf({ to: [nasrin.address], template: { key: 'only-en', data } }), 'English only 7', 'fa wanted, en is the fallback');
  t.equal(await subjectOf({ to: ['john@example.test'], template: { key: 'only-fa', data } }), 'فقط فارسی ۷', 'en wanted and missing: any locale');
  const before = (await h.ok<{ items: unknown[] }>('GET', '/messages?direction=out&limit=200')).items.length;
  t.equal(await subjectOf({ to: [nasrin.address], template: { key: 'no-such-key', data } }), '404 TEMPLATE_NOT_FOUND');
  t.equal((await h.ok<{ items: unknown[] }>('GET', '/messages?direction=out&limit=200')).items.length, before, 'nothing queued');

  // A fa tenant: a customer without a locale gets the fa template.
  const pars = await h.p.tenant('pars', { plugins: ['email'], locale: 'fa' });
  const key = await pars.key('owner');
  t.equal((await h.call(key, 'POST', '/accounts', { name: 'Pars', address: h.support.address, smtp: h.server(h.support, 'smtp') })).statusCode, 201);
  for (const body of [faBody, enBody]) t.equal((await h.call(key, 'POST', '/templates', body)).statusCode, 201);
  const sent = await h.call(key, 'POST', '/messages', { to: ['someone@example.test'], template: { key: 'order-shipped', data } });
  t.equal(sent.statusCode, 202, sent.body);
  t.match((await h.call(key, 'GET', `/messages/${sent.json().id}`)).json().subject, /^سفارش ۷ ارسال شد/, 'the tenant’s fa');
});

t.test('a template as long as the schema allows is stored whole; its audit entry keeps the long text shortened', async (t) => {
  // 200,000 Persian letters are 400,000 bytes: more than an audit snapshot column holds on MariaDB (65,535).
  const html = 'ب'.repeat(200_000);
  const created = await h.call(h.owner, 'POST', '/templates', { key: 'long-letter', locale: 'fa', subject: 'نامهٔ بلند', html });
  t.equal(created.statusCode, 201, created.body.slice(0, 200));
  t.equal(created.json().html, html, 'the template itself is whole');
  const db = h.p.peyvand.kernel.db;
  const entry = await db.knex(db.table('audit_log')).where({ entity_type: 'email_template', entity_id: created.json().id }).first();
  const after = JSON.parse(String(entry.after)) as { html: string };
  t.match(after.html, /^ب{1000}… \[200000 characters\]$/, 'the audit entry says how long the text was');
});
