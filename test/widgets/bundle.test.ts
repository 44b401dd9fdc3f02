/**
 * The widget bundle without a browser: its size budget (60 KB gzipped, printed), how
 * Peyvand serves it (content types, cache headers, CORS for a module script on another
 * origin, gzip, 304, unknown hashes, not built yet), the default theme's contrast ratios
 * (WCAG AA, computed from the colours), no HTML written from strings anywhere in the
 * widgets or the example page, and every message key the widgets use existing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { buildWidgets } from '../../scripts/build-widgets.js';
import { packageRoot } from '../../core/paths.js';
import { CONTRAST_PAIRS, DEFAULT_THEME } from '../../widgets/runtime/theme.js';
import { bootPeyvand } from '../helpers/peyvand.js';

const BUDGET_BYTES = 60 * 1024;
const root = packageRoot();
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-widgets-'));
t.teardown(() => fs.rmSync(outDir, { recursive: true, force: true }));
const manifest = await buildWidgets(outDir);

t.test('budget: the whole bundle is at most 60 KB gzipped', async (t) => {
  const size = `${(manifest.gzipBytes / 1024).toFixed(1)} KB gzipped (${(manifest.bytes / 1024).toFixed(1)} KB minified)`;
  t.comment(`widget bundle: ${size}, budget ${BUDGET_BYTES / 1024} KB`);
  t.ok(manifest.gzipBytes <= BUDGET_BYTES, `bundle is ${size}; the budget is ${BUDGET_BYTES / 1024} KB gzipped`);
  const js = fs.readFileSync(path.join(outDir, manifest.file), 'utf8');
  t.match(manifest.file, /^peyvand\.[A-Z0-9]{8}\.js$/, 'content hash in the name');
  t.ok(js.trimEnd().endsWith(`//# sourceMappingURL=${manifest.sourceMap}`), 'linked source map');
  t.notMatch(js, /(?:^|[;}])import\s*[{*"']/, 'self-contained: no import statements left');
  t.ok(js.includes('تومان') && js.includes('arabext'), 'core’s Persian money and digit formatting is bundled in');
  const map = JSON.parse(fs.readFileSync(path.join(outDir, manifest.sourceMap), 'utf8')) as { sources: string[] };
  t.ok(map.sources.some((s) => s.endsWith('widgets/peyvand-deal-board.ts')) && map.sources.some((s) => s.endsWith('core/persian/jalali.ts')), 'the map points at the sources');
  const again = await buildWidgets(outDir);
  t.equal(again.file, manifest.file, 'the same source builds to the same name');
  t.same(fs.readdirSync(outDir).sort(), ['manifest.json', manifest.file, manifest.sourceMap].sort(), 'nothing else left in the folder');
});

t.test('serving: short-cached alias, immutable versioned file, source map, manifest; CORS for every origin', async (t) => {
  const p = await bootPeyvand(t, { http: { widgetsDir: outDir } });
  const get = (url: string, headers: Record<string, string> = {}) => p.call(undefined, { method: 'GET', url, headers: { origin: 'https://erp.example.com', ...headers } });
  const js = fs.readFileSync(path.join(outDir, manifest.file));

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
  const served = await get('/widgets/manifest.json');
  t.same(served.json(), manifest, 'the manifest tells hosts the versioned file and its integrity');
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

t.test('safety: nothing in the widgets or the example page turns strings into HTML', async (t) => {
  const files = [...sources(path.join(root, 'widgets'), /\.ts$/), ...sources(path.join(root, 'examples', 'erp-host'), /\.(js|html)$/)];
  t.ok(files.length >= 15, `${files.length} files`);
  for (const file of files) {
    const code = fs.readFileSync(file, 'utf8');
    const name = path.relative(root, file);
    t.notMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|unsafeHTML|unsafeSVG|\beval\(|new Function\(/, `${name}: no HTML from strings`);
    if (!name.endsWith('styles.ts')) t.notMatch(code, /unsafeCSS/, `${name}: no CSS from strings`);
  }
});

t.test('i18n: every message key the widgets use exists', async (t) => {
  const en = JSON.parse(fs.readFileSync(path.join(root, 'locales', 'en', 'widgets.json'), 'utf8')) as Record<string, unknown>;
  const node = (key: string): unknown => key.split('.').reduce<unknown>((n, part) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[part] : undefined), en);
  let checked = 0;
  for (const file of sources(path.join(root, 'widgets'), /\.ts$/)) {
    const code = fs.readFileSync(file, 'utf8');
    for (const [, key] of code.matchAll(/this\.t\('([a-zA-Z.]+)'/g)) {
      checked++;
      t.ok(typeof node(key!) === 'string' || typeof node(`${key}_other`) === 'string', `${path.basename(file)}: ${key}`);
    }
    // `kinds.${customer.kind}`: the part before the placeholder is a group of messages.
    for (const [, prefix] of code.matchAll(/this\.t\(`([a-zA-Z.]+)\.\$\{/g)) {
      checked++;
      t.equal(typeof node(prefix!), 'object', `${path.basename(file)}: ${prefix}.*`);
    }
  }
  t.ok(checked > 80, `${checked} uses checked`);
});
