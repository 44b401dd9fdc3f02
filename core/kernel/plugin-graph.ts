/**
 * Boot-time validation of the installed plugins: identity, duplicates, core range,
 * dependencies, cycles, options and permission names. Returns the plugins in
 * dependency order (dependencies first), which is also the migration order.
 */
import semver from 'semver';
import { Ajv } from 'ajv';
import { BootError } from '../plugin/errors.js';
import { CORE_VERSION } from '../plugin/version.js';
import { WIDGET_TAG_PATTERN, type AnyPlugin } from '../plugin/contract.js';

const NAME_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A plugin that passed validation, with its resolved options. */
export interface ResolvedPlugin {
  definition: AnyPlugin;
  options: Record<string, unknown>;
}

/**
 * Validates plugins and orders them by dependency.
 * @param plugins the installed plugins (core first is not required)
 * @param optionsByPlugin raw options per plugin name
 */
export function resolvePlugins(
  plugins: readonly AnyPlugin[],
  optionsByPlugin: Readonly<Record<string, unknown>> = {},
): ResolvedPlugin[] {
  const byName = new Map<string, AnyPlugin>();
  for (const plugin of plugins) {
    checkIdentity(plugin);
    if (byName.has(plugin.name)) throw new BootError('PLUGIN_DUPLICATE', plugin.name, 'two plugins have this name');
    byName.set(plugin.name, plugin);
  }
  for (const name of Object.keys(optionsByPlugin)) {
    if (!byName.has(name)) throw new BootError('PLUGIN_OPTIONS_INVALID', name, 'options were given for a plugin that is not installed');
  }
  for (const plugin of byName.values()) {
    for (const dep of plugin.dependsOn ?? []) {
      if (!byName.has(dep)) throw new BootError('PLUGIN_DEPENDENCY_MISSING', plugin.name, `depends on "${dep}", which is not installed`);
    }
  }
  const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
  return topologicalOrder(byName).map((definition) => ({
    definition,
    options: resolveOptions(ajv, definition, optionsByPlugin[definition.name]),
  }));
}

function checkIdentity(plugin: AnyPlugin): void {
  const name = typeof plugin?.name === 'string' ? plugin.name : undefined;
  if (!name || !NAME_RE.test(name)) throw new BootError('PLUGIN_INVALID', name, 'name must be kebab-case (a-z, 0-9, dashes)');
  if (typeof plugin.version !== 'string' || !semver.valid(plugin.version)) throw new BootError('PLUGIN_INVALID', name, `version "${String(plugin.version)}" is not semver`);
  if (typeof plugin.core !== 'string' || !semver.validRange(plugin.core)) throw new BootError('PLUGIN_INVALID', name, `core range "${String(plugin.core)}" is not a semver range`);
  if (!semver.satisfies(CORE_VERSION, plugin.core, { includePrerelease: true })) {
    throw new BootError('PLUGIN_CORE_MISMATCH', name, `supports core ${plugin.core}, this is core ${CORE_VERSION}`);
  }
  for (const permission of plugin.permissions ?? []) {
    if (!permission.name.startsWith(`${name}.`) || !/^[a-z0-9-]+(\.[a-z0-9_-]+){2}$/.test(permission.name)) {
      throw new BootError('PLUGIN_INVALID', name, `permission "${permission.name}" must be "${name}.<resource>.<action>"`);
    }
  }
  for (const type of Object.keys(plugin.events ?? {})) {
    if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(type)) throw new BootError('PLUGIN_INVALID', name, `event type "${type}" must be dotted lower-case, past tense`);
  }
  for (const tag of plugin.widgets ?? []) {
    if (!WIDGET_TAG_PATTERN.test(tag)) throw new BootError('PLUGIN_INVALID', name, `widget tag "${tag}" must be "peyvand-" and lower-case kebab-case`);
  }
}

function resolveOptions(ajv: Ajv, plugin: AnyPlugin, raw: unknown): Record<string, unknown> {
  const options = structuredClone((raw ?? {}) as Record<string, unknown>);
  if (!plugin.options) {
    if (Object.keys(options).length > 0) throw new BootError('PLUGIN_OPTIONS_INVALID', plugin.name, 'the plugin takes no options');
    return options;
  }
  const validate = ajv.compile(plugin.options);
  if (!validate(options)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    throw new BootError('PLUGIN_OPTIONS_INVALID', plugin.name, problems);
  }
  return options;
}

function topologicalOrder(byName: Map<string, AnyPlugin>): AnyPlugin[] {
  const ordered: AnyPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' → ');
      throw new BootError('PLUGIN_DEPENDENCY_CYCLE', name, `dependency cycle: ${cycle}`);
    }
    state.set(name, 'visiting');
    const plugin = byName.get(name)!;
    for (const dep of plugin.dependsOn ?? []) visit(dep, [...path, name]);
    state.set(name, 'done');
    ordered.push(plugin);
  };
  // Core first (every plugin stands on it), then sorted names, so the order is
  // deterministic whatever order plugins were listed in.
  const names = [...byName.keys()].sort((a, b) => (a === 'core' ? -1 : b === 'core' ? 1 : a.localeCompare(b)));
  for (const name of names) visit(name, []);
  return ordered;
}
