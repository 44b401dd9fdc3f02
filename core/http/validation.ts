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
import { coreError } from '../errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Largest body of a route that lists every field error (`config.allFieldErrors`). */
export const ALL_FIELD_ERRORS_BODY_LIMIT = 64 * 1024;
/** Most field errors one answer lists. */
export const MAX_FIELD_ERRORS = 50;

/** Creates the schema compiler of Peyvand's fastify scope; `allErrors` for routes that list every field error. */
export function createValidatorCompiler(options: { allErrors?: boolean } = {}): FastifySchemaCompiler<unknown> {
  const allErrors = options.allErrors ?? false;
  const strict = addFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, allErrors, strict: false }));
  const coercing = addFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors, strict: false }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
}

/**
 * preValidation: a NUL character anywhere in the path parameters, query or body is a 400.
 * PostgreSQL cannot store or even compare text holding one (the query fails), and no
 * caller has a reason to send one; refusing it here keeps all three databases alike.
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [['params', request.params], ['query', request.query], ['body', request.body]] as const) {
    const at = nulAt(value, '', 0);
    if (at !== undefined) throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: part === 'body' ? at : `/${part}${at}`, message: 'must not contain NUL characters', key: 'core:validation.nul' }] });
  }
}

function nulAt(value: unknown, at: string, depth: number): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (!value || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = key.includes('\u0000') ? `${at}/${key}` : nulAt(child, `${at}/${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
