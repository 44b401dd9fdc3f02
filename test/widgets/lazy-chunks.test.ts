/**
 * Plugin widgets as lazily loaded chunks, in Chromium on an ERP page of another origin:
 * a page with only core widgets never requests a plugin chunk; a `<peyvand-deal-board>`
 * added later loads the sales chunk once (however many sales elements follow) and
 * renders; a sales element rendered inside a Peyvand widget's shadow root loads it too;
 * `loadWidgets` loads on demand; the chunk's bytes match the manifest's integrity; a
 * chunk that fails to arrive is reported to the host for every element waiting for it.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import type { Page } from 'playwright-core';
import sales from '../../plugins/sales/index.js';
import { launchChromium, openPage } from './lib/browser.js';
import { bootEmbedWorld } from './lib/embed-host.js';

const world = await bootEmbedWorld(t);
const browser = await launchChromium(t);

const salesChunk = world.manifest.chunks.find((c) => c.plugin === 'sales');
if (!salesChunk) throw new Error(`no sales chunk in ${JSON.stringify(world.manifest)}`);
const isPluginChunk = (url: string) => new URL(url).pathname.startsWith('/widgets/plugin.');
const isSalesChunk = (url: string) => new URL(url).pathname === `/widgets/${salesChunk.file}`;

const pipeline = await world.api<{ id: string; stages: Array<{ id: string }> }>('POST', '/api/v1/sales/pipelines', { name: 'فروش عمده', currency: 'IRR', stages: [{ name: 'سرنخ', probability: 10 }, { name: 'قرارداد', probability: 90 }] });
const customer = await world.api<{ id: string }>('POST', '/api/v1/customers', { kind: 'organization', name: 'شرکت بازرگانی آریا' });
// Closing soon: inside the forecast's default range.
const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
await world.api('POST', '/api/v1/sales/deals', { title: 'سفارش عمدهٔ بهار', customerId: customer.id, pipelineId: pipeline.id, stageId: pipeline.stages[0]!.id, amount: 4_800_000_000, currency: 'IRR', expectedCloseDate: soon });

/** The forecast has loaded its figures: the button that opens them as a table is there. */
const forecastReady = (page: Page, scope = 'peyvand-forecast') => page.locator(scope).getByRole('button', { name: 'نمایش به‌صورت جدول' }).waitFor();
const defined = (page: Page, tag: string) => page.evaluate(`!!customElements.get(${JSON.stringify(tag)})`) as Promise<boolean>;
const core = `<peyvand-customer-search></peyvand-customer-search><peyvand-customer-card customer-id="${customer.id}"></peyvand-customer-card><peyvand-timeline customer-id="${customer.id}"></peyvand-timeline><peyvand-customer-orders customer-id="${customer.id}"></peyvand-customer-orders>`;

t.test('a page with only core widgets loads no plugin chunk; a deal board added later loads the sales chunk once and renders', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: core }));
  await page.getByRole('combobox', { name: 'جست‌وجوی مشتری' }).waitFor();
  await page.locator('peyvand-customer-card').getByText('شرکت بازرگانی آریا').first().waitFor();
  await page.waitForLoadState('networkidle');
  const widgetFiles = record.urls.filter((url) => new URL(url).pathname.startsWith('/widgets/')).map((url) => new URL(url).pathname);
  t.ok(widgetFiles.includes('/widgets/peyvand.js') && widgetFiles.some((p) => /^\/widgets\/shared\./.test(p)), `the entry and the shared runtime: ${widgetFiles.join(', ')}`);
  t.same(record.urls.filter(isPluginChunk), [], 'no plugin chunk requested');
  t.equal(await defined(page, 'peyvand-deal-board'), false, 'the sales elements are not defined yet');
  t.equal(await defined(page, 'peyvand-customer-card'), true);

  // The sales chunk's bytes as the browser received them, for the integrity check.
  const body = page.waitForResponse((response) => isSalesChunk(response.url())).then((response) => response.body());
  await page.evaluate(`{
    const board = document.createElement('peyvand-deal-board');
    board.setAttribute('pipeline-id', ${JSON.stringify(pipeline.id)});
    document.body.append(board);
    const box = document.createElement('div');
    box.innerHTML = '<peyvand-forecast pipeline-id="${pipeline.id}"></peyvand-forecast><peyvand-deal-board pipeline-id="${pipeline.id}"></peyvand-deal-board>';
    document.body.append(box);
  }`);
  await page.locator('peyvand-deal-board').first().getByRole('heading', { name: 'سرنخ', exact: true }).waitFor();
  await page.locator('peyvand-deal-board').first().getByText('سفارش عمدهٔ بهار').waitFor();
  await page.locator('peyvand-deal-board').nth(1).getByText('سفارش عمدهٔ بهار').waitFor();
  await forecastReady(page);
  t.equal(record.urls.filter(isSalesChunk).length, 1, 'three sales elements, one request for the sales chunk');
  t.equal(`sha384-${createHash('sha384').update(await body).digest('base64')}`, salesChunk.integrity, 'the chunk the browser ran matches the manifest’s integrity');
  t.same(record.errors, [], 'no page errors');
});

t.test('a sales element rendered inside a Peyvand widget’s shadow root loads the sales chunk', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: '<div id="slot"></div>' }));
  await page.waitForFunction('window.hostReady === true');
  // A Peyvand widget whose shadow root holds a forecast (Lit renders a DOM node as content).
  await page.evaluate(`(async () => {
    const { PeyvandTimeline } = await import(${JSON.stringify(`${world.peyvandUrl}/widgets/peyvand.js`)});
    class Nesting extends PeyvandTimeline {
      render() {
        const forecast = document.createElement('peyvand-forecast');
        forecast.setAttribute('pipeline-id', ${JSON.stringify(pipeline.id)});
        return forecast;
      }
    }
    customElements.define('test-nesting-widget', Nesting);
    document.getElementById('slot').append(document.createElement('test-nesting-widget'));
  })()`);
  await forecastReady(page, 'test-nesting-widget peyvand-forecast');
  t.equal(record.urls.filter(isSalesChunk).length, 1, 'loaded once, from inside the shadow root');
  t.same(record.errors, []);
});

t.test('loadWidgets() loads a plugin’s elements on demand, before any is on the page', async (t) => {
  const { page, record } = await openPage(browser, t);
  await page.goto(world.page({ body: '<p>empty</p>' }));
  await page.waitForFunction('window.hostReady === true');
  t.equal(await defined(page, 'peyvand-lead-form'), false);
  await page.evaluate('window.Peyvand.loadWidgets("peyvand-lead-form")');
  t.equal(await defined(page, 'peyvand-lead-form'), true, 'defined once the promise resolves');
  for (const tag of sales.widgets!) t.equal(await defined(page, tag), true, `${tag}: every tag the plugin declares is defined by its chunk`);
  t.equal(record.urls.filter(isSalesChunk).length, 1);
});

t.test('a chunk that does not arrive: every element waiting for it sends peyvand-error, in the page’s language', async (t) => {
  const { page } = await openPage(browser, t);
  let refused = 0;
  await page.route((url) => isSalesChunk(url.href), async (route) => {
    refused++;
    await route.abort('connectionrefused');
  });
  await page.goto(world.page({ body: `<peyvand-forecast pipeline-id="${pipeline.id}"></peyvand-forecast><peyvand-lead-form></peyvand-lead-form>` }));
  await page.waitForFunction('window.widgetEvents.filter((e) => e.type === "peyvand-error").length >= 2');
  const errors = async () => ((await page.evaluate('window.widgetEvents')) as Array<{ type: string; detail: Record<string, unknown> }>).filter((e) => e.type === 'peyvand-error').map((e) => e.detail);
  const offline = 'ارتباط با سرور سامانهٔ مشتریان برقرار نشد. اتصال خود را بررسی کنید و دوباره تلاش کنید.';
  t.same((await errors()).map((d) => d.widget).sort(), ['peyvand-forecast', 'peyvand-lead-form'], 'one event per waiting element');
  t.match((await errors())[0], { status: 0, code: 'WIDGET_LOAD_FAILED', message: offline });
  t.equal(refused, 1, 'one request for both');
  // An element added later asks again and is told too.
  await page.evaluate(`document.body.append(document.createElement('peyvand-deal-board'))`);
  await page.waitForFunction('window.widgetEvents.some((e) => e.type === "peyvand-error" && e.detail.widget === "peyvand-deal-board")');
  t.equal(await defined(page, 'peyvand-deal-board'), false);
});
