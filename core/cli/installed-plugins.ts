/**
 * The plugins the `peyvand` CLI and `npm start` run with. This is the one place to add a
 * plugin to the standalone server: every command (serve, start, migrate, tenants, keys,
 * plugins) boots with this list, so migrations and plugin switches always agree.
 *
 * @module
 */
import type { PluginDefinition } from '../kernel/plugin.js';

/** Installed plugins besides core (which is always there). */
export function installedPlugins(): readonly PluginDefinition<never, unknown>[] {
  return [];
}

/** Options per installed plugin name. */
export function installedPluginOptions(): Record<string, unknown> {
  return {};
}
