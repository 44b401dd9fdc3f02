/**
 * One-click unsubscribe (RFC 8058) through the API and the real Postfix → Dovecot path: a
 * marketing mail arrives with `List-Unsubscribe` and `List-Unsubscribe-Post`; the mail
 * client's form POST to that URL, without any credential, unsubscribes the recipient once
 * (a second use 409, a forged link 404), emits `email.unsubscribed`, answers in the
 * recipient's language; marketing mail to the address is then refused, localized, while
 * transactional mail still goes out (and carries no unsubscribe header).
 */
import t from 'tap';
import { bootEmail } from '../../helpers/email.js';
import { assertEventData } from '../../helpers/event-schemas.js';
import { emailEventSchemas } from '../../../plugins/email/events.js';

const h = await bootEmail(t, [{ address: 'nasrin@example.test' }, { address: 'omid@example.test' }]);
const [nasrin, omid] = [h.mail.users[1]!, h.mail.users[2]!];
const account = await h.ok<{ id: string }>('POST', '/accounts', { name: 'Acme', address: h.support.address, smtp: h.server(h.support, 'smtp') });
type Message = { id: string; status: string; messageId: string };
const unfold = (raw: string) => raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(unfold(raw))?.[1];
const oneClick = (url: string, lang = 'en', body = 'List-Unsubscribe=One-Click') =>
  h.call(undefined, 'POST', new URL(url).pathname, body, { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': lang });

async function sendAndReceive(to: typeof nasrin, body: Record<string, unknown>): Promise<string> {
  const queued = await h.ok<Message>('POST', '/messages', { accountId: account.id, to: [to.address], subject: 'تخفیف پاییزه', text: 'تا پایان هفته ۲۰٪ تخفیف', ...body });
  await h.waitFor(`message ${queued.id} sent`, async () => {
    await h.services.outbound.deliverDue();
    return (await h.ok<Message>('GET', `/messages/${queued.id}`)).status === 'sent';
  });
  return h.waitFor('the mail in the recipient’s mailbox', async () => (await h.mailbox(to)).find((m) => m.includes(queued.messageId)));
}

let url: string;

t.test('marketing mail carries a one-click unsubscribe; it needs exactly one recipient', async (t) => {
  const many = await h.call(h.owner, 'POST', '/messages', { accountId: account.id, to: [nasrin.address], cc: [omid.address], subject: 's', text: 'x', category: 'marketing' }, { 'accept-language': 'fa' });
  t.match([many.statusCode, many.json().code, many.json().title], [422, 'MARKETING_ONE_RECIPIENT', 'نامهٔ تبلیغاتی فقط یک گیرنده دارد']);
  t.equal((await h.call(h.owner, 'POST', '/messages', { to: [nasrin.address], subject: 's', text: 'x', category: 'newsletter' })).statusCode, 400, 'an unknown category is refused');
  const raw = await sendAndReceive(nasrin, { category: 'marketing' });
  const list = header(raw, 'List-Unsubscribe');
  t.match(list, /^<http:\/\/localhost:3000\/api\/v1\/email\/unsubscribe\/u1\.[A-Za-z0-9_.-]+>$/, 'an HTTPS-or-HTTP URL under the public base URL');
  t.equal(header(raw, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  t.notMatch(list ?? '', /nasrin/, 'the URL does not show the address');
  url = list!.slice(1, -1);
});

t.test('the public one-click POST unsubscribes once; forged links are 404', async (t) => {
  const forged = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  t.match((await oneClick(forged)).json(), { code: 'UNSUBSCRIBE_LINK_NOT_FOUND' }, 'a changed signature');
  t.equal((await oneClick(forged)).statusCode, 404);
  t.equal((await oneClick(url.replace(/u1\.[A-Za-z0-9_-]{22}/, 'u1.AAAAAAAAAAAAAAAAAAAAAA'))).statusCode, 404, 'another tenant named in the token');
  t.equal((await oneClick(url, 'en', 'List-Unsubscribe=Maybe')).statusCode, 400, 'not the RFC 8058 body');
  t.equal((await h.ok<{ items: unknown[] }>('GET', '/api/v1/events?types=email.unsubscribed')).items.length, 0, 'nothing happened yet');

  const done = await oneClick(url, 'fa');
  t.equal(done.statusCode, 200, done.body);
  t.same(done.json(), { address: nasrin.address, message: `از این پس نامهٔ تبلیغاتی برای ${nasrin.address} فرستاده نمی‌شود.` });
  const again = await oneClick(url);
  t.match([again.statusCode, again.json().code], [409, 'UNSUBSCRIBE_LINK_USED'], 'the link works once');
  const events = (await h.ok<{ items: Array<{ data: Record<string, unknown> }> }>('GET', '/api/v1/events?types=email.unsubscribed')).items;
  t.equal(events.length, 1, 'one event');
  t.match(events[0]?.data, { address: nasrin.address, messageId: String });
});

t.test('marketing mail to an unsubscribed address is refused; transactional mail still goes', async (t) => {
  const before = (await h.ok<{ items: unknown[] }>('GET', '/messages?direction=out&limit=200')).items.length;
  const refused = await h.call(h.owner, 'POST', '/messages', { accountId: account.id, to: ['Nasrin@Example.test'], subject: 's', text: 'x', category: 'marketing' }, { 'accept-language': 'fa' });
  t.match(refused.json(), { code: 'RECIPIENT_UNSUBSCRIBED', errors: [{ path: '/to/0' }] });
  t.equal(refused.statusCode, 422);
  t.match(refused.json().detail, /nasrin@example\.test.*لغو/, 'localized, naming the address');
  t.equal((await h.ok<{ items: unknown[] }>('GET', '/messages?direction=out&limit=200')).items.length, before, 'nothing queued');
  const receipt = await sendAndReceive(nasrin, { subject: 'رسید سفارش ۱۲۳' });
  t.equal(header(receipt, 'List-Unsubscribe'), undefined, 'transactional mail has no unsubscribe header');
  const other = await sendAndReceive(omid, { category: 'marketing' });
  t.ok(header(other, 'List-Unsubscribe'), 'another recipient still gets marketing mail');
});

t.test('the email events written match the schemas the plugin declares for their data', async (t) => {
  const written = (await h.ok<{ items: Array<{ type: string; data: unknown }> }>('GET', '/api/v1/events?types=email.*&limit=200')).items;
  const checked = assertEventData(t, written, emailEventSchemas);
  t.same(['email.unsubscribed'].filter((type) => !checked.has(type)), [], 'each was written and checked');
});
