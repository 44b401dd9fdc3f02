/**
 * Validators for Peyvand's routes, independent of the host app's ajv settings: unknown
 * fields are refused (never silently removed), bodies are not type-coerced, query
 * strings and params are (they arrive as strings).
 *
 * Validation stops at the first broken rule, as ajv's security notes ask for untrusted
 * input: with `allErrors` a body keeps being checked after a rule failed, so a string
 * already too long would still run through its pattern or format, and a 1 MiB body of
 * unknown fields would answer with one error per field. A route people fill in by hand
 * (a public form) may ask for every field error at once with `config.allFieldErrors`;
 * it then gets `allErrors` together with a body limit of {@link ALL_FIELD_ERRORS_BODY_LIMIT}
 * (see `route-rules.ts`), which bounds that work, and the answer lists at most
 * {@link MAX_FIELD_ERRORS} problems.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { coreError } from '../plugin/errors.js';
import { isPhoneNumber, isSingleLine } from '../plugin/text-rules.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Largest body of a route that lists every field error (`config.allFieldErrors`). */
export const ALL_FIELD_ERRORS_BODY_LIMIT = 64 * 1024;
/** Most field errors one answer lists. */
export const MAX_FIELD_ERRORS = 50;

/**
 * ajv-formats plus Peyvand's own formats (`single-line`, `phone`; see `common-schemas.ts`):
 * every validator of request data — routes of core and plugins, bulk imports — knows them.
 */
export function withFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  ajv.addFormat('single-line', { type: 'string', validate: isSingleLine });
  ajv.addFormat('phone', { type: 'string', validate: isPhoneNumber });
  return ajv;
}

/** Creates the schema compiler of Peyvand's fastify scope; `allErrors` for routes that list every field error. */
export function createValidatorCompiler(options: { allErrors?: boolean } = {}): FastifySchemaCompiler<unknown> {
  const allErrors = options.allErrors ?? false;
  const strict = withFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, allErrors, strict: false }));
  const coercing = withFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors, strict: false }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
}

/**
 * For preValidation, for every text in the path parameters, query and body:
 * - a C0 control character other than tab and newline (CR only as part of CRLF), NUL
 *   included, is a 400 naming the field: PostgreSQL cannot even compare text holding a
 *   NUL, and no caller has a reason to send the others;
 * - a lone surrogate (`"\ud800"`) is a 400: the databases would store U+FFFD in its
 *   place, silently altering what was sent;
 * - the rest is normalized to NFC before validation, so one text is stored one way and
 *   lengths are checked on what is stored.
 */
export function checkTextHygiene(request: FastifyRequest): void {
  for (const part of ['params', 'query', 'body'] as const) {
    const value: unknown = request[part];
    const found = firstBadText(value, '', 0);
    if (found) {
      const path = part === 'body' ? found.path : `/${part}${found.path}`;
      throw coreError('VALIDATION_FAILED', {}, { errors: [{ path, message: found.problem === 'control' ? 'must not contain control characters' : 'must not contain unpaired surrogates', key: `core:validation.${found.problem}` }] });
    }
    if (part !== 'params' && value && typeof value === 'object') toNfc(value, 0);
  }
}

// C0 controls but tab and LF; a CR not followed by LF.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|\r(?!\n)/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(text: string): 'control' | 'loneSurrogate' | undefined {
  if (CONTROL.test(text)) return 'control';
  if (LONE_SURROGATE.test(text)) return 'loneSurrogate';
  return undefined;
}

function firstBadText(value: unknown, at: string, depth: number): { path: string; problem: 'control' | 'loneSurrogate' } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path: at, problem } : undefined;
  }
  if (!value || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem) return { path: `${at}/${key}`, problem: keyProblem };
    const found = firstBadText(child, `${at}/${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function toNfc(value: object, depth: number): void {
  if (depth > 64) return;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (typeof child === 'string') {
      const nfc = child.normalize('NFC');
      if (nfc !== child) record[key] = nfc;
    } else if (child && typeof child === 'object') toNfc(child, depth + 1);
  }
}
