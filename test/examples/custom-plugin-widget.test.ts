/**
 * The outside-author example's widget, `<peyvand-warranty-claims>`, in Chromium on an ERP
 * page of another origin: built from `examples/custom-plugin/widgets/` into a chunk of its
 * own (as `buildWidgets` does for any plugin), served by a Peyvand with only the warranty
 * plugin installed. What the user sees: a customer's claims with Jalali dates and Persian
 * digits in fa (Gregorian in en), the next step as a button for a user holding
 * `warranty.claim.update` and none for a viewer, a step the API refuses explained in the
 * user's language, the empty state, and the runtime's panels for a tenant without the plugin
 * and a user without the read permission; at phone and desktop widths.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import warranty from '../../examples/custom-plugin/index.js';
import { formatDate } from '../../core/plugin/persian/jalali.js';
import { buildWidgets } from '../../scripts/build-widgets.js';
import { launchChromium, openPage, screenshot } from '../widgets/lib/browser.js';
import { bootEmbedWorld, type UserName } from '../widgets/lib/embed-host.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-warranty-widgets-'));
t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
const manifest = await buildWidgets(out, { plugins: [{ plugin: 'warranty', entry: path.join(root, 'examples/custom-plugin/widgets/index.ts'), tags: [...warranty.widgets!] }] });
const chunk = manifest.chunks.find((c) => c.plugin === 'warranty');
if (!chunk) throw new Error(`no warranty chunk in ${JSON.stringify(manifest)}`);

const world = await bootEmbedWorld(t, [{ slug: 'globex', locale: 'en', plugins: [] }], { installed: [warranty], acmePlugins: ['warranty'], peyvand: { http: { widgetsDir: out } } });
const browser = await launchChromium(t);

type Claim = { id: string; createdAt: string; status: string };
const claims = '/api/v1/warranty/claims';
const customer = async (name: string) => (await world.api<{ id: string }>('POST', '/api/v1/customers', { kind: 'person', name })).id;
const open = (customerId: string, productRef: string, serialNumber?: string) => world.api<Claim>('POST', claims, { customerId, productRef, problem: 'روشن نمی‌شود', ...(serialNumber && { serialNumber }) });
const move = async (claim: Claim, ...statuses: string[]) => {
  for (const status of statuses) await world.api('PATCH', `${claims}/${claim.id}`, { status });
};

// Sara: one open claim, one approved (its next step, "resolved", needs a resolution).
const sara = await customer('سارا احمدی');
const fresh = await open(sara, 'odoo:product.product/42', 'SN-1001');
const approved = await open(sara, 'odoo:product.product/77');
await move(approved, 'in_review', 'approved');
// Reza: one claim in review, for the viewer. Nima: none.
const reza = await customer('رضا کریمی');
await move(await open(reza, 'odoo:product.product/9'), 'in_review');
const nima = await customer('نیما رستمی');

const PHONE = { viewport: { width: 390, height: 844 } };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const noSideScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth') as Promise<boolean>;
const widget = (customerId: string) => `<peyvand-warranty-claims customer-id="${customerId}"></peyvand-warranty-claims>`;

async function show(t: Parameters<typeof openPage>[1], body: string, options: { lang: 'fa' | 'en'; user?: UserName; tenant?: string; phone?: boolean }) {
  const { page, record } = await openPage(browser, t, options.phone ? PHONE : DESKTOP);
  await page.goto(world.page({ body, lang: options.lang, ...(options.user && { user: options.user }), ...(options.tenant && { tenant: options.tenant }) }));
  return { page, record, element: page.locator('peyvand-warranty-claims') };
}

t.test('fa on a phone: the claims in Persian, the next step taken, a refused step explained in Persian', async (t) => {
  const { page, record, element } = await show(t, widget(sara), { lang: 'fa', phone: true });
  const first = element.getByRole('listitem', { name: 'odoo:product.product/42' });
  await first.getByText('باز', { exact: true }).waitFor();
  t.ok(await element.getByRole('heading', { name: 'درخواست‌های گارانتی' }).isVisible());
  t.ok(await first.getByText('SN-1001').isVisible(), 'the serial number');
  const opened = formatDate(new Date(fresh.createdAt), 'fa', { timeZone: 'Asia/Tehran', withTime: true });
  t.match(opened, /^[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2}/, 'a Jalali date in Persian digits');
  t.ok(await first.getByText(opened).first().isVisible(), `opened ${opened}, in the browser's time zone`);
  t.ok(await noSideScroll(page), 'no sideways scroll at 390 px');
  t.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  await screenshot(page, 'warranty-claims-fa-390');

  await first.getByRole('button', { name: 'شروع بررسی' }).click();
  await first.getByText('در حال بررسی', { exact: true }).waitFor();
  await element.getByRole('status').filter({ hasText: 'وضعیت درخواست اکنون «در حال بررسی» است.' }).waitFor();
  t.ok(await first.getByRole('button', { name: 'پذیرش' }).isVisible(), 'then the step after it');

  const second = element.getByRole('listitem', { name: 'odoo:product.product/77' });
  await second.getByRole('button', { name: 'ثبت رسیدگی' }).click();
  const refusal = second.getByRole('alert');
  await refusal.filter({ hasText: 'پیش از بردن درخواست به وضعیت resolved، دلیل را در «resolution» بنویسید.' }).waitFor();
  t.equal(await second.getByLabel('شرح رسیدگی').getAttribute('aria-invalid'), 'true', 'the field is marked');
  t.ok(await second.getByText('پذیرفته‌شده', { exact: true }).isVisible(), 'the claim did not move');

  await second.getByLabel('شرح رسیدگی').fill('کالا تعویض شد');
  await second.getByRole('button', { name: 'ثبت رسیدگی' }).click();
  await second.getByText('رسیدگی‌شده', { exact: true }).waitFor();
  t.equal(await second.getByRole('button').count(), 0, 'a resolved claim has no next step');
  t.equal(await refusal.count(), 0, 'nor the refusal');
  const stored = await world.api<{ status: string; resolution: string }>('GET', `${claims}/${approved.id}`);
  t.match(stored, { status: 'resolved', resolution: 'کالا تعویض شد' }, 'stored as shown');
  t.equal(record.urls.filter((url) => new URL(url).pathname === `/widgets/${chunk.file}`).length, 1, 'from its own chunk, once');
  t.ok(chunk.gzipBytes <= 20 * 1024, `the chunk is ${(chunk.gzipBytes / 1024).toFixed(1)} KB gzipped (budget 20 KB)`);
  t.same(record.errors, [], 'no script errors');
});

t.test('en on a desktop, as a viewer: the claims in English, no button to move them', async (t) => {
  const { element } = await show(t, widget(reza), { lang: 'en', user: 'viewer' });
  const item = element.getByRole('listitem', { name: 'odoo:product.product/9' });
  await item.getByText('In review', { exact: true }).waitFor();
  t.ok(await element.getByRole('heading', { name: 'Warranty claims' }).isVisible());
  t.match(await item.textContent(), /Opened:\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}/, 'a Gregorian date in Latin digits');
  t.equal(await element.getByRole('button').count(), 0, 'a viewer may read, not approve');
  await screenshot(element.page(), 'warranty-claims-en-1280-viewer');
});

t.test('empty, not switched on, not allowed: what each user reads', async (t) => {
  const empty = await show(t, widget(nima), { lang: 'en', phone: true });
  await empty.element.getByText('No warranty claims for this customer.').waitFor();
  t.equal(await empty.element.getByRole('listitem').count(), 0);

  const other = await show(t, widget(nima), { lang: 'fa', tenant: 'globex' });
  await other.element.getByRole('status').filter({ hasText: 'درخواست‌های گارانتی برای شرکت شما فعال نشده است.' }).waitFor();

  const nobody = await show(t, widget(sara), { lang: 'en', user: 'nobody' });
  await nobody.element.getByRole('status').filter({ hasText: 'Your account is not allowed to do this.' }).waitFor();
  t.equal(await nobody.element.getByRole('listitem').count(), 0, 'and no claim');
});
