/**
 * Validators for Peyvand's routes, independent of the host app's ajv settings: unknown
 * fields are refused (never silently removed), bodies are not type-coerced, query
 * strings and params are (they arrive as strings).
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { coreError } from '../errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Creates the schema compiler of Peyvand's fastify scope. */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, allErrors: false, strict: false }));
  const coercing = addFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors: false, strict: false }));
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
