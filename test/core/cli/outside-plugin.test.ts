/**
 * A plugin from outside the package, installed by configuration into `npm start`'s server:
 * `peyvand plugin new acme-notes` in a temporary folder (with `node_modules/peyvand`
 * linked to this package, as npm would install it), the real widget build script run with
 * `PEYVAND_PLUGINS=sales,./acme-notes` from that folder, then `peyvand start` with the same
 * configuration. Its route answers and is in the OpenAPI document; its element renders in
 * Chromium, in Persian and English, from its own chunk; a bundle built without it makes
 * the server say so at start.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import t from 'tap';
import { run } from '../../../core/cli/commands.js';
import type { WidgetManifest } from '../../../core/http/widget-assets.js';
import type { Peyvand } from '../../../core/peyvand.js';
import { launchChromium, openPage } from '../../widgets/lib/browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-outside-plugin-'));
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
const widgetsDir = path.join(work, 'widgets-build');
const adminKey = `admin-${randomBytes(16).toString('hex')}`;
const env: NodeJS.ProcessEnv = {
  PEYVAND_PLUGINS: 'sales,./acme-notes',
  PEYVAND_WIDGETS_DIR: widgetsDir,
  DATABASE_URL: `sqlite:${path.join(work, 'data', 'peyvand.sqlite')}`,
  PEYVAND_SECRET: randomBytes(32).toString('base64url'),
  PEYVAND_ADMIN_KEY: adminKey,
  PEYVAND_LANG: 'en',
  PORT: '0',
};

// Launched first: its process also keeps the event loop busy while the loader thread
// imports the plugin, so tap does not take the idle loop for the end of the file.
const browser = await launchChromium(t);
const quiet = { stdout: () => undefined, stderr: () => undefined };
// Setup failures throw: an assertion at the top level would let tap end the file early.
if ((await run(['plugin', 'new', 'acme-notes'], { cwd: work, env, ...quiet })) !== 0) throw new Error('peyvand plugin new failed');
fs.mkdirSync(path.join(work, 'node_modules'));
fs.symlinkSync(root, path.join(work, 'node_modules', 'peyvand'), 'dir');

// What `npm run build` runs for the widgets, from the folder the server runs in.
const build = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--conditions=peyvand-source', path.join(root, 'scripts', 'build-widgets.ts')], { cwd: work, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
if (build.status !== 0) throw new Error(`the widget build failed: ${build.stderr}`);
const manifest = JSON.parse(fs.readFileSync(path.join(widgetsDir, 'manifest.json'), 'utf8')) as WidgetManifest;
const chunk = manifest.chunks.find((c) => c.plugin === 'acme-notes');

/** `peyvand start` in this process (under the test's TypeScript loader, as NODE_OPTIONS=--import=tsx would give). */
async function start(extra: NodeJS.ProcessEnv = {}) {
  let stop!: (signal: string) => void;
  const shutdown = new Promise<string>((resolve) => (stop = resolve));
  let stderr = '';
  let exit!: Promise<number>;
  const listening = new Promise<{ url: string; peyvand: Peyvand }>((resolve, reject) => {
    exit = run(['start'], { env: { ...env, ...extra }, cwd: work, stdout: () => undefined, stderr: (s) => void (stderr += s), logger: pino({ level: 'silent' }), waitForShutdown: () => shutdown, onListening: resolve });
    void exit.then((code) => reject(new Error(`start exited with ${code}: ${stderr}`)));
  });
  const { url } = await listening;
  return { url, stderr: () => stderr, stop: () => (stop('SIGTERM'), exit) };
}

const server = await start();
t.teardown(() => server.stop());
const enable = await fetch(`${server.url}/api/v1/admin/tenants/demo/plugins/acme-notes`, { method: 'PUT', headers: { authorization: `Bearer ${adminKey}` } });
if (enable.status !== 204) throw new Error(`enabling acme-notes for the demo tenant: ${enable.status} ${await enable.text()}`);

t.test('the build takes the configured plugin from outside the package', async (t) => {
  t.match(build.stdout, /plugin\.acme-notes\.[\w-]+\.js \([\d.]+ KB gzipped\): peyvand-acme-notes-item-form/, 'the build prints the plugin’s chunk');
  t.same(chunk?.tags, ['peyvand-acme-notes-item-form']);
  t.ok(manifest.chunks.some((c) => c.plugin === 'sales'), 'the built-ins are built as before');
});

t.test('its route answers and is in the OpenAPI document', async (t) => {
  t.notOk(server.stderr().includes('acme-notes declares widgets'), 'no warning: the bundle has its widgets');
  const { token } = (await (await fetch(`${server.url}/examples/erp-host/token`)).json()) as { token: string };
  const created = await fetch(`${server.url}/api/v1/acme-notes/items`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'یادداشت اول' }) });
  t.equal(created.status, 201, await created.clone().text());
  t.match(await created.json(), { title: 'یادداشت اول' });
  const bad = await fetch(`${server.url}/api/v1/acme-notes/items`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'fa' }, body: JSON.stringify({ title: 'x', extra: 1 }) });
  t.equal(bad.status, 400);
  t.equal(bad.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  t.equal(doc.paths['/api/v1/acme-notes/items']?.post?.operationId, 'acme-notes.item.create');
});

for (const [lang, file, label, button, done] of [['fa', '', 'عنوان', 'ساختن مورد', '«برگ سبز» ساخته شد.'], ['en', 'en.html', 'Title', 'Create item', '“Green leaf” was created.']] as const) {
  t.test(`its element renders from its own chunk on the demo page (${lang})`, async (t) => {
    const { page, record } = await openPage(browser, t, { viewport: lang === 'fa' ? { width: 390, height: 844 } : { width: 1280, height: 900 } });
    await page.goto(`${server.url}/examples/erp-host/${file}`);
    await page.waitForFunction('!!customElements.get("peyvand-customer-card")');
    const isOwnChunk = (url: string) => new URL(url).pathname === `/widgets/${chunk!.file}`;
    t.same(record.urls.filter(isOwnChunk), [], 'not loaded before the element appears');
    await page.evaluate('document.body.prepend(document.createElement("peyvand-acme-notes-item-form"))');
    const form = page.locator('peyvand-acme-notes-item-form');
    await form.getByLabel(label).fill(lang === 'fa' ? 'برگ سبز' : 'Green leaf');
    await form.getByRole('button', { name: button }).click();
    await form.getByRole('status').filter({ hasText: done }).waitFor();
    t.equal(record.urls.filter(isOwnChunk).length, 1, 'its chunk, once');
    t.same(record.errors, [], 'no script errors');
  });
}

t.test('a bundle built without it: the server says so at start, naming the tags', async (t) => {
  // The same build with the plugin's chunk left out, as `npm run build` without PEYVAND_PLUGINS makes it.
  const without = path.join(work, 'widgets-without');
  fs.cpSync(widgetsDir, without, { recursive: true });
  const trimmed: WidgetManifest = { ...manifest, chunks: manifest.chunks.filter((c) => c.plugin !== 'acme-notes') };
  fs.writeFileSync(path.join(without, 'manifest.json'), JSON.stringify(trimmed));
  await server.stop();
  const second = await start({ PEYVAND_WIDGETS_DIR: without, PEYVAND_LANG: 'fa' });
  t.teardown(() => second.stop());
  t.match(second.stderr(), /هشدار: افزونهٔ acme-notes ویجت‌هایی دارد که در بستهٔ ساخته‌شده نیستند \(peyvand-acme-notes-item-form\)/);
  t.notMatch(second.stderr(), /افزونهٔ sales/, 'not for a plugin whose widgets are built');
});
