/**
 * Debian's Chromium driven by playwright-core, for the widget tests. A missing browser
 * fails the test file with a message saying how to install it — in CI and on a
 * developer's machine alike: a browser test that did not run must never look like a pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { packageRoot } from '../../../core/paths.js';

/** Where Debian installs Chromium (`apt-get install -y chromium`). */
export const CHROMIUM = process.env.PEYVAND_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Where screenshots go (git-ignored). */
export const SCREENSHOTS = path.join(packageRoot(), 'test-output', 'widgets');

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** Launches Chromium for one test file and closes it in teardown. */
export async function launchChromium(t: Teardown): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}, and the widget tests need a real browser. Install it with \`apt-get install -y chromium\` (.ci/run does this), or point PEYVAND_CHROMIUM at a Chromium binary.`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  return browser;
}

/** What a page did that a test may want to check: console lines, uncaught errors, URLs requested, dialogs. */
export interface PageRecord {
  console: string[];
  errors: string[];
  urls: string[];
  dialogs: string[];
}

/** A fresh page (own context: no shared cache or storage) in Tehran time, recording what it does. */
export async function openPage(browser: Browser, t: Teardown, options: BrowserContextOptions = {}): Promise<{ page: Page; context: BrowserContext; record: PageRecord }> {
  const context = await browser.newContext({ timezoneId: 'Asia/Tehran', viewport: { width: 1280, height: 900 }, ...options });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const record: PageRecord = { console: [], errors: [], urls: [], dialogs: [] };
  page.on('console', (message) => record.console.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => record.errors.push(error.message));
  page.on('request', (request) => record.urls.push(request.url()));
  page.on('dialog', (dialog) => {
    record.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, context, record };
}

/** Saves a full-page screenshot under test-output/widgets/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Page-side functions, typed by the little they use: the tests are type-checked for Node,
// without the DOM's types. Playwright serializes them and runs them in the page.
type PageElement = {
  getRootNode(): { activeElement: unknown };
  ownerDocument: { defaultView: { getComputedStyle(element: unknown): { getPropertyValue(name: string): string } } };
};

/** A computed style property of the element, e.g. `direction`. */
export function computedStyle(locator: Locator, property: string): Promise<string> {
  return locator.evaluate((el: PageElement, name: string) => el.ownerDocument.defaultView.getComputedStyle(el).getPropertyValue(name), property);
}

/** Whether the element has the focus (inside its shadow root or the document). */
export function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el: PageElement) => el.getRootNode().activeElement === el);
}
