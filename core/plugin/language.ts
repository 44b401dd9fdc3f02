/** The languages Peyvand ships, and picking one from a request. */

/** Languages Peyvand ships. */
export const LANGUAGES = ['en', 'fa'] as const;
/** A shipped language. */
export type Language = (typeof LANGUAGES)[number];

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
