/**
 * The widget build without a browser: its size budgets (runtime — the entry and the code
 * it shares with plugin chunks — at most 30 KB gzipped, each plugin chunk at most 20 KB,
 * printed), one chunk per plugin listed in the manifest with its integrity, the build's
 * checks of the plugins' declared tags, how Peyvand serves the files (content types, cache
 * headers, CORS for a module script on another origin, gzip, 304, unknown hashes, not built
 * yet), the default theme's contrast ratios (WCAG AA, computed from the colours), no HTML
 * written from strings anywhere in the widgets or the example page, and every message key
 * the widgets use existing in English and Persian.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { buildWidgets } from '../../scripts/build-widgets.js';
import { packageRoot } from '../../core/paths.js';
import type { WidgetFile } from '../../core/http/widget-assets.js';
import loyalty from '../../plugins/loyalty/index.js';
import sales from '../../plugins/sales/index.js';
import { CONTRAST_PAIRS, DEFAULT_THEME } from '../../widgets/runtime/theme.js';
import { bootPeyvand } from '../helpers/peyvand.js';

const RUNTIME_BUDGET = 30 * 1024;
const PLUGIN_CHUNK_BUDGET = 20 * 1024;
const root = packageRoot();
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-widgets-'));
t.teardown(() => fs.rmSync(outDir, { recursive: true, force: true }));
const manifest = await buildWidgets(outDir);
const files: WidgetFile[] = [manifest, ...manifest.chunks];
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
type Messages = { [key: string]: string | Messages };
const readMessages = (lng: string, file: string) => JSON.parse(fs.readFileSync(path.join(root, 'locales', lng, file), 'utf8')) as Messages;
/** Every key path of a message tree (`board.moved`). */
const keysOf = (messages: Messages, prefix = ''): string[] =>
  Object.entries(messages).flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : keysOf(value, `${prefix}${key}.`)));


t.test('budgets: runtime at most 30 KB gzipped, each plugin chunk at most 20 KB', async (t) => {
  const shared = manifest.chunks.filter((c) => c.kind === 'shared');
  const runtime = manifest.gzipBytes + shared.reduce((sum, c) => sum + c.gzipBytes, 0);
  t.comment(`widget runtime (entry ${manifest.file} + ${shared.map((c) => c.file).join(', ')}): ${kb(runtime)} gzipped, budget ${kb(RUNTIME_BUDGET)}`);
  t.ok(runtime <= RUNTIME_BUDGET, `runtime is ${kb(runtime)} gzipped; the budget is ${kb(RUNTIME_BUDGET)}`);
  const plugins = manifest.chunks.filter((c) => c.kind === 'plugin');
  t.same(plugins.map((c) => c.plugin).sort(), ['email', 'loyalty', 'sales', 'support'], 'one chunk per plugin that ships widgets');
  for (const chunk of plugins) {
    t.comment(`plugin chunk ${chunk.file}: ${kb(chunk.gzipBytes)} gzipped (${kb(chunk.bytes)} minified), budget ${kb(PLUGIN_CHUNK_BUDGET)}`);
    t.ok(chunk.gzipBytes <= PLUGIN_CHUNK_BUDGET, `${chunk.plugin} chunk is ${kb(chunk.gzipBytes)} gzipped; the budget is ${kb(PLUGIN_CHUNK_BUDGET)}`);
  }
});

t.test('build: hashed names, linked source maps, a plugin chunk holding its declared tags, imports only between the listed files', async (t) => {
  t.match(manifest.file, /^peyvand\.[A-Z0-9]{8}\.js$/, 'content hash in the entry’s name');
  const salesChunk = manifest.chunks.find((c) => c.plugin === 'sales');
  t.match(salesChunk, { kind: 'plugin', file: /^plugin\.sales\.[A-Z0-9]{8}\.js$/, tags: [...sales.widgets!] }, 'the sales chunk, with the tags the plugin declares');
  t.same([...sales.widgets!].sort(), ['peyvand-deal-board', 'peyvand-forecast', 'peyvand-lead-form']);
  const loyaltyChunk = manifest.chunks.find((c) => c.plugin === 'loyalty');
  t.match(loyaltyChunk, { kind: 'plugin', file: /^plugin\.loyalty\.[A-Z0-9]{8}\.js$/, tags: [...loyalty.widgets!] }, 'the loyalty chunk, with its tags');
  t.same([...loyalty.widgets!].sort(), ['peyvand-loyalty-card', 'peyvand-pareto', 'peyvand-rewards', 'peyvand-rfm']);
  const names = new Set(files.map((f) => f.file));
  for (const file of files) {
    const js = fs.readFileSync(path.join(outDir, file.file), 'utf8');
    t.ok(js.trimEnd().endsWith(`//# sourceMappingURL=${file.sourceMap}`), `${file.file}: linked source map`);
    t.equal(`sha384-${createHash('sha384').update(js).digest('base64')}`, file.integrity, `${file.file}: integrity in the manifest`);
    const imported = [...js.matchAll(/\bimport\s*(?:\{[^}]*\}\s*from\s*)?"([^"]+)"|\bimport\("([^"]+)"\)/g)].map((m) => (m[1] ?? m[2])!);
    t.ok(imported.every((spec) => spec.startsWith('./') && names.has(spec.slice(2))), `${file.file} imports only files of the build: ${imported.join(', ') || 'none'}`);
  }
  const entry = fs.readFileSync(path.join(outDir, manifest.file), 'utf8');
  t.ok(entry.includes(`import("./${salesChunk!.file}")`), 'the entry loads the sales chunk on demand');
  t.notOk(/from\s*"\.\/plugin\./.test(entry), 'and never imports it up front');
  const runtime = [manifest, ...manifest.chunks.filter((c) => c.kind === 'shared')].map((f) => fs.readFileSync(path.join(outDir, f.file), 'utf8')).join('\n');
  const salesJs = fs.readFileSync(path.join(outDir, salesChunk!.file), 'utf8');
  const salesTexts = keysOf(readMessages('fa', 'sales-widgets.json')).map((key) => key.split('.').reduce<unknown>((n, part) => (n as Messages)[part], readMessages('fa', 'sales-widgets.json')) as string);
  t.ok(salesTexts.every((text) => salesJs.includes(text)), `the sales chunk carries its ${salesTexts.length} Persian messages`);
  t.same(salesTexts.filter((text) => text.length > 12 && runtime.includes(text)), [], 'the runtime carries none of them');
  // Minified, a definition reads `x("peyvand-deal-board",Class)`; the entry's map has `"peyvand-deal-board":load`.
  t.match(salesJs, /"peyvand-deal-board",\w/, 'the sales chunk defines its elements');
  t.notMatch(runtime, /"peyvand-(?:deal-board|forecast|lead-form)",/, 'the runtime does not');
  const loyaltyJs = fs.readFileSync(path.join(outDir, loyaltyChunk!.file), 'utf8');
  t.ok(loyalty.widgets!.every((tag) => new RegExp(`"${tag}",\\w`).test(loyaltyJs)), 'the loyalty chunk defines its four elements');
  t.notMatch(runtime + salesJs, /"peyvand-(?:loyalty-card|rewards|rfm|pareto)",/, 'neither the runtime nor the sales chunk does');
  t.ok(runtime.includes('تومان') && runtime.includes('arabext'), 'core’s Persian money and digit formatting is in the runtime');
  const mapOf = (file: WidgetFile) => JSON.parse(fs.readFileSync(path.join(outDir, file.sourceMap), 'utf8')) as { sources: string[] };
  t.ok(mapOf(salesChunk!).sources.some((s) => s.endsWith('plugins/sales/widgets/peyvand-deal-board.ts')), 'the sales map points at the plugin’s sources');
  t.ok(files.some((f) => mapOf(f).sources.some((s) => s.endsWith('core/plugin/persian/jalali.ts'))), 'the runtime’s map points at core’s sources');
  const again = await buildWidgets(outDir);
  t.same(again, manifest, 'the same source builds to the same names');
  t.same(fs.readdirSync(outDir).sort(), ['manifest.json', ...files.flatMap((f) => [f.file, f.sourceMap])].sort(), 'nothing else left in the folder');
});

t.test('build checks: the tags a plugin declares are valid, its own, and defined by its widgets', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-widget-plugin-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const entry = path.join(dir, 'index.ts');
  fs.writeFileSync(entry, `import { define, PeyvandElement, html } from 'peyvand/widgets/runtime';\nclass Claims extends PeyvandElement { protected reload(): void {} protected renderContent() { return html\`<p>claims</p>\`; } }\ndefine('peyvand-claims', Claims);\n`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-widgets-out-'));
  t.teardown(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const salesSource = { plugin: 'sales', entry: path.join(root, 'plugins', 'sales', 'widgets', 'index.ts'), tags: [...sales.widgets!] };
  await t.rejects(buildWidgets(scratch, { plugins: [{ plugin: 'claims', entry, tags: ['peyvand-claim-list'] }] }), /declares peyvand-claim-list, but no `define\('peyvand-claim-list'/, 'a declared tag nobody defines');
  await t.rejects(buildWidgets(scratch, { plugins: [{ plugin: 'claims', entry, tags: ['claims-board'] }] }), /must be lower-case kebab-case starting with "peyvand-"/, 'a tag outside Peyvand’s prefix');
  await t.rejects(buildWidgets(scratch, { plugins: [{ plugin: 'claims', entry, tags: ['peyvand-customer-card'] }] }), /already core's/, 'a core widget’s tag');
  await t.rejects(buildWidgets(scratch, { plugins: [salesSource, { plugin: 'claims', entry, tags: ['peyvand-forecast'] }] }), /already sales's/, 'another plugin’s tag');
  const built = await buildWidgets(scratch, { plugins: [salesSource, { plugin: 'claims', entry, tags: ['peyvand-claims'] }] });
  t.same(built.chunks.filter((c) => c.kind === 'plugin').map((c) => [c.plugin, c.tags]), [['claims', ['peyvand-claims']], ['sales', salesSource.tags]], 'a plugin outside the repository, importing `peyvand/widgets/runtime`, gets its own chunk');
  const holders = [built, ...built.chunks].filter((f) => (JSON.parse(fs.readFileSync(path.join(scratch, f.sourceMap), 'utf8')) as { sources: string[] }).sources.some((s) => s.endsWith('widgets/runtime/peyvand-element.ts')));
  t.same(holders.map((f) => ('kind' in f ? f.kind : 'entry')), ['shared'], 'and shares the one runtime: its base element is in one shared chunk only');
});

t.test('serving: short-cached alias, immutable versioned entry and chunks, source maps, manifest; CORS for every origin', async (t) => {
  const p = await bootPeyvand(t, { http: { widgetsDir: outDir } });
  const get = (url: string, headers: Record<string, string> = {}) => p.call(undefined, { method: 'GET', url, headers: { origin: 'https://erp.example.com', ...headers } });
  const js = fs.readFileSync(path.join(outDir, manifest.file));
  const origin = 'https://erp.example.com';

  const alias = await get('/widgets/peyvand.js');
  t.equal(alias.statusCode, 200);
  t.equal(alias.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(alias.headers['cache-control'], 'public, max-age=300');
  t.equal(alias.headers['access-control-allow-origin'], '*', 'a module script on another origin is fetched with CORS');
  t.equal(alias.headers['cross-origin-resource-policy'], 'cross-origin');
  t.equal(alias.headers['x-content-type-options'], 'nosniff');
  t.equal(alias.rawPayload.compare(js), 0, 'the current build');
  const etag = String(alias.headers.etag);
  t.equal((await get('/widgets/peyvand.js', { 'if-none-match': etag })).statusCode, 304, 'revalidation');

  const gzipped = await get('/widgets/peyvand.js', { 'accept-encoding': 'gzip, br' });
  t.equal(gzipped.headers['content-encoding'], 'gzip');
  t.equal(gzipped.headers.vary, 'Accept-Encoding');
  t.equal(gunzipSync(gzipped.rawPayload).compare(js), 0, 'gzip of the same bytes');
  t.equal(Number(gzipped.headers['content-length']), manifest.gzipBytes);

  const versioned = await get(`/widgets/${manifest.file}`);
  t.equal(versioned.statusCode, 200);
  t.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(versioned.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(versioned.headers['access-control-allow-origin'], '*');
  const map = await get(`/widgets/${manifest.sourceMap}`);
  t.equal(map.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(map.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.ok(Array.isArray(map.json().sources));
  for (const chunk of manifest.chunks) {
    const bytes = fs.readFileSync(path.join(outDir, chunk.file));
    const res = await get(`/widgets/${chunk.file}`);
    t.equal(res.statusCode, 200, `${chunk.file} is served`);
    t.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', `${chunk.file}: immutable, like the entry`);
    t.equal(res.headers['access-control-allow-origin'], '*', `${chunk.file}: readable from ${origin}`);
    t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(`sha384-${createHash('sha384').update(res.rawPayload).digest('base64')}`, chunk.integrity, `${chunk.file}: the served bytes match the manifest’s integrity`);
    t.equal(res.rawPayload.compare(bytes), 0);
    const zipped = await get(`/widgets/${chunk.file}`, { 'accept-encoding': 'gzip' });
    t.equal(gunzipSync(zipped.rawPayload).compare(bytes), 0, `${chunk.file}: gzip of the same bytes`);
    t.equal((await get(`/widgets/${chunk.file}`, { 'if-none-match': String(res.headers.etag) })).statusCode, 304, `${chunk.file}: revalidation`);
    const chunkMap = await get(`/widgets/${chunk.sourceMap}`);
    t.equal(chunkMap.headers['content-type'], 'application/json; charset=utf-8', `${chunk.sourceMap}`);
    t.ok(Array.isArray(chunkMap.json().sources));
  }
  const served = await get('/widgets/manifest.json');
  t.same(served.json(), manifest, 'the manifest tells hosts the versioned files and their integrity');
  t.ok(served.json().chunks.length >= 2, 'chunks included');
  t.match(served.json().integrity, /^sha384-[A-Za-z0-9+/]{64}$/);
  t.equal(served.headers['cache-control'], 'no-cache');

  const old = await get('/widgets/peyvand.OLDBUILD.js', { 'accept-language': 'fa' });
  t.equal(old.statusCode, 404, 'an older build’s hash');
  t.equal(old.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(old.json().code, 'NOT_FOUND');
  t.equal((await get('/widgets/..%2Fmanifest.json')).statusCode, 404, 'no path tricks');
  const doc = (await get('/api/v1/openapi.json')).json() as { paths: Record<string, unknown> };
  // Listed like every route (the security suite attacks what the document lists), public and tagged.
  const listed = Object.entries(doc.paths).filter(([path]) => path.startsWith('/widgets'));
  t.same(listed.map(([path]) => path).sort(), ['/widgets/manifest.json', '/widgets/peyvand.js', '/widgets/{file}'], 'the files are in the OpenAPI document');
  t.ok(listed.every(([, ops]) => { const get = (ops as { get?: { security?: unknown; tags?: string[] } }).get; return get && !get.security && get.tags?.includes('widgets'); }), 'public, under the widgets tag');

  fs.rmSync(path.join(outDir, 'manifest.json'));
  const missing = await get('/widgets/peyvand.js', { 'accept-language': 'fa' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'WIDGETS_NOT_BUILT');
  t.match(missing.json().detail, 'npm run build', 'says how to fix it, in Persian');
  await buildWidgets(outDir);
  t.equal((await get('/widgets/peyvand.js')).statusCode, 200, 'a rebuild is served without a restart');
});

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
/** WCAG contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

t.test('accessibility: the default theme meets WCAG AA contrast, and so does the example page’s brand colour', async (t) => {
  t.equal(contrast('#ffffff', '#000000').toFixed(1), '21.0', 'the formula');
  t.equal(contrast('#777777', '#ffffff').toFixed(2), '4.48', 'the formula near the threshold');
  for (const [fg, bg, minimum] of CONTRAST_PAIRS) {
    const ratio = contrast(DEFAULT_THEME[fg], DEFAULT_THEME[bg]);
    t.ok(ratio >= minimum, `${fg} ${DEFAULT_THEME[fg]} on ${bg} ${DEFAULT_THEME[bg]}: ${ratio.toFixed(2)}:1 (needs ${minimum}:1)`);
  }
  const css = fs.readFileSync(path.join(root, 'examples', 'erp-host', 'erp-host.css'), 'utf8');
  const brand = /--erp-brand:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
  t.ok(brand, 'the example page sets a brand colour');
  for (const bg of ['surface', 'surface-alt'] as const) {
    t.ok(contrast(brand!, DEFAULT_THEME[bg]) >= 4.5, `brand ${brand} on ${bg}: ${contrast(brand!, DEFAULT_THEME[bg]).toFixed(2)}:1`);
  }
  t.ok(contrast('#ffffff', brand!) >= 4.5, `white on brand: ${contrast('#ffffff', brand!).toFixed(2)}:1`);
});

const sources = (dir: string, ext: RegExp): string[] =>
  fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => ext.test(f)).map((f) => path.join(dir, f));
/** Every plugin's widget folder (`plugins/<name>/widgets/`). */
const pluginWidgetDirs = fs.readdirSync(path.join(root, 'plugins')).map((name) => path.join(root, 'plugins', name, 'widgets')).filter((dir) => fs.existsSync(dir));

t.test('safety: nothing in the widgets or the example page turns strings into HTML', async (t) => {
  const files = [...sources(path.join(root, 'widgets'), /\.ts$/), ...pluginWidgetDirs.flatMap((dir) => sources(dir, /\.ts$/)), ...sources(path.join(root, 'examples', 'erp-host'), /\.(js|html)$/)];
  t.ok(files.length >= 20, `${files.length} files`);
  for (const file of files) {
    const code = fs.readFileSync(file, 'utf8');
    const name = path.relative(root, file);
    t.notMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|unsafeHTML|unsafeSVG|\beval\(|new Function\(/, `${name}: no HTML from strings`);
    if (!name.endsWith('styles.ts')) t.notMatch(code, /unsafeCSS/, `${name}: no CSS from strings`);
    // The one document built from a string: an email's server-sanitized HTML, in a frame that may not run script.
    if (name.endsWith('peyvand-email-thread.ts')) t.match(code, /sandbox=\$\{FRAME_SANDBOX\}[\s\S]*\.srcdoc=/, `${name}: srcdoc only on the sandboxed frame`);
    else t.notMatch(code, /\.srcdoc\s*=|srcdoc=/, `${name}: no srcdoc`);
  }
});

t.test('i18n: every message key the widgets use exists; each messages file has the same keys in English and Persian', async (t) => {
  const groups = [
    { dir: path.join(root, 'widgets'), files: ['widgets.json'] },
    // A plugin's widgets read core's messages and their own, merged when the chunk loads.
    ...pluginWidgetDirs.map((dir) => ({ dir, files: ['widgets.json', `${path.basename(path.dirname(dir))}-widgets.json`] })),
  ];
  let checked = 0;
  for (const { dir, files } of groups) {
    for (const file of files) t.same(keysOf(readMessages('fa', file)).sort(), keysOf(readMessages('en', file)).sort(), `locales/{en,fa}/${file}: the same keys`);
    const en = Object.assign({}, ...files.map((file) => readMessages('en', file))) as Messages;
    const node = (key: string): unknown => key.split('.').reduce<unknown>((n, part) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[part] : undefined), en);
    for (const file of sources(dir, /\.ts$/)) {
      const code = fs.readFileSync(file, 'utf8');
      for (const [, key] of code.matchAll(/this\.t\('([a-zA-Z.]+)'/g)) {
        checked++;
        t.ok(typeof node(key!) === 'string' || typeof node(`${key}_other`) === 'string', `${path.relative(root, file)}: ${key}`);
      }
      // `kinds.${customer.kind}`: the part before the placeholder is a group of messages.
      for (const [, prefix] of code.matchAll(/this\.t\(`([a-zA-Z.]+)\.\$\{/g)) {
        checked++;
        t.equal(typeof node(prefix!), 'object', `${path.relative(root, file)}: ${prefix}.*`);
      }
    }
  }
  t.ok(checked > 80, `${checked} uses checked`);
});
