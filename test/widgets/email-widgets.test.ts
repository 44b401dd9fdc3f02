/**
 * `<peyvand-email-thread>` in Chromium, embedded in an ERP page of another origin: a
 * conversation whose HTML carries a script, an `onerror` image and a tracking pixel
 * (nothing runs, the pixel loads only when asked), an attachment downloaded with the
 * reader's credential, replies typed and from a template that appear in the thread and
 * in the API, at phone and desktop widths in fa and en; a customer's conversations listed
 * latest first and paged, one opened and left; no reply box for a read-only viewer; and the
 * "not enabled", "no permission" and empty states. Mail is put in through the plugin's ingest, as a sync would, without mail servers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import sales from '../../plugins/sales/index.js';
import email, { type EmailServices } from '../../plugins/email/index.js';
import { computedStyle, hasFocus, launchChromium, openPage, screenshot, type PageRecord } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-email-widget-'));
t.teardown(() => fs.rmSync(storageDir, { recursive: true, force: true }));
const world = await bootEmbedWorld(t, [{ slug: 'nomail', locale: 'fa', plugins: ['sales'] }], { installed: [sales, email], acmePlugins: ['sales', 'email'], pluginOptions: { email: { storageDir, watch: false } } });
const browser = await launchChromium(t);
const kernel = world.p.peyvand.kernel;
const services = kernel.servicesOf<EmailServices>('email')!;
const acme = (await kernel.tenants.findBySlug('acme'))!;

// The support mailbox (an SMTP server nobody listens on: replies stay queued, which is all the widget shows).
const account = await world.api<{ id: string }>('POST', '/api/v1/email/accounts', { name: 'پشتیبانی', address: 'support@acme.example', smtp: { host: '127.0.0.1', port: 1, secure: 'none', user: 'support', password: 'secret' } });
const boundary = 'b-widget';
const hostile = [
  '<div dir="rtl"><p>سلام، سفارش <b>شمارهٔ ۱۲۳</b> هنوز نرسیده است.</p>',
  '<script>alert("script ran"); parent.pwned = "script";</script>',
  '<img src="x" onerror="alert(\'onerror ran\'); parent.pwned = \'onerror\'">',
  '<img src="https://tracker.example/pixel.png" alt="pixel">',
  '<p>با احترام، مریم</p></div>',
].join('');
const raw = Buffer.from([
  'From: =?utf-8?B?' + Buffer.from('مریم احمدی').toString('base64') + '?= <maryam.ahmadi@arya-trading.example>',
  'To: support@acme.example',
  'Subject: =?utf-8?B?' + Buffer.from('پیگیری سفارش ۱۲۳').toString('base64') + '?=',
  'Message-ID: <order-123@arya-trading.example>',
  'Date: Mon, 10 Nov 2025 09:30:00 +0330',
  'MIME-Version: 1.0',
  `Content-Type: multipart/mixed; boundary="${boundary}"`,
  '',
  `--${boundary}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(hostile).toString('base64'),
  `--${boundary}`, 'Content-Type: text/plain; name="invoice-123.txt"', 'Content-Disposition: attachment; filename="invoice-123.txt"', '', 'Invoice 123: 4,800,000 IRR',
  `--${boundary}--`, '',
].join('\r\n'), 'utf8');
const ingested = await services.ingest.ingest(await services.accounts.credentials(acme.id, account.id), { folder: 'INBOX', uid: 1 }, raw);
if (ingested !== 'message') throw new Error(`the customer's mail was not ingested: ${ingested}`);
type Thread = { id: string; customerId: string; messages: Array<{ id: string; direction: string; to: string[]; text: string; inReplyTo?: string; status: string }> };
const threadId = (await world.api<{ items: Array<{ id: string }> }>('GET', '/api/v1/email/threads')).items[0]!.id;
const thread = () => world.api<Thread>('GET', `/api/v1/email/threads/${threadId}`);
const customerId = (await thread()).customerId;
const lonely = (await world.api<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name: 'کاوه بی‌ایمیل' })).id;

await world.api('POST', '/api/v1/email/templates', { key: 'order-shipped', locale: 'en', subject: 'Your order has shipped', html: '<p>Your order has shipped today.</p>' });
await world.api('POST', '/api/v1/email/templates', { key: 'order-shipped', locale: 'fa', subject: 'سفارش شما ارسال شد', html: '<p>سفارش شما امروز ارسال شد.</p>' });

const PHONE = { viewport: { width: 390, height: 844 } };
const widget = (attrs = `thread-id="${threadId}"`) => `<peyvand-email-thread ${attrs}></peyvand-email-thread>`;
const events = async (page: Page, type: string) => ((await page.evaluate('window.widgetEvents')) as Array<{ type: string; detail: Record<string, unknown> }>).filter((e) => e.type === type);
const noHorizontalScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth') as Promise<boolean>;
const nothingRan = async (t: Test, page: Page, record: PageRecord) => {
  t.equal(await page.evaluate('window.pwned'), undefined, 'no script of the mail ran');
  t.same(record.dialogs, [], 'no alert');
  t.same(record.errors, [], 'no page error');
};

t.test('fa on a phone: the conversation, isolated addresses, Persian digits; the mail’s script and onerror never run', async (t) => {
  const { page, record } = await openPage(browser, t, PHONE);
  await page.goto(world.page({ body: widget() }));
  const frame = page.frameLocator('peyvand-email-thread iframe').first();
  await frame.getByText('هنوز نرسیده است').waitFor();
  await page.getByRole('heading', { name: 'پیگیری سفارش ۱۲۳' }).waitFor();
  const message = page.locator('peyvand-email-thread article').first();
  await message.getByText('مریم احمدی').waitFor();
  const address = message.locator('bdi.ltr', { hasText: 'maryam.ahmadi@arya-trading.example' });
  t.equal(await address.getAttribute('dir'), 'ltr', 'the address is an isolated left-to-right run');
  t.equal(await computedStyle(page.locator('peyvand-email-thread form'), 'direction'), 'rtl', 'right to left');
  t.match(await message.locator('header').innerText(), /۱۴۰۴\/۰۸\/۱۹/, 'the date is Jalali in Persian digits');
  t.match(await message.getByRole('button', { name: /invoice-123\.txt/ }).innerText(), /^invoice-123\.txt\s*۲۶ بایت$/, 'the attachment with its size in Persian digits');
  t.ok(await noHorizontalScroll(page), 'no horizontal scroll at 390 px');

  t.equal(await frame.locator('script').count(), 0, 'no script element reaches the frame');
  t.equal(await frame.locator('img[onerror]').count(), 0, 'no event handler reaches the frame');
  t.notMatch(await page.locator('peyvand-email-thread iframe').getAttribute('sandbox') ?? '', /allow-scripts/, 'the frame may not run scripts');
  await nothingRan(t, page, record);

  t.notOk(record.urls.some((u) => u.includes('tracker.example')), 'the tracking pixel is not loaded');
  await message.getByText('تصویرهای بیرونی این پیام نمایش داده نمی‌شوند').waitFor();
  const pixel = page.waitForRequest((request) => request.url().startsWith('https://tracker.example/'));
  await message.getByRole('button', { name: 'نمایش تصویرها' }).click();
  await pixel;
  t.pass('the remote image loads when the reader asks');
  await nothingRan(t, page, record);
  await screenshot(page, 'email-thread-fa-phone');
});

t.test('en on a desktop: the attachment downloads; a reply from a template appears in the thread and the API', async (t) => {
  const { page, record } = await openPage(browser, t, { acceptDownloads: true });
  await page.goto(world.page({ lang: 'en', body: widget() }));
  const box = page.locator('peyvand-email-thread');
  await box.getByRole('button', { name: 'Send reply' }).waitFor();
  t.equal(await computedStyle(box.locator('form'), 'direction'), 'ltr', 'left to right');

  const downloading = page.waitForEvent('download');
  await box.getByRole('button', { name: /invoice-123\.txt/ }).click();
  const download = await downloading;
  t.equal(download.suggestedFilename(), 'invoice-123.txt', 'saved under its own name');
  t.equal(fs.readFileSync((await download.path())!, 'utf8'), 'Invoice 123: 4,800,000 IRR', 'the attachment’s bytes');

  await box.getByLabel('Start from a template').selectOption({ label: 'Your order has shipped (order-shipped)' });
  await page.waitForFunction("(document.querySelector('peyvand-email-thread')?.shadowRoot?.querySelector('textarea')?.value ?? '').includes('shipped today')");
  await box.getByRole('button', { name: 'Send reply' }).click();
  await box.getByRole('status').filter({ hasText: 'Your reply was queued' }).waitFor();
  await box.locator('article.out').getByText('waiting to be sent').waitFor();
  const [sent] = await events(page, 'peyvand-email-sent');
  t.match(sent?.detail, { threadId, to: ['maryam.ahmadi@arya-trading.example'] }, 'peyvand-email-sent');
  const reply = (await thread()).messages.find((m) => m.id === sent?.detail.id);
  t.match(reply, { direction: 'out', status: 'queued', to: ['maryam.ahmadi@arya-trading.example'], text: /shipped today/ }, 'the API has the reply');
  t.ok(reply?.inReplyTo, 'threaded: it answers the customer’s message');
  t.equal(await box.getByLabel('Your reply').inputValue(), '', 'the box is empty again');
  t.ok(await noHorizontalScroll(page), 'no horizontal scroll');
  await nothingRan(t, page, record);
  await screenshot(page, 'email-thread-en-desktop');
});

t.test('fa: an empty reply is refused on the spot; a typed one is sent into the conversation', async (t) => {
  const { page, record } = await openPage(browser, t, PHONE);
  await page.goto(world.page({ body: widget() }));
  const box = page.locator('peyvand-email-thread');
  await box.getByRole('button', { name: 'ارسال پاسخ' }).click();
  await box.getByRole('alert').filter({ hasText: 'پیش از ارسال، پاسخی بنویسید.' }).waitFor();
  const before = (await thread()).messages.length;
  await box.getByLabel('پاسخ شما').fill('سلام خانم احمدی، سفارش شما فردا ارسال می‌شود.');
  await box.getByRole('button', { name: 'ارسال پاسخ' }).click();
  await box.locator('article.out').getByText('سفارش شما فردا ارسال می‌شود').waitFor();
  t.equal((await thread()).messages.length, before + 1, 'one message more in the API');
  await box.locator('article.out').last().getByText('در صف ارسال').waitFor();
  t.ok(await noHorizontalScroll(page), 'no horizontal scroll at 390 px');
  await nothingRan(t, page, record);
});

/** Eleven more conversations of Maryam's, a day apart after the first (uids 2…12). */
async function moreConversations(): Promise<void> {
  const credentials = await services.accounts.credentials(acme.id, account.id);
  for (let i = 1; i <= 11; i++) {
    const mail = Buffer.from([
      'From: maryam.ahmadi@arya-trading.example', 'To: support@acme.example', `Subject: Question ${i}`, `Message-ID: <question-${i}@arya-trading.example>`,
      `Date: ${new Date(Date.UTC(2025, 10, 10 + i, 6)).toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', `Question number ${i}.`,
    ].join('\r\n'));
    const result = await services.ingest.ingest(credentials, { folder: 'INBOX', uid: 1 + i }, mail);
    if (result !== 'message') throw new Error(`question ${i} was not ingested: ${result}`);
  }
}

t.test('customer-id on a desktop (en): the customer’s conversations, latest first, ten a page; one opens and the list comes back', async (t) => {
  await moreConversations();
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ lang: 'en', body: `${widget(`customer-id="${customerId}"`)}${widget(`customer-id="${lonely}"`)}` }));
  const box = page.locator('peyvand-email-thread').first();
  await box.getByRole('heading', { name: 'Email conversations' }).waitFor();
  const rows = box.locator('.threads button .subject');
  await rows.first().waitFor();
  // The eleven came in after the earlier tests' replies to order 123, which is now the least recently active.
  t.same(await rows.allInnerTexts(), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `Question ${i}`), 'ten, most recently active first');
  await box.getByRole('button', { name: 'Show more' }).click();
  await box.getByRole('button', { name: /Question 1\b/ }).waitFor();
  t.same((await rows.allInnerTexts()).slice(10), ['Question 1', 'پیگیری سفارش ۱۲۳'], 'the next page below them');
  t.equal(await box.getByRole('button', { name: 'Show more' }).count(), 0, 'no more pages');
  t.match(await box.getByRole('button', { name: /Question 7\b/ }).innerText(), /1 message/, 'each says how many messages it has');

  await box.getByRole('button', { name: /Question 7\b/ }).click();
  await box.getByRole('heading', { name: 'Question 7' }).waitFor();
  await box.getByText('Question number 7.').waitFor();
  t.equal(await box.locator('article').count(), 1, 'only that conversation’s message');
  await box.getByRole('button', { name: 'Send reply' }).waitFor();
  await box.getByRole('button', { name: 'Back to the conversations' }).click();
  await box.getByRole('heading', { name: 'Email conversations' }).waitFor();
  t.equal(await rows.count(), 12, 'the list as it was, both pages');
  t.ok(await hasFocus(box.getByRole('button', { name: /Question 7\b/ })), 'focus back on the conversation that was open');

  await page.locator('peyvand-email-thread').last().getByText('There is no email conversation with this customer yet.').waitFor();
  t.ok(await noHorizontalScroll(page), 'no horizontal scroll');
  t.same(record.errors, [], 'no page error');
  await screenshot(page, 'email-conversations-en-desktop');
});

t.test('customer-id on a phone (fa): the list in Persian, right to left; a conversation opens', async (t) => {
  const { page, record } = await openPage(browser, t, PHONE);
  await page.goto(world.page({ body: widget(`customer-id="${customerId}"`) }));
  const box = page.locator('peyvand-email-thread');
  await box.getByRole('heading', { name: 'گفت‌وگوهای ایمیلی' }).waitFor();
  t.equal(await computedStyle(box.locator('.threads'), 'direction'), 'rtl', 'right to left');
  t.match(await box.getByRole('button', { name: /Question 11\b/ }).innerText(), /۱ پیام/, 'the count in Persian digits');
  t.ok(await noHorizontalScroll(page), 'no horizontal scroll at 390 px');
  await box.getByRole('button', { name: 'موارد بیشتر' }).click();
  await box.getByRole('button', { name: /پیگیری سفارش ۱۲۳/ }).click();
  await box.getByRole('heading', { name: 'پیگیری سفارش ۱۲۳' }).waitFor();
  await box.getByRole('button', { name: 'ارسال پاسخ' }).waitFor();
  await box.getByRole('button', { name: 'بازگشت به گفت‌وگوها' }).waitFor();
  t.ok(await noHorizontalScroll(page), 'no horizontal scroll with the conversation open');
  t.same(record.errors, [], 'no page error');
  await screenshot(page, 'email-conversations-fa-phone');
});

t.test('read-only: a viewer reads the conversation but is offered no reply box (en desktop, fa phone)', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ lang: 'en', user: 'viewer', body: widget() }));
  const box = page.locator('peyvand-email-thread');
  await box.getByRole('heading', { name: 'پیگیری سفارش ۱۲۳' }).waitFor();
  await box.locator('article').first().getByText('مریم احمدی').waitFor();
  t.equal(await box.locator('form').count(), 0, 'no reply box');
  t.equal(await box.getByRole('button', { name: 'Send reply' }).count(), 0, 'no send button');
  t.equal(await box.getByLabel('Your reply').count(), 0, 'no reply text');
  t.equal(await box.getByLabel('Start from a template').count(), 0, 'no template choice');
  t.same(record.errors, [], 'no page error');

  const { page: fa } = await openPage(browser, t, PHONE);
  await fa.goto(world.page({ user: 'viewer', body: widget(`customer-id="${customerId}"`) }));
  const list = fa.locator('peyvand-email-thread');
  await list.getByRole('button', { name: 'Question 11' }).click();
  await list.getByRole('heading', { name: 'Question 11' }).waitFor();
  await list.getByText('Question number 11.').waitFor();
  t.equal(await list.locator('form').count(), 0, 'no reply box on the phone either');
  await list.getByRole('button', { name: 'بازگشت به گفت‌وگوها' }).click();
  await list.getByRole('button', { name: 'موارد بیشتر' }).click();
  await list.getByRole('button', { name: /پیگیری سفارش ۱۲۳/ }).click();
  await list.getByRole('heading', { name: 'پیگیری سفارش ۱۲۳' }).waitFor();
  await list.locator('article').first().getByText('مریم احمدی').waitFor();
  t.equal(await list.locator('form').count(), 0, 'no reply box on that conversation');
  t.equal(await list.getByRole('button', { name: 'ارسال پاسخ' }).count(), 0, 'no send button');
  await screenshot(fa, 'email-thread-fa-phone-viewer');
});

t.test('a company without the email plugin reads that it is not switched on (fa and en)', async (t) => {
  const { page } = await openPage(browser, t, PHONE);
  await page.goto(world.page({ tenant: 'nomail', body: widget() }));
  await page.locator('peyvand-email-thread').getByRole('status').filter({ hasText: 'ایمیل برای شرکت شما فعال نشده است' }).waitFor();
  const { page: en } = await openPage(browser, t);
  await en.goto(world.page({ tenant: 'nomail', lang: 'en', body: widget() }));
  await en.locator('peyvand-email-thread').getByRole('status').filter({ hasText: 'Email is not switched on for your company' }).waitFor();
  t.equal(await en.locator('peyvand-email-thread form').count(), 0, 'no reply box');
});

t.test('no permission: one who may not read sees the notice and no reply box', async (t) => {
  const { page: fa } = await openPage(browser, t, PHONE);
  await fa.goto(world.page({ user: 'nobody', body: widget() }));
  await fa.locator('peyvand-email-thread').getByRole('status').filter({ hasText: 'حساب شما اجازهٔ این کار را ندارد' }).waitFor();
  t.equal(await fa.locator('peyvand-email-thread form').count(), 0, 'no reply box');
});
