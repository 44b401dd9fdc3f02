/**
 * Validators for Peyvand's routes, independent of the host app's ajv settings: unknown
 * fields are refused (never silently removed), bodies are not type-coerced, query
 * strings and params are (they arrive as strings).
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Creates the schema compiler of Peyvand's fastify scope. */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, allErrors: false, strict: false }));
  const coercing = addFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors: false, strict: false }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
}
