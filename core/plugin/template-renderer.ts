/**
 * Handlebars with the doors closed: an isolated environment per kernel, only the helpers
 * given here, no prototype access, and templates always compiled from strings (never a
 * caller-supplied AST).
 */
import Handlebars from 'handlebars';
import type { TemplateRenderer } from './services.js';
import { formatDate, formatNumber, toPersianDigits } from './persian/index.js';

export type { TemplateRenderer } from './services.js';

/** How a renderer writes values: escaped for HTML (the default), or as they are for plain text. */
export interface RendererOptions {
  /** `'text'` for a subject or a plain-text body: «Tom & Jerry» stays «Tom & Jerry». */
  output?: 'html' | 'text';
}

/** Creates an isolated renderer with the given helpers. */
export function createTemplateRenderer(helpers: Record<string, Handlebars.HelperDelegate> = {}, options: RendererOptions = {}): TemplateRenderer {
  const noEscape = options.output === 'text';
  const env = Handlebars.create();
  // The built-in `{{log …}}` would let a stored template write raw lines to the server's
  // console (forged log lines); it stays known, so old templates compile, but writes nothing.
  env.registerHelper('log', () => '');
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
  const known = Object.fromEntries(Object.keys(helpers).map((n) => [n, true]));
  const cache = new Map<string, HandlebarsTemplateDelegate>();
  return {
    render(template, data) {
      if (typeof template !== 'string') throw new TypeError('a template must be a string');
      let compiled = cache.get(template);
      if (!compiled) {
        compiled = env.compile(template, { strict: false, knownHelpers: known, knownHelpersOnly: true, noEscape });
        if (cache.size > 500) cache.clear();
        cache.set(template, compiled);
      }
      return compiled(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
    },
  };
}

/**
 * A renderer with the helpers every message template of a plugin offers, written for one
 * language: `digits` (Persian digits in fa), `number` (grouped in the language) and `date`
 * (a timestamp or ISO string as a Jalali date in fa, Tehran time; Gregorian UTC in en).
 */
export function localizedTemplateRenderer(locale: 'fa' | 'en', options: RendererOptions = {}): TemplateRenderer {
  const asDate = (v: unknown) => new Date(typeof v === 'number' || typeof v === 'string' ? v : Number.NaN);
  return createTemplateRenderer({
    digits: (v: unknown) => (locale === 'fa' ? toPersianDigits(String(v ?? '')) : String(v ?? '')),
    number: (v: unknown) => (typeof v === 'number' ? formatNumber(v, locale) : String(v ?? '')),
    date: (v: unknown) => {
      const d = asDate(v);
      return Number.isNaN(d.getTime()) ? '' : formatDate(d, locale, { timeZone: locale === 'fa' ? 'Asia/Tehran' : 'UTC' });
    },
  }, options);
}
