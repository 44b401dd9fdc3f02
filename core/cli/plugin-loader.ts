/**
 * Which plugins the `peyvand` CLI and `npm start` run with: named in configuration, never
 * imported by core. Every command (serve, start, migrate, tenants, keys, plugins) loads
 * the same set, so migrations and plugin switches always agree.
 *
 * - `PEYVAND_PLUGINS=sales,support,./my-plugin,@acme/peyvand-loyalty` — comma-separated;
 * - else `peyvand.config.js` / `.mjs` / `.ts` in the working directory, default-exporting
 *   `{ plugins?: string[]; pluginOptions?: { [pluginName]: options } }` (the `.ts` form
 *   needs a TypeScript loader such as `node --import tsx`);
 * - else every built-in plugin found next to core (`dist/plugins/<name>/index.js`) and
 *   every built-in ERP adapter (`dist/adapters/<name>/index.js`, named `erp-<name>`), so a
 *   new built-in is served without editing core.
 *
 * An entry is a built-in name (`sales`, the package export `peyvand/plugins/sales`; an
 * adapter as `erp-odoo` or `peyvand/adapters/odoo`), a
 * local path (`./x`, `/x`: a module file or a folder with a package.json or index.js) or
 * an npm package name resolved from the working directory — all loaded the same way:
 * the module's default export is the plugin. Options come from `pluginOptions` of the
 * config file, under the plugin's name, whichever way the list was given.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BootError } from '../plugin/errors.js';
import type { AnyPlugin } from '../plugin/contract.js';

/** The plugins and their options, as configured. */
export interface InstalledPlugins {
  plugins: AnyPlugin[];
  /** Options per plugin name. */
  options: Record<string, unknown>;
  /** Where the list came from, for `peyvand plugins list` and logs. */
  source: 'PEYVAND_PLUGINS' | 'config' | 'built-ins';
  /** The module file each plugin was loaded from, in the order of `plugins`. */
  files: string[];
}

/**
 * Whether `file` is a built-in plugin's or adapter's module (their widgets are always in
 * the build; a plugin from elsewhere is built only when configured).
 */
export function isBuiltInModule(file: string): boolean {
  const inside = (dir: string) => !path.relative(dir, file).startsWith('..');
  return inside(builtInPluginsDir()) || inside(builtInAdaptersDir());
}

/** The shape of `peyvand.config.{js,mjs,ts}`. */
export interface PeyvandConfigFile {
  plugins?: string[];
  pluginOptions?: Record<string, unknown>;
}

const CONFIG_FILES = ['peyvand.config.js', 'peyvand.config.mjs', 'peyvand.config.ts'];
const MODULE_FILES = ['index.js', 'index.mjs', 'index.ts'];

/** The folder of the built-in plugins: `dist/plugins` when built, `plugins` from source. */
export function builtInPluginsDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugins');
}

/** The folder of the built-in ERP adapters, beside the plugins'. */
export function builtInAdaptersDir(): string {
  return path.resolve(builtInPluginsDir(), '../adapters');
}

/** Folders of `dir` with an index module. */
function moduleFolders(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && MODULE_FILES.some((f) => fs.existsSync(path.join(dir, e.name, f))))
    .map((e) => e.name)
    .sort();
}

/** Names of the built-in plugins and adapters (`erp-<folder>`) present, in name order. */
export function builtInPluginNames(): string[] {
  return [...moduleFolders(builtInPluginsDir()), ...moduleFolders(builtInAdaptersDir()).map((name) => `${ADAPTER_PREFIX}${name}`)].sort();
}

const ADAPTER_PREFIX = 'erp-';

function invalid(message: string): BootError {
  return new BootError('CONFIG_INVALID', undefined, message);
}

/** Loads the configured plugins (see the module comment for the rules). */
export async function loadInstalledPlugins(env: NodeJS.ProcessEnv, cwd: string): Promise<InstalledPlugins> {
  const config = await readConfigFile(cwd);
  const fromEnv = env.PEYVAND_PLUGINS?.split(',').map((e) => e.trim()).filter(Boolean);
  const source = fromEnv ? 'PEYVAND_PLUGINS' : config?.plugins ? 'config' : 'built-ins';
  const entries = fromEnv ?? config?.plugins ?? builtInPluginNames();
  const plugins: AnyPlugin[] = [];
  const files: string[] = [];
  for (const entry of entries) {
    const loaded = await loadPluginModule(entry, cwd);
    plugins.push(loaded.plugin);
    files.push(loaded.file);
  }
  return { plugins, options: config?.pluginOptions ?? {}, source, files };
}

async function readConfigFile(cwd: string): Promise<PeyvandConfigFile | undefined> {
  const file = CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => fs.existsSync(f));
  if (!file) return undefined;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    const hint = file.endsWith('.ts') ? ' (a .ts config needs a TypeScript loader, e.g. node --import tsx; or write peyvand.config.js)' : '';
    throw invalid(`${path.basename(file)} cannot be loaded${hint}: ${(err as Error).message}`);
  }
  const config = loaded.default as PeyvandConfigFile | undefined;
  const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!config || typeof config !== 'object' || (config.plugins !== undefined && !isStringList(config.plugins)) || (config.pluginOptions !== undefined && (typeof config.pluginOptions !== 'object' || config.pluginOptions === null))) {
    throw invalid(`${path.basename(file)} must default-export { plugins?: string[], pluginOptions?: { [name]: options } }`);
  }
  return config;
}

/** Loads one entry (a built-in name, a local path or an npm package): the plugin and the module file it came from. */
async function loadPluginModule(entry: string, cwd: string): Promise<{ plugin: AnyPlugin; file: string }> {
  const file = resolveEntry(entry, cwd);
  if (!file) throw invalid(`plugin "${entry}" not found (a built-in name, a path starting with ./ or /, or an installed npm package)`);
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const plugin = module.default as Partial<AnyPlugin> | undefined;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || typeof plugin.version !== 'string') {
    throw invalid(`plugin "${entry}" (${file}) has no default export made with definePlugin`);
  }
  return { plugin: plugin as AnyPlugin, file };
}

function resolveEntry(entry: string, cwd: string): string | undefined {
  if (entry.startsWith('.') || path.isAbsolute(entry)) return resolveModulePath(path.resolve(cwd, entry));
  const builtIn = entry.replace(/^peyvand\/plugins\//, '');
  if (/^[a-z][a-z0-9-]*$/.test(builtIn)) {
    const found = resolveModulePath(path.join(builtInPluginsDir(), builtIn));
    if (found) return found;
  }
  const adapter = /^(?:erp-|peyvand\/adapters\/)([a-z][a-z0-9-]*)$/.exec(entry)?.[1];
  if (adapter) {
    const found = resolveModulePath(path.join(builtInAdaptersDir(), adapter));
    if (found) return found;
  }
  // An npm package, looked up from the working directory upwards like Node does.
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const found = resolveModulePath(path.join(dir, 'node_modules', entry));
    if (found) return found;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A module file, or a folder's entry (package.json `exports`/`main`, else index.*). */
function resolveModulePath(target: string): string | undefined {
  if (fs.existsSync(target) && fs.statSync(target).isFile()) return target;
  if (!fs.existsSync(target) || !fs.statSync(target).isDirectory()) {
    // `./x.js` written for the build may exist only as `./x.ts` when run from source.
    const ts = target.replace(/\.js$/, '.ts');
    return ts !== target && fs.existsSync(ts) ? ts : undefined;
  }
  const manifest = path.join(target, 'package.json');
  if (fs.existsSync(manifest)) {
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { exports?: unknown; main?: string };
    const main = packageEntry(pkg.exports) ?? pkg.main;
    if (main) return resolveModulePath(path.join(target, main));
  }
  return MODULE_FILES.map((f) => path.join(target, f)).find((f) => fs.existsSync(f));
}

/** The `.` entry of a package's `exports` (string, or the import/default condition). */
function packageEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (!exports || typeof exports !== 'object') return undefined;
  const root = (exports as Record<string, unknown>)['.'] ?? exports;
  if (typeof root === 'string') return root;
  if (root && typeof root === 'object') {
    const conditions = root as Record<string, unknown>;
    const pick = conditions.import ?? conditions.default;
    return typeof pick === 'string' ? pick : undefined;
  }
  return undefined;
}

/**
 * Test hook of the crash harness, and nothing else: `PEYVAND_TEST_PLUGINS` lists
 * (comma-separated, relative to the working directory) modules whose default export is a
 * plugin to boot with, e.g. `test/fixtures/recorder-plugin.ts` under `node --import tsx`.
 * Only files inside a `test/fixtures/` folder are accepted, so a stray variable cannot
 * load arbitrary code into a production server; unset, this returns nothing.
 */
export async function testFixturePlugins(env: NodeJS.ProcessEnv, cwd: string): Promise<AnyPlugin[]> {
  const list = env.PEYVAND_TEST_PLUGINS?.trim();
  if (!list) return [];
  const plugins: AnyPlugin[] = [];
  for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
    const file = path.resolve(cwd, entry);
    if (!file.split(path.sep).join('/').includes('/test/fixtures/')) throw new Error(`PEYVAND_TEST_PLUGINS: ${entry} is not under test/fixtures/`);
    const module = (await import(pathToFileURL(file).href)) as { default?: AnyPlugin };
    if (!module.default) throw new Error(`PEYVAND_TEST_PLUGINS: ${entry} has no default export`);
    plugins.push(module.default);
  }
  return plugins;
}
