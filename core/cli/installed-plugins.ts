/**
 * The plugins the `peyvand` CLI and `npm start` run with. This is the one place to add a
 * plugin to the standalone server: every command (serve, start, migrate, tenants, keys,
 * plugins) boots with this list, so migrations and plugin switches always agree.
 *
 * @module
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyPlugin, PluginDefinition } from '../kernel/plugin.js';
import sales from '../../plugins/sales/index.js';

/** Installed plugins besides core (which is always there). */
export function installedPlugins(): readonly PluginDefinition<never, unknown>[] {
  return [sales];
}

/** Options per installed plugin name. */
export function installedPluginOptions(): Record<string, unknown> {
  return {};
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
