/**
 * Whether the published schemas of an operation refuse a request: the input fuzz's oracle
 * for "broken". A request they refuse must never get a 2xx; one they accept (a huge text
 * where no maxLength is declared, an unknown key in a free-form object) is not broken,
 * whatever its breaker was called. Checked with a plain ajv that treats Peyvand's own
 * formats as always valid, so it refuses less than the server can, never more. Bodies
 * broken below JSON (bytes that are not UTF-8, truncated text, a wrong media type, a
 * `__proto__` key, absurd nesting) are refused whatever the schema says.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { resolvePicks, type RequestSpec } from './requests.js';
import type { Param, Schema } from './openapi.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const lenientFormats = { 'single-line': true, phone: true } as const;
const bodies = addFormats(new Ajv({ strict: false, formats: lenientFormats }));
// Query and path values arrive as text: coerced as the server's query validator does.
const texts = addFormats(new Ajv({ strict: false, coerceTypes: 'array', formats: lenientFormats }));
const compiled = new WeakMap<object, ValidateFunction>();

function validator(ajv: Ajv, schema: Schema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** The object schema of an operation's query string, built once per operation. */
const querySchemas = new WeakMap<readonly Param[], Schema>();
function querySchema(query: readonly Param[]): Schema {
  let s = querySchemas.get(query);
  if (!s) {
    s = { type: 'object', additionalProperties: false, properties: Object.fromEntries(query.map((q) => [q.name, q.schema])), required: query.filter((q) => q.required).map((q) => q.name) };
    querySchemas.set(query, s);
  }
  return s;
}

const text = (v: unknown): string | string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : typeof v === 'string' ? v : JSON.stringify(v));

/** True when the operation's schemas (or JSON itself) refuse the request. */
export function schemasRefuse(spec: RequestSpec): boolean {
  const { op } = spec;
  const anyId = () => '01900000-0000-7000-8000-000000000000';
  if (spec.body?.kind === 'raw' && !op.rawBody) return true;
  if (spec.body?.kind === 'json' && op.body && !validator(bodies, op.body)(structuredClone(resolvePicks(spec.body.value, anyId)))) return true;
  // A route that declares no query parameter has no query schema: the server ignores its query.
  if (op.query.length) {
    const query = Object.fromEntries(Object.entries(resolvePicks(spec.query, anyId)).map(([k, v]) => [k, text(v)]));
    if (!validator(texts, querySchema(op.query))(query)) return true;
  }
  const params = resolvePicks(spec.params, anyId);
  return op.pathParams.some((p) => params[p.name] !== undefined && !validator(texts, p.schema)(text(params[p.name])));
}
