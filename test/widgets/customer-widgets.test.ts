/**
 * The customer widgets in Chromium, embedded in an ERP page of another origin: search
 * (Persian-aware, keyboard), card (contact data, quick actions, notes, a hostile name),
 * timeline (pages, channels, Jalali dates), the token callback on an expired token, and
 * the loading, empty, error and no-permission states. Everything is asserted as the user
 * sees it (roles, names, text), and against the API where the widget changed something.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { toPersianDigits } from '../../core/plugin/persian/digits.js';
import { computedStyle, hasFocus, launchChromium, openPage, screenshot } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const world = await bootEmbedWorld(t);
const browser = await launchChromium(t);

type Customer = { id: string; name: string };
const customer = (body: Record<string, unknown>) => world.api<Customer>('POST', '/api/v1/customers', { kind: 'person', ...body });
const arya = await customer({ kind: 'organization', name: 'شرکت بازرگانی آریا' });
// «علی» with the Persian yeh; the tests type «علي» with the Arabic one.
const ali = await customer({
  name: 'علی کریمی',
  organizationId: arya.id,
  emails: [{ value: 'ali.karimi@example.ir' }],
  phones: [{ value: '۰۹۱۲۳۴۵۶۷۸۹', label: 'همراه' }],
  addresses: [{ line1: 'خیابان ولیعصر، پلاک ۱۲', city: 'تهران' }],
  tags: ['عمده‌فروش', 'vip'],
  ownerId: 'erp-manager-1',
});
const aliReza = await customer({ name: 'علی رضایی', phones: [{ value: '+98 935 111 2233' }] });
const hostile = await customer({ name: '<img src=x onerror=alert(1)>', emails: [{ value: 'x@example.com' }] });
const maryam = await customer({ name: 'مریم احمدی' });
const quiet = await customer({ name: 'رضا محمدی' });

// Thirteen interactions for maryam, newest 2025-03-21 08:00 UTC = 1 Farvardin 1404, 11:30 in Tehran.
const channels = ['phone', 'sms', 'email', 'chat', 'in_person', 'erp', 'web', 'social', 'note'];
for (let i = 12; i >= 0; i--) {
  const occurredAt = new Date(Date.UTC(2025, 2, 21, 8) - i * 86_400_000).toISOString();
  await world.api('POST', `/api/v1/customers/${maryam.id}/timeline`, { channel: channels[i % channels.length], ...(i === 0 && { direction: 'inbound' }), summary: `گفتگوی شمارهٔ ${toPersianDigits(String(13 - i))}`, occurredAt });
}

// One older interaction for ali: the token test waits for his timeline, whether or not the card test added its note.
await world.api('POST', `/api/v1/customers/${ali.id}/timeline`, { channel: 'phone', summary: 'پیگیری سفارش', occurredAt: '2025-01-05T08:00:00.000Z' });

const events = async (page: Page, type: string) => ((await page.evaluate('window.widgetEvents')) as Array<{ type: string; detail: Record<string, unknown> }>).filter((e) => e.type === type);
const isFocused = (page: Page, selector: string, nth = 0) => hasFocus(page.locator(selector).nth(nth));

t.test('search: «علي» finds «علی», arrow keys choose, Enter tells the host', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: '<peyvand-customer-search></peyvand-customer-search>' }));
  const box = page.getByRole('combobox', { name: 'جست‌وجوی مشتری' });
  t.equal(await box.getAttribute('placeholder'), 'نام، شمارهٔ تلفن یا ایمیل', 'localized placeholder');
  await box.fill('علي');
  const options = page.getByRole('option');
  await options.nth(1).waitFor();
  const names = await options.allInnerTexts();
  t.equal(names.length, 2, 'both «علی» customers');
  t.ok(names.some((n) => n.includes(ali.name)) && names.some((n) => n.includes(aliReza.name)), `found ${names.join(' | ')}`);
  t.equal(await box.getAttribute('aria-expanded'), 'true');
  t.match(await page.getByRole('status').first().innerText(), /۲ مشتری پیدا شد/, 'the count is announced in Persian digits');
  t.equal(await box.getAttribute('aria-activedescendant'), 'option-0', 'the first result is active');

  await box.press('ArrowDown');
  t.equal(await box.getAttribute('aria-activedescendant'), 'option-1');
  const chosen = await page.locator('[role=option][aria-selected=true]').innerText();
  await box.press('Enter');
  const [selected] = await events(page, 'peyvand-customer-selected');
  t.ok(selected, 'peyvand-customer-selected sent');
  const picked = (selected!.detail.customer as Customer);
  t.ok(chosen.includes(picked.name), `the event carries the chosen customer (${picked.name})`);
  t.equal(await box.inputValue(), picked.name, 'the field shows the choice');
  t.equal(await box.getAttribute('aria-expanded'), 'false', 'the list closed');

  await box.fill('۰۹۳۵');
  await page.getByRole('option', { name: new RegExp(aliReza.name) }).waitFor();
  t.pass('Persian digits find a phone stored with Latin digits');

  await box.fill('ناشناخته');
  await page.getByText('مشتری‌ای با «ناشناخته» پیدا نشد.').first().waitFor();
  await box.press('Escape');
  t.equal(await box.getAttribute('aria-expanded'), 'false', 'Escape closes');
  await box.press('Escape');
  t.equal(await box.inputValue(), '', 'a second Escape clears');

  await box.fill('آریا');
  await page.getByRole('option', { name: new RegExp(arya.name) }).click();
  t.equal(((await events(page, 'peyvand-customer-selected'))[1]?.detail.customer as Customer | undefined)?.id, arya.id, 'a click picks too');
  t.same(record.errors, [], 'no script errors');
});

t.test('card: contact data, tags, owner, organization, quick actions and a note, all by keyboard', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-customer-card customer-id="${ali.id}"></peyvand-customer-card>` }));
  await page.getByRole('heading', { name: ali.name }).waitFor();
  // innerText of the element itself is its light DOM only; locators pierce the shadow root.
  const text = await page.locator('peyvand-customer-card article').innerText();
  for (const shown of ['شخص', 'عمده‌فروش', 'vip', '۰۹۱۲۳۴۵۶۷۸۹', 'ali.karimi@example.ir', 'خیابان ولیعصر، پلاک ۱۲، تهران', arya.name, 'erp-manager-1', 'کارشناس مسئول']) {
    t.ok(text.includes(shown), `shows ${shown}`);
  }
  const call = page.getByRole('link', { name: 'تماس با ۰۹۱۲۳۴۵۶۷۸۹' });
  t.equal(await call.getAttribute('href'), 'tel:09123456789', 'the dial link has Latin digits');
  t.equal(await page.getByRole('link', { name: /ایمیل به/ }).getAttribute('href'), 'mailto:ali.karimi%40example.ir');

  // The ERP dials through its own phone system: it cancels the event, the link does not open.
  await page.evaluate("document.addEventListener('peyvand-quick-action', (e) => e.preventDefault())");
  const before = page.url();
  await call.click();
  t.match((await events(page, 'peyvand-quick-action'))[0]?.detail, { action: 'call', customerId: ali.id, value: '۰۹۱۲۳۴۵۶۷۸۹' });
  t.equal(page.url(), before, 'a cancelled quick action leaves the page alone');

  const addNote = page.getByRole('button', { name: 'افزودن یادداشت' });
  await addNote.focus();
  await page.keyboard.press('Enter');
  t.equal(await addNote.getAttribute('aria-expanded'), 'true');
  t.ok(await isFocused(page, 'peyvand-customer-card textarea'), 'the note field has focus');
  await page.keyboard.type('پیش‌فاکتور ۱۲۳ تلفنی تأیید شد.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByText('یادداشت به سابقهٔ ارتباط‌ها افزوده شد.').waitFor();
  t.ok(await isFocused(page, 'peyvand-customer-card #add-note'), 'focus returns to the button');
  const timeline = await world.api<{ items: Array<{ channel: string; summary: string }> }>('GET', `/api/v1/customers/${ali.id}/timeline`);
  t.match(timeline.items[0], { channel: 'note', summary: 'پیش‌فاکتور ۱۲۳ تلفنی تأیید شد.' }, 'the API has the note');
  t.equal((await events(page, 'peyvand-note-added'))[0]?.detail.customerId, ali.id, 'peyvand-note-added sent');

  await addNote.click();
  await page.keyboard.press('Escape');
  t.equal(await addNote.getAttribute('aria-expanded'), 'false', 'Escape closes the note form');
  await screenshot(page, 'customer-card-fa');
  t.same(record.errors, []);
});

t.test('safety: a customer named <img src=x onerror=alert(1)> is shown as text', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-customer-search></peyvand-customer-search><peyvand-customer-card customer-id="${hostile.id}"></peyvand-customer-card>` }));
  const heading = page.getByRole('heading', { level: 2 });
  await heading.waitFor();
  t.equal(await heading.innerText(), '<img src=x onerror=alert(1)>', 'the name is text');
  await page.getByRole('combobox').fill('img');
  await page.getByRole('option').first().waitFor();
  t.match(await page.getByRole('option').first().innerText(), '<img src=x onerror=alert(1)>');
  t.equal(await page.locator('img').count(), 0, 'no img element anywhere, shadow roots included');
  t.same(record.dialogs, [], 'no script ran');
  t.same(record.errors, []);
});

t.test('timeline: pages of entries, channel icons, Jalali dates in Persian digits, notes from anywhere on the page', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-customer-card customer-id="${maryam.id}"></peyvand-customer-card><peyvand-timeline customer-id="${maryam.id}" page-size="5"></peyvand-timeline>` }));
  const entries = page.locator('peyvand-timeline li');
  await entries.nth(4).waitFor();
  t.equal(await entries.count(), 5, 'one page of five');
  const newest = await entries.first().innerText();
  t.ok(newest.includes('۱۴۰۴/۰۱/۰۱ ۱۱:۳۰'), `1 Farvardin 1404, Tehran time, Persian digits: ${newest}`);
  t.ok(newest.includes('تماس تلفنی') && newest.includes('ورودی') && newest.includes('گفتگوی شمارهٔ ۱۳'), 'channel, direction and summary');
  t.equal(await page.locator('peyvand-timeline li .channel svg').count(), 5, 'every entry has its channel icon');
  t.equal(await page.locator('peyvand-timeline time').first().getAttribute('datetime'), '2025-03-21T08:00:00.000Z', 'machine-readable time');

  const more = page.getByRole('button', { name: 'موارد بیشتر' });
  await more.focus();
  await page.keyboard.press('Enter');
  await entries.nth(9).waitFor();
  t.ok(await isFocused(page, 'peyvand-timeline li', 5), 'focus moves to the first new entry');
  await more.click();
  await entries.nth(12).waitFor();
  t.equal(await entries.count(), 13, 'all thirteen');
  t.equal(await more.count(), 0, 'no more pages, no button');

  const note = page.getByRole('textbox', { name: 'افزودن یادداشت' });
  await note.fill('مشتری خواستار تخفیف نقدی است.');
  await page.getByRole('button', { name: 'ثبت یادداشت' }).click();
  await entries.nth(13).waitFor();
  t.ok((await entries.first().innerText()).includes('مشتری خواستار تخفیف نقدی است.'), 'the note heads the list');

  // A note saved by the card on the same page shows up in the timeline too.
  await page.getByRole('button', { name: 'افزودن یادداشت' }).click();
  await page.locator('peyvand-customer-card textarea').fill('یادداشت از کارت مشتری');
  await page.locator('peyvand-customer-card').getByRole('button', { name: 'ثبت یادداشت' }).click();
  await page.locator('peyvand-timeline li', { hasText: 'یادداشت از کارت مشتری' }).waitFor();
  const api = await world.api<{ items: Array<{ summary: string }> }>('GET', `/api/v1/customers/${maryam.id}/timeline?limit=2`);
  t.same(api.items.map((e) => e.summary), ['یادداشت از کارت مشتری', 'مشتری خواستار تخفیف نقدی است.'], 'the API has both notes');
  await screenshot(page, 'timeline-fa');

  const { page: en } = await openPage(browser, t);
  await en.goto(world.page({ lang: 'en', body: `<peyvand-timeline customer-id="${maryam.id}" page-size="20"></peyvand-timeline>` }));
  const entry = en.locator('peyvand-timeline li', { hasText: 'گفتگوی شمارهٔ ۱۳' });
  await entry.waitFor();
  t.ok((await entry.innerText()).includes('2025-03-21 11:30') && (await entry.innerText()).includes('Phone call'), 'English: Gregorian date, Latin digits');

  await en.goto(world.page({ lang: 'en', body: `<peyvand-timeline customer-id="${quiet.id}"></peyvand-timeline>` }));
  await en.getByText('No interactions recorded yet.').waitFor();
  t.pass('empty timeline');
  t.same(record.errors, []);
});

t.test('tokens: an expired token makes the widgets ask the host once more; no token in the DOM, URLs or logs', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ expireFirst: true, body: `<peyvand-customer-search></peyvand-customer-search><peyvand-customer-card customer-id="${ali.id}"></peyvand-customer-card><peyvand-timeline customer-id="${ali.id}"></peyvand-timeline>` }));
  await page.getByRole('heading', { name: ali.name }).waitFor();
  await page.locator('peyvand-timeline li').first().waitFor();
  t.equal(await page.evaluate('window.tokenCalls'), 2, 'getToken: the expired token, then one fresh one shared by both widgets');
  t.ok(world.serverLog.some((line) => line.includes('"statusCode":401')), 'Peyvand refused the expired token (401)');
  await page.getByRole('combobox').fill('مریم');
  await page.getByRole('option').first().waitFor();

  const markup = (await page.evaluate('window.renderedMarkup()')) as string;
  t.ok(world.issuedTokens.length >= 2, `${world.issuedTokens.length} tokens issued`);
  for (const token of world.issuedTokens) {
    const signature = token.split('.')[2]!;
    t.notOk(markup.includes(signature), 'not in the DOM');
    t.notOk(record.urls.some((u) => u.includes(signature)), 'not in a URL');
    t.notOk(record.console.some((line) => line.includes(signature)), 'not in the console');
    t.notOk(world.serverLog.some((line) => line.includes(signature)), 'not in Peyvand’s log');
  }
});

t.test('states: loading, unreachable with a retry, no permission, empty, not found', async (t) => {
  const { page, record } = await openPage(browser, t);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/customers/*', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(world.page({ body: `<peyvand-customer-card customer-id="${ali.id}"></peyvand-customer-card>` }));
  await page.getByRole('status').filter({ hasText: 'در حال بارگذاری…' }).waitFor();
  t.equal(await page.locator('peyvand-customer-card [part=base]').getAttribute('aria-busy'), 'true', 'busy while loading');
  release();
  await page.getByRole('heading', { name: ali.name }).waitFor();
  await page.unrouteAll();

  await page.route('**/api/v1/customers/*', (route) => route.abort());
  await page.goto(world.page({ body: `<peyvand-customer-card customer-id="${ali.id}"></peyvand-customer-card>` }));
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.match(await alert.innerText(), 'ارتباط با سرور سامانهٔ مشتریان برقرار نشد.');
  t.match((await events(page, 'peyvand-error'))[0]?.detail, { widget: 'peyvand-customer-card', status: 0, code: 'NETWORK' }, 'the host hears about it');
  await page.unrouteAll();
  await page.getByRole('button', { name: 'تلاش دوباره' }).click();
  await page.getByRole('heading', { name: ali.name }).waitFor();
  t.pass('"Try again" loads the card');

  await page.goto(world.page({ user: 'nobody', body: `<peyvand-customer-search></peyvand-customer-search><peyvand-customer-card customer-id="${ali.id}"></peyvand-customer-card><peyvand-timeline customer-id="${ali.id}"></peyvand-timeline>` }));
  const denied = page.getByText('حساب شما اجازهٔ این کار را ندارد. برای گرفتن دسترسی با مدیر سامانه تماس بگیرید.');
  await denied.nth(1).waitFor();
  t.equal(await denied.count(), 2, 'card and timeline say so');
  await page.getByRole('combobox').fill('علی');
  await denied.nth(2).waitFor();
  t.pass('the search says so too');
  t.equal(await page.getByRole('alert').count(), 0, 'a permission is not an error');

  await page.goto(world.page({ body: '<peyvand-customer-card></peyvand-customer-card><peyvand-timeline></peyvand-timeline><peyvand-customer-card customer-id="01900000-0000-7000-8000-000000000000"></peyvand-customer-card>' }));
  await page.getByText('برای دیدن مشخصات، یک مشتری را انتخاب کنید.').waitFor();
  await page.getByText('برای دیدن سابقهٔ ارتباط‌ها، یک مشتری را انتخاب کنید.').waitFor();
  await page.getByText('این مشتری وجود ندارد یا حذف شده است.').waitFor();
  t.pass('empty and not-found states');
  t.same(record.errors, []);
});

t.test('language and direction follow the host page unless the element overrides them', async (t) => {
  const { page } = await openPage(browser, t);
  const direction = (selector: string) => computedStyle(page.locator(selector).first(), 'direction');
  await page.goto(world.page({ lang: 'en', body: `<peyvand-customer-card customer-id="${ali.id}"></peyvand-customer-card>` }));
  await page.getByRole('link', { name: 'Call ۰۹۱۲۳۴۵۶۷۸۹' }).waitFor();
  t.equal(await direction('peyvand-customer-card [part=base]'), 'ltr', 'English page: left to right');
  t.ok((await page.locator('peyvand-customer-card article').innerText()).includes('Account owner'), 'English labels');
  await screenshot(page, 'customer-card-en');

  await page.goto(world.page({ lang: 'fa', body: `<peyvand-customer-card lang="en" customer-id="${ali.id}"></peyvand-customer-card><peyvand-customer-card customer-id="${ali.id}"></peyvand-customer-card>` }));
  await page.getByRole('link', { name: 'Call ۰۹۱۲۳۴۵۶۷۸۹' }).waitFor();
  await page.getByRole('link', { name: 'تماس با ۰۹۱۲۳۴۵۶۷۸۹' }).waitFor();
  t.equal(await direction('peyvand-customer-card[lang=en] [part=base]'), 'ltr', 'lang="en" on the element: English, left to right');
  t.equal(await direction('peyvand-customer-card:not([lang]) [part=base]'), 'rtl', 'its neighbour follows the Persian page');
  t.equal(await direction('peyvand-customer-card:not([lang]) bdi.ltr'), 'ltr', 'phone numbers stay left to right in Persian');
  t.equal(await computedStyle(page.locator('peyvand-customer-card:not([lang]) [part=base]'), 'font-family'), await computedStyle(page.locator('body'), 'font-family'), 'the host font is inherited');

  await page.evaluate("document.documentElement.lang = 'en'; document.documentElement.dir = 'ltr'");
  await page.getByRole('link', { name: 'Call ۰۹۱۲۳۴۵۶۷۸۹' }).nth(1).waitFor();
  t.pass('a page switching language switches the widgets');
});

t.test('per element: its own api-base and its own token callback', async (t) => {
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-customer-card id="page-wide" customer-id="${ali.id}"></peyvand-customer-card><peyvand-customer-card id="own-token"></peyvand-customer-card><peyvand-customer-card id="elsewhere" api-base="http://127.0.0.1:9/" customer-id="${ali.id}"></peyvand-customer-card>` }));
  await page.locator('#page-wide').getByRole('heading', { name: ali.name }).waitFor();
  // This card signs in as another ERP user (one without customer access) through its own callback.
  await page.evaluate(`(() => {
    const card = document.getElementById('own-token');
    card.getToken = () => fetch('/token?user=nobody').then((r) => r.json()).then((b) => b.token);
    card.setAttribute('customer-id', '${ali.id}');
  })()`);
  await page.locator('#own-token').getByText('حساب شما اجازهٔ این کار را ندارد.', { exact: false }).waitFor();
  t.pass('the element’s getToken is used instead of the page’s');
  await page.locator('#elsewhere').getByText('ارتباط با سرور سامانهٔ مشتریان برقرار نشد.', { exact: false }).waitFor();
  t.pass('api-base sends the element elsewhere (nothing listens there)');
});
