/**
 * i18next over `locales/<lng>/<namespace>.json`. One instance per kernel (no global
 * i18next), loaded synchronously at boot from the package's locales folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { packageRoot } from '../paths.js';

/** Languages Peyvand ships. */
export const LANGUAGES = ['en', 'fa'] as const;
/** A shipped language. */
export type Language = (typeof LANGUAGES)[number];

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

/**
 * Picks the language from an `Accept-Language` header (`fa-IR,fa;q=0.9,en;q=0.8`),
 * honouring q-values, falling back to `fallback`.
 */
export function languageFrom(acceptLanguage: string | undefined, fallback: Language = 'en'): Language {
  if (!acceptLanguage) return fallback;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lng: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((x) => x.lng && !Number.isNaN(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q);
  const hit = ranked.find((x) => (LANGUAGES as readonly string[]).includes(x.lng));
  return hit ? (hit.lng as Language) : fallback;
}

/** A translator fixed to one language (and optionally one namespace). */
export function translator(instance: i18n, lng: Language, ns?: string): TFunction {
  return instance.getFixedT(lng, ns ?? null);
}
