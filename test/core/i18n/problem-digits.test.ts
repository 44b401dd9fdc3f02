/**
 * Numbers in Persian problem messages are written in Persian digits — the field messages
 * made from ajv's errors («باید دست‌کم ۱ نویسه باشد») and the numbers in a title or detail
 * («نسخهٔ کنونی ۲») — on every route, since one place localizes them all. English keeps
 * its digits; ids, field names and values the caller sent are never rewritten.
 */
import t from 'tap';
import type { FastifyRequest } from 'fastify';
import { createI18n, loadLocaleResources } from '../../../core/i18n/i18n.js';
import { coreError } from '../../../core/plugin/errors.js';
import { problemBody } from '../../../core/http/problem.js';
import { bootPeyvand } from '../../helpers/peyvand.js';

const LATIN_DIGIT = /[0-9]/;
const p = await bootPeyvand(t);
const owner = await (await p.tenant('digits', { locale: 'fa' })).key('owner');
const customers = (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>, headers: Record<string, string>) => p.call(owner, { method, url, payload, headers });

t.test('a field message over the API: Persian digits in fa, Latin in en', async (t) => {
  const short = await customers('POST', '/api/v1/customers', { kind: 'person', name: '' }, { 'accept-language': 'fa' });
  t.equal(short.statusCode, 400);
  t.same(short.json().errors, [{ path: '/name', message: 'نام باید دست‌کم ۱ نویسه باشد' }]);
  const long = await customers('POST', '/api/v1/customers', { kind: 'person', name: 'ن'.repeat(301) }, { 'accept-language': 'fa' });
  t.same(long.json().errors, [{ path: '/name', message: 'نام باید حداکثر ۳۰۰ نویسه باشد' }], 'the limit of the name, in Persian digits');
  const en = await customers('POST', '/api/v1/customers', { kind: 'person', name: '' }, { 'accept-language': 'en' });
  t.same(en.json().errors, [{ path: '/name', message: 'Name must be at least 1 characters' }], 'English unchanged');
});

t.test('a number in a detail: the current version of a record', async (t) => {
  const customer = (await customers('POST', '/api/v1/customers', { kind: 'person', name: 'نسخه' }, {})).json() as { id: string };
  const stale = await customers('PATCH', `/api/v1/customers/${customer.id}`, { name: 'دیگر' }, { 'accept-language': 'fa', 'if-match': '"7"' });
  t.equal(stale.statusCode, 412);
  t.match(stale.json().detail, /نسخهٔ کنونی ۱\)/);
  t.notMatch(stale.json().detail, LATIN_DIGIT);
});

t.test('every localized field message with a number, and values the caller sent kept as sent', async (t) => {
  const i18n = createI18n();
  const request = (lng: string) => ({ headers: { 'accept-language': lng }, url: '/api/v1/x', id: 'req-1' }) as unknown as FastifyRequest;
  const validation = loadLocaleResources().fa!.core!.validation as Record<string, unknown>;
  const numbered = Object.keys(validation).filter((k) => typeof validation[k] === 'string' && validation[k].includes('{{limit}}'));
  t.ok(numbered.length >= 10, `${numbered.length} messages carry a limit`);
  const err = coreError('VALIDATION_FAILED', {}, { errors: numbered.map((k) => ({ path: `/${k}`, message: k, key: `core:validation.${k}`, params: { limit: 1250 } })) });
  for (const { path, message } of problemBody(err, request('fa'), i18n).errors ?? []) {
    t.ok(message.includes('۱٬۲۵۰') && !LATIN_DIGIT.test(message), `${path}: ${message}`);
  }
  t.ok(problemBody(err, request('en'), i18n).errors?.every((e) => e.message.includes('1250')), 'en keeps 1250');

  const sent = coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/addresses/0/line2', message: 'x', key: 'core:validation.required', params: { missingProperty: 'line2' } }] });
  t.same(problemBody(sent, request('fa'), i18n).errors, [{ path: '/addresses/0/line2', message: 'نشانی (سطر دوم) الزامی است' }], 'a field is named by its label, never by its key');
  t.same(problemBody(sent, request('en'), i18n).errors, [{ path: '/addresses/0/line2', message: 'Address line 2 is required' }]);
  const unknown = coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/nickname', message: 'x', key: 'core:validation.additionalProperties' }] });
  t.same(problemBody(unknown, request('fa'), i18n).errors, [{ path: '/nickname', message: '«nickname» فیلد مجازی نیست' }], 'a key the schema does not know is quoted as the caller sent it');
  const missing = coreError('CUSTOMER_NOT_FOUND', { id: '0190a1b2-0000-7000-8000-000000000001' });
  t.match(problemBody(missing, request('fa'), i18n).detail, '0190a1b2-0000-7000-8000-000000000001', 'an id stays copyable');
});

t.test('JSON Schema’s format and type names are in the reader’s language', async (t) => {
  const i18n = createI18n();
  const request = (lng: string) => ({ headers: { 'accept-language': lng }, url: '/api/v1/x', id: 'req-1' }) as unknown as FastifyRequest;
  const err = coreError('VALIDATION_FAILED', {}, {
    errors: [
      { path: '/email', message: 'x', key: 'core:validation.format', params: { format: 'email' } },
      { path: '/limit', message: 'x', key: 'core:validation.type', params: { type: 'integer' } },
      { path: '/ownerId', message: 'x', key: 'core:validation.type', params: { type: ['string', 'null'] } },
      { path: '/odd', message: 'x', key: 'core:validation.format', params: { format: 'hostname' } },
    ],
  });
  t.same(problemBody(err, request('fa'), i18n).errors?.map((e) => e.message), [
    'ایمیل باید نشانی ایمیل معتبر باشد',
    'حداکثر تعداد باید از نوع عدد صحیح باشد',
    'مسئول باید از نوع متن، تهی باشد',
    '«odd» باید hostname معتبر باشد',
  ], 'fa: known names translated, an unknown one kept as the schema spells it');
  t.same(problemBody(err, request('en'), i18n).errors?.map((e) => e.message), [
    'Email must be a valid email address',
    'Limit must be of type whole number',
    'Owner must be of type text, null',
    '"odd" must be a valid hostname',
  ]);
});
