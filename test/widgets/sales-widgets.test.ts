/**
 * The sales widgets in Chromium, embedded in an ERP page of another origin: the deal
 * board (keyboard and drag-and-drop moves that the API reflects, a refused move rolled
 * back with its reason), the forecast (Jalali and Gregorian periods, the SVG chart and
 * its table, keyboard switches), the public lead form (the API's validation messages,
 * success), and the loading, empty, error, "sales not enabled" and no-permission states.
 */
import t from 'tap';
import type { Locator, Page } from 'playwright-core';
import { hasFocus, launchChromium, openPage, screenshot } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const world = await bootEmbedWorld(t, [
  { slug: 'nosales', locale: 'fa', plugins: [] },
  { slug: 'bare', locale: 'fa', plugins: ['sales'] },
]);
const browser = await launchChromium(t);

type Pipeline = { id: string; stages: Array<{ id: string; name: string }> };
type Deal = { id: string; stageId: string; status: string };
const stages = [{ name: 'سرنخ', probability: 10 }, { name: 'مذاکره', probability: 40 }, { name: 'پیشنهاد قیمت', probability: 60 }, { name: 'قرارداد', probability: 90 }];
const board = await world.api<Pipeline>('POST', '/api/v1/sales/pipelines', { name: 'فروش عمده', currency: 'IRR', stages });
const forecastPipeline = await world.api<Pipeline>('POST', '/api/v1/sales/pipelines', { name: 'پیش‌بینی', currency: 'IRR', stages });
const customer = async (name: string) => (await world.api<{ id: string }>('POST', '/api/v1/customers', { kind: 'organization', name })).id;
const arya = await customer('شرکت بازرگانی آریا');
const novin = await customer('صنایع غذایی نوین پارس');
const deal = (pipeline: Pipeline, title: string, stage: number, amount: number, expectedCloseDate: string, customerId = arya) =>
  world.api<Deal>('POST', '/api/v1/sales/deals', { title, customerId, pipelineId: pipeline.id, stageId: pipeline.stages[stage]!.id, amount, currency: 'IRR', expectedCloseDate });

const spring = await deal(board, 'سفارش عمدهٔ بهار', 0, 4_800_000_000, '2025-04-15');
const annual = await deal(board, 'قرارداد سالانهٔ پخش', 1, 12_500_000_000, '2025-06-01', novin);
const trial = await deal(board, 'سفارش آزمایشی', 2, 300_000_000, '2025-08-20');
const equipment = await deal(board, 'خرید تجهیزات انبار', 0, 1_750_000_000, '2025-05-05', novin);
await deal(board, 'تمدید پشتیبانی', 3, 950_000_000, '2025-06-10');

// The forecast's own deals (1404 = 2025-03-21 … 2026-03-20): Farvardin, Ordibehesht, Khordad ×2, Mordad.
await deal(forecastPipeline, 'الف', 0, 4_800_000_000, '2025-04-15');
await deal(forecastPipeline, 'ب', 0, 1_750_000_000, '2025-05-05');
await deal(forecastPipeline, 'پ', 1, 12_500_000_000, '2025-06-01');
await deal(forecastPipeline, 'ت', 1, 950_000_000, '2025-06-10');
await deal(forecastPipeline, 'ث', 2, 300_000_000, '2025-08-20');

/** What the user reads: money is written with a no-break space before its unit. */
const text = async (locator: Locator) => (await locator.innerText()).replace(/\u00a0/g, ' ');
const events = async (page: Page, type: string) => ((await page.evaluate('window.widgetEvents')) as Array<{ type: string; detail: Record<string, unknown> }>).filter((e) => e.type === type);
const column = (page: Page, stage: string): Locator => page.locator('peyvand-deal-board section').filter({ has: page.getByRole('heading', { name: stage, exact: true }) });
const card = (page: Page, title: string): Locator => page.locator('peyvand-deal-board [role=button]', { hasText: title });
const stageOf = async (id: string) => (await world.api<Deal>('GET', `/api/v1/sales/deals/${id}`)).stageId;

t.test('deal board: a column per stage with count and sum, cards with customer, amount and Jalali close date', async (t) => {
  const { page, record } = await openPage(browser, t);
  const calls: string[] = [];
  page.on('request', (request) => void calls.push(new URL(request.url()).pathname));
  await page.goto(world.page({ body: `<peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board>` }));
  await card(page, 'سفارش عمدهٔ بهار').waitFor();
  t.same(await page.locator('peyvand-deal-board h3').allInnerTexts(), stages.map((s) => s.name), 'stages in order');
  const first = await text(column(page, 'سرنخ'));
  t.ok(first.includes('احتمال ۱۰٪') && first.includes('۲ معامله') && first.includes('۶٬۵۵۰٬۰۰۰٬۰۰۰ ریال'), `stage summary: ${first.split('\n').slice(0, 2).join(' / ')}`);
  await card(page, 'سفارش عمدهٔ بهار').getByText('شرکت بازرگانی آریا').waitFor();
  await card(page, 'قرارداد سالانهٔ پخش').getByText('صنایع غذایی نوین پارس').waitFor();
  t.same(calls.filter((path) => path.startsWith('/api/')), [`/api/v1/sales/pipelines/${board.id}`, '/api/v1/sales/deals'], 'the names come with the deals: no lookup per customer');
  const shown = await text(card(page, 'سفارش عمدهٔ بهار'));
  t.ok(shown.includes('۴٬۸۰۰٬۰۰۰٬۰۰۰ ریال') && shown.includes('۱۴۰۴/۰۱/۲۶'), `amount and 26 Farvardin 1404: ${shown}`);
  const [right, left] = await Promise.all([column(page, 'سرنخ').boundingBox(), column(page, 'مذاکره').boundingBox()]);
  t.ok(right && left && right.x > left.x, 'right to left: the first stage is on the right');
  await screenshot(page, 'deal-board-fa');
  t.same(record.errors, []);
});

t.test('deal board keyboard: Space picks up, the arrow toward reading direction carries, Space drops; Escape cancels', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board>` }));
  const spring$ = card(page, 'سفارش عمدهٔ بهار');
  await spring$.focus();
  await page.keyboard.press('Space');
  t.equal(await spring$.getAttribute('aria-pressed'), 'true', 'picked up');
  t.match(await page.getByRole('status').last().innerText(), /برداشته شد/, 'announced');
  await page.keyboard.press('ArrowLeft');
  await column(page, 'مذاکره').getByText('سفارش عمدهٔ بهار').waitFor();
  t.equal(await stageOf(spring.id), board.stages[0]!.id, 'carrying is not moving yet');
  await page.keyboard.press('Space');
  await page.getByRole('status').filter({ hasText: '«سفارش عمدهٔ بهار» به مرحلهٔ «مذاکره» منتقل شد.' }).waitFor();
  t.equal(await stageOf(spring.id), board.stages[1]!.id, 'the API has the move');
  t.match((await events(page, 'peyvand-deal-moved'))[0]?.detail, { fromStageId: board.stages[0]!.id, toStageId: board.stages[1]!.id, deal: { id: spring.id, stageId: board.stages[1]!.id } });
  t.ok(await hasFocus(card(page, 'سفارش عمدهٔ بهار')), 'focus stays on the card');

  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowLeft');
  await column(page, 'پیشنهاد قیمت').getByText('سفارش عمدهٔ بهار').waitFor();
  await page.keyboard.press('Escape');
  await column(page, 'مذاکره').getByText('سفارش عمدهٔ بهار').waitFor();
  t.equal(await stageOf(spring.id), board.stages[1]!.id, 'Escape: nothing sent');

  await page.keyboard.press('Enter');
  t.equal((await events(page, 'peyvand-deal-selected'))[0]?.detail.deal && ((await events(page, 'peyvand-deal-selected'))[0]!.detail.deal as Deal).id, spring.id, 'Enter opens (peyvand-deal-selected)');

  // Left to right: ArrowRight is forward.
  const { page: en } = await openPage(browser, t);
  await en.goto(world.page({ lang: 'en', body: `<peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board>` }));
  await card(en, 'سفارش عمدهٔ بهار').focus();
  await en.keyboard.press('Space');
  await en.keyboard.press('ArrowRight');
  await en.keyboard.press('Space');
  await en.getByRole('status').filter({ hasText: 'moved to پیشنهاد قیمت' }).waitFor();
  t.equal(await stageOf(spring.id), board.stages[2]!.id, 'English board: ArrowRight moved it forward');
  t.same(record.errors, []);
});

t.test('deal board drag and drop moves a deal, and the API reflects it', async (t) => {
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board>` }));
  await card(page, 'خرید تجهیزات انبار').dragTo(column(page, 'قرارداد'));
  await page.getByRole('status').filter({ hasText: '«خرید تجهیزات انبار» به مرحلهٔ «قرارداد» منتقل شد.' }).waitFor();
  t.equal(await stageOf(equipment.id), board.stages[3]!.id, 'moved by the mouse');
  await column(page, 'قرارداد').getByText('خرید تجهیزات انبار').waitFor();
});

t.test('a move the API refuses goes back, with the reason', async (t) => {
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board>` }));
  await card(page, 'سفارش آزمایشی').waitFor();
  // Someone wins the deal in the ERP while this board is open.
  await world.api('POST', `/api/v1/sales/deals/${trial.id}/won`, undefined, 200);
  await card(page, 'سفارش آزمایشی').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Space');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.equal((await alert.innerText()).split('\n')[0], '«سفارش آزمایشی» به مرحلهٔ «قرارداد» منتقل نشد: این معامله پیش‌تر با موفقیت بسته شده است؛ دیگر نمی‌توان آن را به مرحلهٔ دیگری برد یا دوباره بست. اگر کار روی آن ادامه دارد، نخست آن را دوباره باز کنید. به جای قبلی خود برگشت.', 'the API’s own message: what happened and what to do');
  await column(page, 'پیشنهاد قیمت').getByText('سفارش آزمایشی').waitFor();
  t.pass('the card is back in its stage');
  t.match((await events(page, 'peyvand-deal-move-failed'))[0]?.detail, { dealId: trial.id, code: 'DEAL_NOT_OPEN' });
  await page.getByRole('button', { name: 'بستن', exact: true }).click();
  t.equal(await alert.count(), 0, 'the message can be dismissed');
  await screenshot(page, 'deal-board-refused-fa');

  const { page: viewer } = await openPage(browser, t);
  await viewer.goto(world.page({ user: 'viewer', body: `<peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board>` }));
  await card(viewer, 'قرارداد سالانهٔ پخش').focus();
  await viewer.keyboard.press('Space');
  await viewer.keyboard.press('ArrowLeft');
  await viewer.keyboard.press('Space');
  await viewer.getByRole('alert').filter({ hasText: 'حساب شما اجازهٔ این کار را ندارد' }).waitFor();
  t.equal(await stageOf(annual.id), board.stages[1]!.id, 'a viewer reads the board but cannot move; the card went back');
  await column(viewer, 'مذاکره').getByText('قرارداد سالانهٔ پخش').waitFor();
});

t.test('forecast: Jalali months with weighted bars, the same figures as a table, keyboard switches to quarters and Gregorian', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-forecast pipeline-id="${forecastPipeline.id}" from="2025-03-21" to="2025-09-23"></peyvand-forecast>` }));
  const periods = page.locator('peyvand-forecast svg g.period');
  await periods.first().waitFor();
  t.equal(await periods.count(), 6, 'Farvardin … Shahrivar 1404');
  const labels = await page.locator('peyvand-forecast svg text.period-label').allTextContents();
  t.ok(labels.includes('فروردین') && labels.includes('۱۴۰۴'), `Jalali labels: ${labels.join(' ')}`);
  const heights = await page.locator('peyvand-forecast rect.weighted').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
  t.equal(heights.indexOf(Math.max(...heights)), 2, 'Khordad has the tallest weighted bar');
  t.equal(heights[3], 0, 'Tir has none');
  t.equal(await page.getByRole('img', { name: 'پیش‌بینی وزنی فروش' }).count(), 1, 'the chart is a labelled image');
  t.match(await text(page.locator('peyvand-forecast .footer strong')), 'جمع وزنی: ۶٬۲۱۵٬۰۰۰٬۰۰۰ ریال');

  const toggle = page.locator('peyvand-forecast button[aria-controls=figures]');
  t.equal(await toggle.innerText(), 'نمایش به‌صورت جدول');
  await toggle.focus();
  await page.keyboard.press('Enter');
  t.equal(await toggle.getAttribute('aria-expanded'), 'true');
  t.equal(await toggle.innerText(), 'پنهان کردن جدول', 'the button says what it does next');
  const khordad = page.getByRole('row', { name: /خرداد ۱۴۰۴/ });
  t.match(await text(khordad), /۲\s+۵٬۳۸۰٬۰۰۰٬۰۰۰ ریال\s+۱۳٬۴۵۰٬۰۰۰٬۰۰۰ ریال/, 'deals, weighted and total in Persian digits');
  await screenshot(page, 'forecast-fa');

  await page.getByRole('radio', { name: 'ماهانه' }).focus();
  await page.keyboard.press('ArrowDown');
  t.ok(await page.getByRole('radio', { name: 'فصلی' }).isChecked(), 'arrow keys choose quarterly');
  await page.getByRole('row', { name: /سه‌ماههٔ اول ۱۴۰۴/ }).waitFor();
  t.equal(await periods.count(), 2, 'two Persian quarters');
  t.match(await text(page.getByRole('row', { name: /سه‌ماههٔ اول ۱۴۰۴/ })), '۶٬۰۳۵٬۰۰۰٬۰۰۰ ریال');

  await page.getByRole('radio', { name: 'هجری شمسی' }).focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('row', { name: /سه‌ماههٔ دوم ۲۰۲۵/ }).waitFor();
  t.equal(await periods.count(), 3, 'Gregorian quarters: Q1 (from 21 March), Q2, Q3');

  const { page: en } = await openPage(browser, t);
  await en.goto(world.page({ lang: 'en', body: `<peyvand-forecast pipeline-id="${forecastPipeline.id}" from="2025-03-21" to="2025-09-23"></peyvand-forecast>` }));
  await en.locator('peyvand-forecast svg g.period').first().waitFor();
  t.ok(await en.getByRole('radio', { name: 'Gregorian' }).isChecked(), 'English defaults to Gregorian');
  await en.getByRole('button', { name: 'Show as a table' }).click();
  t.match(await text(en.getByRole('row', { name: /April 2025/ })), '480,000,000 Rial');
  await screenshot(en, 'forecast-en');

  await en.goto(world.page({ lang: 'en', body: `<peyvand-forecast pipeline-id="${forecastPipeline.id}" from="2030-01-01" to="2030-06-01"></peyvand-forecast>` }));
  await en.getByText('No open deals are expected to close in this range.').waitFor();
  t.pass('empty range');
  t.same(record.errors, []);
});

t.test('lead form: the API’s validation messages by the fields, all at once and in the page’s language, then success; unknown form', async (t) => {
  const form = await world.api<{ key: string }>('POST', '/api/v1/sales/web-forms', { name: 'وب‌سایت', source: 'website' });
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: `<peyvand-lead-form form-key="${form.key}"></peyvand-lead-form>` }));
  const name = page.getByRole('textbox', { name: /نام و نام خانوادگی/ });
  const email = page.getByRole('textbox', { name: 'ایمیل' });
  const send = page.getByRole('button', { name: 'ارسال' });
  const nameError = page.locator('peyvand-lead-form #name-error');
  const emailError = page.locator('peyvand-lead-form #email-error');
  // The API reports every broken rule of a submission at once.
  await name.focus();
  await page.keyboard.press('Enter');
  await page.getByText('۲ فیلد نیاز به اصلاح دارد.').waitFor();
  t.equal(await nameError.innerText(), 'نام الزامی است', 'the name, the API’s own message in Persian…');
  t.equal(await page.locator('peyvand-lead-form #contact-hint').innerText(), 'برای اینکه بتوانیم با شما تماس بگیریم، ایمیل یا شمارهٔ تلفن خود را وارد کنید.', '…and email or phone, together');
  t.same([await name.getAttribute('aria-invalid'), await email.getAttribute('aria-invalid')], ['true', 'true']);
  t.ok(await hasFocus(name), 'focus on the first field to fix');

  await email.fill('not-an-email');
  await send.click();
  await emailError.waitFor();
  t.equal(await emailError.innerText(), 'ایمیل باید نشانی ایمیل معتبر باشد', 'the API says the address is malformed…');
  t.equal(await nameError.innerText(), 'نام الزامی است', '…and the name is still missing: both at once');

  // The page switches to English: the API's messages follow, not only the form's own texts.
  await page.evaluate("document.documentElement.lang = 'en'");
  await page.getByText('2 fields need your attention.').waitFor();
  await page.locator('peyvand-lead-form #name-error', { hasText: 'Name is required' }).waitFor();
  t.equal(await emailError.innerText(), 'Email must be a valid email address', 'the email message is in English now too');
  t.equal(await page.locator('peyvand-lead-form #contact-hint').innerText(), 'Give an email address, a phone number, or both.');
  await page.evaluate("document.documentElement.lang = 'fa'");
  await page.locator('peyvand-lead-form #name-error', { hasText: 'نام الزامی است' }).waitFor();
  t.equal(await emailError.innerText(), 'ایمیل باید نشانی ایمیل معتبر باشد', 'and back in Persian');
  t.equal((await world.api<{ items: Array<{ name: string }> }>('GET', '/api/v1/sales/leads')).items.length, 0, 'asking again created no lead');

  await name.fill('نگار صالحی');
  await send.click();
  await page.locator('peyvand-lead-form #email-error').waitFor();
  t.equal(await page.locator('peyvand-lead-form #email-error').innerText(), 'ایمیل باید نشانی ایمیل معتبر باشد', 'the API says the address is malformed');
  t.equal(await name.getAttribute('aria-invalid'), 'false', 'the name is fine now');

  await email.fill('negar@example.ir');
  await page.getByRole('textbox', { name: 'تلفن' }).fill('۰۹۱۲۰۰۰۱۱۲۲');
  await page.getByRole('textbox', { name: 'چه کمکی از ما برمی‌آید؟' }).fill('پیش‌فاکتور ۵۰ کارتن می‌خواهم.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const thanks = page.getByRole('heading', { name: 'سپاس! درخواست شما رسید و به‌زودی با شما تماس می‌گیریم.' });
  await thanks.waitFor();
  t.ok(await hasFocus(thanks), 'focus on the confirmation');
  t.same((await events(page, 'peyvand-lead-submitted'))[0]?.detail, { formKey: form.key });
  const leads = await world.api<{ items: Array<{ name: string; email: string; source: string }> }>('GET', '/api/v1/sales/leads');
  t.match(leads.items.find((l) => l.name === 'نگار صالحی'), { email: 'negar@example.ir', source: 'website' }, 'the API has the lead');
  await screenshot(page, 'lead-form-sent-fa');
  await page.getByRole('button', { name: 'ارسال درخواست دیگر' }).click();
  t.equal(await name.inputValue(), '', 'a fresh form');

  await page.goto(world.page({ body: '<peyvand-lead-form form-key="wf_no_such_form"></peyvand-lead-form><peyvand-lead-form></peyvand-lead-form>' }));
  await page.getByRole('textbox', { name: /نام و نام خانوادگی/ }).fill('کسی');
  await page.getByRole('textbox', { name: 'ایمیل' }).fill('someone@example.ir');
  await page.getByRole('button', { name: 'ارسال' }).click();
  await page.getByText('این فرم در حال حاضر درخواستی نمی‌پذیرد.').waitFor();
  await page.getByText('این فرم راه‌اندازی نشده است: ویژگی form-key آن خالی است.').waitFor();
  t.pass('unknown key and missing key');
  t.same(record.errors, []);
});

t.test('every widget: loading while the API is slow, an error with a retry when it cannot be reached', async (t) => {
  const { page } = await openPage(browser, t);
  const customerId = arya;
  const all = `<peyvand-customer-search></peyvand-customer-search><peyvand-customer-card customer-id="${customerId}"></peyvand-customer-card><peyvand-timeline customer-id="${customerId}"></peyvand-timeline><peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board><peyvand-forecast pipeline-id="${forecastPipeline.id}" from="2025-03-21" to="2025-09-23"></peyvand-forecast>`;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/**', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(world.page({ body: `${all}<peyvand-lead-form form-key="wf_held"></peyvand-lead-form>` }));
  await page.getByRole('combobox').fill('آریا');
  await page.getByRole('textbox', { name: /نام و نام خانوادگی/ }).fill('کسی');
  await page.getByRole('textbox', { name: 'ایمیل' }).fill('someone@example.ir');
  await page.getByRole('button', { name: 'ارسال' }).click();
  const loading = page.getByRole('status').filter({ hasText: 'در حال بارگذاری…' });
  await loading.nth(4).waitFor();
  t.equal(await loading.count(), 5, 'search, card, timeline, board and forecast say they are loading');
  t.ok(await page.getByRole('button', { name: 'در حال ارسال…' }).isDisabled(), 'the lead form is sending');
  release();
  await page.locator('peyvand-deal-board [role=button]').first().waitFor();
  await page.getByText('این فرم در حال حاضر درخواستی نمی‌پذیرد.').waitFor();
  t.equal(await loading.count(), 0, 'all loaded');
  await page.unrouteAll();

  await page.route('**/api/v1/**', (route) => route.abort());
  await page.goto(world.page({ body: all }));
  await page.getByRole('combobox').fill('آریا');
  const alerts = page.getByRole('alert').filter({ hasText: 'ارتباط با سرور سامانهٔ مشتریان برقرار نشد.' });
  await alerts.nth(4).waitFor();
  t.equal(await page.getByRole('button', { name: 'تلاش دوباره' }).count(), 5, 'each with its own retry');
  await page.unrouteAll();
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'تلاش دوباره' }).first().click();
  await page.locator('peyvand-forecast svg g.period').first().waitFor();
  await page.getByRole('option').first().waitFor();
  t.equal(await alerts.count(), 0, 'all recovered');
});

t.test('states: loading, server error with retry, sales not enabled, no permission, no pipeline', async (t) => {
  const { page } = await openPage(browser, t);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/sales/deals?*', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(world.page({ body: `<peyvand-deal-board pipeline-id="${board.id}"></peyvand-deal-board>` }));
  await page.getByRole('status').filter({ hasText: 'در حال بارگذاری…' }).waitFor();
  release();
  await card(page, 'قرارداد سالانهٔ پخش').waitFor();
  await page.unrouteAll();

  await page.route('**/api/v1/sales/reports/forecast?*', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, code: 'NOT_READY', detail: 'پیوند در حال راه‌اندازی است.' }) }));
  await page.goto(world.page({ body: `<peyvand-forecast pipeline-id="${forecastPipeline.id}" from="2025-03-21" to="2025-09-23"></peyvand-forecast>` }));
  await page.getByRole('alert').filter({ hasText: 'پیوند در حال راه‌اندازی است.' }).waitFor();
  await page.unrouteAll();
  await page.getByRole('button', { name: 'تلاش دوباره' }).click();
  await page.locator('peyvand-forecast svg g.period').first().waitFor();
  t.pass('the API’s message, then "Try again" loads');

  // A company without the sales plugin: a clear notice in each sales widget.
  const offForm = await world.api<{ key: string }>('POST', '/api/v1/sales/web-forms', { name: 'قدیمی' }, 201, 'bare');
  await world.p.admin({ method: 'DELETE', url: '/api/v1/admin/tenants/bare/plugins/sales' });
  await page.goto(world.page({ tenant: 'nosales', body: '<peyvand-deal-board></peyvand-deal-board><peyvand-forecast></peyvand-forecast>' }));
  const off = page.getByText('بخش فروش برای شرکت شما فعال نشده است. برای فعال‌سازی با مدیر سامانه تماس بگیرید.');
  await off.nth(1).waitFor();
  t.equal(await off.count(), 2, 'board and forecast');
  t.equal(await page.getByRole('alert').count(), 0, 'not an error');
  await page.goto(world.page({ tenant: 'bare', body: `<peyvand-lead-form form-key="${offForm.key}"></peyvand-lead-form>` }));
  await page.getByRole('textbox', { name: /نام و نام خانوادگی/ }).fill('کسی');
  await page.getByRole('textbox', { name: 'تلفن' }).fill('09120000000');
  await page.getByRole('button', { name: 'ارسال' }).click();
  await page.getByText('این فرم در حال حاضر درخواستی نمی‌پذیرد.').waitFor();
  t.pass('the lead form of a company whose sales was switched off');
  await world.p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/bare/plugins/sales' });

  await page.goto(world.page({ user: 'nobody', body: '<peyvand-deal-board></peyvand-deal-board><peyvand-forecast></peyvand-forecast>' }));
  const denied = page.getByText('حساب شما اجازهٔ این کار را ندارد. برای گرفتن دسترسی با مدیر سامانه تماس بگیرید.');
  await denied.nth(1).waitFor();
  t.equal(await denied.count(), 2, 'no permission: a notice, not a broken widget');

  await page.goto(world.page({ tenant: 'bare', body: '<peyvand-deal-board></peyvand-deal-board><peyvand-forecast></peyvand-forecast>' }));
  await page.getByText('هنوز هیچ قیف فروشی تعریف نشده است.').waitFor();
  await page.getByText('انتظار نمی‌رود معاملهٔ بازی در این بازه بسته شود.').waitFor();
  t.pass('empty: no pipeline, no deals');
});
