/**
 * Email accounts through the API against the real Dovecot and Postfix: passwords sealed
 * and never returned, the connection test naming what failed in the caller's language,
 * permissions, another tenant's account a 404, each change of an account or a template
 * announced by its one event (none for a refused change), and the plugin's migration
 * up → down → up.
 */
import t from 'tap';
import { bootEmail } from '../../helpers/email.js';
import { assertCallEvents } from '../../helpers/event-schemas.js';
import { emailEventSchemas } from '../../../plugins/email/events.js';
import { freePort } from '../../helpers/mail-servers.js';
import { emailMigration } from '../../../plugins/email/migrations/001_email.js';
import { templateVersionMigration } from '../../../plugins/email/migrations/002_template_version.js';
import { dkimMigration } from '../../../plugins/email/migrations/003_dkim.js';
import { unsubscribeMigration } from '../../../plugins/email/migrations/004_unsubscribe.js';

const h = await bootEmail(t);
const { support } = h;

t.test('create, read, update and delete; passwords are write-only and sealed', async (t) => {
  const body = { name: 'پشتیبانی', address: support.address, smtp: h.server(support, 'smtp'), imap: { ...h.server(support, 'imap'), folders: ['INBOX'] } };
  const res = await h.call(h.owner, 'POST', '/accounts', body);
  t.equal(res.statusCode, 201, res.body);
  const account = res.json();
  t.match(account, { name: 'پشتیبانی', address: 'support@acme.test', default: true, unknownSenders: 'customer', smtp: { host: '127.0.0.1', secure: 'none', user: support.address }, imap: { folders: ['INBOX'] } });
  t.notOk(JSON.stringify(account).includes(support.password), 'no password in the answer');
  const row = await h.p.peyvand.kernel.db.knex(h.p.peyvand.kernel.db.table('email_accounts')).where('id', account.id).first();
  t.notOk(JSON.stringify(row).includes(support.password), 'no plaintext password in the database');
  const got = await h.call(h.owner, 'GET', `/accounts/${account.id}`);
  t.notOk(got.body.includes(support.password));
  t.equal((await h.call(h.owner, 'POST', '/accounts', { ...body, password: 'x' })).statusCode, 400, 'unknown field refused');
  t.equal((await h.call(h.owner, 'POST', '/accounts', { ...body, smtp: { ...body.smtp, secure: 'ssl' } })).statusCode, 400, 'unknown TLS mode refused');
  t.equal((await h.call(undefined, 'GET', '/accounts')).statusCode, 401);
  const viewer = (await h.p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'v', role: 'viewer' } })).json().key as string;
  t.equal((await h.call(viewer, 'GET', '/accounts')).statusCode, 403, 'a viewer cannot manage accounts');
  const second = (await h.call(h.owner, 'POST', '/accounts', { ...body, name: 'two', default: true })).json();
  t.equal(second.default, true);
  t.equal((await h.call(h.owner, 'GET', `/accounts/${account.id}`)).json().default, false, 'one default account');
  const patched = await h.call(h.owner, 'PATCH', `/accounts/${second.id}`, { name: 'دوم', smtp: { password: 'new-secret' }, imap: null });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { name: 'دوم', imap: null, version: 2 });
  const other = await h.p.tenant('other', { plugins: ['email'] });
  const otherKey = await other.key('owner');
  t.equal((await h.call(otherKey, 'GET', `/accounts/${account.id}`)).statusCode, 404, 'another tenant’s account is a 404');
  t.equal((await h.call(h.owner, 'DELETE', `/accounts/${second.id}`)).statusCode, 204);
  t.equal((await h.call(h.owner, 'GET', `/accounts/${second.id}`)).statusCode, 404);
  t.equal((await h.call(h.owner, 'POST', `/accounts/${second.id}/test`)).json().code, 'ACCOUNT_NOT_FOUND');
});

t.test('connection test: works, then names auth, TLS, DNS and refused in the user’s language', async (t) => {
  const make = async (smtp: Record<string, unknown>, imap?: Record<string, unknown>) =>
    (await h.call(h.owner, 'POST', '/accounts', { name: 'probe', address: support.address, smtp: { ...h.server(support, 'smtp'), ...smtp }, ...(imap ? { imap: { ...h.server(support, 'imap'), ...imap } } : {}) })).json().id as string;
  const test = async (id: string, lang = 'en') => (await h.call(h.owner, 'POST', `/accounts/${id}/test`, undefined, { 'accept-language': lang })).json();

  t.same(await test(await make({}, {})), { smtp: { ok: true }, imap: { ok: true } }, 'both connections work');
  const wrong = await test(await make({ password: 'wrong' }, { password: 'wrong' }), 'fa');
  t.match(wrong, { smtp: { ok: false, code: 'AUTH_FAILED' }, imap: { ok: false, code: 'AUTH_FAILED' } });
  t.match(wrong.smtp.error, /گذرواژه/, 'said in Persian');
  const closed = await freePort();
  const refused = await test(await make({ port: closed }, { port: closed }));
  t.match(refused, { smtp: { ok: false, code: 'CONNECTION_REFUSED', error: /refused the connection/ }, imap: { ok: false, code: 'CONNECTION_REFUSED' } });
  const sync = async (id: string, lang: string) => h.call(h.owner, 'POST', `/accounts/${id}/sync`, undefined, { 'accept-language': lang });
  const unreachable = await sync(await make({}, { port: closed }), 'fa');
  t.equal(unreachable.statusCode, 502, 'a sync from an IMAP server that cannot be reached is a 502, not a 500');
  t.match(unreachable.headers['content-type'], /^application\/problem\+json/);
  t.match(unreachable.json(), { code: 'IMAP_UNAVAILABLE', status: 502, detail: new RegExp(`دریافت نشد: 127\\.0\\.0\\.1:${closed} اتصال را رد کرد`) }, 'the reason, in Persian');
  const refusedLogin = await sync(await make({}, { password: 'wrong' }), 'en');
  t.match(refusedLogin.json(), { code: 'IMAP_UNAVAILABLE', detail: /could not be fetched: .* refused the user name or password/ }, 'a refused login says so');
  const tls = await test(await make({ secure: 'tls' }, { secure: 'tls' }));
  t.match(tls, { smtp: { ok: false, code: 'TLS_FAILED' }, imap: { ok: false, code: 'TLS_FAILED' } }, 'implicit TLS against a plain port');
  const starttls = await test(await make({ secure: 'starttls' }));
  t.match(starttls, { smtp: { ok: false, code: 'TLS_FAILED' }, imap: { ok: false, code: 'NOT_CONFIGURED' } }, 'STARTTLS required but not offered');
  const dns = await test(await make({ host: 'no-such-host.invalid' }, { host: 'no-such-host.invalid' }));
  t.match(dns, { smtp: { ok: false, code: 'DNS_FAILED' }, imap: { ok: false, code: 'DNS_FAILED' } });
});

t.test('If-Match on account and template updates: a stale version is a 412', async (t) => {
  const body = { name: 'versions', address: support.address, smtp: h.server(support, 'smtp') };
  const created = await h.call(h.owner, 'POST', '/accounts', body);
  t.equal(created.headers.etag, '"1"', 'created with its ETag');
  const id = created.json().id as string;
  t.equal((await h.call(h.owner, 'GET', `/accounts/${id}`)).headers.etag, '"1"');
  const ok = await h.call(h.owner, 'PATCH', `/accounts/${id}`, { name: 'v2' }, { 'if-match': '"1"' });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.headers.etag, '"2"');
  const stale = await h.call(h.owner, 'PATCH', `/accounts/${id}`, { name: 'v3' }, { 'if-match': '"1"' });
  t.equal(stale.statusCode, 412, stale.body);
  t.equal(stale.json().code, 'PRECONDITION_FAILED');
  t.equal((await h.call(h.owner, 'GET', `/accounts/${id}`)).json().name, 'v2', 'the stale update changed nothing');
  t.equal((await h.call(h.owner, 'PATCH', `/accounts/${id}`, { name: 'v3' })).statusCode, 200, 'no If-Match, no precondition');

  const template = await h.call(h.owner, 'POST', '/templates', { key: 'if-match', locale: 'en', subject: 'Hi', html: '<p>Hi {{name}}</p>' });
  t.equal(template.statusCode, 201, template.body);
  t.equal(template.headers.etag, '"1"');
  const tid = template.json().id as string;
  const changed = await h.call(h.owner, 'PATCH', `/templates/${tid}`, { subject: 'Hello' }, { 'if-match': '"1"' });
  t.equal(changed.statusCode, 200, changed.body);
  t.match(changed.json(), { subject: 'Hello', version: 2 });
  t.equal((await h.call(h.owner, 'PATCH', `/templates/${tid}`, { subject: 'Late' }, { 'if-match': '"1"' })).statusCode, 412, 'a stale template version is a 412');
  t.equal((await h.call(h.owner, 'PATCH', `/templates/${tid}`, { subject: 'Bad' }, { 'if-match': 'nonsense' })).statusCode, 412, 'an unreadable If-Match is a 412');
  t.match((await h.call(h.owner, 'GET', '/templates?key=if-match')).json().items, [{ subject: 'Hello', version: 2 }]);
});

t.test('each account and template change writes its one event with the record, never a password; a refused one writes none', async (t) => {
  const announced = assertCallEvents.bind(null, t, { admin: h.owner, call: h.call }, emailEventSchemas);
  const none = () => [];
  const viewer = (await h.p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'v-events', role: 'viewer' } })).json().key as string;
  const body = { name: 'اعلام', address: support.address, smtp: h.server(support, 'smtp') };
  const created = await announced('a new account', () => h.call(h.owner, 'POST', '/accounts', body), 201, (res) => [{ type: 'email.account_created', data: { account: res.json() } }]);
  const id = created.json().id as string;
  await announced('an account the schema refuses', () => h.call(h.owner, 'POST', '/accounts', { ...body, password: 'x' }), 400, none);
  await announced('an account created by a viewer', () => h.call(viewer, 'POST', '/accounts', body), 403, none);
  const updated = await announced('a changed account', () => h.call(h.owner, 'PATCH', `/accounts/${id}`, { name: 'اعلام‌شده', smtp: { password: 'rotated-secret' } }, { 'if-match': '"1"' }), 200, (res) => [{ type: 'email.account_updated', data: { account: res.json() } }]);
  await announced('a stale account change', () => h.call(h.owner, 'PATCH', `/accounts/${id}`, { name: 'y' }, { 'if-match': '"1"' }), 412, none);
  const deleted = await announced('a deleted account', () => h.call(h.owner, 'DELETE', `/accounts/${id}`), 204, () => [{ type: 'email.account_deleted', data: { account: updated.json() } }]);
  t.equal(deleted.body, '');
  await announced('an account deleted again', () => h.call(h.owner, 'DELETE', `/accounts/${id}`), 404, none);
  const written = JSON.stringify((await h.ok<{ items: unknown[] }>('GET', '/api/v1/events?types=email.account_created,email.account_updated,email.account_deleted&limit=200')).items);
  t.ok(written.includes(id), 'the account events read back');
  t.notOk(written.includes(support.password) || written.includes('rotated-secret'), 'no password in any account event');

  const template = { key: 'announced', locale: 'fa', subject: 'سلام {{name}}', html: '<p>سلام {{name}}</p>' };
  const made = await announced('a new template', () => h.call(h.owner, 'POST', '/templates', template), 201, (res) => [{ type: 'email.template_created', data: { template: res.json() } }]);
  const tid = made.json().id as string;
  await announced('a second template of the same key and locale', () => h.call(h.owner, 'POST', '/templates', template), 409, none);
  await announced('a broken template', () => h.call(h.owner, 'POST', '/templates', { ...template, key: 'broken', html: '<p>{{#if}}' }), 422, none);
  const changed = await announced('a changed template', () => h.call(h.owner, 'PATCH', `/templates/${tid}`, { subject: 'درود {{name}}' }, { 'if-match': '"1"' }), 200, (res) => [{ type: 'email.template_updated', data: { template: res.json() } }]);
  await announced('a stale template change', () => h.call(h.owner, 'PATCH', `/templates/${tid}`, { subject: 'x' }, { 'if-match': '"1"' }), 412, none);
  await announced('a deleted template', () => h.call(h.owner, 'DELETE', `/templates/${tid}`), 204, () => [{ type: 'email.template_deleted', data: { template: changed.json() } }]);
  await announced('a template deleted again', () => h.call(h.owner, 'DELETE', `/templates/${tid}`), 404, none);
});

t.test('migration up → down → up', async (t) => {
  const { db } = h.p.peyvand.kernel;
  const context = { knex: db.knex, dialect: db.dialect, prefix: db.prefix, table: (name: string) => db.table(name) };
  await unsubscribeMigration.down(context);
  t.notOk(await db.knex.schema.hasTable(db.table('email_unsubscribes')), 'down drops the unsubscribe tables');
  t.notOk(await db.knex.schema.hasColumn(db.table('email_messages'), 'list_unsubscribe'), 'and the message columns');
  await dkimMigration.down(context);
  t.notOk(await db.knex.schema.hasColumn(db.table('email_accounts'), 'dkim_private_key'), 'down drops the DKIM columns');
  await templateVersionMigration.down(context);
  t.notOk(await db.knex.schema.hasColumn(db.table('email_templates'), 'version'), 'down drops the template version');
  await emailMigration.down(context);
  t.notOk(await db.knex.schema.hasTable(db.table('email_messages')), 'down drops the tables');
  await emailMigration.up(context);
  await templateVersionMigration.up(context);
  await dkimMigration.up(context);
  await unsubscribeMigration.up(context);
  t.ok(await db.knex.schema.hasTable(db.table('email_unsubscribe_links')), 'with the unsubscribe tables');
  t.ok(await db.knex.schema.hasTable(db.table('email_messages')), 'up again');
  t.ok(await db.knex.schema.hasColumn(db.table('email_accounts'), 'dkim'), 'with the DKIM columns');
  t.ok(await db.knex.schema.hasColumn(db.table('email_templates'), 'version'), 'with the template version');
});
