/**
 * i18next over `locales/<lng>/<namespace>.json`. One instance per kernel (no global
 * i18next), loaded synchronously at boot from the package's locales folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../paths.js';
import { BootError } from '../plugin/errors.js';
import { LANGUAGES, type Language } from '../plugin/language.js';

export { LANGUAGES, languageFrom, type Language } from '../plugin/language.js';

/** Reads every namespace file of every language. */
export function loadLocaleResources(dir: string = path.join(packageRoot(), 'locales')): Record<string, Record<string, Record<string, unknown>>> {
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const lng of LANGUAGES) {
    resources[lng] = {};
    const folder = path.join(dir, lng);
    if (!fs.existsSync(folder)) continue;
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.json'))) {
      resources[lng][file.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')) as Record<string, unknown>;
    }
  }
  return resources;
}

/** Creates an initialized i18next instance. */
export function createI18n(): i18n {
  const resources = loadLocaleResources();
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(resources.en ?? {}),
    defaultNS: 'core',
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  return instance;
}

/** A translator fixed to one language (and optionally one namespace). */
export function translator(instance: i18n, lng: Language, ns?: string): TFunction {
  return instance.getFixedT(lng, ns ?? null);
}

/**
 * Adds a plugin's own messages (`<dir>/<lng>/<namespace>.json` for every language) to an
 * i18next instance. A missing language file is a boot error: every user-visible string
 * exists in English and Persian.
 */
export function addPluginLocales(instance: i18n, plugin: string, namespace: string, dir: string | URL): void {
  const folder = dir instanceof URL || dir.startsWith('file:') ? fileURLToPath(dir) : dir;
  for (const lng of LANGUAGES) {
    const file = path.join(folder, lng, `${namespace}.json`);
    if (!fs.existsSync(file)) throw new BootError('PLUGIN_INVALID', plugin, `localesDir has no ${lng}/${namespace}.json (${file}): every message needs en and fa`);
    instance.addResourceBundle(lng, namespace, JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, true, true);
  }
}
