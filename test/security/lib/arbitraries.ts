/**
 * JSON Schema → fast-check arbitraries: values a schema accepts (filled with hostile but
 * valid text: Persian, RTL controls, SQL and template metacharacters) and values it must
 * refuse (wrong types, huge strings, deep nesting, unknown fields). Covers the subset of
 * JSON Schema the route schemas use; anything else falls back to arbitrary JSON.
 */
import fc from 'fast-check';
import type { Schema } from './openapi.js';
import { isSingleLine } from '../../../core/plugin/text-rules.js';

/** Text that has broken parsers, SQL, search syntax, templates and bidi rendering before. */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR 1=1 --", '"; DROP TABLE crm_customers; --', "%' OR '1'='1", '%', '_', '\\', '/* */', '--', ';', `' " ; -- /* */ %`,
  '{{constructor.constructor "return process"}}', '{{#with this}}{{lookup . "__proto__"}}{{/with}}', '{{{x}}}', '{{> p}}', '}}{{',
  '\u202Eevil\u202C', '\u2066isolate\u2069', '\u200F\u200E', 'علي كريمي', 'مریم می‌دانم', '۰۹۱۲۳۴۵۶۷۸۹', 'ـــ',
  '__proto__', 'constructor', 'prototype', 'toString', '\u0000', '\uFFFF', '\uD800', '💥🇮🇷', '<script>alert(1)</script>',
  '${7*7}', '../../etc/passwd', 'NaN', '-1', '1e309', 'null', '*', '"', "'", 'NEAR(a b)', 'OR', 'a*', '\r\n', ' ',
];

/** A string of any kind, hostile ones preferred. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...HOSTILE_STRINGS), { minLength: 1, maxLength: 4 }).map((a) => a.join(' ')) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const codePoints = (s: string): string[] => Array.from(s);

// What Unicode hygiene (issue 16.5, core/http/validation.ts) refuses in any text: C0 controls
// but tab and LF (CR only before LF), and lone surrogates. A valid value leaves them out.
// eslint-disable-next-line no-control-regex -- control characters are what is removed
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|\r(?!\n)/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// …and a `single-line` field (names, subjects) line breaks and bidi embedding/override/isolate controls.
// eslint-disable-next-line no-control-regex -- control characters are what is removed
const NOT_IN_A_LINE = /[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Hostile text the server must accept: what hygiene refuses taken out (ZWNJ, LRM, RLM… stay). */
function acceptable(s: string, singleLine: boolean): string {
  const clean = s.replace(CONTROL, '').replace(LONE_SURROGATE, '');
  return singleLine ? clean.replace(NOT_IN_A_LINE, '') : clean;
}

/** Fits a string to min/max length (in code points, as ajv counts). */
function fit(s: string, min: number, max: number): string {
  let chars = codePoints(s).slice(0, max);
  while (chars.length < min) chars = chars.concat(codePoints('x'));
  return chars.join('');
}

function typesOf(schema: Schema): string[] {
  const t = schema.type;
  if (Array.isArray(t)) return t.map(String);
  if (typeof t === 'string') return [t];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

/** Where a generated value sits, so callers can fill ids and owners from their pools. */
export interface Hooks {
  /** A replacement for a string at a property name (record ids, owners); undefined keeps the generated one. */
  stringFor?: (property: string) => fc.Arbitrary<string> | undefined;
}

/** The lowest value allowed: `minimum`, else just above `exclusiveMinimum` (`step` 1 for integers, 0 where the generator excludes it). */
function lowerBound(schema: Schema, fallback: number, step: number): number {
  return 'minimum' in schema ? num(schema.minimum, fallback) : 'exclusiveMinimum' in schema ? num(schema.exclusiveMinimum, fallback) + step : fallback;
}

/** The highest value allowed, as {@link lowerBound}. */
function upperBound(schema: Schema, fallback: number, step: number): number {
  return 'maximum' in schema ? num(schema.maximum, fallback) : 'exclusiveMaximum' in schema ? num(schema.exclusiveMaximum, fallback) - step : fallback;
}

/** Values the schema accepts. */
export function validValue(schema: Schema, hooks: Hooks = {}, property = '', depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives?.length) {
    // `{properties, oneOf: [{required: [a]}, {required: [b]}]}`: each alternative merged into the rest.
    // With oneOf exactly one may match: a branch leaves out the fields the others require.
    const { anyOf: _a, oneOf: _o, ...base } = schema;
    const requiredBy = (alt: Schema) => (alt.required as string[] | undefined) ?? [];
    const othersRequire = (alt: Schema) => (schema.oneOf ? alternatives.filter((o) => o !== alt).flatMap(requiredBy).filter((n) => !requiredBy(alt).includes(n)) : []);
    const merged = alternatives.map((alt) => {
      if (!Object.keys(base).length) return alt;
      const properties = Object.fromEntries(Object.entries({ ...(base.properties as object), ...(alt.properties as object) }).filter(([n]) => !othersRequire(alt).includes(n)));
      return { ...base, ...alt, properties, required: [...((base.required as string[]) ?? []), ...requiredBy(alt)] };
    });
    return fc.oneof(...merged.map((s) => validValue(s, hooks, property, depth)));
  }
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => validValue({ ...schema, type }, hooks, property, depth)));
  switch (types[0]) {
    case 'string':
      return validString(schema, hooks, property);
    // JSON Schema's exclusive bounds too (a quantity is `exclusiveMinimum: 0`): a generated 0 would be a 400.
    case 'integer':
      return fc.integer({ min: Math.ceil(lowerBound(schema, -1e6, 1)), max: Math.floor(upperBound(schema, 1e6, 1)) });
    case 'number':
      return fc.double({ min: lowerBound(schema, -1e6, 0), max: upperBound(schema, 1e6, 0), minExcluded: 'exclusiveMinimum' in schema && !('minimum' in schema), maxExcluded: 'exclusiveMaximum' in schema && !('maximum' in schema), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = num(schema.minItems, 0);
      const max = Math.min(num(schema.maxItems, 4), min + 3);
      const items = (schema.items as Schema | undefined) ?? {};
      const arb = fc.array(validValue(items, hooks, singular(property), depth + 1), { minLength: min, maxLength: max });
      return schema.uniqueItems ? arb.map((a) => [...new Map(a.map((v) => [JSON.stringify(v), v])).values()]).filter((a) => a.length >= min) : arb;
    }
    case 'object':
      return validObject(schema, hooks, depth);
    default:
      return depth > 2 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

function singular(property: string): string {
  return property === 'from' ? 'fromId' : property.replace(/Ids$/, 'Id');
}

function validString(schema: Schema, hooks: Hooks, property: string): fc.Arbitrary<string> {
  // A date is a date whatever its property is called (a report's `from` is not the `from` id of a merge).
  const hooked = schema.format === 'date' || schema.format === 'date-time' ? undefined : hooks.stringFor?.(property);
  if (hooked) return hooked;
  const min = num(schema.minLength, 0);
  const max = num(schema.maxLength, 60);
  switch (schema.format) {
    case 'date-time':
      return fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
    case 'url':
      return fc.webUrl().map((u) => (u.length <= max ? u : 'https://example.com/'));
    case 'email':
      return fc.emailAddress().map((e) => (e.length <= max ? e : 'a@example.com'));
    case 'uuid':
      return fc.uuid();
    case 'phone':
      return fc.constantFrom('+989121234567', '09121234567', '۰۹۱۲۳۴۵۶۷۸۹', '021 8888 1234', '+1 (415) 555-0100');
  }
  const singleLine = schema.format === 'single-line';
  // Names that promise a shape get well-formed values most of the time, so requests get past validation.
  const shaped = /url$/i.test(property)
    ? fc.constantFrom('http://127.0.0.1:9/hook', 'https://erp.example/hook')
    : /email/i.test(property) ? fc.emailAddress() : /currency/i.test(property) ? fc.constantFrom('IRR', 'USD', 'EUR') : undefined;
  const withShaped = (base: fc.Arbitrary<string>, accepts: (s: string) => boolean) =>
    shaped ? fc.oneof({ weight: 3, arbitrary: shaped.filter(accepts) }, { weight: 1, arbitrary: base }) : base;
  if (typeof schema.pattern === 'string') {
    const re = new RegExp(schema.pattern, 'u');
    // No filter: a rarely satisfied one (a 24-character minimum) would make generation spin.
    return withShaped(fc.stringMatching(re).map((s) => fitMatching(s, re, min, max)), (s) => re.test(s));
  }
  const text = hostileString.map((s) => fit(acceptable(s, singleLine), min, max));
  return withShaped(text, (s) => s.length <= max && (!singleLine || isSingleLine(s)));
}

/** A pattern match brought within length bounds by cutting or repeating it, when the pattern still matches. */
function fitMatching(s: string, re: RegExp, min: number, max: number): string {
  const n = codePoints(s).length;
  if (n >= min && n <= max) return s;
  const candidate = n > max ? codePoints(s).slice(0, max).join('') : n > 0 ? s.repeat(Math.ceil(min / n)) : s;
  const m = codePoints(candidate).length;
  return m >= min && m <= max && re.test(candidate) ? candidate : s;
}

const ABSENT = Symbol('absent');

function validObject(schema: Schema, hooks: Hooks, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  const names = Object.keys(properties);
  if (names.length === 0) {
    // A free-form map (customFields): arbitrary JSON under harmless and hostile keys.
    if (schema.additionalProperties === false || depth > 3) return fc.constant({});
    const value = typeof schema.additionalProperties === 'object' ? validValue(schema.additionalProperties as Schema, hooks, '', depth + 1) : fc.jsonValue({ maxDepth: 2 });
    const maxKeys = Math.min(num(schema.maxProperties, 4), 4);
    return fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf')), value, { maxKeys });
  }
  // Optional fields appear half the time; optional references (`stageId`) only a fifth, as a
  // wrong one makes the whole request a 404/422 that reaches no further.
  const model = Object.fromEntries(names.map((n) => {
    const value = validValue(properties[n]!, hooks, n, depth + 1);
    if (required.includes(n)) return [n, value];
    const absent = /(^id|Id|Ids)$/.test(n) ? 4 : 1;
    return [n, fc.oneof({ weight: absent, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: value })];
  }));
  let arb = fc.record(model).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ABSENT)));
  const conditional = conditionalFields(schema, properties, hooks, depth);
  if (conditional) arb = fc.tuple(arb, conditional.extra).map(([o, extra]) => (conditional.applies(o) ? { ...extra, ...o } : o));
  const minProperties = num(schema.minProperties, 0);
  return minProperties > 0 ? arb.filter((o) => Object.keys(o).length >= minProperties) : arb;
}

/**
 * `if: {properties: {status: {const: 'lost'}}}, then: {required: ['lostReason']}`: the fields
 * `then` requires, added when the object meets `if` (its consts and enums, for the fields it has).
 */
function conditionalFields(schema: Schema, properties: Record<string, Schema>, hooks: Hooks, depth: number): { applies(o: Record<string, unknown>): boolean; extra: fc.Arbitrary<Record<string, unknown>> } | undefined {
  const when = schema.if as Schema | undefined;
  const then = schema.then as Schema | undefined;
  const needed = ((then?.required as string[] | undefined) ?? []).filter((n) => properties[n]);
  if (!when || !needed.length) return undefined;
  const conditions = Object.entries((when.properties ?? {}) as Record<string, Schema>);
  const whenRequired = (when.required as string[] | undefined) ?? [];
  return {
    applies: (o) => whenRequired.every((n) => n in o) && conditions.every(([n, c]) => !(n in o) || ('const' in c ? o[n] === c.const : !Array.isArray(c.enum) || c.enum.includes(o[n]))),
    extra: fc.record(Object.fromEntries(needed.map((n) => [n, validValue(properties[n]!, hooks, n, depth + 1)]))),
  };
}

/** Every JSON pointer of an object-valued schema position, with the schema there. */
export function objectSchemas(schema: Schema, at = ''): Array<{ at: string; schema: Schema }> {
  const out: Array<{ at: string; schema: Schema }> = [];
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives) for (const s of alternatives) out.push(...objectSchemas(s, at));
  const types = typesOf(schema);
  if (types.includes('object') && schema.properties) {
    out.push({ at, schema });
    for (const [name, s] of Object.entries(schema.properties as Record<string, Schema>)) out.push(...objectSchemas(s, `${at}/${name}`));
  }
  if (types.includes('array') && schema.items) out.push(...objectSchemas(schema.items as Schema, `${at}/0`));
  return out;
}

/** A value of a JSON type the schema does not allow (or undefined when it allows all). */
export function wrongTypeValue(schema: Schema): unknown {
  const allowed = new Set(typesOf(schema));
  for (const alt of ((schema.anyOf ?? schema.oneOf) as Schema[] | undefined) ?? []) for (const t of typesOf(alt)) allowed.add(t);
  if (allowed.has('integer')) allowed.add('number');
  const candidates: Array<[string, unknown]> = [['string', 'x'], ['number', 1.5], ['boolean', true], ['null', null], ['array', []], ['object', {}]];
  if (allowed.size === 0) return undefined;
  return candidates.find(([type]) => !allowed.has(type))?.[1];
}

/** `depth` nested arrays or objects as raw JSON text (built as text: JSON.stringify would overflow first). */
export function deepJson(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
