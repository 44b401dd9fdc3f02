/**
 * Inbound details through the API against the real Dovecot: legacy Arabic-script charsets
 * (windows-1256 and ISO-8859-6, declared, mislabelled and undeclared) decoded to Persian
 * text and stored NFC; and a folder whose UIDVALIDITY changes (deleted and created again
 * in Dovecot) re-read by the next sync, named in `resynced`, importing nothing twice.
 */
import t from 'tap';
import iconv from 'iconv-lite';
import { bootEmail } from '../../helpers/email.js';

const h = await bootEmail(t);
const account = await h.ok<{ id: string }>('POST', '/accounts', { name: 'Acme support', address: h.support.address, smtp: h.server(h.support, 'smtp'), imap: { ...h.server(h.support, 'imap'), folders: ['INBOX', 'Archive'] } });
type Report = { fetched: number; imported: number; duplicates: number; quarantined: number; resynced: string[] };
type Message = { id: string; from: string; subject: string; text: string; html: string | null; flags: string[]; messageId: string };
const sync = () => h.ok<Report>('POST', `/accounts/${account.id}/sync`);
const incoming = async () => (await h.ok<{ items: Message[] }>('GET', '/messages?direction=in&limit=200')).items;
const byMessageId = async (id: string) => (await incoming()).find((m) => m.messageId === id);
/** A raw mail: header lines (ASCII), a blank line, then the body bytes. */
const mail = (headers: string[], body: Buffer) => Buffer.concat([Buffer.from(headers.join('\r\n') + '\r\n\r\n', 'latin1'), body, Buffer.from('\r\n')]);
const b64 = (s: string, charset: string) => `=?${charset}?B?${iconv.encode(s, charset).toString('base64')}?=`;

t.test('legacy charsets are decoded to Persian text and stored NFC', async (t) => {
  const cases: Array<{ id: string; raw: Buffer; subject: string; text: string; name?: string }> = [
    {
      // Declared windows-1256, 8-bit body, encoded-word subject and name. The code page has no
      // Persian yeh: the writer's ی travels as ي and is stored as ی again.
      id: 'cp1256@example.test',
      raw: mail(['From: ' + b64('مريم کريمي', 'windows-1256') + ' <maryam@example.test>', 'To: support@acme.test', 'Subject: ' + b64('پيگيري سفارش 123', 'windows-1256'), 'Message-ID: <cp1256@example.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=windows-1256', 'Content-Transfer-Encoding: 8bit'], iconv.encode('سلام. کيف چرمي که سفارش دادم هنوز نرسيده است.', 'windows-1256')),
      subject: 'پیگیری سفارش 123',
      text: 'سلام. کیف چرمی که سفارش دادم هنوز نرسیده است.',
      name: 'مریم کریمی',
    },
    {
      // Declared ISO-8859-6, base64 body, a Q-encoded subject.
      id: 'iso88596@example.test',
      raw: mail(['From: reza@example.test', 'To: support@acme.test', `Subject: =?iso-8859-6?Q?${[...iconv.encode('ارسال شد', 'iso-8859-6')].map((b) => (b === 0x20 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`, 'Message-ID: <iso88596@example.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset="ISO-8859-6"', 'Content-Transfer-Encoding: base64'], Buffer.from(iconv.encode('سلام، سفارش شما ارسال شد', 'iso-8859-6').toString('base64'), 'latin1')),
      subject: 'ارسال شد',
      text: 'سلام، سفارش شما ارسال شد',
    },
    {
      // Mislabelled: windows-1256 bytes that claim to be UTF-8.
      id: 'mislabelled@example.test',
      raw: mail(['From: sara@example.test', 'To: support@acme.test', 'Subject: follow-up', 'Message-ID: <mislabelled@example.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'], iconv.encode('لطفا پيگيري کنيد', 'windows-1256')),
      subject: 'follow-up',
      text: 'لطفا پیگیری کنید',
    },
    {
      // Mislabelled the old way: Latin-1 declared on windows-1256 bytes.
      id: 'latin1@example.test',
      raw: mail(['From: nima@example.test', 'To: support@acme.test', 'Subject: invoice', 'Message-ID: <latin1@example.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit'], iconv.encode('فاکتور را فرستادم', 'windows-1256')),
      subject: 'invoice',
      text: 'فاکتور را فرستادم',
    },
    {
      // No charset at all on 8-bit text.
      id: 'unlabelled@example.test',
      raw: mail(['From: omid@example.test', 'To: support@acme.test', 'Subject: no label', 'Message-ID: <unlabelled@example.test>'], iconv.encode('گارانتي دارد؟', 'windows-1256')),
      subject: 'no label',
      text: 'گارانتی دارد؟',
    },
    {
      // Arabic in windows-1256 (no letter only Persian has): its yeh and kaf stay Arabic.
      id: 'arabic@example.test',
      raw: mail(['From: ali@example.test', 'To: support@acme.test', 'Subject: arabic', 'Message-ID: <arabic@example.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=windows-1256'], iconv.encode('شكرا لكم على المساعدة في', 'windows-1256')),
      subject: 'arabic',
      text: 'شكرا لكم على المساعدة في',
    },
    {
      // UTF-8 with a decomposed alef madda (ا + U+0653) is stored composed (آ, U+0622).
      id: 'nfc@example.test',
      raw: mail(['From: ava@example.test', 'To: support@acme.test', 'Subject: =?utf-8?B?' + Buffer.from('\u0627\u0653درس').toString('base64') + '?=', 'Message-ID: <nfc@example.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'], Buffer.from('\u0627\u0653درس جدید من', 'utf8')),
      subject: '\u0622درس',
      text: '\u0622درس جدید من',
    },
  ];
  for (const c of cases) await h.mail.deliver(h.support.address, c.raw);
  await h.waitFor('every delivery', async () => (await h.mailbox(h.support)).length === cases.length);
  t.match(await sync(), { fetched: cases.length, imported: cases.length, quarantined: 0, resynced: [] });
  for (const c of cases) {
    const m = await byMessageId(c.id);
    t.ok(m, `${c.id} imported`);
    t.equal(m?.subject, c.subject, `${c.id}: subject`);
    t.equal(m?.text.trim(), c.text, `${c.id}: text`);
    t.notMatch(m?.text ?? '', /\ufffd/, `${c.id}: no replacement character`);
    t.same(m?.flags, [], `${c.id}: not flagged`);
  }
  const maryam = (await h.ok<{ items: Array<{ name: string; emails: Array<{ value: string }> }> }>('GET', '/api/v1/customers?limit=200')).items.find((c) => c.emails.some((e) => e.value === 'maryam@example.test'));
  t.equal(maryam?.name, 'مریم کریمی', 'the sender’s name decoded too (the customer made from it)');
});

t.test('a UIDVALIDITY change re-reads the folder and imports nothing twice', async (t) => {
  const user = ['-u', h.support.address];
  const validity = async () => Number(/uidvalidity=(\d+)/.exec(await h.mail.doveadm('mailbox', 'status', ...user, 'uidvalidity', 'Archive'))?.[1]);
  const archived = (n: number) => mail(['From: kian@example.test', 'To: support@acme.test', `Subject: archived ${n}`, `Message-ID: <archived-${n}@example.test>`, 'Content-Type: text/plain; charset=utf-8'], Buffer.from(`بایگانی ${n}`, 'utf8'));
  // No Message-ID: deduplicated by the hash of its bytes.
  const anonymous = mail(['From: kian@example.test', 'To: support@acme.test', 'Subject: no id', 'Date: Sat, 05 Dec 2026 09:00:00 +0000'], Buffer.from('بدون شناسه', 'utf8'));
  await h.mail.doveadm('mailbox', 'create', ...user, 'Archive');
  for (const raw of [archived(1), archived(2), anonymous]) await h.append(h.support, raw, 'Archive');
  const before = await incoming();
  t.match(await sync(), { fetched: 3, imported: 3, duplicates: 0, resynced: [] });
  const firstValidity = await validity();

  // Recreate the folder: a new UIDVALIDITY, the UIDs start again at 1. A new mail takes UID 1,
  // so a sync trusting the old cursor (last UID 3) would miss it.
  await h.mail.doveadm('mailbox', 'delete', ...user, 'Archive');
  await h.mail.doveadm('mailbox', 'create', ...user, 'Archive');
  for (const raw of [archived(3), archived(1), archived(2), anonymous]) await h.append(h.support, raw, 'Archive');
  t.not(await validity(), firstValidity, 'Dovecot gave the folder a new UIDVALIDITY');
  const report = await sync();
  t.match(report, { fetched: 4, imported: 1, duplicates: 3, quarantined: 0, resynced: ['Archive'] });
  const after = await incoming();
  t.equal(after.length, before.length + 4, 'three archived mails and the anonymous one, each once');
  t.same(after.filter((m) => /^archived \d$/.test(m.subject)).map((m) => m.subject).sort(), ['archived 1', 'archived 2', 'archived 3']);
  t.equal(after.filter((m) => m.subject === 'no id').length, 1, 'the mail without Message-ID once');
  t.match(await sync(), { fetched: 0, imported: 0, resynced: [] }, 'the cursor is at the new UIDVALIDITY’s end');

  // A mail arriving after the resync is picked up from the new cursor.
  await h.append(h.support, archived(4), 'Archive');
  t.match(await sync(), { fetched: 1, imported: 1, resynced: [] });
});

t.test('an attachment over the account’s limit is kept as metadata only, flagged omitted', async (t) => {
  const patched = await h.call(h.owner, 'PATCH', `/accounts/${account.id}`, { maxAttachmentBytes: 1000 });
  t.equal(patched.statusCode, 200, patched.body);
  const boundary = 'b-limit';
  const raw = mail(['From: kian@example.test', 'To: support@acme.test', 'Subject: two files', 'Message-ID: <limit@example.test>', 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`], Buffer.from([
    `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', 'دو فایل پیوست است.',
    `--${boundary}`, 'Content-Type: text/plain; name="small.txt"', 'Content-Disposition: attachment; filename="small.txt"', '', 'small file',
    `--${boundary}`, 'Content-Type: application/octet-stream; name="big.bin"', 'Content-Disposition: attachment; filename="big.bin"', 'Content-Transfer-Encoding: base64', '', Buffer.alloc(3000, 7).toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${boundary}--`,
  ].join('\r\n'), 'utf8'));
  await h.mail.deliver(h.support.address, raw);
  await h.waitFor('the mail with files', async () => (await h.mailbox(h.support)).some((m) => m.includes('<limit@example.test>')));
  t.match(await sync(), { imported: 1, quarantined: 0 });
  const m = (await byMessageId('limit@example.test')) as unknown as { id: string; text: string; attachments: Array<{ id: string; filename: string; size: number; omitted?: boolean }> };
  t.match(m.text, /دو فایل پیوست است/, 'the message itself is kept');
  const small = m.attachments.find((a) => a.filename === 'small.txt');
  const big = m.attachments.find((a) => a.filename === 'big.bin');
  t.match(small, { size: 10 });
  t.notOk(small && 'omitted' in small, 'a file within the limit is not flagged');
  t.match(big, { size: 3000, omitted: true, contentType: 'application/octet-stream' });
  t.equal((await h.call(h.owner, 'GET', `/messages/${m.id}/attachments/${small!.id}`)).body, 'small file');
  const res = await h.call(h.owner, 'GET', `/messages/${m.id}/attachments/${big!.id}`, undefined, { 'accept-language': 'fa' });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  t.match(res.json(), { code: 'ATTACHMENT_OMITTED', title: /[\u0600-\u06ff]/, detail: /۳٬۰۰۰/ });
});
