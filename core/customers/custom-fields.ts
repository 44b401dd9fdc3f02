/** Validates customers' `customFields` against the tenant's JSON Schema (ajv, compiled once per schema). */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { coreError } from '../errors.js';
import type { JsonSchema } from '../kernel/plugin.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Compiles and caches tenant custom-field schemas. */
export class CustomFieldValidator {
  private readonly ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  private readonly cache = new Map<string, ValidateFunction>();

  /** Throws a 422 `CUSTOM_FIELDS_INVALID` with one entry per problem. */
  validate(schema: JsonSchema | undefined, value: Record<string, unknown>): void {
    if (!schema) return;
    const validate = this.compile(schema);
    if (validate(value)) return;
    const errors = (validate.errors ?? []).map((e) => ({
      path: `/customFields${e.instancePath}${e.keyword === 'required' || e.keyword === 'additionalProperties' ? '/' + String((e.params as Record<string, unknown>).missingProperty ?? (e.params as Record<string, unknown>).additionalProperty) : ''}`,
      message: e.message ?? e.keyword,
      key: `core:validation.${e.keyword}`,
      params: e.params as Record<string, unknown>,
    }));
    throw coreError('CUSTOM_FIELDS_INVALID', {}, { errors });
  }

  /** Compiles a schema, throwing a 400 when it is not a usable JSON Schema. */
  compile(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.cache.get(key);
    if (!validate) {
      try {
        validate = this.ajv.compile(schema);
      } catch (err) {
        throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/schema', message: (err as Error).message }], cause: err });
      }
      this.cache.set(key, validate);
    }
    return validate;
  }
}
