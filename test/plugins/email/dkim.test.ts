/**
 * DKIM signing per account through the API and the real Postfix → Dovecot path: the private
 * key write-only and sealed, unusable keys and unaligned domains refused in the caller's
 * language, and the mail as the customer's mailbox receives it carrying a DKIM-Signature
 * that an independent verifier (node:crypto, relaxed canonicalization) accepts — and
 * rejects once a byte of the body or the subject is changed. Turning signing off stops it.
 */
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { bootEmail } from '../../helpers/email.js';
import { verifyDkim } from '../../helpers/dkim-verify.js';

const h = await bootEmail(t, [{ address: 'nasrin@example.test' }]);
const nasrin = h.mail.users[1]!;
const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
const { privateKey, publicKey } = rsa(2048);
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The TXT record the domain would publish at `<selector>._domainkey.acme.test`. */
const txt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const base = { name: 'Acme', address: h.support.address, smtp: h.server(h.support, 'smtp'), imap: h.server(h.support, 'imap') };
type Message = { id: string; status: string; messageId: string };

/** Sends a mail to Nasrin through the account, delivers it, and returns it as her mailbox has it. */
async function sendAndReceive(accountId: string, subject: string): Promise<string> {
  const queued = await h.ok<Message>('POST', '/messages', { accountId, to: [nasrin.address], subject, text: 'سلام نسرین،\nسفارش شما   ارسال شد.  \n', html: '<p>سلام نسرین، سفارش شما ارسال شد.</p>' });
  await h.waitFor(`message ${queued.id} sent`, async () => {
    await h.services.outbound.deliverDue();
    return (await h.ok<Message>('GET', `/messages/${queued.id}`)).status === 'sent';
  });
  return h.waitFor(`${subject} in Nasrin's mailbox`, async () => (await h.mailbox(nasrin)).find((m) => m.includes(queued.messageId)));
}

let accountId: string;

t.test('the key is write-only and sealed; unusable settings are refused, localized', async (t) => {
  const res = await h.call(h.owner, 'POST', '/accounts', { ...base, dkim: { domain: 'Acme.test', selector: 'pv2026', privateKey: pem } });
  t.equal(res.statusCode, 201, res.body);
  t.same(res.json().dkim, { domain: 'acme.test', selector: 'pv2026', configured: true });
  accountId = res.json().id;
  const keyLine = pem.split('\n')[5]!;
  t.notOk((await h.call(h.owner, 'GET', `/accounts/${accountId}`)).body.includes(keyLine), 'the key is never returned');
  t.notOk((await h.call(h.owner, 'GET', '/accounts')).body.includes(keyLine), 'not in the list either');
  const row = await h.p.peyvand.kernel.db.knex(h.p.peyvand.kernel.db.table('email_accounts')).where('id', accountId).first();
  t.notOk(JSON.stringify(row).includes(keyLine), 'no plaintext key in the database');

  const refused = async (dkim: unknown, lang = 'en') => h.call(h.owner, 'POST', '/accounts', { ...base, dkim }, { 'accept-language': lang });
  const small = rsa(512).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
  for (const [what, key] of [['a 512-bit key', small], ['an EC key', ec], ['an encrypted key', encrypted], ['not a key', 'x'.repeat(200)]] as const) {
    const r = await refused({ domain: 'acme.test', selector: 's', privateKey: key });
    t.equal(r.statusCode, 422, what);
    t.equal(r.json().code, 'DKIM_KEY_INVALID', what);
  }
  const fa = await refused({ domain: 'acme.test', selector: 's', privateKey: small }, 'fa');
  t.match(fa.json(), { code: 'DKIM_KEY_INVALID', title: 'کلید DKIM قابل استفاده نیست' }, 'the error in the caller’s language');
  const mismatch = await refused({ domain: 'other.test', selector: 's', privateKey: pem });
  t.match(mismatch.json(), { code: 'DKIM_DOMAIN_MISMATCH', errors: [{ path: '/dkim/domain' }] }, 'a domain the From address is not in');
  t.equal((await refused({ domain: 'acme.test', selector: 's', privateKey: pem, algorithm: 'rsa-sha1' })).statusCode, 400, 'an unknown field is refused');
  t.equal((await refused({ domain: 'acme.test', privateKey: pem })).statusCode, 400, 'the selector is required');
  t.equal((await h.call(h.owner, 'GET', '/accounts')).json().items.length, 1, 'nothing was created by the refused requests');
});

t.test('mail received through Postfix and Dovecot carries a signature that verifies', async (t) => {
  const raw = await sendAndReceive(accountId, 'سفارش ۱۲۳ ارسال شد');
  t.match(raw, /^Received: /m, 'the copy went through Postfix');
  const result = verifyDkim(raw, txt);
  t.match(result, { ok: true, domain: 'acme.test', selector: 'pv2026' }, result.reason ?? 'verified');
  t.ok(result.signedHeaders?.includes('subject') && result.signedHeaders.includes('message-id'), 'subject and Message-ID are signed');
  t.match(verifyDkim(`${raw}P.S. pay to another account\r\n`, txt), { ok: false, reason: 'body hash mismatch' }, 'a changed body fails');
  t.match(verifyDkim(raw.replace(/^Subject: .*$/m, 'Subject: =?UTF-8?B?ZmFrZQ==?='), txt), { ok: false, reason: 'signature does not verify' }, 'a changed subject fails');
  const other = rsa(1024).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  t.match(verifyDkim(raw, `v=DKIM1; k=rsa; p=${other}`), { ok: false }, 'another key does not verify it');
  const sent = await h.waitFor('the signed copy in the Sent folder', async () => (await h.mailbox(h.support, 'Sent')).find((m) => m.includes('DKIM-Signature')));
  t.ok(verifyDkim(sent, txt).ok, 'the Sent copy is the signed message');
});

t.test('a new selector keeps the stored key; an unaligned address is refused; null stops signing', async (t) => {
  const patched = await h.call(h.owner, 'PATCH', `/accounts/${accountId}`, { dkim: { selector: 'pv2027' } });
  t.equal(patched.statusCode, 200, patched.body);
  t.same(patched.json().dkim, { domain: 'acme.test', selector: 'pv2027', configured: true });
  t.match(verifyDkim(await sendAndReceive(accountId, 'selector rotated'), txt), { ok: true, selector: 'pv2027' });
  const moved = await h.call(h.owner, 'PATCH', `/accounts/${accountId}`, { address: 'sales@elsewhere.test' });
  t.match([moved.statusCode, moved.json().code], [422, 'DKIM_DOMAIN_MISMATCH'], 'the address cannot leave the signing domain');
  t.equal((await h.ok<{ address: string }>('GET', `/accounts/${accountId}`)).address, h.support.address, 'and nothing changed');
  const off = await h.call(h.owner, 'PATCH', `/accounts/${accountId}`, { dkim: null });
  t.equal(off.json().dkim, null);
  const raw = await sendAndReceive(accountId, 'unsigned');
  t.notMatch(raw, /^DKIM-Signature:/im, 'no signature once DKIM is off');
  t.match(verifyDkim(raw, txt), { ok: false, reason: 'no DKIM-Signature header' });
});
