/**
 * The loyalty widgets in Chromium, embedded in an ERP page of another origin: the loyalty
 * card (balance, locked and expiring points, tier progress, recent ledger, a negative
 * balance shown as a debt), the rewards (redeem end to end — the code shown and sent as
 * `peyvand-reward-redeemed`, the API's refusals shown), the RFM grid and the Pareto curve;
 * at phone (390 px) and desktop (1280 px) widths, in Persian and English, with no sideways
 * scroll; and the "loyalty not switched on" and no-permission panels.
 *
 * The data goes in as a real ERP would send it: orders through core's orders API, whose
 * `order.paid` / `order.returned` events the loyalty plugin's subscriber turns into points.
 */
import t from 'tap';
import type { Locator, Page } from 'playwright-core';
import loyalty from '../../plugins/loyalty/index.js';
import sales from '../../plugins/sales/index.js';
import { launchChromium, openPage, screenshot } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const world = await bootEmbedWorld(t, [
  { slug: 'club', locale: 'fa', plugins: ['loyalty'] },
  { slug: 'noloyalty', locale: 'fa', plugins: [] },
], { peyvand: { plugins: [sales, loyalty], dispatcher: { gapGraceMs: 0 } } });
const browser = await launchChromium(t);

const DAY = 86_400_000;
const club = <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, status?: number) => world.api<T>(method, url, payload, status, 'club');
const drain = () => world.p.peyvand.kernel.dispatcher.drain();

// 1 point per 100,000 IRR, a 14-day returns lock, a year to spend, 50 points for a first order.
await club('PUT', '/api/v1/loyalty/program', {
  currency: 'IRR',
  earn: { pointsPerUnit: 1, unit: 100_000, firstOrderBonus: 50 },
  lockDays: 14,
  expiryMonths: 12,
  tiers: [
    { key: 'bronze', name: 'برنزی', threshold: 0, basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1 },
    { key: 'silver', name: 'نقره‌ای', threshold: 500, basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1 },
    { key: 'gold', name: 'طلایی', threshold: 2000, basis: 'points', window: { kind: 'rolling', months: 12 }, multiplier: 1 },
  ],
});
const customer = async (name: string) => (await club<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name })).id;
let orderNumber = 0;
/** An order the ERP reports paid `daysAgo` days ago (amount in rials); returns its ref for a later return. */
async function paidOrder(customerId: string, total: number, daysAgo: number, status: 'paid' | 'returned' = 'paid', ref = `SO-${++orderNumber}`): Promise<string> {
  const at = new Date(Date.now() - daysAgo * DAY).toISOString();
  const body = { customerId, number: ref, status, currency: 'IRR', total, placedAt: at, paidAt: at, lines: [{ sku: 'TEA-1', name: 'چای ممتاز', quantity: 1, unitPrice: total }] };
  await club('PUT', `/api/v1/orders/by-ref/erp/${ref}`, body, status === 'paid' ? 201 : 200);
  return ref;
}

// Maryam: 200 + 50 (first order) expiring within the month, 450, and 120 still locked. Silver, 820 of 2,000 toward gold.
const maryam = await customer('مریم احمدی');
await paidOrder(maryam, 20_000_000, 345);
await paidOrder(maryam, 45_000_000, 40);
await paidOrder(maryam, 12_000_000, 3);
// Reza spent 300 of his 350, then returned the order: 50 − 350 = −300, a debt.
const reza = await customer('رضا محمدی');
const rezaOrder = await paidOrder(reza, 30_000_000, 30);
// A few more paying customers for the reports.
for (const [name, amounts] of [['زهرا حسینی', [80_000_000, 60_000_000]], ['امیر تهرانی', [5_000_000]], ['فاطمه نوری', [9_000_000, 4_000_000, 3_000_000]], ['David Miller', [2_000_000]]] as const) {
  const id = await customer(name);
  for (const [i, amount] of amounts.entries()) await paidOrder(id, amount, 20 + i * 15);
}
await drain();

type Reward = { id: string; name: string; cost: number };
const reward = (body: Record<string, unknown>) => club<Reward>('POST', '/api/v1/loyalty/rewards', body);
const mug = await reward({ name: 'ماگ سفالی', cost: 50, stock: 0 });
const basket = await reward({ name: 'سبد ویژهٔ طلایی', cost: 300, tier: 'gold' });
const shipping = await reward({ name: 'ارسال رایگان', cost: 100 });
const giftCard = await reward({ name: 'کارت هدیهٔ ۵۰۰ هزار تومانی', cost: 600, stock: 5 });
const discount = await reward({ name: 'تخفیف ۱۰ درصدی', cost: 300 });
await club('POST', `/api/v1/loyalty/rewards/${discount.id}/redeem`, { customerId: reza });
await paidOrder(reza, 30_000_000, 30, 'returned', rezaOrder);
await drain();

type Account = { available: number; locked: number; lifetime: number };
const account = (id: string) => club<Account>('GET', `/api/v1/loyalty/accounts/${id}`);
/** What the user reads (money and numbers may carry no-break spaces and direction marks). */
const text = async (locator: Locator) => (await locator.innerText()).replace(/[\u00a0\u200e\u200f\u2066-\u2069]/g, (c) => (c === '\u00a0' ? ' ' : ''));
const events = async (page: Page, type: string) => ((await page.evaluate('window.widgetEvents')) as Array<{ type: string; detail: Record<string, unknown> }>).filter((e) => e.type === type);
const noSidewaysScroll = async (page: Page) => (await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')) === true;
/** What the API answers (in Persian) to a redemption it refuses; a refusal changes nothing, so asking first is harmless. */
async function refusalOf(rewardId: string, customerId: string): Promise<{ status: number; code: string; detail: string }> {
  const res = await world.p.call(world.keys.club!, { method: 'POST', url: `/api/v1/loyalty/rewards/${rewardId}/redeem`, payload: { customerId }, headers: { 'accept-language': 'fa' } });
  const body = res.json() as { code: string; detail: string };
  return { status: res.statusCode, code: body.code, detail: body.detail };
}
/** The card and the rewards of one customer, as an ERP's customer page has them. */
const CUSTOMER = (customerId: string) => `<peyvand-loyalty-card customer-id="${customerId}"></peyvand-loyalty-card><peyvand-rewards customer-id="${customerId}"></peyvand-rewards>`;
const ALL = (customerId: string) => `${CUSTOMER(customerId)}<peyvand-rfm></peyvand-rfm><peyvand-pareto></peyvand-pareto>`;

t.test('the data as the API has it (the widgets below must show these figures)', async (t) => {
  t.match(await account(maryam), { available: 700, locked: 120, lifetime: 820 });
  t.match(await account(reza), { available: -300 });
});

t.test('loyalty card (fa): available, locked, lifetime, expiring soon, tier progress and recent entries in Persian digits', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ tenant: 'club', body: `<peyvand-loyalty-card customer-id="${maryam}"></peyvand-loyalty-card>` }));
  const card = page.locator('peyvand-loyalty-card');
  await card.getByText('قابل استفاده').waitFor();
  const balance = await text(card.locator('dl'));
  t.ok(balance.includes('۷۰۰ امتیاز') && balance.includes('۱۲۰ امتیاز') && balance.includes('۸۲۰ امتیاز'), `available 700, locked 120, lifetime 820: ${balance}`);
  const expiring = await text(card.locator('.expiring'));
  t.ok(expiring.includes('۲۵۰ امتیاز') && expiring.includes('انقضا در ۱۴'), `250 points expire this Jalali year-ish: ${expiring}`);
  t.equal(await text(card.locator('.chip')), 'نقره‌ای', 'tier silver');
  const bar = card.getByRole('progressbar', { name: 'پیشرفت تا سطح طلایی' });
  t.equal(await bar.getAttribute('aria-valuenow'), '41', '820 of 2,000');
  t.ok((await text(card.locator('.tier'))).includes('۸۲۰ از ۲٬۰۰۰ تا سطح طلایی'));
  const recent = await card.locator('.activity li').allInnerTexts();
  t.equal(recent.length, 4, 'three orders and a first-order bonus');
  t.ok(recent[0]!.includes('سفارش پرداخت‌شده') && recent[0]!.includes('+۱۲۰'), `newest first: ${recent[0]}`);
  t.ok(recent.some((line) => line.includes('جایزهٔ نخستین سفارش') && line.includes('+۵۰')), 'the bonus, named');
  t.equal(await card.locator('.activity bdi[dir=ltr]').count(), 4, 'signed points isolated as left-to-right runs');
  t.same(record.errors, []);
});

t.test('a negative balance is shown as such, and blocks every reward', async (t) => {
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ tenant: 'club', body: CUSTOMER(reza) }));
  const card = page.locator('peyvand-loyalty-card');
  const available = card.locator('.figure.main dd');
  await available.waitFor();
  t.ok((await text(available)).includes('−۳۰۰') || (await text(available)).includes('-۳۰۰'), `minus 300: ${await text(available)}`);
  t.match(await available.getAttribute('class'), /negative/, 'in the danger colour');
  await card.getByRole('note').filter({ hasText: 'ماندهٔ امتیاز ۳۰۰ امتیاز منفی است' }).waitFor();
  const rewards = page.locator('peyvand-rewards');
  await rewards.getByText('ماندهٔ امتیاز ۳۰۰ امتیاز منفی است: تا وقتی دوباره مثبت نشود، هیچ جایزه‌ای دریافت نمی‌شود.').waitFor();
  const buttons = rewards.getByRole('button', { name: /^دریافت / });
  t.equal(await buttons.count(), 5);
  for (const button of await buttons.all()) t.ok(await button.isDisabled(), `${await button.getAttribute('aria-label')}: disabled`);
  await screenshot(page, 'loyalty-debt-fa');
});

t.test('redeem end to end (phone, fa): the code shown and sent as peyvand-reward-redeemed, the card follows; refusals show the API’s message', async (t) => {
  const { page, record } = await openPage(browser, t, { viewport: { width: 390, height: 844 } });
  await page.goto(world.page({ tenant: 'club', body: CUSTOMER(maryam) }));
  const rewards = page.locator('peyvand-rewards');
  await rewards.getByText('۷۰۰ امتیاز برای خرج‌کردن موجود است.').waitFor();
  t.ok(await rewards.getByRole('button', { name: 'دریافت ماگ سفالی' }).isDisabled(), 'out of stock: disabled');
  await rewards.locator(`li[data-reward="${mug.id}"]`).getByText('موجودی تمام شده است').waitFor();

  await rewards.getByRole('button', { name: 'دریافت ارسال رایگان' }).click();
  const issued = rewards.locator('[part=code]');
  await issued.getByText('«ارسال رایگان» دریافت شد.', { exact: false }).waitFor();
  const [redeemed] = await events(page, 'peyvand-reward-redeemed');
  t.match(redeemed?.detail, { customerId: maryam, rewardId: shipping.id, rewardName: 'ارسال رایگان', cost: 100, code: /\S+/ }, 'the event, with the code');
  const code = String(redeemed!.detail.code);
  const shown = issued.locator('bdi[dir=ltr]');
  t.equal(await shown.innerText(), code, 'the same code on screen, isolated left to right');
  t.match(await club('GET', `/api/v1/loyalty/redemptions/${code}`), { rewardId: shipping.id, customerId: maryam, usedAt: null }, 'the shop can verify it');
  await rewards.getByText('۶۰۰ امتیاز برای خرج‌کردن موجود است.').waitFor();
  await page.locator('peyvand-loyalty-card .figure.main').getByText('۶۰۰ امتیاز').waitFor();
  t.pass('the card on the same page reloaded after the redemption');

  // A tier restriction is the API's to judge: its message, beside the reward.
  const tierRefusal = await refusalOf(basket.id, maryam);
  t.match(tierRefusal, { status: 422, code: 'REWARD_TIER_REQUIRED' });
  await rewards.getByRole('button', { name: 'دریافت سبد ویژهٔ طلایی' }).click();
  const shownTier = rewards.locator(`li[data-reward="${basket.id}"]`).getByRole('alert');
  await shownTier.waitFor();
  t.equal(await shownTier.innerText(), tierRefusal.detail, `tier refusal, in the API's words: ${tierRefusal.detail}`);

  // Points spent elsewhere meanwhile (a correction at the till): the widget still offers the gift card; the API refuses.
  await club('POST', '/api/v1/loyalty/adjustments', { customerId: maryam, points: -550, reason: 'اصلاح دستی صندوق' });
  const short = await refusalOf(giftCard.id, maryam);
  t.match(short, { status: 409, code: 'INSUFFICIENT_POINTS' });
  await rewards.getByRole('button', { name: 'دریافت کارت هدیهٔ ۵۰۰ هزار تومانی' }).click();
  const refusal = rewards.locator(`li[data-reward="${giftCard.id}"]`).getByRole('alert');
  await refusal.waitFor();
  t.equal(await refusal.innerText(), short.detail, `insufficient points, in the API's words: ${short.detail}`);
  await rewards.getByText('۵۰ امتیاز برای خرج‌کردن موجود است.').waitFor();
  t.ok(await rewards.getByRole('button', { name: 'دریافت کارت هدیهٔ ۵۰۰ هزار تومانی' }).isDisabled(), 'then the balance is current and the reward out of reach');
  await rewards.locator(`li[data-reward="${giftCard.id}"]`).getByText('۵۵۰ امتیاز دیگر لازم است').waitFor();
  t.equal((await events(page, 'peyvand-reward-redeemed')).length, 1, 'refusals send no redemption event');
  t.equal((await club<{ available: number }>('GET', `/api/v1/loyalty/accounts/${maryam}`)).available, 50, 'nothing spent by the refusals');
  t.ok(await noSidewaysScroll(page), 'no sideways scroll at 390 px');
  await screenshot(page, 'loyalty-rewards-phone-fa');
  t.same(record.errors, []);
});

t.test('RFM grid: every segment with the API’s counts; Pareto curve with readable labels, right to left in fa', async (t) => {
  const report = await club<{ customers: number; segments: Array<{ key: string; count: number }> }>('GET', '/api/v1/loyalty/reports/rfm');
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ tenant: 'club', body: '<peyvand-rfm></peyvand-rfm><peyvand-pareto></peyvand-pareto>' }));
  const rfm = page.locator('peyvand-rfm');
  await rfm.locator('li').first().waitFor();
  t.equal(await rfm.locator('li').count(), 11, 'all eleven segments');
  t.ok((await text(rfm.locator('.summary'))).includes(`${report.customers.toLocaleString('fa-IR')} مشتری خریدار`), 'the paying customers, in Persian digits');
  for (const segment of report.segments.filter((s) => s.count > 0)) {
    t.ok((await text(rfm.locator(`li[data-segment="${segment.key}"] .count`))) === `${segment.count.toLocaleString('fa-IR')} مشتری`, `${segment.key}: ${segment.count}`);
  }
  t.ok((await text(rfm.locator('li[data-segment="champions"], li[data-segment="loyal"]').first())).includes('ریال'), 'revenue in rials');

  const pareto = await club<{ revenueShare: number; calendar: string }>('GET', '/api/v1/loyalty/reports/pareto?calendar=persian');
  const chart = page.locator('peyvand-pareto');
  await chart.locator('svg polyline.curve').waitFor();
  const share = Math.round(pareto.revenueShare * 100).toLocaleString('fa-IR');
  t.match(await text(chart.locator('.period')), /^از ۱۴[۰-۹]{2}\/۰۱\/۰۱ تا ۱۴[۰-۹]{2}\/۱۲\/(۲۹|۳۰)، /, 'this Jalali year, first day to last day');
  // Today in Tehran (the company's and the browser's zone): the report covers up to the end of it, not the day after.
  const today = new Intl.DateTimeFormat('fa-IR-u-ca-persian-nu-arabext', { timeZone: 'Asia/Tehran', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  t.ok((await text(rfm.locator('.summary'))).endsWith(`تا تاریخ ${today}.`), `as of today, ${today}`);
  t.equal(await text(chart.locator('.headline')), `۲۰٪ از بهترین مشتریان، ${share}٪ از درآمد را آورده‌اند.`, 'the headline says the 80/20 figure');
  const labels = chart.locator('text.x-label');
  t.same(await labels.allTextContents(), ['۰٪', '۲۰٪', '۴۰٪', '۶۰٪', '۸۰٪', '۱۰۰٪'], 'Persian digits on the axis');
  const [zero, hundred] = await Promise.all([labels.first().boundingBox(), labels.last().boundingBox()]);
  t.ok(zero && hundred && zero.x > hundred.x, 'right to left: 0% on the right');
  const rendered = await labels.first().evaluate((el: { getBoundingClientRect(): { height: number }; ownerSVGElement: { getBoundingClientRect(): { width: number }; viewBox: { baseVal: { width: number } } } | null; ownerDocument: { defaultView: { getComputedStyle(e: unknown): { fontSize: string } } } }) => {
    const svgEl = el.ownerSVGElement!;
    return parseFloat(el.ownerDocument.defaultView.getComputedStyle(el).fontSize) * (svgEl.getBoundingClientRect().width / svgEl.viewBox.baseVal.width);
  });
  t.ok(rendered >= 11.9, `axis labels render at ${rendered.toFixed(1)} px (at least 12)`);
  t.equal(await page.locator('script[src*="chart"], link[href*="chart"]').count(), 0, 'no chart library');
  await screenshot(page, 'loyalty-reports-fa');
  t.same(record.errors, []);
});

for (const width of [390, 1280]) {
  for (const lang of ['fa', 'en'] as const) {
    t.test(`all four widgets at ${width} px in ${lang}: rendered, readable, no sideways scroll`, async (t) => {
      const { page, record } = await openPage(browser, t, { viewport: { width, height: 900 } });
      await page.goto(world.page({ tenant: 'club', lang, body: ALL(maryam) }));
      await page.locator('peyvand-pareto svg polyline.curve').waitFor();
      await page.locator('peyvand-rfm li').first().waitFor();
      await page.locator('peyvand-rewards li').first().waitFor();
      const card = page.locator('peyvand-loyalty-card .figure.main');
      await card.waitFor();
      const digits = lang === 'fa' ? /[۰-۹]/ : /[0-9]/;
      const wrong = lang === 'fa' ? /[0-9]/ : /[۰-۹]/;
      const figure = await text(card);
      t.match(figure, digits, `${lang} digits: ${figure}`);
      t.notMatch(figure, wrong);
      t.equal(await page.locator('peyvand-pareto text.x-label').nth(1).textContent(), lang === 'fa' ? '۲۰٪' : '20%');
      t.equal(await page.locator('peyvand-rewards h2').innerText(), lang === 'fa' ? 'جایزه‌ها' : 'Rewards');
      t.ok(await noSidewaysScroll(page), 'no sideways scroll');
      for (const tag of ['peyvand-loyalty-card', 'peyvand-rewards', 'peyvand-rfm', 'peyvand-pareto']) {
        const box = await page.locator(tag).boundingBox();
        t.ok(box && box.x >= 0 && box.x + box.width <= width + 0.5, `${tag} fits the ${width} px page`);
      }
      await screenshot(page, `loyalty-all-${width}-${lang}`);
      t.same(record.errors, []);
    });
  }
}

t.test('a company without loyalty reads "not switched on"; a user without the permissions reads "no permission"', async (t) => {
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ tenant: 'noloyalty', body: ALL('someone') }));
  const off = page.getByText('باشگاه مشتریان برای شرکت شما فعال نشده است. برای فعال‌سازی با مدیر سامانه تماس بگیرید.');
  await off.nth(3).waitFor();
  t.equal(await off.count(), 4, 'each of the four widgets');
  t.equal(await page.getByRole('alert').count(), 0, 'a notice, not an error');

  await page.goto(world.page({ tenant: 'club', user: 'nobody', body: ALL(maryam) }));
  const denied = page.getByText('حساب شما اجازهٔ این کار را ندارد. برای گرفتن دسترسی با مدیر سامانه تماس بگیرید.');
  await denied.nth(3).waitFor();
  t.equal(await denied.count(), 4, 'no permission: a notice in each');

  await page.goto(world.page({ tenant: 'club', lang: 'en', body: '<peyvand-loyalty-card></peyvand-loyalty-card>' }));
  await page.getByText('Choose a customer to see their points.').waitFor();
  t.pass('no customer-id: a hint, no call');
});
