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
import { LANGUAGES, languageFrom, type Language } from '../plugin/language.js';
import { formatNumber } from '../plugin/persian/digits.js';

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
 * Numbers in a message are written in the language's digits: «تیکت شمارهٔ ۱۲ باز شد», not
 * «تیکت شمارهٔ 12 باز شد». Only number values change (ids, addresses and URLs are strings and
 * stay as they are); `count` stays a number, since i18next picks the plural form from it.
 */
export function numbersInLanguage(params: Record<string, unknown>, lng: Language): Record<string, unknown> {
  if (lng === 'en') return params;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'number' && k !== 'count' ? formatNumber(v, lng) : v]));
}

/**
 * The translator a plugin gets as `ctx.t`: bound to its namespace, and writing the numbers
 * of a message in the language it is asked in ({@link numbersInLanguage}), as core's problem
 * messages do — timeline lines and mails in Persian carry Persian digits.
 */
export function pluginTranslator(instance: i18n, ns: string): TFunction {
  const fixed = instance.getFixedT('en', ns);
  const t = (key: string | string[], ...rest: unknown[]) => {
    const i = rest.findIndex((arg) => typeof arg === 'object' && arg !== null && !Array.isArray(arg));
    if (i >= 0) {
      const options = rest[i] as Record<string, unknown>;
      rest[i] = numbersInLanguage(options, languageFrom(typeof options.lng === 'string' ? options.lng : 'en'));
    }
    return (fixed as unknown as (...args: unknown[]) => string)(key, ...rest);
  };
  // i18next's TFunction is an overloaded type no wrapper can spell; this one passes every call through.
  return t as unknown as TFunction;
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
