/**
 * The email round trip of support against the real Postfix and Dovecot: a customer's
 * mail to an address a queue answers opens a ticket; the agent's public reply reaches the
 * customer's mailbox in the same thread (an internal note does not); the customer's
 * answer lands on the ticket and reopens it once solved; after the ticket is closed, the
 * next mail in the thread opens a follow-up; an out-of-office answer is only noted; a
 * redelivered event does nothing twice.
 */
import t from 'tap';
import { simpleParser, type ParsedMail } from 'mailparser';
import support, { type SupportServices } from '../../../plugins/support/index.js';
import { bootEmail } from '../../helpers/email.js';

const h = await bootEmail(t, [{ address: 'alice@example.test' }], {}, [support]);
const alice = h.mail.users[1]!;
const kernel = h.p.peyvand.kernel;
const account = await h.ok<{ id: string }>('POST', '/accounts', { name: 'پشتیبانی', address: h.support.address, smtp: h.server(h.support, 'smtp'), imap: h.server(h.support, 'imap') });
const queue = await h.ok<{ id: string }>('POST', '/api/v1/support/queues', { name: 'پشتیبانی', members: [], assignment: 'manual', emailAccountId: account.id });
const customer = await h.ok<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name: 'آلیس', emails: [{ value: 'alice@example.test' }] });

type Ticket = { id: string; number: number; subject: string; channel: string; status: string; customerId?: string; queueId?: string; version: number };
type Message = { id: string; visibility: string; author: { kind: string; id?: string }; body: string };
const tickets = async () => (await h.ok<{ items: Ticket[] }>('GET', '/api/v1/support/tickets?limit=200')).items;
const messagesOf = async (id: string) => (await h.ok<{ items: Message[] }>('GET', `/api/v1/support/tickets/${id}/messages`)).items;
const ticket = async (id: string) => h.ok<Ticket>('GET', `/api/v1/support/tickets/${id}`);
/** Fetches the support mailbox and hands what it produced to the subscribers. */
async function syncAndDeliver(): Promise<void> {
  await h.ok('POST', `/accounts/${account.id}/sync`);
  await kernel.dispatcher.drain();
}
/** Alice's mails, parsed, oldest first. */
async function aliceInbox(): Promise<ParsedMail[]> {
  return Promise.all((await h.mailbox(alice)).map((raw) => simpleParser(raw)));
}
/** Waits until a mail whose text matches `text` is in Alice's inbox, and returns it. */
async function aliceReceives(text: RegExp): Promise<ParsedMail> {
  return h.waitFor(`a mail to alice matching ${text}`, async () => {
    await kernel.dispatcher.drain();
    await h.services.outbound.deliverDue();
    return (await aliceInbox()).find((m) => text.test(m.text ?? ''));
  });
}
let supportMails = 0;
async function aliceWrites(message: Parameters<typeof h.sendAs>[1]): Promise<void> {
  await h.sendAs(alice, { to: h.support.address, ...message });
  supportMails++;
  await h.waitFor(`mail ${supportMails} to support`, async () => (await h.mailbox(h.support)).length >= supportMails);
  await syncAndDeliver();
}

let opened: Ticket;
let reply: ParsedMail;

t.test('a mail to the queue’s address opens an email ticket for its customer', async (t) => {
  await aliceWrites({ subject: 'کارت هدیه کار نمی‌کند', text: 'سلام، کد کارت هدیه را قبول نمی‌کند.' });
  const all = await tickets();
  t.equal(all.length, 1);
  opened = all[0]!;
  t.match(opened, { subject: 'کارت هدیه کار نمی‌کند', channel: 'email', status: 'new', customerId: customer.id, queueId: queue.id });
  t.match(await messagesOf(opened.id), [{ visibility: 'public', author: { kind: 'customer', id: customer.id }, body: /کد کارت هدیه را قبول نمی‌کند/ }]);

  const [received] = (await h.ok<{ items: Array<{ data: Record<string, unknown> }> }>('GET', '/api/v1/events?types=email.received&limit=10')).items;
  const services = kernel.servicesOf<SupportServices>('support')!;
  t.equal(await services.emailChannel.inbound(await tenantId(), received!.data as never), 'duplicate', 'the same event again does nothing');
  t.equal((await tickets()).length, 1);
});

t.test('the agent’s public reply reaches the customer in the thread; a note does not', async (t) => {
  await h.ok('POST', `/api/v1/support/tickets/${opened.id}/messages`, { body: 'یادداشت داخلی: با مالی چک شود.', visibility: 'internal' });
  await h.ok('POST', `/api/v1/support/tickets/${opened.id}/messages`, { body: 'کد را دوباره فعال کردیم؛ لطفاً امتحان کنید.', visibility: 'public' });
  reply = await aliceReceives(/کد را دوباره فعال کردیم/);
  t.equal(reply.subject?.replace(/\s*\[#[a-z2-7]+\]$/, ''), 'Re: کارت هدیه کار نمی‌کند', 'a reply in the thread');
  t.ok(reply.inReplyTo, 'threaded on the customer’s mail');
  t.same(reply.to && !Array.isArray(reply.to) ? reply.to.value.map((a) => a.address) : [], ['alice@example.test']);
  const replied = (await h.ok<{ items: Array<{ data: { ticket: never; message: { body: string } } }> }>('GET', '/api/v1/events?types=ticket.replied&limit=10')).items;
  const publicReply = replied.find((e) => /کد را دوباره/.test(e.data.message.body))!;
  const services = kernel.servicesOf<SupportServices>('support')!;
  t.equal(await services.emailChannel.outbound(await tenantId(), publicReply.data.ticket, publicReply.data.message as never), false, 'the event delivered again queues nothing');
  await h.services.outbound.deliverDue();
  const inbox = await aliceInbox();
  t.equal(inbox.filter((m) => /کد را دوباره فعال کردیم/.test(m.text ?? '')).length, 1, 'one mail for one reply, however often the event is delivered');
  t.notOk(inbox.some((m) => /یادداشت داخلی/.test(m.text ?? '')), 'never the internal note');
  t.match(await ticket(opened.id), { status: 'open' });
});

t.test('the customer’s answer reopens the solved ticket', async (t) => {
  const solved = await ticket(opened.id);
  await h.call(h.owner, 'PATCH', `/api/v1/support/tickets/${opened.id}`, { status: 'solved' }, { 'if-match': `"${solved.version}"` });
  t.match(await ticket(opened.id), { status: 'solved' });
  const answered = reply.messageId?.replace(/^<|>$/g, '');
  t.ok(answered, 'our reply has a Message-ID');
  await aliceWrites({ subject: 'Re: کارت هدیه کار نمی‌کند', text: 'باز هم خطا می‌دهد.', inReplyTo: `<${answered}>`, references: [`<${answered}>`] });
  t.equal((await tickets()).length, 1, 'no new ticket');
  t.match(await ticket(opened.id), { status: 'open' }, 'reopened');
  t.match((await messagesOf(opened.id)).at(-1), { visibility: 'public', author: { kind: 'customer' }, body: /باز هم خطا می‌دهد/ });
  const reopened = (await h.ok<{ items: Array<{ data: { ticket: { id: string } } }> }>('GET', '/api/v1/events?types=ticket.reopened&limit=10')).items;
  t.same(reopened.map((e) => e.data.ticket.id), [opened.id], 'ticket.reopened once');
});

t.test('an out-of-office answer is noted without reopening; after closing, a mail opens a follow-up', async (t) => {
  const current = await ticket(opened.id);
  await h.call(h.owner, 'PATCH', `/api/v1/support/tickets/${opened.id}`, { status: 'solved' }, { 'if-match': `"${current.version}"` });
  const answered = reply.messageId!.replace(/^<|>$/g, '');
  await aliceWrites({ subject: 'Automatic reply: کارت هدیه', text: 'I am out of office until Saturday.', inReplyTo: `<${answered}>`, references: [`<${answered}>`], headers: { 'Auto-Submitted': 'auto-replied' } });
  t.match(await ticket(opened.id), { status: 'solved' }, 'still solved');
  t.match((await messagesOf(opened.id)).at(-1), { visibility: 'internal', author: { kind: 'system' }, body: /out of office/ });

  const solved = await ticket(opened.id);
  await h.call(h.owner, 'PATCH', `/api/v1/support/tickets/${opened.id}`, { status: 'closed' }, { 'if-match': `"${solved.version}"` });
  await aliceWrites({ subject: 'Re: کارت هدیه کار نمی‌کند', text: 'یک سؤال دیگر هم دارم.', inReplyTo: `<${answered}>`, references: [`<${answered}>`] });
  const all = await tickets();
  t.equal(all.length, 2, 'a follow-up ticket');
  const followUp = all.find((x) => x.id !== opened.id)!;
  t.match(followUp, { channel: 'email', status: 'new', customerId: customer.id, queueId: queue.id });
  t.match(await ticket(opened.id), { status: 'closed' }, 'the closed ticket stays closed');
  await h.ok('POST', `/api/v1/support/tickets/${followUp.id}/messages`, { body: 'پاسخ پیگیری', visibility: 'public' });
  const second = await aliceReceives(/پاسخ پیگیری/);
  t.ok(second.inReplyTo, 'the follow-up’s reply answers in the same thread');
});

/** The tenant's id, read back through the API. */
async function tenantId(): Promise<string> {
  return (await h.ok<{ tenant: { id: string } }>('GET', '/api/v1/me')).tenant.id;
}
