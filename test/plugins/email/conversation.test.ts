/**
 * End to end through the API against the real Dovecot and Postfix: a customer's mail is
 * ingested and threaded; a reply sent by API goes through Postfix into the customer's
 * Dovecot mailbox with the right headers (and into Sent); the customer's answer threads
 * back, so does an Outlook-style answer (no In-Reply-To, Thread-Index, a Persian quoted
 * subject); a stranger quoting the thread's tag gets a new, flagged thread; 4xx answers
 * are retried, 5xx fail; a bounce marks the message; auto-replies open nothing.
 */
import t from 'tap';
import { bootEmail } from '../../helpers/email.js';
import { assertEventData } from '../../helpers/event-schemas.js';
import { emailEventSchemas } from '../../../plugins/email/events.js';

const h = await bootEmail(t, [{ address: 'alice@example.test' }, { address: 'bob@example.test' }]);
const [alice, bob] = [h.mail.users[1]!, h.mail.users[2]!];
const account = await h.ok<{ id: string }>('POST', '/accounts', { name: 'Acme support', address: h.support.address, smtp: h.server(h.support, 'smtp'), imap: h.server(h.support, 'imap') });
const customer = await h.ok<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name: 'آلیس', emails: [{ value: 'Alice@Example.test' }] });
const sync = () => h.ok<{ imported: number; duplicates: number; bounces: number; quarantined: number }>('POST', `/accounts/${account.id}/sync`);
type Message = { id: string; threadId: string; status: string; messageId: string; inReplyTo?: string; references: string[]; subject: string; text: string; html: string | null; customerId?: string; flags: string[]; from: string; error?: string; attachments: Array<{ id: string; filename: string }> };
const events = async (type: string) => (await h.ok<{ items: Array<{ type: string; data: Record<string, unknown> }> }>('GET', `/api/v1/events?types=${type}&limit=200`)).items;
const deliverUntil = async (id: string, status: string) =>
  h.waitFor(`message ${id} ${status}`, async () => {
    await h.services.outbound.deliverDue();
    const m = await h.ok<Message>('GET', `/messages/${id}`);
    return m.status === status ? m : undefined;
  });

let first: Message;
let reply: Message;

t.test('a customer’s mail is ingested, linked by address and put on the timeline', async (t) => {
  await h.sendAs(alice, { to: h.support.address, subject: 'سفارش ۱۲۳ نرسید', text: 'سلام، سفارشم هنوز نرسیده.', html: '<p onclick="x()">سلام <img src="https://tracker.example/p.gif"><script>alert(1)</script></p>', attachments: [{ filename: 'رسید.txt', content: 'receipt' }] });
  await h.waitFor('delivery to support', async () => (await h.mailbox(h.support)).length === 1);
  t.match(await sync(), { imported: 1 });
  const list = await h.ok<{ items: Message[] }>('GET', `/messages?customerId=${customer.id}`);
  t.equal(list.items.length, 1);
  first = list.items[0]!;
  t.match(first, { status: 'received', from: 'alice@example.test', subject: 'سفارش ۱۲۳ نرسید', customerId: customer.id, flags: [] });
  t.match(first.text, /سفارشم هنوز نرسیده/);
  t.notMatch(first.html ?? '', /script|onclick| src='https:/, 'HTML sanitized, remote image blocked');
  t.match(first.html ?? '', /data-blocked-src="https:\/\/tracker.example\/p.gif"/);
  t.equal(first.attachments.length, 1);
  const file = await h.call(h.owner, 'GET', `/messages/${first.id}/attachments/${first.attachments[0]!.id}`);
  t.equal(file.statusCode, 200);
  t.equal(file.body, 'receipt');
  t.match(file.headers['content-disposition'], /^attachment;/);
  t.equal(file.headers['x-content-type-options'], 'nosniff');
  t.match(await sync(), { imported: 0 }, 'a second sync imports nothing');
  const received = await events('email.received');
  t.match(received[0]?.data, { id: first.id, threadId: first.threadId, newThread: true, customerId: customer.id, from: { address: 'alice@example.test' } });
  const timeline = await h.ok<{ items: Array<{ channel: string; direction: string; summary: string }> }>('GET', `/api/v1/customers/${customer.id}/timeline`);
  t.match(timeline.items[0], { channel: 'email', direction: 'inbound', summary: 'سفارش ۱۲۳ نرسید' });
});

t.test('a reply by API lands in the customer’s mailbox with threading headers, and the answer threads back', async (t) => {
  const res = await h.call(h.owner, 'POST', '/messages', { accountId: account.id, to: ['alice@example.test'], text: 'سفارش شما فردا می‌رسد.', replyTo: first.id });
  t.equal(res.statusCode, 202, res.body);
  const queued = res.json() as { id: string; status: string; messageId: string };
  t.equal(queued.status, 'queued');
  t.match(queued.messageId, /^pv\.[a-z2-7]{12}\.[0-9a-f]+@acme\.test$/, 'our Message-ID carries the reply token');
  reply = await deliverUntil(queued.id, 'sent');
  t.match(reply, { threadId: first.threadId, inReplyTo: first.messageId, references: [first.messageId], subject: /^Re: سفارش ۱۲۳ نرسید \[#[a-z2-7]{12}\]$/ });
  const inbox = await h.waitFor('the reply in Alice’s mailbox', async () => (await h.mailbox(alice)).find((m) => m.includes(queued.messageId)));
  t.match(inbox, new RegExp(`^Message-ID: <${queued.messageId.replace(/\./g, '\\.')}>`, 'mi'));
  t.match(inbox, new RegExp(`^In-Reply-To: <${first.messageId.replace(/\./g, '\\.')}>`, 'mi'));
  t.match(inbox, /^References: </mi);
  t.ok((await h.waitFor('a copy in Sent', async () => (await h.mailbox(h.support, 'Sent')).find((m) => m.includes(queued.messageId)))), 'appended to Sent');
  t.match((await events('email.sent'))[0]?.data, { id: queued.id, threadId: first.threadId, customerId: customer.id });

  await h.sendAs(alice, { to: h.support.address, subject: `Re: ${reply.subject}`, text: 'ممنون!', inReplyTo: `<${queued.messageId}>`, references: [`<${first.messageId}>`, `<${queued.messageId}>`] });
  await h.waitFor('Alice’s answer', async () => (await h.mailbox(h.support)).length === 2);
  t.match(await sync(), { imported: 1 });
  const thread = await h.ok<{ messageCount: number; messages: Message[] }>('GET', `/threads/${first.threadId}`);
  t.equal(thread.messageCount, 3, 'question, reply and answer in one thread');
  t.same(thread.messages.map((m) => m.text.trim()), ['سلام، سفارشم هنوز نرسیده.', 'سفارش شما فردا می‌رسد.', 'ممنون!']);
});

t.test('an Outlook-style answer (no In-Reply-To, Thread-Index, Persian quoted subject) threads back', async (t) => {
  await h.sendAs(alice, { to: h.support.address, subject: `پاسخ: ${reply.subject}`, text: 'یک سؤال دیگر', headers: { 'Thread-Index': 'AQHZ1234567890abcdef==', 'Thread-Topic': 'سفارش ۱۲۳ نرسید' } });
  await h.waitFor('the Outlook answer', async () => (await h.mailbox(h.support)).length === 3);
  t.match(await sync(), { imported: 1 });
  const latest = (await h.ok<{ items: Message[] }>('GET', `/messages?threadId=${first.threadId}&direction=in&limit=1`)).items[0]!;
  t.match(latest, { text: /یک سؤال دیگر/, threadId: first.threadId, flags: [] });
});

t.test('a stranger quoting the thread’s tag gets a new thread flagged unverified_sender', async (t) => {
  await h.sendAs(bob, { to: h.support.address, subject: `Re: ${reply.subject}`, text: 'I am not Alice', inReplyTo: `<${reply.messageId}>` });
  await h.waitFor('Bob’s mail', async () => (await h.mailbox(h.support)).length === 4);
  t.match(await sync(), { imported: 1 });
  const bobs = (await h.ok<{ items: Message[] }>('GET', '/messages?direction=in&limit=1')).items[0]!;
  t.not(bobs.threadId, first.threadId, 'not filed into Alice’s conversation');
  t.ok(bobs.flags.includes('unverified_sender'));
  t.not(bobs.customerId, customer.id);
  const thread = await h.ok<{ flags: string[] }>('GET', `/threads/${bobs.threadId}`);
  t.ok(thread.flags.includes('unverified_sender'), 'the thread is flagged for a human');
});

t.test('4xx answers are retried with backoff, 5xx fail at once with email.failed', async (t) => {
  const temp = (await h.call(h.owner, 'POST', '/messages', { to: ['someone@tempfail.test'], subject: 'x', text: 'x' })).json() as { id: string };
  await h.services.outbound.deliverDue();
  const after = await h.ok<Message>('GET', `/messages/${temp.id}`);
  t.match(after, { status: 'queued', error: /450/ }, 'still queued after a 450, the answer kept');
  const row = await h.p.peyvand.kernel.db.knex(h.p.peyvand.kernel.db.table('email_messages')).where('id', temp.id).first();
  t.ok(Number(row.next_attempt_at) > Date.now() + 10_000, 'next attempt backed off');
  t.equal(Number(row.attempts), 1);
  const hard = (await h.call(h.owner, 'POST', '/messages', { to: ['someone@reject.test'], subject: 'x', html: '<p>x</p>' })).json() as { id: string };
  const failed = await deliverUntil(hard.id, 'failed');
  t.match(failed.error, /550/);
  t.match((await events('email.failed')).map((e) => e.data), [{ id: hard.id }]);
  // The last allowed attempt (maxAttempts 3) fails the message too.
  await h.p.peyvand.kernel.db.knex(h.p.peyvand.kernel.db.table('email_messages')).where('id', temp.id).update({ attempts: 2, next_attempt_at: 0 });
  await deliverUntil(temp.id, 'failed');
});

t.test('a bounce (RFC 3464 from Postfix) marks our message and emits email.bounced; it opens no thread', async (t) => {
  const sent = (await h.call(h.owner, 'POST', '/messages', { to: ['nobody@example.test'], subject: 'به کسی', text: 'x' })).json() as { id: string };
  await deliverUntil(sent.id, 'sent');
  const before = (await h.ok<{ items: unknown[] }>('GET', '/threads?limit=200')).items.length;
  await h.waitFor('the bounce', async () => (await h.mailbox(h.support)).some((m) => /multipart\/report/.test(m)));
  t.match(await sync(), { bounces: 1, imported: 0 });
  t.equal((await h.ok<Message>('GET', `/messages/${sent.id}`)).status, 'bounced');
  t.match((await events('email.bounced'))[0]?.data, { id: sent.id, recipient: 'nobody@example.test', status: '5.1.1' });
  t.equal((await h.ok<{ items: unknown[] }>('GET', '/threads?limit=200')).items.length, before, 'no new conversation');
});

t.test('auto-replies never open a conversation; inside one they are flagged', async (t) => {
  const before = (await h.ok<{ items: unknown[] }>('GET', '/threads?limit=200')).items.length;
  await h.sendAs(alice, { to: h.support.address, subject: 'Out of office', text: 'I am away', headers: { 'Auto-Submitted': 'auto-replied' } });
  await h.sendAs(alice, { to: h.support.address, subject: `Automatic reply: ${reply.subject}`, text: 'away', inReplyTo: `<${reply.messageId}>`, headers: { Precedence: 'auto_reply' } });
  await h.waitFor('two auto-replies', async () => (await h.mailbox(h.support)).filter((m) => /away/.test(m)).length === 2);
  await sync();
  t.equal((await h.ok<{ items: unknown[] }>('GET', '/threads?limit=200')).items.length, before, 'no new thread');
  const latest = (await h.ok<{ items: Message[] }>('GET', `/messages?threadId=${first.threadId}&direction=in&limit=1`)).items[0]!;
  t.match(latest, { text: /away/, flags: ['auto_reply'] });
});

t.test('permissions and tenant isolation of messages', async (t) => {
  t.equal((await h.call(undefined, 'GET', '/messages')).statusCode, 401);
  const viewer = (await h.p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'v', role: 'viewer' } })).json().key as string;
  t.equal((await h.call(viewer, 'POST', '/messages', { to: ['a@b.test'], subject: 'x', text: 'x' })).statusCode, 403);
  t.equal((await h.call(viewer, 'GET', `/messages/${first.id}`)).statusCode, 200, 'viewers read');
  const other = await h.p.tenant('other', { plugins: ['email'] });
  const key = await other.key('owner');
  t.equal((await h.call(key, 'GET', `/messages/${first.id}`)).statusCode, 404);
  t.equal((await h.call(key, 'GET', `/threads/${first.threadId}`)).statusCode, 404);
  t.equal((await h.call(key, 'GET', `/messages/${first.id}/attachments/${first.attachments[0]!.id}`)).statusCode, 404);
  t.equal((await h.call(key, 'POST', '/messages', { to: ['a@b.test'], subject: 'x', text: 'x' })).json().code, 'NO_DEFAULT_ACCOUNT');
  t.equal((await h.call(h.owner, 'POST', '/messages', { to: ['a@b.test'], subject: 'x' })).json().code, 'BODY_MISSING');
  t.equal((await h.call(h.owner, 'POST', '/messages', { to: ['not an address'], subject: 'x', text: 'x' })).statusCode, 400);
});

t.test('a message without recipients is a localized 400 that queues nothing', async (t) => {
  const manager = (await h.p.admin({ method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'm', role: 'manager' } })).json().key as string;
  const count = async () => (await h.ok<{ items: unknown[] }>('GET', '/messages?direction=out&limit=200')).items.length;
  const before = await count();
  // Found by the fuzzer: no `to` reached `input.to.map` and answered 500.
  for (const body of [{ bcc: [], subject: '𔕶𝇣𝚓🈞𛰱ठἰ𝙕', html: 'f' }, { accountId: account.id, subject: 'x', text: 'x' }, { accountId: account.id, to: [], subject: 'x', text: 'x' }]) {
    const res = await h.call(manager, 'POST', '/messages', body, { 'accept-language': 'fa' });
    t.equal(res.statusCode, 400, JSON.stringify(body));
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.match(res.json(), { code: 'VALIDATION_FAILED', errors: [{ path: /^\/to/ }] });
    t.match(res.json().title, /[\u0600-\u06ff]/, 'title in Persian');
  }
  t.equal(await count(), before, 'nothing queued');
});

t.test('the email events written match the schemas the plugin declares for their data', async (t) => {
  const written = (await h.ok<{ items: Array<{ type: string; data: unknown }> }>('GET', '/api/v1/events?types=email.*&limit=200')).items;
  const checked = assertEventData(t, written, emailEventSchemas);
  t.same(['email.received', 'email.sent', 'email.failed', 'email.bounced'].filter((type) => !checked.has(type)), [], 'each was written and checked');
});
