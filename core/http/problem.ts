/**
 * RFC 9457 problem+json for every error, with a stable `code` and `title`, `detail` and
 * field messages in the caller's language. Unexpected errors become a 500 that is
 * logged with the request id, which is also in the body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { i18n, TFunction } from 'i18next';
import { coreError, PeyvandError, type FieldError } from '../plugin/errors.js';
import { numbersInLanguage, translator, type Language } from '../i18n/i18n.js';
import { requestLanguage } from '../plugin/http.js';
import { MAX_FIELD_ERRORS } from './validation.js';
import { databaseFault } from '../db/faults.js';

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

export { problemSchema, requestLanguage } from '../plugin/http.js';

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
  // The disk filled, the database connection was lost or the database was busy: the write did not take effect, say so.
  const fault = databaseFault(error);
  if (fault === 'storage-full') return coreError('STORAGE_FULL', {}, { cause: error });
  if (fault === 'unavailable') return coreError('DATABASE_UNAVAILABLE', {}, { cause: error, headers: { 'retry-after': '1' } });
  // Concurrent writes held what this one needed, past its retries: it was rolled back, and a retry soon may pass.
  if (fault === 'busy') return coreError('DATABASE_BUSY', {}, { cause: error, headers: { 'retry-after': '1' } });
  return coreError('INTERNAL', {}, { cause: error });
}

function ajvToFieldError(v: Record<string, unknown>, context: string | undefined): FieldError {
  const params = (v.params ?? {}) as Record<string, unknown>;
  const extra = v.keyword === 'required' ? `/${String(params.missingProperty)}` : v.keyword === 'additionalProperties' ? `/${String(params.additionalProperty)}` : '';
  const prefix = context && context !== 'body' ? `/${context}` : '';
  // Peyvand's own formats have a message of their own ("must be a phone number").
  const key = v.keyword === 'format' && (params.format === 'phone' || params.format === 'single-line') ? `core:validation.formats.${params.format}Message` : `core:validation.${String(v.keyword)}`;
  return { path: `${prefix}${String(v.instancePath ?? '')}${extra}`, message: String(v.message ?? v.keyword), key, params };
}

/** Builds the localized problem body. */
export function problemBody(err: PeyvandError, request: FastifyRequest, i18nInstance: i18n): ProblemBody {
  const lng = requestLanguage(request);
  const t = translator(i18nInstance, lng);
  const params = { ...numbersInLanguage(err.params, lng), defaultValue: '' };
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
    const labels = request.routeOptions?.config?.labelNamespace ?? 'core';
    body.errors = err.errors.map((fe) => ({
      path: fe.path,
      message: fe.key ? t(fe.key, { ...numbersInLanguage(namedInLanguage(flatParams(fe.params), t, lng), lng), field: fieldLabel(fe.path, t, labels, lng), defaultValue: fe.message }) : fe.message,
    }));
  }
  return body;
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

/**
 * The reader's name of the field a message is about: «نام», "Name" — never the JSON key.
 * Looked up as `fields.<a.b>` (the path without indexes) then `fields.<b>` (its last
 * name), in the route's plugin namespace, then core's. A field the schema does not know
 * (an unknown key the caller sent) is named as sent, in quotes; the request itself (an
 * error at the root) is «درخواست» / "The request".
 */
export function fieldLabel(path: string, t: TFunction, namespace: string, lng: Language): string {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments[0] === 'query' || segments[0] === 'params' || segments[0] === 'headers') segments.shift();
  const names = segments.filter((s) => !/^\d+$/.test(s));
  if (names.length === 0) return t('core:fields.$request');
  const candidates = [...new Set([names.join('.'), names.at(-1)!])];
  for (const candidate of candidates) {
    for (const ns of new Set([namespace, 'core'])) {
      const label = t(`${ns}:fields.${candidate}`, { defaultValue: '' });
      if (typeof label === 'string' && label) return label;
    }
  }
  const sent = names.at(-1)!;
  return lng === 'fa' ? `«${sent}»` : `"${sent}"`;
}

function flatParams(params: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!params) return {};
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
}

/** The fastify error handler of Peyvand's scope. */
export function errorHandler(i18nInstance: i18n) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const err = toPeyvandError(error);
    // The tenant too, once the caller is known: an operator's first question about a 500.
    if (err.status >= 500) request.log.error({ err: error, requestId: request.id, ...(request.actor && { tenantId: request.actor.tenantId, tenant: request.actor.tenantSlug }) }, 'request failed');
    else request.log.debug({ code: err.code }, 'request refused');
    for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
    if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="peyvand"');
    return reply.code(err.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(problemBody(err, request, i18nInstance)));
  };
}
