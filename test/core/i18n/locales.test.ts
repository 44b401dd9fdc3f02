/**
 * Translations: every namespace exists in en and fa with the same keys and no empty
 * values; every core error code and permission has its strings; Accept-Language is
 * honoured with q-values.
 */
import t from 'tap';
import { loadLocaleResources, languageFrom, createI18n } from '../../../core/i18n/i18n.js';
import { coreErrors } from '../../../core/plugin/errors.js';
import { corePlugin } from '../../../core/core-plugin.js';

const flat = (o: Record<string, unknown>, prefix = ''): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? Object.entries(flat(v as Record<string, unknown>, `${prefix}${k}.`)) : [[`${prefix}${k}`, v]])));

const resources = loadLocaleResources();

t.test('fa and en carry the same keys, none empty', async (t) => {
  t.same(Object.keys(resources.fa!).sort(), Object.keys(resources.en!).sort(), 'same namespaces');
  for (const ns of Object.keys(resources.en!)) {
    const en = flat(resources.en![ns]!);
    const fa = flat(resources.fa![ns]!);
    t.same(Object.keys(fa).sort(), Object.keys(en).sort(), `${ns}: same keys`);
    for (const [key, value] of Object.entries({ ...en, ...fa })) t.ok(typeof value === 'string' && value.trim() !== '', `${ns}:${key} has text`);
    for (const [key, value] of Object.entries(fa)) {
      const placeholders = (s: unknown) => String(s).match(/\{\{\w+\}\}/g)?.sort() ?? [];
      t.same(placeholders(value), placeholders(en[key]), `${ns}:${key} keeps the same placeholders`);
    }
  }
});

t.test('every core error and permission is translated', async (t) => {
  const i18n = createI18n();
  for (const code of Object.keys(coreErrors)) {
    for (const lng of ['en', 'fa']) {
      t.ok(i18n.exists(`core:errors.${code}.title`, { lng }), `${lng} ${code} title`);
      t.ok(i18n.exists(`core:errors.${code}.detail`, { lng }), `${lng} ${code} detail`);
    }
  }
  for (const p of corePlugin.permissions ?? []) {
    t.ok(i18n.exists(p.description, { lng: 'fa' }), `${p.name} described in fa`);
  }
  t.match(i18n.t('core:errors.CUSTOMER_NOT_FOUND.detail', { lng: 'fa', id: 'x' }), /x/, 'interpolation works');
});

t.test('Accept-Language', async (t) => {
  t.equal(languageFrom('fa-IR,fa;q=0.9,en;q=0.8'), 'fa');
  t.equal(languageFrom('en;q=0.5, fa;q=0.9'), 'fa', 'q-values rank');
  t.equal(languageFrom('de-DE,de'), 'en', 'unsupported → fallback');
  t.equal(languageFrom('de', 'fa'), 'fa', 'tenant fallback');
  t.equal(languageFrom(undefined, 'fa'), 'fa');
  t.equal(languageFrom('fa;q=0, en'), 'en', 'q=0 excluded');
});
