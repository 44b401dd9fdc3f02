/** Validates customers' `customFields` against the tenant's JSON Schema (ajv, compiled once per schema). */
import { Ajv, type ValidateFunction } from 'ajv';
import { withFormats } from '../http/validation.js';
import { coreError } from '../plugin/errors.js';
import type { JsonSchema } from '../plugin/contract.js';
import type { CustomFieldSchemas } from '../plugin/services.js';


/** Longest string a tenant's `pattern` runs against (see {@link unsafePattern}). */
export const MAX_PATTERN_SUBJECT = 256;

/**
 * Why a tenant's regular expression could backtrack for ages, or undefined when it cannot:
 * every tenant shares one event loop, so `^(a+)+$` against 30 characters would stall all
 * of them. Allowed: no repeated groups, no backreferences or lookarounds, at most two
 * repetitions and alternatives together (one fewer without a leading `^`; a list of values
 * is an `enum`, an address a `format`), at most 20 patterns per schema; and the strings
 * they run against are capped at {@link MAX_PATTERN_SUBJECT}: the worst match then costs
 * well under a millisecond.
 */
export function unsafePattern(pattern: string): string | undefined {
  if (pattern.length > 500) return 'is longer than 500 characters';
  // An unanchored pattern is tried at every position: one more repetition in effect.
  let repetitions = pattern.startsWith('^') ? 0 : 1;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (!inClass && /[1-9k]/.test(pattern[i + 1] ?? '')) return 'uses a backreference';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (['(?=', '(?!', '(?<=', '(?<!'].some((look) => pattern.startsWith(look, i))) {
      return 'uses a lookaround';
    } else if (c === ')' && /[*+?{]/.test(pattern[i + 1] ?? '')) {
      return 'repeats a group';
    } else if (c === '*' || c === '+' || c === '|' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      repetitions++;
    }
  }
  return repetitions > 2 ? 'has more than 2 repetitions and alternatives (use enum for a list of values, format for an email or URL)' : undefined;
}

/** The schema as compiled: `patternProperties` refused, patterns checked, their strings capped. */
function guarded(node: unknown, path: string, count = { patterns: 0 }): unknown {
  if (Array.isArray(node)) return node.map((n, i) => guarded(n, `${path}/${i}`, count));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'patternProperties') throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: `${path}/patternProperties`, message: 'patternProperties is not supported in custom fields' }] });
    if (key === 'pattern' && typeof value === 'string') {
      const problem = ++count.patterns > 20 ? 'is one pattern too many (20 at most)' : unsafePattern(value);
      if (problem) throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: `${path}/pattern`, message: `the pattern ${problem}` }] });
    }
    out[key] = guarded(value, `${path}/${key}`, count);
  }
  if (typeof out.pattern === 'string') out.maxLength = Math.min(typeof out.maxLength === 'number' ? out.maxLength : Infinity, MAX_PATTERN_SUBJECT);
  return out;
}

/** Compiles and caches tenant custom-field schemas; plugins receive it as `ctx.customFields`. */
export class CustomFieldValidator implements CustomFieldSchemas {
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

  check(schema: JsonSchema): void {
    this.compile(schema);
  }

  /** Compiles a schema, throwing a 400 when it is not a usable JSON Schema. */
  private compile(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.cache.get(key);
    if (!validate) {
      const safe = guarded(schema, '/schema') as JsonSchema;
      try {
        // A fresh ajv per schema: one tenant's `$id` can neither clash with nor be `$ref`'d by another's.
        validate = withFormats(new Ajv({ allErrors: true, strict: false })).compile(safe);
      } catch (err) {
        throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/schema', message: (err as Error).message }], cause: err });
      }
      if (this.cache.size >= 1000) this.cache.clear();
      this.cache.set(key, validate);
    }
    return validate;
  }
}
