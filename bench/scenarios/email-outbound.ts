/**
 * email, outbound: `n` messages through the durable queue to the harness's real Postfix.
 *
 * Peyvand: the messages are queued (`services.send`, a transaction each, as a business write
 * would), then the plugin's own sender loop is started and timed until no row is `queued` —
 * every message accepted by Postfix (250) and marked `sent` with its `email.sent` event and, the account having IMAP, a copy appended to its Sent folder, as in production.
 * Baseline, in the same run: nodemailer sending the same messages one after another over one
 * pooled SMTP connection to the same Postfix — composing and handing over, nothing a CRM adds.
 * Postfix's queue is left to drain into Dovecot before each side starts, so neither pays for
 * the other's deliveries.
 */
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type { Kernel } from '../../core/kernel/kernel.js';
import type { EmailServices } from '../../plugins/email/index.js';
import type { MailServers } from '../../test/helpers/mail-servers.js';
import type { ResultRow } from '../scenario.js';

/** What the outbound step needs of the email scenario's set-up. */
export interface OutboundBench {
  kernel: Kernel;
  services: EmailServices;
  tenantId: string;
  mail: MailServers;
  /** The sending mailbox (the account's SMTP login). */
  sender: { address: string; password: string };
  n: number;
  log(message: string): void;
}

const text = (i: number) => `سلام، سفارش شمارهٔ ${i} شما امروز ارسال شد. کد رهگیری: ${100_000 + i}\n`.repeat(3);
const html = (i: number) => `<p dir="rtl">${text(i)}</p>`;

/** Resolves once `done()` holds, checking every 20 ms; throws after `ms`. */
async function until(done: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  for (const deadline = Date.now() + ms; !(await done()); ) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The outbound rate row: Peyvand's queue and sender loop against one pooled nodemailer connection. */
export async function outboundRate(b: OutboundBench): Promise<ResultRow> {
  const rcpt = b.mail.addUser('reader@acme.test').address;
  const drained = () => until(() => b.mail.queueEmpty(), 300_000, 'Postfix delivering its queue');
  const messages = b.kernel.db.table('email_messages');
  const count = async (status: string) => Number((await b.kernel.db.knex(messages).where({ tenant_id: b.tenantId, direction: 'out', status }).count({ n: '*' }).first())?.n ?? 0);

  const q0 = performance.now();
  for (let i = 0; i < b.n; i++) await b.services.send(b.tenantId, { to: [rcpt], subject: `سفارش ${i} ارسال شد`, text: text(i), html: html(i) });
  const queueMs = performance.now() - q0;
  await drained();
  const t0 = performance.now();
  b.services.sender.start();
  await until(async () => (await count('queued')) === 0, 600_000, `${b.n} queued messages sent`);
  const peyvandMs = performance.now() - t0;
  await b.services.sender.stop();
  const [sent, failed] = [await count('sent'), await count('failed')];
  if (sent !== b.n || failed !== 0) throw new Error(`outbound: ${sent} sent, ${failed} failed of ${b.n}`);
  b.log(`outbound: ${b.n} queued in ${(queueMs / 1000).toFixed(1)} s, sent through Postfix in ${(peyvandMs / 1000).toFixed(1)} s`);

  await drained();
  const transport = nodemailer.createTransport({ host: b.mail.host, port: b.mail.smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, auth: { user: b.sender.address, pass: b.sender.password } });
  const t1 = performance.now();
  try {
    for (let i = 0; i < b.n; i++) await transport.sendMail({ from: b.sender.address, to: rcpt, subject: `سفارش ${i} ارسال شد`, text: text(i), html: html(i), messageId: `<bare-${i}@acme.test>` });
  } finally {
    transport.close();
  }
  const bareMs = performance.now() - t1;
  b.log(`outbound: bare nodemailer ${(bareMs / 1000).toFixed(1)} s`);
  await drained();

  const rate = (ms: number) => b.n / (ms / 1000);
  return {
    scenario: `email: outbound rate through Postfix (${b.n.toLocaleString('en-US')} messages)`,
    peyvand: rate(peyvandMs), baseline: rate(bareMs), unit: 'messages/s', ratio: rate(peyvandMs) / rate(bareMs), ratioLabel: 'Peyvand / bare', target: 'reported', pass: null,
    details: `Peyvand's sender loop ${(peyvandMs / 1000).toFixed(1)} s from start until no row is queued (each: compose, SMTP to Postfix, row marked sent with its event, copy appended to the Sent folder over IMAP), after ${(queueMs / 1000).toFixed(1)} s queueing them (a transaction each, not timed in the rate); bare nodemailer over one pooled connection ${(bareMs / 1000).toFixed(1)} s`,
  };
}
