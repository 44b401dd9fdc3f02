/**
 * The sender's connections, counted by a TCP proxy in front of the real Postfix and Dovecot:
 * one sender pass sends every due message of an account over one SMTP connection and
 * appends every Sent copy over one IMAP session, both closed when the pass ends; an SMTP
 * connection cut mid-pass fails only the message it carried, which is retried with backoff
 * and reaches the recipient once; a changed account is sent through with its new settings,
 * also within one pass (a connection is keyed by account id and settings version).
 */
import t from 'tap';
import { bootEmail } from '../../helpers/email.js';
import { freePort } from '../../helpers/mail-servers.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { SenderSession } from '../../../plugins/email/services/sender-session.js';

const h = await bootEmail(t, [{ address: 'carol@example.test' }]);
const carol = h.mail.users[1]!;
const smtp = await startTcpProxy(h.mail.smtpPort);
const imap = await startTcpProxy(h.mail.imapPort);
t.teardown(() => Promise.all([smtp.close(), imap.close()]));
const account = await h.ok<{ id: string }>('POST', '/accounts', { name: 'Acme', address: h.support.address, smtp: { ...h.server(h.support, 'smtp'), port: smtp.port }, imap: { ...h.server(h.support, 'imap'), port: imap.port } });
const messages = h.p.peyvand.kernel.db.knex(h.p.peyvand.kernel.db.table('email_messages'));
type Message = { id: string; status: string; messageId: string; error?: string };

/** Queues `n` messages to Carol; their ids and Message-IDs. */
const queue = async (n: number, tag: string) => {
  const out: Message[] = [];
  for (let i = 0; i < n; i++) out.push(await h.ok<Message>('POST', '/messages', { accountId: account.id, to: [carol.address], subject: `${tag} ${i}`, text: `پیام ${i}` }));
  return out;
};
const get = (id: string) => h.ok<Message>('GET', `/messages/${id}`);

t.test('one pass: five messages over one SMTP connection, five Sent copies over one IMAP session', async (t) => {
  const queued = await queue(5, 'batch');
  await h.services.outbound.deliverDue();
  for (const m of queued) t.equal((await get(m.id)).status, 'sent');
  t.equal(smtp.connections, 1, 'one SMTP connection for the pass');
  t.equal(imap.connections, 1, 'one IMAP connection for the pass');
  const sent = await h.mailbox(h.support, 'Sent');
  for (const m of queued) t.equal(sent.filter((raw) => raw.includes(m.messageId)).length, 1, `one Sent copy of ${m.messageId}`);
  await h.waitFor('the pass’s connections closed', async () => smtp.open === 0 && imap.open === 0);
  await queue(2, 'next');
  await h.services.outbound.deliverDue();
  t.same([smtp.connections, imap.connections], [2, 2], 'the next pass opens its own');
});

t.test('an SMTP connection cut mid-pass fails the message it carried; retried, nothing is sent twice', async (t) => {
  const before = smtp.connections;
  let mailFrom = 0;
  // The third MAIL FROM on the pass's first connection never reaches Postfix.
  smtp.cutWhen = (chunk, connection) => connection === before + 1 && /^MAIL FROM:/im.test(chunk) && ++mailFrom === 3;
  const queued = await queue(4, 'cut');
  await h.services.outbound.deliverDue();
  smtp.cutWhen = undefined;
  const after = await Promise.all(queued.map((m) => get(m.id)));
  const left = after.filter((m) => m.status === 'queued');
  t.equal(left.length, 1, 'one message was on the cut connection');
  t.equal(after.filter((m) => m.status === 'sent').length, 3, 'the others were sent, after the cut over a new connection');
  t.equal(smtp.connections, before + 2);
  t.ok(left[0]!.error, 'the failure is kept on the message');
  const row = await messages.clone().where('id', left[0]!.id).first();
  t.equal(Number(row.attempts), 1);
  t.ok(Number(row.next_attempt_at) > Date.now() + 10_000, 'retried with backoff, not at once');
  await messages.clone().where('id', left[0]!.id).update({ next_attempt_at: 0 });
  await h.services.outbound.deliverDue();
  t.equal((await get(left[0]!.id)).status, 'sent', 'the retry sends it');
  await h.waitFor('Postfix delivered everything', () => h.mail.queueEmpty());
  const inbox = await h.mailbox(carol);
  for (const m of queued) t.equal(inbox.filter((raw) => raw.includes(`<${m.messageId}>`)).length, 1, `${m.messageId} reached Carol once`);
  const sentEvents = (await h.ok<{ items: Array<{ data: { id: string } }> }>('GET', '/api/v1/events?types=email.sent&limit=200')).items.filter((e) => queued.some((m) => m.id === e.data.id));
  t.equal(sentEvents.length, 4, 'one email.sent per message');
});

t.test('a changed account is sent through with its new settings, never over the old connection', async (t) => {
  const other = await startTcpProxy(h.mail.smtpPort);
  t.teardown(() => other.close());
  const before = smtp.connections;
  await h.ok('PATCH', `/accounts/${account.id}`, { smtp: { port: other.port } });
  const queued = await queue(2, 'moved');
  await h.services.outbound.deliverDue();
  for (const m of queued) t.equal((await get(m.id)).status, 'sent');
  t.equal(other.connections, 1, 'sent through the new settings');
  t.equal(smtp.connections, before, 'the old server is not used');
});

t.test('within one pass, a new settings version opens a new connection', async (t) => {
  const [first, second] = [await startTcpProxy(h.mail.smtpPort), await startTcpProxy(h.mail.smtpPort)];
  t.teardown(() => Promise.all([first.close(), second.close()]));
  const { tenant_id: tenantId } = await messages.clone().where('account_id', account.id).first('tenant_id');
  const credentials = await h.services.accounts.credentials(String(tenantId), account.id);
  const raw = (i: number) => Buffer.from(`From: ${h.support.address}\r\nTo: ${carol.address}\r\nSubject: v${i}\r\nMessage-ID: <version-${i}@acme.test>\r\n\r\nx\r\n`);
  const envelope = { from: h.support.address, to: [carol.address] };
  const session = new SenderSession();
  try {
    await session.send({ ...credentials, smtp: { ...credentials.smtp, port: first.port } }, envelope, raw(1));
    await session.send({ ...credentials, smtp: { ...credentials.smtp, port: first.port } }, envelope, raw(2));
    await session.send({ ...credentials, version: credentials.version + 1, smtp: { ...credentials.smtp, port: second.port } }, envelope, raw(3));
  } finally {
    await session.close();
  }
  t.same([first.connections, second.connections], [1, 1], 'the same version reuses its connection, a new one opens another');
  await h.waitFor('the old version’s connection closed', async () => first.open === 0 && second.open === 0);
});

t.test('an SMTP server that refuses connections leaves each message queued for a retry, the pass completes', async (t) => {
  const down = await h.ok<{ id: string }>('POST', '/accounts', { name: 'Down', address: 'down@acme.test', smtp: { ...h.server(h.support, 'smtp'), port: await freePort() } });
  const queued: Message[] = [];
  for (let i = 0; i < 3; i++) queued.push(await h.ok<Message>('POST', '/messages', { accountId: down.id, to: [carol.address], subject: `down ${i}`, text: 'x' }));
  await h.services.outbound.deliverDue();
  for (const m of queued) {
    const row = await messages.clone().where('id', m.id).first();
    t.match({ status: row.status, attempts: Number(row.attempts), error: row.last_error }, { status: 'queued', attempts: 1, error: /ECONNREFUSED|connect/i });
  }
});
