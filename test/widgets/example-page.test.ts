/**
 * The example ERP page as `npm start` serves it: the real `peyvand start` command (in
 * process, on a fresh database and data directory) seeds the demo tenant and mounts the
 * page and its token endpoint; Chromium opens it in Persian and in English, uses it as a
 * person would, and screenshots land in test-output/widgets/. `peyvand serve` mounts none
 * of the demo routes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import pino from 'pino';
import { decodeJwt } from 'jose';
import { run } from '../../core/cli/commands.js';
import type { Peyvand } from '../../core/peyvand.js';
import { buildWidgets } from '../../scripts/build-widgets.js';
import { createTestDatabase } from '../helpers/database.js';
import { launchChromium, openPage, screenshot } from './lib/browser.js';

await buildWidgets();
const db = await createTestDatabase();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-erp-host-'));
t.teardown(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await db.drop();
});
const env = { DATABASE_URL: db.url, PEYVAND_DATA_DIR: dataDir, PEYVAND_SECRET: randomBytes(32).toString('base64url'), PEYVAND_LANG: 'en', PORT: '0' };

/** Runs a server command (`start`, `serve`) until `stop()`. */
async function server(command: 'start' | 'serve'): Promise<{ url: string; peyvand: Peyvand; stdout: () => string; stop(): Promise<number> }> {
  let stop!: (signal: string) => void;
  const shutdown = new Promise<string>((resolve) => (stop = resolve));
  let stdout = '';
  let exit!: Promise<number>;
  const listening = new Promise<{ url: string; peyvand: Peyvand }>((resolve, reject) => {
    const done = run([command], {
      env: { ...env, ...(command === 'serve' && { PEYVAND_ADMIN_KEY: 'operator-admin-key-1234567890' }) },
      cwd: dataDir,
      stdout: (s) => void (stdout += s),
      stderr: () => undefined,
      logger: pino({ level: 'silent' }),
      waitForShutdown: () => shutdown,
      onListening: resolve,
    });
    void done.then((code) => reject(new Error(`${command} exited with ${code}`)));
    exit = done;
  });
  const { url, peyvand } = await listening;
  return { url, peyvand, stdout: () => stdout, stop: () => (stop('SIGTERM'), exit) };
}

const browser = await launchChromium(t);
const demo = await server('start');
t.teardown(() => demo.stop());
const page$ = `${demo.url}/examples/erp-host/`;

t.test('the demo routes: the page, a short-lived token for the demo user, the form key — on this computer only', async (t) => {
  t.match(demo.stdout(), new RegExp(`Widgets page\\s+${page$.replace(/[.]/g, '\\.')}`), 'the banner shows the page');
  const root = await fetch(`${demo.url}/`, { redirect: 'manual' });
  t.equal(root.status, 302);
  t.equal(root.headers.get('location'), '/examples/erp-host/', '/ leads to the page');
  const html = await fetch(page$);
  t.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
  t.match(html.headers.get('content-security-policy'), /script-src 'self'/, 'a strict CSP: no inline script');
  t.match(await html.text(), /<script type="module" src="\/widgets\/peyvand\.js"><\/script>/, 'one script tag');
  t.equal((await fetch(`${demo.url}/examples/erp-host/secrets.txt`)).status, 404, 'only the page files');

  const token = (await (await fetch(`${page$}token`)).json()) as { token: string; expiresAt: string };
  const claims = decodeJwt(token.token);
  t.match(claims, { tid: 'demo', sub: 'erp-user-1001', aud: 'peyvand', roles: ['admin'], name: 'سارا رحیمی' });
  t.ok(claims.exp! * 1000 - Date.now() <= 600_000 && claims.exp! * 1000 > Date.now(), 'lives ten minutes at most');
  const me = await fetch(`${demo.url}/api/v1/me`, { headers: { authorization: `Bearer ${token.token}` } });
  t.equal(me.status, 200, 'Peyvand accepts it');

  const remote = await demo.peyvand.app.inject({ method: 'GET', url: '/examples/erp-host/token', remoteAddress: '192.0.2.7' });
  t.equal(remote.statusCode, 403);
  t.equal(remote.json().code, 'DEMO_LOCAL_ONLY', 'no token for another computer');
  t.match(((await (await fetch(`${page$}config.json`)).json()) as { formKey: string }).formKey, /^wf_/, 'the demo web form');
});

t.test('the Persian page: the widgets with the demo data, used by mouse and keyboard', async (t) => {
  const { page, record } = await openPage(browser, t, { viewport: { width: 1400, height: 900 } });
  await page.goto(page$);
  await page.locator('peyvand-customer-card').getByRole('heading', { name: 'مریم احمدی' }).waitFor();
  await page.locator('peyvand-timeline li').first().waitFor();
  t.match(await page.locator('peyvand-timeline time').first().innerText(), /^[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}$/, 'Jalali date, Persian digits');
  t.same(await page.locator('peyvand-deal-board h3').allInnerTexts(), ['سرنخ', 'مذاکره', 'پیشنهاد قیمت', 'قرارداد'], 'the demo pipeline');
  await page.locator('peyvand-deal-board [role=button]').first().waitFor();
  t.ok((await page.locator('peyvand-deal-board [role=button]').count()) >= 8, 'the open demo deals');
  await page.locator('peyvand-forecast svg g.period').first().waitFor();
  t.ok(await page.getByRole('radio', { name: 'هجری شمسی' }).isChecked(), 'the forecast in the Solar Hijri calendar');
  t.match(await page.locator('peyvand-lead-form').getAttribute('form-key'), /^wf_/, 'the page gave the lead form its key');

  // The host connects the search to the card and the timeline.
  await page.getByRole('combobox', { name: 'جست‌وجوی مشتری' }).fill('علی کریمی');
  await page.getByRole('option', { name: /علي كريمي/ }).click();
  await page.locator('peyvand-customer-card').getByRole('heading', { name: 'علي كريمي' }).waitFor();
  await page.locator('peyvand-timeline li', { hasText: 'جلسه در دفتر شیراز' }).waitFor();
  t.match(await page.locator('#event-log').innerText(), /peyvand-customer-selected علي كريمي/, 'the page logs the event');
  // The ticket list follows the search too; a ticket opened there shows in the view beside it.
  await page.locator('peyvand-ticket-list button.ticket', { hasText: 'پرسش دربارهٔ گارانتی' }).click();
  await page.locator('peyvand-ticket-view').getByRole('heading', { name: /پرسش دربارهٔ گارانتی/ }).waitFor();
  t.match(await page.locator('peyvand-ticket-view li[data-visibility=internal]').innerText(), /مشتری قبلاً هم دربارهٔ همین دستگاه تماس گرفته بود/, 'the demo ticket with its internal note');

  const deal = page.locator('peyvand-deal-board [role=button]', { hasText: 'سفارش آزمایشی' });
  await deal.focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Space');
  await page.getByRole('status').filter({ hasText: '«سفارش آزمایشی» به مرحلهٔ «مذاکره» منتقل شد.' }).waitFor();
  t.match(await page.locator('#event-log').innerText(), /peyvand-deal-moved سفارش آزمایشی/, 'a deal moved by keyboard');
  await screenshot(page, 'erp-host-fa');
  t.same(record.errors, [], 'no script errors');
  t.same(record.console.filter((line) => line.startsWith('error')), [], 'no console errors');
});

t.test('the English page: left to right, English labels, the same data', async (t) => {
  const { page, record } = await openPage(browser, t, { viewport: { width: 1400, height: 900 } });
  await page.goto(`${page$}en.html`);
  await page.locator('peyvand-customer-card').getByRole('heading', { name: 'Sara Johnson' }).waitFor();
  await page.getByRole('combobox', { name: 'Search customers' }).waitFor();
  await page.locator('peyvand-forecast svg g.period').first().waitFor();
  t.ok(await page.getByRole('radio', { name: 'Gregorian' }).isChecked(), 'Gregorian in English');
  await page.locator('peyvand-timeline li').first().waitFor();
  t.match(await page.locator('peyvand-timeline time').first().innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'Gregorian date, Latin digits');
  await page.locator('peyvand-deal-board [role=button]').first().waitFor();
  await screenshot(page, 'erp-host-en');
  t.same(record.errors, []);
});

/** In the page: what breaks a layout or a reading, across every widget's shadow root. */
function pageAudit(): { overflow: number; notIsolated: string[]; rawIds: string[]; latinOutsideData: string[] } {
  type El = { localName: string; shadowRoot: { childNodes: ArrayLike<Nd> } | null; getAttribute(n: string): string | null; parentNode: Nd | null; host?: El };
  type Nd = { nodeType: number; textContent: string | null; childNodes: ArrayLike<Nd>; parentNode: Nd | null; host?: El };
  const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelectorAll(s: string): ArrayLike<El> } }).document;
  const style = (e: El) => (globalThis as unknown as { getComputedStyle(e: El): { unicodeBidi: string; direction: string } }).getComputedStyle(e);
  const LTR_VALUE = /[\w.+-]+@[\w-]+(\.[\w-]+)+|https?:\/\/\S+|\+?\d[\d\s()-]{6,}\d/;
  const RAW_ID = /\b(system|apikey):|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/;
  const out = { overflow: d.documentElement.scrollWidth - d.documentElement.clientWidth, notIsolated: [] as string[], rawIds: [] as string[], latinOutsideData: [] as string[] };
  const isolated = (node: Nd) => {
    for (let n: Nd | null = node.parentNode; n && n.nodeType === 1; n = n.parentNode) {
      const e = n as unknown as El;
      if (e.localName === 'bdi' || e.getAttribute('dir') || /isolate|plaintext/.test(style(e).unicodeBidi)) return true;
    }
    return false;
  };
  const visit = (node: Nd) => {
    if (node.nodeType === 3) {
      const text = node.textContent ?? '';
      const parent = node.parentNode as unknown as El | null;
      if (!text.trim() || !parent || ['style', 'title', 'desc', 'option'].includes(parent.localName)) return;
      if (LTR_VALUE.test(text) && !isolated(node)) out.notIsolated.push(text.trim());
      if (RAW_ID.test(text)) out.rawIds.push(text.trim());
      if (/[A-Za-z]{2,}/.test(text) && !isolated(node)) out.latinOutsideData.push(text.trim());
      return;
    }
    const el = node as unknown as El;
    if (node.nodeType === 1 && el.shadowRoot) for (const c of Array.from(el.shadowRoot.childNodes)) visit(c);
    for (const c of Array.from(node.childNodes)) visit(c);
  };
  for (const widget of Array.from(d.querySelectorAll('peyvand-customer-search, peyvand-customer-card, peyvand-timeline, peyvand-deal-board, peyvand-forecast, peyvand-lead-form, peyvand-loyalty-card, peyvand-rewards'))) visit(widget as unknown as Nd);
  return out;
}

t.test('fa and en at 390, 768, 1024 and 1440 px: no sideways scroll, LTR values isolated, no raw ids, no English in fa', async (t) => {
  for (const [lang, file, heading] of [['fa', '', 'مریم احمدی'], ['en', 'en.html', 'Sara Johnson']] as const) {
    for (const width of [390, 768, 1024, 1440]) {
      const { page } = await openPage(browser, t, { viewport: { width, height: 900 } });
      await page.goto(`${page$}${file}`);
      await page.locator('peyvand-customer-card').getByRole('heading', { name: heading }).waitFor();
      await page.locator('peyvand-forecast svg g.period').first().waitFor();
      await page.locator('peyvand-deal-board [role=button]').first().waitFor();
      await page.locator('peyvand-timeline li').first().waitFor();
      await page.locator('peyvand-loyalty-card .activity li').first().waitFor();
      await page.locator('peyvand-rewards li').first().waitFor();
      const audit = await page.evaluate(pageAudit);
      const where = `${lang} ${width}px`;
      t.ok(audit.overflow <= 0, `${where}: no horizontal overflow (${audit.overflow}px)`);
      t.same(audit.notIsolated, [], `${where}: every email, URL and phone isolated`);
      t.same(audit.rawIds, [], `${where}: no raw ids`);
      if (lang === 'fa') t.same(audit.latinOutsideData, [], `${where}: no English outside data values`);
      const axis = await page.locator('peyvand-forecast text.axis-label').first().evaluate((e) => (e as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height);
      t.ok(axis >= 11, `${where}: forecast axis labels readable (${axis.toFixed(1)}px tall)`);
      await screenshot(page, `erp-host-${lang}-${width}`);
    }
  }
});

t.test('the loyalty card and rewards beside the customer card show the demo’s points, earned from its orders', async (t) => {
  const { page, record } = await openPage(browser, t, { viewport: { width: 1440, height: 900 } });
  await page.goto(page$);
  await page.locator('peyvand-customer-card').getByRole('heading', { name: 'مریم احمدی' }).waitFor();
  const card = page.locator('peyvand-loyalty-card');
  // Maryam's demo history (test/plugins/loyalty/demo.test.ts): 1,050 available, 150 locked, silver.
  await card.locator('.figure.main').getByText('۱٬۰۵۰ امتیاز').waitFor();
  t.equal(await card.locator('.chip').innerText(), 'نقره‌ای', 'a Persian tier name');
  const rewards = page.locator('peyvand-rewards');
  await rewards.getByText('۱٬۰۵۰ امتیاز برای خرج‌کردن موجود است.').waitFor();
  await rewards.getByRole('button', { name: 'دریافت ارسال رایگان سفارش بعدی' }).click();
  await rewards.locator('[part=code] bdi[dir=ltr]').waitFor();
  t.match(await page.locator('#event-log').innerText(), /peyvand-reward-redeemed ارسال رایگان سفارش بعدی: \S+/, 'the page logs the redemption with its code');
  await card.locator('.figure.main').getByText('۹۰۰ امتیاز').waitFor();
  t.same(record.errors, []);
});

t.test('a deal moved on the board refreshes the forecast beside it', async (t) => {
  const { page, record } = await openPage(browser, t, { viewport: { width: 1440, height: 900 } });
  await page.goto(page$);
  await page.locator('peyvand-forecast svg g.period').first().waitFor();
  const forecastCalls = () => record.urls.filter((u) => u.includes('/reports/forecast')).length;
  const before = forecastCalls();
  const deal = page.locator('peyvand-deal-board [role=button]', { hasText: 'ERP integration pilot' });
  await deal.focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Space');
  const deadline = Date.now() + 10_000;
  while (forecastCalls() === before && Date.now() < deadline) await page.waitForTimeout(100);
  t.ok(forecastCalls() > before, 'the forecast asked the API again after peyvand-deal-moved');
});

t.test('peyvand serve mounts none of the demo routes', async (t) => {
  t.equal(await demo.stop(), 0, 'start stopped');
  const served = await server('serve');
  t.teardown(() => served.stop());
  for (const url of ['/', '/examples/erp-host/', '/examples/erp-host/token', '/examples/erp-host/config.json']) {
    const res = await fetch(`${served.url}${url}`, { redirect: 'manual' });
    t.equal(res.status, 404, `${url}: 404`);
  }
  t.equal((await fetch(`${served.url}/widgets/peyvand.js`)).status, 200, 'the widgets are served');
});
