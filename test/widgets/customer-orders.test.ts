/**
 * The customer card's orders section in Chromium, embedded in an ERP page: recent orders
 * with their delivery state, open invoices with the overdue one marked, in Persian (Jalali
 * dates, Persian digits) and English; a user who may not read orders sees the card without it.
 */
import t from 'tap';
import { launchChromium, openPage } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const world = await bootEmbedWorld(t);
const browser = await launchChromium(t);

const customer = await world.api<{ id: string }>('PUT', '/api/v1/customers/by-ref/erp/P-1', { kind: 'person', name: 'نرگس توکلی' }, 201);
const order = (number: string, status: string, placedAt: string, extra: Record<string, unknown> = {}) =>
  world.api('PUT', `/api/v1/orders/by-ref/erp/${number}`, { customerRef: { source: 'erp', id: 'P-1' }, number, status, currency: 'IRR', total: 12_500_000, placedAt, lines: [{ sku: 'TEA-1', name: 'چای', quantity: 5, unitPrice: 2_500_000 }], ...extra }, 201);
await order('SO-101', 'delivered', '2025-03-01T07:00:00Z', { paidAt: '2025-03-01T08:00:00Z', deliveredAt: '2025-03-04T09:30:00Z' });
await order('SO-102', 'shipped', '2025-03-10T07:00:00Z');
const invoice = (number: string, status: string, dueAt: string) =>
  world.api('PUT', `/api/v1/invoices/by-ref/erp/${number}`, { customerRef: { source: 'erp', id: 'P-1' }, number, currency: 'IRR', amount: 7_000_000, issuedAt: '2025-03-01T00:00:00Z', dueAt, status }, 201);
await invoice('INV-1', 'overdue', '2025-03-20T00:00:00Z');
await invoice('INV-2', 'issued', '2031-04-20T00:00:00Z');
await invoice('INV-3', 'paid', '2025-03-20T00:00:00Z');
const card = `<peyvand-customer-card customer-id="${customer.id}"></peyvand-customer-card>`;

t.test('fa: orders with delivery state, open invoices, Jalali dates and Persian digits', async (t) => {
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ body: card }));
  const orders = page.getByRole('region', { name: 'سفارش‌های اخیر' });
  await orders.getByText('SO-102').waitFor();
  const items = await orders.getByRole('listitem').allInnerTexts();
  t.equal(items.length, 2);
  t.match(items[0], /SO-102[\s\S]*ارسال‌شده[\s\S]*۱۲٬۵۰۰٬۰۰۰[\s\S]*ثبت ۱۴۰۳\/۱۲\/۲۰/, 'newest first: state, amount and the Jalali date in Persian digits');
  t.match(items[1], /SO-101[\s\S]*تحویل‌شده[\s\S]*تحویل ۱۴۰۳\/۱۲\/۱۴/, 'a delivered order shows when');
  const invoices = await page.getByRole('region', { name: 'فاکتورهای باز' }).getByRole('listitem').allInnerTexts();
  t.equal(invoices.length, 2, 'the paid invoice is not open');
  t.match(invoices.join('\n'), /INV-1[\s\S]*معوق از ۱۴۰۳\/۱۲\/۳۰/, 'the overdue invoice says so');
  t.match(invoices.join('\n'), /INV-2[\s\S]*سررسید ۱۴۱۰/, 'the other one its due date');
});

t.test('en, and a user who may not read orders', async (t) => {
  const { page } = await openPage(browser, t);
  await page.goto(world.page({ lang: 'en', dir: 'ltr', body: card }));
  const orders = page.getByRole('region', { name: 'Recent orders' });
  await orders.getByText('SO-101').waitFor();
  t.match((await orders.getByRole('listitem').allInnerTexts())[1], /SO-101[\s\S]*Delivered[\s\S]*delivered 2025-03-04/);
  // The `nobody` role, for this file: reads customers but not their orders or invoices.
  await world.api('PUT', '/api/v1/roles/nobody', { permissions: ['core.me.read', 'core.customer.read', 'core.timeline.read'], scopes: { customer: 'all' } });
  const other = await openPage(browser, t);
  await other.page.goto(world.page({ user: 'nobody', body: card }));
  await other.page.getByRole('heading', { name: 'نرگس توکلی' }).waitFor();
  // The section has asked and been refused once its frame is no longer busy.
  await other.page.waitForFunction("document.querySelector('peyvand-customer-card')?.shadowRoot?.querySelector('peyvand-customer-orders')?.shadowRoot?.querySelector('.sections')?.getAttribute('aria-busy') === 'false'");
  t.equal(await other.page.getByRole('region', { name: 'سفارش‌های اخیر' }).count(), 0, 'no orders section, and no error');
  t.equal(await other.page.getByRole('alert').count(), 0);
});
