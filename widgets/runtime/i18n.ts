/**
 * The widgets' strings: `locales/{en,fa}/widgets.json` for core's widgets, plus what each
 * plugin's widget chunk adds with {@link addMessages} when it loads (the built-ins keep
 * theirs in `locales/{en,fa}/<plugin>-widgets.json`). Same format as the server's
 * i18next — nested keys, `{{name}}` placeholders, `_one`/`_other` plural suffixes. A few
 * lines instead of i18next keep the bundle small. Numbers passed as parameters are
 * written in the locale's digits.
 */
import en from '../../locales/en/widgets.json' with { type: 'json' };
import fa from '../../locales/fa/widgets.json' with { type: 'json' };
import { formatNumber } from '../../core/plugin/persian/digits.js';
import type { Locale } from './config.js';

type Messages = { [key: string]: string | Messages };

const MESSAGES: Record<Locale, Messages> = { en: structuredClone(en), fa: structuredClone(fa) };
const plurals: Partial<Record<Locale, Intl.PluralRules>> = {};

function lookup(messages: Messages, key: string): string | undefined {
  let node: string | Messages | undefined = messages;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** A plugin's widget messages, by language: the same nested shape as `widgets.json`. */
export type WidgetMessages = Record<Locale, Messages>;

/**
 * Adds a plugin's widget messages (called once by its chunk, before it defines its
 * elements). Groups merge key by key, so a plugin adds `plugins.<name>` beside core's and
 * its own groups (`board.*`); a key core already has is kept, so a plugin cannot reword core.
 */
export function addMessages(messages: WidgetMessages): void {
  for (const locale of Object.keys(MESSAGES) as Locale[]) merge(MESSAGES[locale], messages[locale]);
}

function merge(target: Messages, source: Messages): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) target[key] = typeof value === 'string' ? value : structuredClone(value);
    else if (typeof existing === 'object' && typeof value === 'object') merge(existing, value);
  }
}

/** Parameters of a message; numbers are formatted for the locale, `count` picks the plural form. */
export type MessageParams = Record<string, string | number>;

/** The message `key` (e.g. `board.moved`) in `locale`, English when missing, the key itself as a last resort. */
export function translate(locale: Locale, key: string, params: MessageParams = {}): string {
  const count = params.count;
  let text: string | undefined;
  if (typeof count === 'number') {
    const rules = (plurals[locale] ??= new Intl.PluralRules(locale));
    text = lookup(MESSAGES[locale], `${key}_${rules.select(count)}`) ?? lookup(MESSAGES[locale], `${key}_other`);
  }
  text ??= lookup(MESSAGES[locale], key) ?? lookup(MESSAGES.en, key) ?? key;
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value, locale) : value;
  });
}
