/**
 * The support staff widgets in Chromium, embedded in an ERP page of another origin, in
 * Persian and English at desktop and phone widths: a ticket created with the form (after
 * the API's field errors) appears in the list on the same page, opens in the view, gets a
 * canned reply, an internal note that looks different, and a status change the list
 * follows; SLA badges (due soon, breached); cursor paging, "mine" and a customer's
 * tickets; "support not enabled", no permission, and a change the API refuses.
 */
import t from 'tap';
import type { Locator, Page } from 'playwright-core';
import email from '../../plugins/email/index.js';
import sales from '../../plugins/sales/index.js';
import support from '../../plugins/support/index.js';
import { computedStyle, hasFocus, launchChromium, openPage, screenshot } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const world = await bootEmbedWorld(t, [{ slug: 'help', locale: 'fa', plugins: ['email', 'support'] }], { installed: [sales, email, support] });
const browser = await launchChromium(t);

type Ticket = { id: string; number: number; status: string; priority: string; assigneeId?: string };
const api = <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, status?: number) => world.api<T>(method, url, payload, status, 'help');
const maryam = await api<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name: 'مریم احمدی' });
const reza = await api<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name: 'رضا محمدی' });
const queue = await api<{ id: string }>('POST', '/api/v1/support/queues', { name: 'پشتیبانی فنی', members: ['erp-agent-7', 'erp-manager-1'], assignment: 'manual' });
// Open around the clock, so the first-response target runs the moment a ticket opens.
const always = Object.fromEntries(['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['00:00', '24:00']]]));
await api('PUT', '/api/v1/support/calendars/always', { name: 'شبانه‌روزی', timeZone: 'Asia/Tehran', week: always }, 200);
await api('POST', '/api/v1/support/sla-policies', { name: 'پایه', calendarId: 'always', conditions: {}, targets: { firstResponseMinutes: 90, resolutionMinutes: 2880 } });
await api('POST', '/api/v1/support/canned-responses', { name: 'سلام و پیگیری', locale: 'fa', body: 'سلام {{customer.name}}، درخواست شما را پیگیری می‌کنیم.' });
await api('POST', '/api/v1/support/canned-responses', { name: 'Follow-up', locale: 'en', body: 'Hello {{customer.name}}, we are looking into it.' });

const events = async (page: Page, type: string) => ((await page.evaluate('window.widgetEvents')) as Array<{ type: string; detail: Record<string, unknown> }>).filter((e) => e.type === type);
const row = (page: Page, subject: string): Locator => page.locator('peyvand-ticket-list button.ticket', { hasText: subject });
const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth') as Promise<boolean>;
/** The ERP opens the ticket the list picked in the view beside it. */
const desk = (customerId: string) => `<peyvand-ticket-form customer-id="${customerId}"></peyvand-ticket-form><peyvand-ticket-list></peyvand-ticket-list><peyvand-ticket-view></peyvand-ticket-view>
<script>document.addEventListener('peyvand-ticket-selected', (e) => document.querySelector('peyvand-ticket-view').setAttribute('ticket-id', e.detail.ticket.id));</script>`;

const WORDS = {
  fa: {
    subject: 'موضوع', body: 'شرح درخواست', priority: 'اولویت', queue: 'صف', create: 'ثبت درخواست', fix: '۱ فیلد نیاز به اصلاح دارد.', subjectRequired: 'موضوع الزامی است', bodyRequired: 'متن الزامی است',
    high: 'زیاد', created: /^درخواست شمارهٔ [۰-۹]+ ثبت شد\.$/, dueSoon: /^اولین پاسخ: ۱ ساعت و [۰-۹]+ دقیقه مانده$/, canned: 'پاسخ آماده', insert: 'درج',
    greeting: 'سلام مریم احمدی، درخواست شما را پیگیری می‌کنیم.', send: 'ارسال پاسخ', sent: 'پاسخ شما ارسال شد.', note: 'یادداشت داخلی', saveNote: 'ثبت یادداشت',
    status: 'وضعیت', pending: 'در انتظار مشتری', changed: 'وضعیت به «در انتظار مشتری» تغییر کرد.',
  },
  en: {
    subject: 'Subject', body: 'Description', priority: 'Priority', queue: 'Queue', create: 'Create ticket', fix: '1 field needs your attention.', subjectRequired: 'Subject is required', bodyRequired: 'Text is required',
    high: 'High', created: /^Ticket #\d+ was created\.$/, dueSoon: /^First response due in 1 h \d+ min$/, canned: 'Canned response', insert: 'Insert',
    greeting: 'Hello مریم احمدی, we are looking into it.', send: 'Send reply', sent: 'Your reply was sent.', note: 'Internal note', saveNote: 'Save note',
    status: 'Status', pending: 'Waiting for customer', changed: 'Status changed to Waiting for customer.',
  },
};

for (const [lang, width] of [['fa', 1280], ['en', 1280], ['en', 390], ['fa', 390]] as const) {
  t.test(`${lang} at ${width}px: field errors, create → in the list → open → canned reply → note → status change`, async (t) => {
    const w = WORDS[lang];
    const { page, record } = await openPage(browser, t, { viewport: { width, height: 900 } });
    await page.goto(world.page({ tenant: 'help', lang, body: desk(maryam.id) }));
    const form = page.locator('peyvand-ticket-form');
    // The API names the first missing field; once it is given, the next.
    await form.getByRole('button', { name: w.create }).click();
    await form.getByText(w.fix).waitFor();
    const subject = form.getByRole('textbox', { name: new RegExp(`^${w.subject}`) });
    const body = form.getByRole('textbox', { name: new RegExp(`^${w.body}`) });
    t.equal(await subject.getAttribute('aria-invalid'), 'true', 'the subject is marked');
    t.equal(await form.locator('#subject-error').innerText(), w.subjectRequired, 'the API’s message, in the page’s language');
    t.ok(await hasFocus(subject), 'focus on the field to fix');
    if (lang === 'fa' && width === 1280) {
      // The page switches language: the API's message follows, not only the form's own texts.
      await page.evaluate("document.documentElement.lang = 'en'");
      await form.locator('#subject-error', { hasText: WORDS.en.subjectRequired }).waitFor();
      await form.getByText(WORDS.en.fix).waitFor();
      await page.evaluate("document.documentElement.lang = 'fa'");
      await form.locator('#subject-error', { hasText: w.subjectRequired }).waitFor();
      t.equal((await api<{ items: unknown[] }>('GET', '/api/v1/support/tickets')).items.length, 0, 'asking again opened no ticket');
    }
    const title = `${lang === 'fa' ? 'چاپگر انبار کار نمی‌کند' : 'Warehouse printer is down'} ${width}`;
    await subject.fill(title);
    await form.getByRole('button', { name: w.create }).click();
    await form.locator('#body-error', { hasText: w.bodyRequired }).waitFor();
    t.equal(await subject.getAttribute('aria-invalid'), 'false', 'the subject is fine now');
    t.equal(await body.getAttribute('aria-invalid'), 'true', 'the description is marked');

    await body.fill('از صبح چاپگر برچسب روشن نمی‌شود.');
    await form.getByRole('combobox', { name: w.priority }).selectOption({ label: w.high });
    await form.getByRole('combobox', { name: w.queue }).selectOption({ label: 'پشتیبانی فنی' });
    await form.getByRole('button', { name: w.create }).click();
    const created = form.getByRole('status').filter({ hasText: w.created });
    await created.waitFor();
    const ticket = (await events(page, 'peyvand-ticket-created'))[0]?.detail.ticket as Ticket;
    t.match(ticket, { priority: 'high', status: 'new' }, 'peyvand-ticket-created carries the ticket');
    t.match(await api<Ticket & { customerId: string; queueId: string }>('GET', `/api/v1/support/tickets/${ticket.id}`), { customerId: maryam.id, queueId: queue.id, priority: 'high' }, 'the API has it, for the customer');

    // The list on the same page follows the form.
    await row(page, title).waitFor();
    const badge = row(page, title).locator('.badge');
    t.match(await badge.innerText(), w.dueSoon, 'first response due soon, with the business time left');
    t.ok(await noSideScroll(page), 'no horizontal scroll');

    await row(page, title).click();
    const view = page.locator('peyvand-ticket-view');
    await view.getByRole('heading', { name: title }).waitFor();
    t.equal(((await events(page, 'peyvand-ticket-selected'))[0]?.detail.ticket as Ticket).id, ticket.id, 'peyvand-ticket-selected');

    await view.getByRole('combobox', { name: w.canned }).selectOption({ index: 0 });
    await view.getByRole('button', { name: w.insert }).click();
    const reply = view.locator('#reply');
    await page.waitForFunction(`document.querySelector('peyvand-ticket-view').shadowRoot.querySelector('#reply').value === ${JSON.stringify(w.greeting)}`);
    t.pass('the canned response, rendered by the API for this ticket, is in the box');
    await view.getByRole('button', { name: w.send }).click();
    await view.getByRole('status').filter({ hasText: w.sent }).waitFor();
    t.equal(await reply.inputValue(), '', 'the box is empty again');
    const publicMessage = view.locator('li[data-visibility=public]').filter({ hasText: w.greeting });
    await publicMessage.waitFor();

    await view.getByRole('radio', { name: w.note }).check();
    await reply.fill('<img src=x onerror="window.hacked=1">مشتری قبلاً هم تماس گرفته بود.');
    await view.getByRole('button', { name: w.saveNote }).click();
    const note = view.locator('li[data-visibility=internal]');
    await note.waitFor();
    t.match(await note.innerText(), w.note, 'the note says it is internal');
    t.equal(await note.locator('img').count(), 0, 'bodies are text, never markup');
    t.notOk(await page.evaluate('window.hacked'), 'nothing ran');
    const [publicBg, noteBg] = await Promise.all([computedStyle(publicMessage, 'background-color'), computedStyle(note, 'background-color')]);
    t.not(publicBg, noteBg, `a note looks different from a reply (${publicBg} / ${noteBg})`);
    const ticketMessages = await api<{ items: Array<{ visibility: string }> }>('GET', `/api/v1/support/tickets/${ticket.id}/messages`);
    t.same(ticketMessages.items.map((m) => m.visibility), ['public', 'public', 'internal'], 'the API has the reply and the note');

    await view.getByRole('combobox', { name: w.status }).selectOption({ label: w.pending });
    await view.getByRole('status').filter({ hasText: w.changed }).waitFor();
    t.equal((await api<Ticket>('GET', `/api/v1/support/tickets/${ticket.id}`)).status, 'pending', 'the API has the status');
    t.match((await events(page, 'peyvand-ticket-updated')).map((e) => e.detail.change), ['reply', 'note', 'status']);
    await row(page, title).getByText(w.pending).waitFor();
    t.pass('the list followed the view');
    t.ok(await noSideScroll(page), 'still no horizontal scroll');
    await screenshot(page, `support-desk-${lang}-${width}`);
    t.same(record.errors, []);
  });
}

t.test('list: SLA breached, cursor paging, "assigned to me" and one customer’s tickets', async (t) => {
  const numbers: number[] = [];
  for (let i = 1; i <= 27; i++) {
    const assigneeId = i % 10 === 0 ? 'erp-manager-1' : 'erp-agent-7';
    numbers.push((await api<Ticket>('POST', '/api/v1/support/tickets', { subject: `سفارش ${i}`, channel: 'phone', priority: 'normal', body: 'پیگیری سفارش', customerId: reza.id, assigneeId })).number);
  }
  const { page, record } = await openPage(browser, t, { viewport: { width: 390, height: 900 } });
  // The clock of the newest ticket has run out (the API's answer, as it would be hours later).
  await page.route('**/api/v1/support/tickets?*', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { items: Array<{ sla: { targets: Array<{ kind: string; state: string; remainingBusinessMinutes: number }> } | null }> };
    const first = body.items[0]?.sla?.targets.find((target) => target.kind === 'first_response');
    if (first) Object.assign(first, { state: 'breached', remainingBusinessMinutes: -30 });
    await route.fulfill({ response, json: body });
  });
  await page.goto(world.page({ tenant: 'help', body: `<peyvand-ticket-list customer-id="${reza.id}"></peyvand-ticket-list>` }));
  const rows = page.locator('peyvand-ticket-list button.ticket');
  await rows.first().waitFor();
  t.equal(await rows.count(), 25, 'a page of 25');
  t.equal(await rows.first().locator('.badge').innerText(), 'اولین پاسخ: از موعد گذشته', 'breached');
  t.match(await rows.nth(1).locator('.badge').innerText(), /^اولین پاسخ: ۱ ساعت و [۰-۹]+ دقیقه مانده$/, 'due soon');
  await page.getByRole('button', { name: 'موارد بیشتر' }).click();
  await rows.nth(26).waitFor();
  t.equal(await rows.count(), 27, 'the next page with the API’s cursor');
  t.equal(await page.getByRole('button', { name: 'موارد بیشتر' }).count(), 0, 'no more pages');
  t.match(await rows.last().innerText(), `#${numbers[0]!.toLocaleString('fa-IR', { useGrouping: false })}`, 'the oldest last, numbers in Persian digits');

  await page.getByRole('checkbox', { name: 'فقط درخواست‌های من' }).check();
  await rows.nth(1).waitFor();
  await page.waitForFunction(`document.querySelector('peyvand-ticket-list').shadowRoot.querySelectorAll('button.ticket').length === 2`);
  t.same(await rows.locator('.subject').allInnerTexts(), ['سفارش 20', 'سفارش 10'], 'mine: the two assigned to this user');
  await page.getByRole('combobox', { name: 'وضعیت' }).selectOption({ label: 'بسته' });
  await page.locator('peyvand-ticket-list').getByText('درخواستی با این فیلترها پیدا نشد.').waitFor();
  t.pass('none closed');
  t.ok(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'), 'no horizontal scroll at 390 px');
  t.same(record.errors, []);
});

t.test('states: support not enabled, no permission, a change the API refuses, a ticket that is not there', async (t) => {
  const ticket = await api<Ticket>('POST', '/api/v1/support/tickets', { subject: 'کیبورد خراب است', channel: 'phone', priority: 'low', body: 'چند کلید کار نمی‌کند.', customerId: maryam.id });
  const all = `<peyvand-ticket-list></peyvand-ticket-list><peyvand-ticket-view ticket-id="${ticket.id}"></peyvand-ticket-view><peyvand-ticket-form></peyvand-ticket-form>`;
  const { page, record } = await openPage(browser, t);
  // acme has sales only.
  await page.goto(world.page({ body: all }));
  const off = page.getByRole('status').filter({ hasText: 'بخش پشتیبانی برای شرکت شما فعال نشده است. برای فعال‌سازی با مدیر سامانه تماس بگیرید.' });
  await off.nth(2).waitFor();
  t.equal(await off.count(), 3, 'list, view and form say support is not switched on');
  t.equal(await page.getByRole('alert').count(), 0, 'not an error');

  await page.goto(world.page({ tenant: 'help', user: 'nobody', body: all }));
  const denied = page.getByRole('status').filter({ hasText: 'حساب شما اجازهٔ این کار را ندارد. برای گرفتن دسترسی با مدیر سامانه تماس بگیرید.' });
  await denied.nth(2).waitFor();
  t.equal(await denied.count(), 3, 'no permission: a notice in each');

  await page.goto(world.page({ tenant: 'help', user: 'viewer', lang: 'en', body: `<peyvand-ticket-view ticket-id="${ticket.id}"></peyvand-ticket-view>` }));
  const status = page.getByRole('combobox', { name: 'Status' });
  await status.selectOption({ label: 'Solved' });
  await page.getByRole('alert').filter({ hasText: 'Not saved: Your account is not allowed to do this.' }).waitFor();
  t.equal(await status.inputValue(), 'new', 'the control shows the ticket’s status again');
  t.equal((await api<Ticket>('GET', `/api/v1/support/tickets/${ticket.id}`)).status, 'new', 'nothing changed');
  t.equal(await page.getByRole('combobox', { name: 'Canned response' }).count(), 0, 'a viewer gets no canned responses');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  t.equal(await page.getByRole('alert').count(), 0, 'the message can be dismissed');

  await page.goto(world.page({ tenant: 'help', body: '<peyvand-ticket-view ticket-id="no-such-ticket"></peyvand-ticket-view>' }));
  await page.getByText('این درخواست وجود ندارد یا شما اجازهٔ دیدن آن را ندارید.').waitFor();
  t.same(record.errors, []);
});
