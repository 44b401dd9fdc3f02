/**
 * The unsubscribe link opened in a browser: GET answers a small page (fa or en by
 * Accept-Language, else the company's language; right to left in Persian; no script, its
 * own CSP) and changes nothing; its button POSTs the RFC 8058 form and the outcome is a
 * page too; a used link and an unknown one get their own localized pages. Links are
 * issued by the plugin's service, as a marketing send does, without mail servers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import email, { type EmailServices } from '../../../plugins/email/index.js';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { launchChromium, openPage } from '../../widgets/lib/browser.js';

const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-unsubscribe-page-'));
t.teardown(() => fs.rmSync(storageDir, { recursive: true, force: true }));
const p = await bootPeyvand(t, { plugins: [email], pluginOptions: { email: { storageDir, watch: false } } });
const tenant = await p.tenant('acme', { name: 'بازرگانی آکمه', locale: 'fa', plugins: ['email'] });
const owner = await tenant.key('owner');
const services = p.peyvand.kernel.servicesOf<EmailServices>('email')!;
const account = (await p.call(owner, { method: 'POST', url: '/api/v1/email/accounts', payload: { name: 'Acme', address: 'news@acme.example', smtp: { host: '127.0.0.1', port: 1, secure: 'none', user: 'news', password: 'secret' } } })).json<{ id: string }>();

/** A marketing message to `address` and the path of its own unsubscribe link. */
async function linkFor(address: string): Promise<string> {
  const queued = await p.call(owner, { method: 'POST', url: '/api/v1/email/messages', payload: { accountId: account.id, to: [address], subject: 'Autumn sale', text: '20% off', category: 'marketing' } });
  if (queued.statusCode !== 202) throw new Error(queued.body);
  const url = await p.peyvand.kernel.db.transaction((trx) => services.unsubscribes.issue(trx, tenant.id, queued.json<{ id: string }>().id, address));
  return new URL(url).pathname;
}
const page = (url: string, headers: Record<string, string> = {}) => p.call(undefined, { method: 'GET', url, headers });
const confirm = (url: string, lang: string) => p.call(undefined, { method: 'POST', url, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml', 'accept-language': lang } });
const unsubscribed = async () => (await p.call(owner, { method: 'GET', url: '/api/v1/events?types=email.unsubscribed' })).json<{ items: Array<{ data: { address: string } }> }>().items.map((e) => e.data.address);

t.test('GET answers the confirmation page in fa or en and changes nothing', async (t) => {
  const url = await linkFor('nasrin@example.test');
  const fa = await page(url, { 'accept-language': 'fa-IR,fa;q=0.9' });
  t.equal(fa.statusCode, 200);
  t.match(fa.headers['content-type'], /^text\/html; charset=utf-8/);
  t.match(fa.body, /<html lang="fa" dir="rtl">/, 'right to left');
  t.match(fa.body, 'دیگر نامهٔ تبلیغاتی نمی‌خواهید؟');
  t.match(fa.body, '<bdi dir="ltr" class="ltr">nasrin@example.test</bdi>', 'the address isolated');
  t.match(fa.body, '<bdi>بازرگانی آکمه</bdi>', 'the company named');
  t.match(fa.body, /<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">لغو اشتراک<\/button><\/form>/, 'a button that POSTs the RFC 8058 form');
  t.notMatch(fa.body, /<script|\son[a-z]+=/i, 'no script, no handler');
  t.match(fa.headers['content-security-policy'], /script-src 'none'.*img-src 'none'.*connect-src 'none'.*form-action 'self'.*frame-ancestors 'none'/, 'its own policy: no script, images or fetches; posts only here; no framing');
  t.equal(fa.headers['cache-control'], 'no-store');

  const en = await page(url, { 'accept-language': 'en-GB,en;q=0.8' });
  t.match(en.body, /<html lang="en" dir="ltr">/);
  t.match(en.body, 'Press the button and <bdi dir="ltr" class="ltr">nasrin@example.test</bdi> will receive no more marketing mail from <bdi>بازرگانی آکمه</bdi>.');
  t.match((await page(url)).body, /<html lang="fa" dir="rtl">/, 'no Accept-Language: the company’s language');
  t.same(await unsubscribed(), [], 'opening the page unsubscribed nobody');
});

t.test('the page’s POST unsubscribes and answers a page; the link then says it was used', async (t) => {
  const url = await linkFor('omid@example.test');
  const done = await confirm(url, 'fa');
  t.equal(done.statusCode, 200, done.body);
  t.match(done.headers['content-type'], /^text\/html/);
  t.match(done.body, 'اشتراک شما لغو شد');
  t.match(done.body, 'از این پس هیچ نامهٔ تبلیغاتی از <bdi>بازرگانی آکمه</bdi> به <bdi dir="ltr" class="ltr">omid@example.test</bdi> فرستاده نمی‌شود.');
  t.ok((await unsubscribed()).includes('omid@example.test'), 'email.unsubscribed emitted');
  const refused = await p.call(owner, { method: 'POST', url: '/api/v1/email/messages', payload: { accountId: account.id, to: ['omid@example.test'], subject: 's', text: 'x', category: 'marketing' } });
  t.match([refused.statusCode, refused.json().code], [422, 'RECIPIENT_UNSUBSCRIBED'], 'no more marketing mail to the address');

  const again = await confirm(url, 'en');
  t.equal(again.statusCode, 409);
  t.match(again.body, 'Already unsubscribed');
  const used = await page(url, { 'accept-language': 'en' });
  t.equal(used.statusCode, 200);
  t.match(used.body, 'Already unsubscribed');
  t.notMatch(used.body, '<form', 'no button on a used link');

  const json = await p.call(undefined, { method: 'POST', url, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.match([json.statusCode, json.headers['content-type'], json.json().code], [409, /json/, 'UNSUBSCRIBE_LINK_USED'], 'a mail client’s one-click POST still gets JSON');
});

t.test('an unknown, forged or mangled link gets a localized 404 page', async (t) => {
  const url = await linkFor('sara@example.test');
  for (const [bad, what] of [[url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 'a forged signature'], ['/api/v1/email/unsubscribe/u1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'an unknown tenant'], ['/api/v1/email/unsubscribe/abc', 'a link cut short']] as const) {
    const fa = await page(bad, { 'accept-language': 'fa' });
    t.equal(fa.statusCode, 404, what);
    t.match(fa.body, /<html lang="fa" dir="rtl">[\s\S]*این پیوند قابل استفاده نیست/, `${what}: the Persian page`);
    t.notMatch(fa.body, /<form|<script/i, `${what}: no button, no script`);
    t.match((await page(bad, { 'accept-language': 'en' })).body, 'This link cannot be used', `${what}: the English page`);
  }
  const forged = await confirm(url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 'en');
  t.match([forged.statusCode, forged.body], [404, /This link cannot be used/], 'a forged POST from a browser: the page');
  t.same(await unsubscribed(), ['omid@example.test'], 'nobody else unsubscribed');
});

t.test('the OpenAPI document declares the page', async (t) => {
  const doc = (await p.call(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: Record<string, Record<string, { operationId: string; summary: string; security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>> }>();
  const get = doc.paths['/api/v1/email/unsubscribe/{token}']?.get;
  t.equal(get?.operationId, 'email.unsubscribe.page');
  t.ok(get?.summary);
  t.ok(get?.responses['200']?.content?.['text/html'], 'a text/html answer');
});

t.test('in Chromium: the button unsubscribes, and no script runs', async (t) => {
  const url = await linkFor('kaveh@example.test');
  const base = await p.peyvand.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium(t);
  const { page: tab, record } = await openPage(browser, t, { viewport: { width: 390, height: 844 }, locale: 'fa-IR' });
  await tab.goto(`${base}${url}`);
  await tab.getByRole('heading', { name: 'دیگر نامهٔ تبلیغاتی نمی‌خواهید؟' }).waitFor();
  t.equal(await tab.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'no horizontal scroll at 390 px');
  await tab.getByRole('button', { name: 'لغو اشتراک' }).click();
  await tab.getByRole('heading', { name: 'اشتراک شما لغو شد' }).waitFor();
  t.ok((await unsubscribed()).includes('kaveh@example.test'), 'unsubscribed');
  t.same(record.errors, [], 'no page error');
  t.notOk(record.console.some((line) => /Content Security Policy|Refused/.test(line)), 'nothing blocked by the policy');
});
