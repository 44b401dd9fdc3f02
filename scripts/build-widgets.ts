/**
 * Bundles the widgets (`widgets/index.ts` with Lit, the `widgets` locale files and core's
 * Persian helpers) into one minified ES module, `dist/widgets/peyvand.<hash>.js`, with its
 * source map and `manifest.json` (see core/http/widget-assets.ts). `npm run build` runs it;
 * the widget tests call {@link buildWidgets} so they always test the current source.
 *
 * Files are written to a temporary name and renamed, so a server reading the folder, or a
 * second build of the same source running at the same time, never sees half a file.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { defaultWidgetsDir, WIDGET_MANIFEST_FILE, type WidgetManifest } from '../core/http/widget-assets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bundle into `outDir` (default `dist/widgets`) and returns its manifest. */
export async function buildWidgets(outDir: string = defaultWidgetsDir()): Promise<WidgetManifest> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'widgets', 'index.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    sourcemap: 'linked',
    entryNames: 'peyvand.[hash]',
    outdir: outDir,
    write: false,
    charset: 'utf8',
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (!js || !map) throw new Error('esbuild produced no bundle');
  const file = path.basename(js.path);
  const manifest: WidgetManifest = {
    file,
    sourceMap: path.basename(map.path),
    integrity: `sha384-${createHash('sha384').update(js.contents).digest('base64')}`,
    bytes: js.contents.byteLength,
    gzipBytes: gzipSync(js.contents).byteLength,
  };
  fs.mkdirSync(outDir, { recursive: true });
  writeAtomically(path.join(outDir, file), js.contents);
  writeAtomically(path.join(outDir, manifest.sourceMap), map.contents);
  writeAtomically(path.join(outDir, WIDGET_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  // Earlier builds' files: only the current one is served.
  for (const old of fs.readdirSync(outDir)) {
    if (/^peyvand\..+\.js(\.map)?$/.test(old) && old !== file && old !== manifest.sourceMap) fs.rmSync(path.join(outDir, old), { force: true });
  }
  return manifest;
}

function writeAtomically(target: string, contents: Uint8Array | string): void {
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, target);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const manifest = await buildWidgets();
  console.log(`widgets: dist/widgets/${manifest.file} (${(manifest.gzipBytes / 1024).toFixed(1)} KB gzipped)`);
}
