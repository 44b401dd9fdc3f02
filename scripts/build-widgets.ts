/**
 * Builds the widgets (see docs/widgets.md, "How the bundle is built"): esbuild with code
 * splitting makes
 *
 * - `peyvand.<hash>.js`, the entry served as `/widgets/peyvand.js`: core's widgets, the
 *   host contract, and a generated map tag → plugin chunk (module `peyvand:plugin-widgets`);
 * - `plugin.<name>.<hash>.js`, one lazily loaded chunk per plugin that ships widgets
 *   (`plugins/<name>/widgets/index.ts`, its tags declared in the plugin's `widgets`);
 * - `shared.<hash>.js`, code the entry and the plugin chunks share (Lit, the runtime),
 *
 * each with its source map, and `manifest.json` listing them with their integrity (see
 * core/http/widget-assets.ts). `npm run build` runs it; the widget tests call
 * {@link buildWidgets} so they always test the current source.
 *
 * Files are written to a temporary name and renamed, the manifest last, so a server reading
 * the folder, or a second build of the same source running at the same time, never sees
 * half a build.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type OutputFile, type Plugin } from 'esbuild';
import { isBuiltInModule, loadInstalledPlugins } from '../core/cli/plugin-loader.js';
import { WIDGET_TAG_PATTERN } from '../core/plugin/contract.js';
import { defaultWidgetsDir, WIDGET_FILE_NAME, WIDGET_MANIFEST_FILE, type WidgetChunk, type WidgetManifest } from '../core/http/widget-assets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIME_ENTRY = path.join(ROOT, 'widgets', 'runtime', 'index.ts');

/** One plugin's widgets, as the build takes them. */
export interface PluginWidgetSource {
  /** The plugin's name (its chunk is `plugin.<name>.<hash>.js`). */
  plugin: string;
  /** The chunk's entry module: defines every tag in `tags`. */
  entry: string;
  /** The custom element tags it defines: the plugin's declared `widgets`. */
  tags: readonly string[];
}

/** Options of {@link buildWidgets}. */
export interface BuildWidgetsOptions {
  /** The plugins whose widgets to build; default: every built-in plugin that ships some ({@link builtInPluginWidgets}). */
  plugins?: readonly PluginWidgetSource[];
}

/**
 * The built-in plugins' widgets: every `plugins/<name>/widgets/index.ts`, with the tags its
 * plugin declares in `widgets`. A folder without declared tags, or tags without a folder,
 * is an error, so the two cannot drift apart.
 */
export async function builtInPluginWidgets(): Promise<PluginWidgetSource[]> {
  const pluginsDir = path.join(ROOT, 'plugins');
  const sources: PluginWidgetSource[] = [];
  for (const name of fs.readdirSync(pluginsDir).sort()) {
    const index = path.join(pluginsDir, name, 'index.ts');
    if (!fs.existsSync(index)) continue;
    const definition = ((await import(pathToFileURL(index).href)) as { default: { widgets?: readonly string[] } }).default;
    const source = widgetSource(name, definition.widgets ?? [], [path.join(pluginsDir, name)]);
    if (source) sources.push(source);
  }
  return sources;
}

/**
 * The widgets of the configured plugins that are not built in (`PEYVAND_PLUGINS` or
 * `peyvand.config`, read from `cwd` exactly as the server reads them): for each, the
 * `widgets/index.{ts,js,mjs}` beside its module file, or at the root of its package. The
 * same rules as for the built-ins: declared tags need that file and the file needs them.
 */
export async function configuredPluginWidgets(env: NodeJS.ProcessEnv, cwd: string): Promise<PluginWidgetSource[]> {
  const installed = await loadInstalledPlugins(env, cwd);
  const sources: PluginWidgetSource[] = [];
  installed.plugins.forEach((plugin, i) => {
    const file = installed.files[i]!;
    if (isBuiltInModule(file)) return;
    const source = widgetSource(plugin.name, plugin.widgets ?? [], [path.dirname(file), packageDir(path.dirname(file))]);
    if (source && !sources.some((s) => s.plugin === source.plugin)) sources.push(source);
  });
  return sources;
}

const WIDGET_ENTRY_FILES = ['index.ts', 'index.js', 'index.mjs'];

/** A plugin's widget entry, looked for in `<dir>/widgets/` of each of `dirs`, checked against its declared tags. */
function widgetSource(plugin: string, tags: readonly string[], dirs: ReadonlyArray<string | undefined>): PluginWidgetSource | undefined {
  const candidates = dirs.filter((d): d is string => d !== undefined).flatMap((d) => WIDGET_ENTRY_FILES.map((f) => path.join(d, 'widgets', f)));
  const entry = candidates.find((f) => fs.existsSync(f));
  if (entry && tags.length === 0) throw new Error(`${path.relative(ROOT, entry)} exists, but plugin ${plugin} declares no \`widgets\`: list the tags it defines`);
  if (!entry && tags.length > 0) throw new Error(`plugin ${plugin} declares widgets (${tags.join(', ')}) but has no widgets/index.ts (looked for ${candidates.map((c) => path.relative(ROOT, c)).join(', ')})`);
  return entry ? { plugin, entry, tags } : undefined;
}

/** The nearest folder at or above `dir` holding a package.json, if any. */
function packageDir(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Builds the widgets into `outDir` (default `dist/widgets`) and returns the manifest. */
export async function buildWidgets(outDir: string = defaultWidgetsDir(), options: BuildWidgetsOptions = {}): Promise<WidgetManifest> {
  const plugins = options.plugins ?? (await builtInPluginWidgets());
  checkPlugins(plugins);
  const result = await build({
    entryPoints: [{ in: path.join(ROOT, 'widgets', 'index.ts'), out: 'peyvand' }, ...plugins.map((p) => ({ in: p.entry, out: `plugin.${p.plugin}` }))],
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    sourcemap: 'linked',
    entryNames: '[name].[hash]',
    chunkNames: 'shared.[hash]',
    outdir: outDir,
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
    charset: 'utf8',
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [pluginWidgetsModule(plugins)],
  });

  const outputs = new Map(result.outputFiles.map((f) => [path.basename(f.path), f]));
  const chunks: WidgetChunk[] = [];
  let entry: WidgetChunk | undefined;
  for (const [outPath, meta] of Object.entries(result.metafile.outputs)) {
    const name = path.basename(outPath);
    if (!name.endsWith('.js')) continue;
    const source = meta.entryPoint ? path.resolve(ROOT, meta.entryPoint) : undefined;
    const plugin = source ? plugins.find((p) => path.resolve(p.entry) === source) : undefined;
    const chunk = describe(name, outputs, plugin);
    if (name.startsWith('peyvand.')) entry = chunk;
    else chunks.push(chunk);
  }
  if (!entry) throw new Error('esbuild produced no entry module');
  chunks.sort((a, b) => a.file.localeCompare(b.file));
  const { kind: _kind, plugin: _plugin, tags: _tags, ...entryFile } = entry;
  const manifest: WidgetManifest = { ...entryFile, chunks };

  fs.mkdirSync(outDir, { recursive: true });
  // Chunks before the entry, the manifest last: whoever reads the manifest finds its files.
  for (const file of [...chunks, entry]) {
    writeAtomically(path.join(outDir, file.sourceMap), outputs.get(file.sourceMap)!.contents);
    writeAtomically(path.join(outDir, file.file), outputs.get(file.file)!.contents);
  }
  writeAtomically(path.join(outDir, WIDGET_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  // Earlier builds' files: only the current build is served.
  const current = new Set([entry, ...chunks].flatMap((f) => [f.file, f.sourceMap]));
  for (const old of fs.readdirSync(outDir)) {
    if (WIDGET_FILE_NAME.test(old.replace(/\.map$/, '')) && !current.has(old)) fs.rmSync(path.join(outDir, old), { force: true });
  }
  return manifest;
}

/** Tags valid, unique across plugins and core, and each one defined in its plugin's sources. */
function checkPlugins(plugins: readonly PluginWidgetSource[]): void {
  const owner = new Map<string, string>();
  for (const file of fs.readdirSync(path.join(ROOT, 'widgets'))) {
    const tag = /^(peyvand-[a-z0-9-]+)\.ts$/.exec(file)?.[1];
    if (tag) owner.set(tag, 'core');
  }
  for (const { plugin, entry, tags } of plugins) {
    if (!/^[a-z][a-z0-9-]*$/.test(plugin)) throw new Error(`plugin name "${plugin}" is not kebab-case`);
    const sources = fs.readdirSync(path.dirname(entry), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(path.dirname(entry), f), 'utf8'))
      .join('\n');
    for (const tag of tags) {
      if (!WIDGET_TAG_PATTERN.test(tag)) throw new Error(`plugin ${plugin}: widget tag "${tag}" must be lower-case kebab-case starting with "peyvand-"`);
      const other = owner.get(tag);
      if (other) throw new Error(`plugin ${plugin}: widget tag ${tag} is already ${other}'s`);
      owner.set(tag, plugin);
      if (!sources.includes(`define('${tag}'`)) throw new Error(`plugin ${plugin} declares ${tag}, but no \`define('${tag}', …)\` is in ${path.relative(ROOT, path.dirname(entry))}`);
    }
  }
}

/**
 * `peyvand:plugin-widgets`: each declared tag mapped to a dynamic import of its plugin's
 * entry, which esbuild turns into a load of that plugin's chunk. Also resolves
 * `peyvand/widgets/runtime` (what a plugin outside this package imports) to the runtime,
 * so every chunk shares it.
 */
function pluginWidgetsModule(plugins: readonly PluginWidgetSource[]): Plugin {
  return {
    name: 'peyvand-plugin-widgets',
    setup(b) {
      b.onResolve({ filter: /^peyvand:plugin-widgets$/ }, () => ({ path: 'plugin-widgets', namespace: 'peyvand' }));
      b.onResolve({ filter: /^peyvand\/widgets\/runtime$/ }, () => ({ path: RUNTIME_ENTRY }));
      b.onLoad({ filter: /.*/, namespace: 'peyvand' }, () => {
        const lines = plugins.map((p, i) => `const load${i} = () => import(${JSON.stringify(p.entry)});`);
        const map = plugins.flatMap((p, i) => p.tags.map((tag) => `  ${JSON.stringify(tag)}: load${i},`));
        return { contents: `${lines.join('\n')}\nexport const pluginWidgets = {\n${map.join('\n')}\n};\n`, loader: 'js', resolveDir: ROOT };
      });
    },
  };
}

function describe(name: string, outputs: Map<string, OutputFile>, plugin: PluginWidgetSource | undefined): WidgetChunk {
  const js = outputs.get(name);
  if (!js || !outputs.has(`${name}.map`)) throw new Error(`esbuild produced ${name} without its source map`);
  return {
    file: name,
    sourceMap: `${name}.map`,
    integrity: `sha384-${createHash('sha384').update(js.contents).digest('base64')}`,
    bytes: js.contents.byteLength,
    gzipBytes: gzipSync(js.contents).byteLength,
    kind: plugin ? 'plugin' : 'shared',
    plugin: plugin?.plugin ?? null,
    tags: plugin ? [...plugin.tags] : [],
  };
}

function writeAtomically(target: string, contents: Uint8Array | string): void {
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, target);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npm run build` (and so `npm start`): the built-ins, plus the plugins configured for
  // this server that come from elsewhere, into the folder the server serves.
  const outDir = process.env.PEYVAND_WIDGETS_DIR ? path.resolve(process.env.PEYVAND_WIDGETS_DIR) : defaultWidgetsDir();
  const plugins = [...(await builtInPluginWidgets()), ...(await configuredPluginWidgets(process.env, process.cwd()))];
  const manifest = await buildWidgets(outDir, { plugins });
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`widgets: ${path.relative(process.cwd(), path.join(outDir, manifest.file))} (${kb(manifest.gzipBytes)} gzipped)`);
  for (const chunk of manifest.chunks) console.log(`  ${chunk.file} (${kb(chunk.gzipBytes)} gzipped)${chunk.plugin ? `: ${chunk.tags.join(', ')}` : ''}`);
}
