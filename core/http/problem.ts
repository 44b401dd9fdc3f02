/**
 * RFC 9457 problem+json for every error, with a stable `code` and `title`, `detail` and
 * field messages in the caller's language. Unexpected errors become a 500 that is
 * logged with the request id, which is also in the body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { i18n, TFunction } from 'i18next';
import { coreError, PeyvandError, type FieldError } from '../errors.js';
import { languageFrom, translator, type Language } from '../i18n/i18n.js';
import { formatNumber } from '../persian/digits.js';
import { MAX_FIELD_ERRORS } from './validation.js';

/** The body of an error response. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  requestId: string;
  errors?: Array<{ path: string; message: string }>;
}

/**
 * JSON Schema of a problem body, used inline by every route's error responses. Inline,
 * not a shared `$id`, so it can never clash with a schema of the host app Peyvand is
 * mounted into.
 */
export const problemSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
} as const;

/** The language of a request: Accept-Language, else the tenant's, else English. */
export function requestLanguage(request: FastifyRequest): Language {
  return languageFrom(request.headers['accept-language'], request.tenantLocale ?? 'en');
}

/** Maps any thrown value to a {@link PeyvandError}. */
export function toPeyvandError(error: unknown): PeyvandError {
  if (error instanceof PeyvandError) return error;
  const e = error as FastifyError & { validation?: Array<Record<string, unknown>>; validationContext?: string };
  if (Array.isArray(e.validation)) return coreError('VALIDATION_FAILED', {}, { errors: e.validation.slice(0, MAX_FIELD_ERRORS).map((v) => ajvToFieldError(v as unknown as Record<string, unknown>, e.validationContext)) });
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return coreError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return coreError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return coreError('VALIDATION_FAILED', {}, { errors: [{ path: '', message: e.message, key: 'core:validation.malformedBody' }] });
    // A path with invalid percent-encoding (`%FF`, `%ED%A0%80`) or an overlong parameter never reaches a route.
    case 'FST_ERR_BAD_URL':
      return coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/url', message: e.message, key: 'core:validation.badUrl' }] });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/url', message: 'a path parameter is too long', key: 'core:validation.paramTooLong' }] });
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && typeof e.message === 'string')) {
    return coreError('VALIDATION_FAILED', {}, { errors: [{ path: '', message: e.message, key: 'core:validation.malformedBody' }] });
  }
  if (e.statusCode === 429) return coreError('RATE_LIMITED');
  if (e.statusCode === 404) return coreError('ROUTE_NOT_FOUND');
  return coreError('INTERNAL', {}, { cause: error });
}

function ajvToFieldError(v: Record<string, unknown>, context: string | undefined): FieldError {
  const params = (v.params ?? {}) as Record<string, unknown>;
  const extra = v.keyword === 'required' ? `/${String(params.missingProperty)}` : v.keyword === 'additionalProperties' ? `/${String(params.additionalProperty)}` : '';
  const prefix = context && context !== 'body' ? `/${context}` : '';
  return { path: `${prefix}${String(v.instancePath ?? '')}${extra}`, message: String(v.message ?? v.keyword), key: `core:validation.${String(v.keyword)}`, params };
}

/** Builds the localized problem body. */
export function problemBody(err: PeyvandError, request: FastifyRequest, i18nInstance: i18n): ProblemBody {
  const lng = requestLanguage(request);
  const t = translator(i18nInstance, lng);
  const params = { ...inLanguageDigits(err.params, lng), defaultValue: '' };
  const [ns, key] = err.i18nKey.split(':') as [string, string];
  const body: ProblemBody = {
    type: `urn:peyvand:problem:${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: t(`${key}.title`, { ...params, ns, defaultValue: err.code }),
    status: err.status,
    detail: t(`${key}.detail`, { ...params, ns, defaultValue: t(`${key}.title`, { ns, defaultValue: err.code }) }),
    code: err.code,
    instance: request.url,
    requestId: String(request.id),
  };
  if (err.errors?.length) {
    body.errors = err.errors.map((fe) => ({ path: fe.path, message: fe.key ? t(fe.key, { ...inLanguageDigits(namedInLanguage(flatParams(fe.params), t, lng), lng), defaultValue: fe.message }) : fe.message }));
  }
  return body;
}

/**
 * Numbers in a message are written in the language's digits: «دست‌کم ۱ نویسه», not
 * «دست‌کم 1 نویسه». Only numbers change; ids, field names and values the caller sent stay
 * as they are. `count` stays a number, since i18next picks the plural form from it: a
 * plural message writes `{{count, number}}`, which i18next formats in its language.
 */
function inLanguageDigits(params: Record<string, unknown>, lng: Language): Record<string, unknown> {
  if (lng === 'en') return params;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'number' && k !== 'count' ? formatNumber(v, lng) : v]));
}

/**
 * JSON Schema's own words in a message, a `format` (`email`) and a `type` (`integer`), in
 * the reader's language: «باید نشانی ایمیل معتبر باشد», not «باید email معتبر باشد». A name
 * without a translation stays as it is.
 */
function namedInLanguage(params: Record<string, unknown>, t: TFunction, lng: Language): Record<string, unknown> {
  const named = { ...params };
  if (typeof params.format === 'string') named.format = t(`core:validation.formats.${params.format}`, { defaultValue: params.format });
  if (typeof params.type === 'string') named.type = params.type.split(',').map((type) => t(`core:validation.types.${type.trim()}`, { defaultValue: type.trim() })).join(lng === 'fa' ? '، ' : ', ');
  return named;
}

function flatParams(params: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!params) return {};
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
}

/** The fastify error handler of Peyvand's scope. */
export function errorHandler(i18nInstance: i18n) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const err = toPeyvandError(error);
    if (err.status >= 500) request.log.error({ err: error, requestId: request.id }, 'request failed');
    else request.log.debug({ code: err.code }, 'request refused');
    for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
    if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="peyvand"');
    return reply.code(err.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(problemBody(err, request, i18nInstance)));
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant's default locale once the caller is known. */
    tenantLocale?: Language;
  }
}
