/**
 * The quarantine through the API against the real Dovecot: mail delivered over LMTP byte
 * for byte that cannot be read as a message with a sender (no From, a multipart whose
 * boundary never appears, text that decodes to nothing readable) is listed with its reason
 * and size and emits `email.quarantined`; a release ingests it leniently as a message
 * flagged `released` (201), a delete answers 204 and emits `email.quarantine_deleted`, and
 * neither is undone by the next sync.
 * Another tenant's entry is a 404; a viewer may not touch the quarantine.
 */
import t from 'tap';
import { bootEmail } from '../../helpers/email.js';
import { assertCallEvents, assertEventData } from '../../helpers/event-schemas.js';
import { emailEventSchemas } from '../../../plugins/email/events.js';

const h = await bootEmail(t);
const account = await h.ok<{ id: string }>('POST', '/accounts', { name: 'Acme support', address: h.support.address, smtp: h.server(h.support, 'smtp'), imap: h.server(h.support, 'imap') });
type Report = { fetched: number; imported: number; duplicates: number; quarantined: number };
type Entry = { id: string; accountId: string; folder: string; uid: number; reason: string; size: number; receivedAt: string };
type Message = { id: string; threadId: string; status: string; from: string; subject: string; text: string; flags: string[]; customerId?: string };
const sync = () => h.ok<Report>('POST', `/accounts/${account.id}/sync`);
const quarantine = async () => (await h.ok<{ items: Entry[]; nextCursor: string | null }>('GET', '/quarantine')).items;
const events = async (type: string) => (await h.ok<{ items: Array<{ type: string; data: Record<string, unknown> }> }>('GET', `/api/v1/events?types=${type}&limit=200`)).items;
const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

const noSender = crlf(['To: support@acme.test', 'Subject: no one sent this', 'Message-ID: <no-sender@example.test>', 'Date: Sat, 05 Dec 2026 10:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', 'سلام؛ فرستنده‌ای ندارم.']);
const brokenMime = crlf(['From: Dana <dana@example.test>', 'To: support@acme.test', 'Subject: broken parts', 'Message-ID: <broken-mime@example.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="never-used"', '', 'This body claims parts but has no boundary line at all.']);
// Latin-1 bytes labelled UTF-8: neither the label nor windows-1256 gives readable text.
const undecodable = Buffer.concat([
  Buffer.from(crlf(['From: eve@example.test', 'To: support@acme.test', 'Subject: menu', 'Message-ID: <undecodable@example.test>', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '']), 'latin1'),
  Buffer.from('Caf\xe9 cr\xe8me br\xfbl\xe9e \xe0 la carte\r\n', 'latin1'),
]);
let entries: Entry[];

t.test('unreadable mail lands in the quarantine with its reason, size and an event', async (t) => {
  for (const raw of [noSender, brokenMime, undecodable]) await h.mail.deliver(h.support.address, raw);
  await h.waitFor('three deliveries', async () => (await h.mailbox(h.support)).length === 3);
  t.match(await sync(), { fetched: 3, imported: 0, quarantined: 3 });
  entries = await quarantine();
  t.equal(entries.length, 3);
  t.same(entries.map((e) => e.reason).sort(), ['broken_mime', 'no_sender', 'undecodable']);
  const stored = await h.mailbox(h.support);
  for (const e of entries) {
    t.match(e, { accountId: account.id, folder: 'INBOX', uid: Number, receivedAt: /^\d{4}-\d\d-\d\dT/ });
    t.ok(stored.some((raw) => Buffer.byteLength(raw, 'utf8') === e.size || Buffer.byteLength(raw, 'latin1') === e.size), `size ${e.size} is the raw mail's`);
  }
  const quarantined = (await events('email.quarantined')).map((e) => e.data);
  t.equal(quarantined.length, 3);
  for (const e of entries) t.ok(quarantined.some((d) => d.id === e.id && d.reason === e.reason && d.accountId === account.id && d.folder === 'INBOX' && d.uid === e.uid), `event for ${e.reason}`);
  t.equal((await h.ok<{ items: unknown[] }>('GET', '/messages')).items.length, 0, 'no message was made');
  t.match(await sync(), { fetched: 0, quarantined: 0 }, 'the next sync fetches nothing again');
});

t.test('pages: newest first with a cursor', async (t) => {
  const first = await h.ok<{ items: Entry[]; nextCursor: string | null }>('GET', '/quarantine?limit=2');
  t.equal(first.items.length, 2);
  t.type(first.nextCursor, 'string');
  const second = await h.ok<{ items: Entry[]; nextCursor: string | null }>('GET', `/quarantine?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
  t.equal(second.items.length, 1);
  t.equal(second.nextCursor, null);
  t.same([...first.items, ...second.items].map((e) => e.id), entries.map((e) => e.id));
});

t.test('release: 201 with the message ingested leniently and flagged released', async (t) => {
  const entry = entries.find((e) => e.reason === 'no_sender')!;
  const res = await h.call(h.owner, 'POST', `/quarantine/${entry.id}/release`);
  t.equal(res.statusCode, 201, res.body);
  const message = res.json() as Message;
  t.match(message, { status: 'received', subject: 'no one sent this', flags: ['released'], from: '' });
  t.match(message.text, /فرستنده‌ای ندارم/, 'the raw bytes were kept and read');
  t.notOk(message.customerId, 'a released mail creates no customer');
  t.same((await h.ok<Message>('GET', `/messages/${message.id}`)).flags, ['released']);
  t.notOk((await quarantine()).some((e) => e.id === entry.id), 'gone from the quarantine');
  const received = (await events('email.received')).find((e) => e.data.id === message.id);
  t.match(received?.data, { flags: ['released'], threadId: message.threadId });
  const again = await h.call(h.owner, 'POST', `/quarantine/${entry.id}/release`);
  t.equal(again.statusCode, 404);
  t.equal(again.json().code, 'QUARANTINE_NOT_FOUND');

  const broken = entries.find((e) => e.reason === 'broken_mime')!;
  const released = await h.call(h.owner, 'POST', `/quarantine/${broken.id}/release`);
  t.equal(released.statusCode, 201, released.body);
  t.match(released.json(), { from: 'dana@example.test', subject: 'broken parts', flags: ['released'] });
  t.match(await sync(), { fetched: 0, imported: 0 }, 'a sync does not bring released mail back');
  t.equal((await h.ok<{ items: unknown[] }>('GET', '/messages')).items.length, 2);
});

t.test('delete: 204, the raw bytes gone, and a redelivery of the same mail is not quarantined again', async (t) => {
  const entry = entries.find((e) => e.reason === 'undecodable')!;
  const reader = { admin: h.owner, call: h.call };
  const res = await assertCallEvents(t, reader, emailEventSchemas, 'a deleted entry', () => h.call(h.owner, 'DELETE', `/quarantine/${entry.id}`), 204, () => [{ type: 'email.quarantine_deleted', data: { id: entry.id, accountId: account.id } }]);
  t.equal(res.body, '');
  const again = await assertCallEvents(t, reader, emailEventSchemas, 'an entry deleted again', () => h.call(h.owner, 'DELETE', `/quarantine/${entry.id}`), 404, () => []);
  t.equal(again.json().code, 'QUARANTINE_NOT_FOUND');
  t.equal((await h.call(h.owner, 'POST', `/quarantine/${entry.id}/release`)).statusCode, 404);
  t.same(await quarantine(), []);
  await h.mail.deliver(h.support.address, undecodable);
  await h.waitFor('the redelivery', async () => (await h.mailbox(h.support)).length === 4);
  t.match(await sync(), { fetched: 1, duplicates: 1, quarantined: 0 }, 'the same Message-ID is a duplicate');
  t.same(await quarantine(), []);
});

t.test('another tenant’s entry is a 404; a viewer may not manage the quarantine', async (t) => {
  await h.mail.deliver(h.support.address, crlf(['To: support@acme.test', 'Subject: second orphan', 'Message-ID: <orphan-2@example.test>', '', 'no sender here either']));
  await h.waitFor('the orphan', async () => (await h.mailbox(h.support)).length === 5);
  t.match(await sync(), { quarantined: 1 });
  const [entry] = await quarantine();
  const other = await h.p.tenant('other', { plugins: ['email'] });
  const key = await other.key('owner');
  t.same((await h.call(key, 'GET', '/quarantine')).json().items, [], 'not listed for another tenant');
  for (const [method, url] of [['POST', `/quarantine/${entry!.id}/release`], ['DELETE', `/quarantine/${entry!.id}`]] as const) {
    const res = await h.call(key, method, url, undefined, { 'accept-language': 'fa' });
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.match(res.json(), { code: 'QUARANTINE_NOT_FOUND', title: /[\u0600-\u06ff]/ });
  }
  const viewer = (await h.p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'v', role: 'viewer' } })).json().key as string;
  t.equal((await h.call(viewer, 'GET', '/quarantine')).statusCode, 403);
  t.equal((await h.call(viewer, 'DELETE', `/quarantine/${entry!.id}`)).statusCode, 403);
  t.equal((await h.call(undefined, 'GET', '/quarantine')).statusCode, 401);
  t.same((await quarantine()).map((e) => e.id), [entry!.id], 'still there after the refused calls');
  const audit = (await h.ok<{ items: Array<{ action: string; entityId: string }> }>('GET', '/api/v1/audit?entityType=email_quarantine&limit=100')).items;
  t.same(audit.map((a) => a.action).sort(), ['email.quarantine.delete', 'email.quarantine.release', 'email.quarantine.release'], 'releases and the delete are audited');
});

t.test('the email events written match the schemas the plugin declares for their data', async (t) => {
  const written = (await h.ok<{ items: Array<{ type: string; data: unknown }> }>('GET', '/api/v1/events?types=email.*&limit=200')).items;
  const checked = assertEventData(t, written, emailEventSchemas);
  t.same(['email.quarantined', 'email.received', 'email.quarantine_deleted'].filter((type) => !checked.has(type)), [], 'each was written and checked');
});
