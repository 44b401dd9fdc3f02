/**
 * The support plugin's customer-facing widgets in Chromium, embedded in an ERP page of
 * another origin, at phone (390 px) and desktop (1280 px) widths, in Persian and English:
 * `<peyvand-csat>` rates a solved ticket through its public link (the API then shows the
 * rating), and says so for a used, an expired and a forged link; `<peyvand-support-portal>`,
 * signed in as a customer with a portal token, lists only that customer's tickets, shows a
 * ticket's public thread without its internal note, sends an answer, and opens a ticket.
 * Failure paths: a staff token, a company without support, a customer the token names
 * but Peyvand does not know.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import sales from '../../plugins/sales/index.js';
import email from '../../plugins/email/index.js';
import support from '../../plugins/support/index.js';
import { hasFocus, launchChromium, openPage, screenshot } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const world = await bootEmbedWorld(t, [{ slug: 'nosupport', locale: 'fa', plugins: [] }], {
  installed: [sales, email, support],
  acmePlugins: ['sales', 'email', 'support'],
});
const browser = await launchChromium(t);

interface Ticket { id: string; number: number; status: string; customerId?: string; channel: string; csat?: { rating: number; comment?: string } }
interface Message { body: string; visibility: string; author: { kind: string; id?: string } }
const PHONE = { viewport: { width: 390, height: 844 } };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

const customer = async (name: string, extra: Record<string, unknown> = {}) => (await world.api<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name, ...extra })).id;
const maryam = await customer('مریم احمدی');
const reza = await customer('رضا کریمی');
const ticket = (subject: string, customerId: string, body = 'شرح درخواست') =>
  world.api<Ticket>('POST', '/api/v1/support/tickets', { subject, customerId, channel: 'phone', priority: 'normal', body });
const message = (id: string, body: string, visibility: 'public' | 'internal') => world.api('POST', `/api/v1/support/tickets/${id}/messages`, { body, visibility });
const solve = (id: string) => world.api('PATCH', `/api/v1/support/tickets/${id}`, { status: 'solved' });
const staffView = (id: string) => world.api<Ticket>('GET', `/api/v1/support/tickets/${id}`);
const thread = async (id: string) => (await world.api<{ items: Message[] }>('GET', `/api/v1/support/tickets/${id}/messages`)).items;
/** A new survey token for a solved ticket (what the solved-ticket mail links to). */
const csatToken = async (id: string) => (await world.api<{ url: string }>('POST', `/api/v1/support/tickets/${id}/csat-link`)).url.split('/').pop()!;

/** Events of the support widgets, recorded from the first script on (the host's own list is core's and sales's). */
async function recordEvents(page: Page): Promise<void> {
  await page.addInitScript(`window.supportEvents = [];
    for (const type of ['peyvand-csat-submitted', 'peyvand-portal-ticket-created', 'peyvand-error'])
      document.addEventListener(type, (event) => window.supportEvents.push({ type, detail: JSON.parse(JSON.stringify(event.detail)) }));`);
}
const eventsOf = async (page: Page, type: string) => ((await page.evaluate('window.supportEvents')) as Array<{ type: string; detail: Record<string, unknown> }>).filter((e) => e.type === type).map((e) => e.detail);
/** Sideways scroll of the page, in pixels (0 when it fits). */
const overflow = (page: Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
/** Everything rendered, shadow roots included (the host script's helper). */
const markup = (page: Page) => page.evaluate('window.renderedMarkup()') as Promise<string>;

t.test('CSAT, fa at 390 px: rate a solved ticket; the API has the rating; the link is then used', async (t) => {
  const solved = await ticket('فاکتور اشتباه صادر شده', maryam);
  await solve(solved.id);
  const token = await csatToken(solved.id);
  const { page, record } = await openPage(browser, t, PHONE);
  await recordEvents(page);
  await page.goto(world.page({ body: `<peyvand-csat token="${token}"></peyvand-csat>` }));
  await page.getByRole('heading', { name: 'از خدمات ما راضی بودید؟' }).waitFor();
  const intro = await page.locator('peyvand-csat .ticket').innerText();
  t.ok(intro.includes(`تیکت شمارهٔ ${solved.number.toLocaleString('fa-IR')}`) && intro.includes('فاکتور اشتباه صادر شده'), `the ticket, its number in Persian digits: ${intro}`);
  t.equal(await page.getByRole('radio').count(), 5, 'five ratings');
  t.match(await page.locator('peyvand-csat .ratings').innerText(), /۱[\s\S]*۲[\s\S]*۳[\s\S]*۴[\s\S]*۵/, 'in Persian digits');
  t.equal(await overflow(page), 0, 'no sideways scroll at 390 px');

  await page.getByRole('button', { name: 'ثبت امتیاز' }).click();
  await page.getByRole('alert').filter({ hasText: 'اول امتیازی از ۱ تا ۵ انتخاب کنید.' }).waitFor();
  t.equal((await staffView(solved.id)).csat, undefined, 'nothing sent without a rating');

  await page.getByRole('radio', { name: 'راضی', exact: true }).check();
  await page.getByLabel('اگر نکته‌ای هست برایمان بنویسید (اختیاری)').fill('  پاسخ سریع بود  ');
  await screenshot(page, 'csat-fa-390');
  await page.getByRole('button', { name: 'ثبت امتیاز' }).click();
  await page.getByRole('heading', { name: 'سپاسگزاریم! امتیاز شما ثبت شد.' }).waitFor();
  t.same((await staffView(solved.id)).csat, { rating: 4, comment: 'پاسخ سریع بود' }, 'the API shows the rating and comment');
  t.same(await eventsOf(page, 'peyvand-csat-submitted'), [{ ticketNumber: solved.number, rating: 4 }]);

  // The same link again (the customer clicks it twice).
  await page.reload();
  await page.getByText('به این تیکت قبلاً امتیاز داده شده است. از نظر شما سپاسگزاریم.').waitFor();
  t.equal(await page.getByRole('radio').count(), 0, 'no form for a used link');
  t.equal(await overflow(page), 0);
  t.same(record.errors, []);
});

t.test('CSAT, en at 1280 px: rate with Latin digits; a rating already given on another link', async (t) => {
  const solved = await ticket('Wrong invoice', reza);
  await solve(solved.id);
  const first = await csatToken(solved.id);
  const second = await csatToken(solved.id);
  const { page, record } = await openPage(browser, t, DESKTOP);
  await recordEvents(page);
  await page.goto(world.page({ lang: 'en', body: `<peyvand-csat token="${first}"></peyvand-csat>` }));
  await page.getByRole('heading', { name: 'How did we do?' }).waitFor();
  t.match(await page.locator('peyvand-csat .ticket').innerText(), `Ticket #${solved.number}: Wrong invoice`);
  t.equal(await computedDir(page, 'peyvand-csat'), 'ltr');
  await page.getByRole('radio', { name: 'Very dissatisfied' }).check();
  await page.getByRole('button', { name: 'Send my rating' }).click();
  await page.getByRole('heading', { name: 'Thank you! Your rating was received.' }).waitFor();
  t.same((await staffView(solved.id)).csat, { rating: 1 }, 'stored, without a comment');
  t.same(await eventsOf(page, 'peyvand-csat-submitted'), [{ ticketNumber: solved.number, rating: 1 }]);
  await screenshot(page, 'csat-en-1280');

  const other = await openPage(browser, t, PHONE);
  await other.page.goto(world.page({ lang: 'en', body: `<peyvand-csat token="${second}"></peyvand-csat>` }));
  await other.page.getByText('This ticket has already been rated. Thank you for your feedback.').waitFor();
  t.equal(await overflow(other.page), 0);
  t.same(record.errors, []);
});

t.test('CSAT: an expired link and a forged one say so, in fa and en; a missing token too', async (t) => {
  const solved = await ticket('ارسال دیرهنگام', maryam);
  await solve(solved.id);
  const expired = await csatToken(solved.id);
  // The link's recorded expiry has passed (the server checks it on every use).
  const db = world.p.peyvand.kernel.db;
  await db.knex(db.table('support_csat_links')).where({ ticket_id: solved.id }).update({ expires_at: Date.now() - 1000 });
  const fresh = await csatToken(solved.id);
  const forged = `${fresh.slice(0, -2)}${fresh.endsWith('AA') ? 'BB' : 'AA'}`;
  for (const [lang, options, text] of [['fa', DESKTOP, 'این پیوند نظرسنجی معتبر نیست یا منقضی شده است.'], ['en', PHONE, 'This survey link is not valid or has expired.']] as const) {
    for (const token of [expired, forged]) {
      const { page } = await openPage(browser, t, options);
      await recordEvents(page);
      await page.goto(world.page({ lang, body: `<peyvand-csat token="${token}"></peyvand-csat>` }));
      await page.getByText(text).waitFor();
      t.equal(await page.getByRole('radio').count(), 0, `${lang}: no form`);
      t.equal(await overflow(page), 0);
    }
  }
  t.equal((await staffView(solved.id)).csat, undefined, 'nothing rated');
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ lang: 'en', body: '<peyvand-csat></peyvand-csat>' }));
  await page.getByRole('alert').filter({ hasText: 'its token attribute is missing' }).waitFor();
});

/** The computed direction of an element's frame. */
function computedDir(page: Page, tag: string): Promise<string> {
  return page.evaluate(`getComputedStyle(document.querySelector('${tag}').shadowRoot.querySelector('.base')).direction`) as Promise<string>;
}

const portal = '<peyvand-support-portal></peyvand-support-portal>';
// The portal's customer has tickets of her own only here (the CSAT tests above rate others').
const narges = await customer('نرگس توکلی', { externalRefs: [{ source: 'erp', id: 'C-100' }] });
const mine = await ticket('سفارش هنوز نرسیده', narges, 'سفارش شمارهٔ SO-1042 هنوز نرسیده است.');
await message(mine.id, 'مشتری سه بار تماس گرفته؛ با انبار هماهنگ شود.', 'internal');
await message(mine.id, 'سفارش شما فردا ارسال می‌شود.', 'public');
await solve(mine.id);
await ticket('تغییر نشانی تحویل', narges);
await ticket('کالای معیوب', reza);

t.test('portal, fa at 390 px: only my tickets; the thread without the internal note; an answer reopens it', async (t) => {
  const { page, record } = await openPage(browser, t, PHONE);
  await recordEvents(page);
  await page.goto(world.page({ customer: narges, body: portal }));
  await page.getByRole('heading', { name: 'تیکت‌های پشتیبانی من' }).waitFor();
  const items = page.locator('peyvand-support-portal [part=ticket]');
  await items.first().waitFor();
  const listed = await items.allInnerTexts();
  t.equal(listed.length, 2, 'two tickets');
  t.match(listed[0], /تغییر نشانی تحویل[\s\S]*تازه/, 'newest first, status in Persian');
  t.match(listed[1], new RegExp(`سفارش هنوز نرسیده[\\s\\S]*حل‌شده[\\s\\S]*تیکت شمارهٔ ${mine.number.toLocaleString('fa-IR')}[\\s\\S]*۱۴۰۵/`), 'solved; number in Persian digits and a Jalali date');
  t.notOk(listed.join('\n').includes('کالای معیوب'), 'not another customer’s ticket');
  t.equal(await overflow(page), 0, 'no sideways scroll at 390 px (list)');
  await screenshot(page, 'support-portal-list-fa-390');

  await items.filter({ hasText: 'سفارش هنوز نرسیده' }).click();
  await page.getByRole('heading', { name: 'سفارش هنوز نرسیده' }).waitFor();
  t.ok(await hasFocus(page.getByRole('heading', { name: 'سفارش هنوز نرسیده' })), 'focus on the opened ticket’s heading');
  const messages = page.locator('peyvand-support-portal [part=message]');
  t.same((await messages.allInnerTexts()).map((m) => m.split('\n').pop()), ['سفارش شمارهٔ SO-1042 هنوز نرسیده است.', 'سفارش شما فردا ارسال می‌شود.'], 'the public thread, oldest first');
  t.match(await messages.first().innerText(), /^تیم پشتیبانی/, 'the agent who logged the call wrote the first one');
  t.notOk((await markup(page)).includes('با انبار هماهنگ شود'), 'the internal note is nowhere in the page');
  t.equal((await thread(mine.id)).filter((m) => m.visibility === 'internal').length, 1, 'while the ticket has one');
  t.equal(await overflow(page), 0, 'no sideways scroll at 390 px (ticket)');

  await page.getByLabel('پاسخ شما').fill('هنوز نرسیده! لطفاً پیگیری کنید.');
  await page.getByRole('button', { name: 'ارسال پاسخ' }).click();
  await messages.nth(2).getByText('هنوز نرسیده! لطفاً پیگیری کنید.').waitFor();
  await page.locator('peyvand-support-portal .chip', { hasText: 'باز' }).waitFor();
  t.match(await messages.nth(2).innerText(), /^شما/, 'the customer’s own message');
  const stored = await thread(mine.id);
  t.match(stored[stored.length - 1], { body: 'هنوز نرسیده! لطفاً پیگیری کنید.', visibility: 'public', author: { kind: 'customer', id: narges } }, 'the API has the customer’s answer');
  t.equal((await staffView(mine.id)).status, 'open', 'and it reopened the solved ticket');
  await screenshot(page, 'support-portal-ticket-fa-390');

  await page.getByRole('button', { name: 'بازگشت به تیکت‌های من' }).click();
  await items.nth(1).waitFor();
  t.same(record.errors, []);
});

t.test('portal, en at 1280 px (cust as source:externalId): open a ticket, then it is in the list', async (t) => {
  const { page, record } = await openPage(browser, t, DESKTOP);
  await recordEvents(page);
  await page.goto(world.page({ lang: 'en', customer: 'erp:C-100', body: portal }));
  await page.getByRole('heading', { name: 'My support tickets' }).waitFor();
  t.equal(await computedDir(page, 'peyvand-support-portal'), 'ltr');
  await page.getByRole('button', { name: 'New ticket', exact: true }).click();
  await page.getByRole('button', { name: 'Open the ticket' }).click();
  await page.getByRole('alert').filter({ hasText: 'Fill in every field first.' }).waitFor();
  await page.getByLabel('Subject').fill('Invoice INV-77 is missing');
  await page.getByLabel('How can we help?').fill('I cannot find invoice INV-77 for order SO-1042.');
  await page.getByRole('button', { name: 'Open the ticket' }).click();
  const created = (await page.getByRole('heading', { name: 'Invoice INV-77 is missing' }).waitFor(), await eventsOf(page, 'peyvand-portal-ticket-created'));
  t.equal(created.length, 1, 'peyvand-portal-ticket-created');
  const opened = created[0]!.ticket as Ticket;
  const staff = await staffView(opened.id);
  t.match(staff, { customerId: narges, channel: 'web', status: 'new' }, 'the API has it, in the customer’s name, from the web');
  t.match(await page.locator('peyvand-support-portal .meta').first().innerText(), new RegExp(`Ticket #${staff.number}[\\s\\S]*New[\\s\\S]*Opened 20\\d\\d-\\d\\d-\\d\\d`), 'Latin digits, Gregorian date');
  await page.locator('peyvand-support-portal [part=message]').getByText('I cannot find invoice INV-77 for order SO-1042.').waitFor();
  await screenshot(page, 'support-portal-new-en-1280');

  await page.getByRole('button', { name: 'Back to my tickets' }).click();
  const items = page.locator('peyvand-support-portal [part=ticket]');
  await items.filter({ hasText: 'Invoice INV-77 is missing' }).waitFor();
  t.equal(await items.count(), 3, 'the new one and the two before');
  t.notOk((await items.allInnerTexts()).join('\n').includes('کالای معیوب'));
  t.same(record.errors, []);
});

// Runs after the test above, whose ticket (INV-77) it lists.
t.test('portal, en at 390 px and fa at 1280 px: fits the phone, right to left on the desktop', async (t) => {
  const phone = await openPage(browser, t, PHONE);
  await phone.page.goto(world.page({ lang: 'en', customer: narges, body: portal }));
  const items = phone.page.locator('peyvand-support-portal [part=ticket]');
  await items.filter({ hasText: 'Invoice INV-77 is missing' }).waitFor();
  t.match(await items.first().innerText(), /Invoice INV-77 is missing[\s\S]*New[\s\S]*Ticket #\d+[\s\S]*Updated 20\d\d-/, 'English labels, Latin digits');
  t.equal(await overflow(phone.page), 0, 'no sideways scroll at 390 px in English');
  await items.filter({ hasText: 'سفارش هنوز نرسیده' }).click();
  await phone.page.getByRole('heading', { name: 'سفارش هنوز نرسیده' }).waitFor();
  t.equal(await overflow(phone.page), 0, 'nor in the thread');

  const desktop = await openPage(browser, t, DESKTOP);
  await desktop.page.goto(world.page({ customer: narges, body: portal }));
  await desktop.page.getByRole('heading', { name: 'تیکت‌های پشتیبانی من' }).waitFor();
  t.equal(await computedDir(desktop.page, 'peyvand-support-portal'), 'rtl');
  const [heading, button] = await Promise.all([
    desktop.page.getByRole('heading', { name: 'تیکت‌های پشتیبانی من' }).boundingBox(),
    desktop.page.getByRole('button', { name: 'تیکت تازه', exact: true }).boundingBox(),
  ]);
  t.ok(heading && button && heading.x > button.x, 'the title on the right, the action on the left');
});

t.test('portal refusals: a staff token, a company without support, a customer Peyvand does not know', async (t) => {
  const staff = await openPage(browser, t, PHONE);
  await staff.page.goto(world.page({ body: portal }));
  await staff.page.getByText('حساب شما اجازهٔ این کار را ندارد', { exact: false }).waitFor();

  const off = await openPage(browser, t, PHONE);
  await off.page.goto(world.page({ tenant: 'nosupport', customer: 'anyone', body: portal }));
  await off.page.getByText('بخش پشتیبانی برای شرکت شما فعال نشده است', { exact: false }).waitFor();

  const unknown = await openPage(browser, t, DESKTOP);
  await recordEvents(unknown.page);
  await unknown.page.goto(world.page({ lang: 'en', customer: 'erp:NOPE', body: portal }));
  await unknown.page.getByRole('status').filter({ hasText: 'Your sign-in is not linked to a customer of this company' }).waitFor();
  t.match(await eventsOf(unknown.page, 'peyvand-error'), [{ widget: 'peyvand-support-portal', code: 'PORTAL_CUSTOMER_UNKNOWN' }]);
  t.equal(await unknown.page.locator('peyvand-support-portal [part=ticket]').count(), 0, 'no list');
});
