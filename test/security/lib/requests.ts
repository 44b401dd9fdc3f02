/**
 * Requests generated from an operation's schemas: valid ones (what a careful client
 * sends, with hostile but allowed text) and invalid ones (each a valid request broken in
 * one way a careless or malicious client would).
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { deepJson, HOSTILE_STRINGS, objectSchemas, validValue, wrongTypeValue, type Hooks } from './arbitraries.js';
import { fillPath, queryString, type Operation, type Schema } from './openapi.js';

/** A body as JSON, or raw bytes with a content type. */
export type BodySpec = { kind: 'json'; value: unknown } | { kind: 'raw'; payload: string | Buffer; contentType: string | undefined };

/** A request before placeholders are resolved. */
export interface RequestSpec {
  op: Operation;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: BodySpec;
  headers: Record<string, string>;
  /** How it was broken (undefined: valid). */
  broken?: string;
}

/** A placeholder for "the n-th known id fit for `name`", resolved when the request is sent. */
export const pick = (name: string, n: number): string => `\u0001pick:${name}:${n}`;
// eslint-disable-next-line no-control-regex -- U+0001 marks a placeholder no real value contains
const PICK = /^\u0001pick:([^:]*):(\d+)$/;

/** Resolves a placeholder: the field or parameter name and the number drawn. */
export type Resolver = (name: string, n: number) => string;

/** Replaces pick placeholders anywhere in a value. */
export function resolvePicks<T>(value: T, resolve: Resolver): T {
  if (typeof value === 'string') {
    const m = PICK.exec(value);
    return (m ? resolve(m[1]!, Number(m[2])) : value) as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolvePicks(v, resolve)) as T;
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePicks(v, resolve)])) as T;
  return value;
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Requests the operation's schemas accept. */
export function validRequest(op: Operation, hooks: Hooks = {}): fc.Arbitrary<RequestSpec> {
  const params = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, validValue(p.schema, hooks, p.name).map(asText)])));
  // Optional query parameters are mostly filters: each present a quarter of the time, so lists
  // usually come back with records in them.
  const absent = Symbol('absent');
  const query = fc
    .record(Object.fromEntries(op.query.map((q) => [q.name, q.required ? validValue(q.schema, hooks, q.name) : fc.oneof({ weight: 3, arbitrary: fc.constant(absent) }, { weight: 1, arbitrary: validValue(q.schema, hooks, q.name) })])))
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== absent)));
  // In a body, `id` is a read-only field or a foreign system's id (`externalRefs[].id`), never a reference.
  const bodyHooks: Hooks = { stringFor: (p) => (p === 'id' ? undefined : hooks.stringFor?.(p)) };
  const body = op.body ? validValue(op.body, bodyHooks).map((value): BodySpec => ({ kind: 'json', value })) : op.rawBody ? rawBody(op.rawBody) : fc.constant(undefined);
  return fc.record({ params, query, body }).map(({ params: pp, query: qq, body: bb }) => ({ op, params: pp, query: qq, headers: {}, ...(bb && { body: bb }) }));
}

const ICS = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//peyvand//fuzz//FA', 'BEGIN:VEVENT', 'UID:nowruz@fuzz', 'DTSTART;VALUE=DATE:20270321', 'SUMMARY:نوروز', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

/** A body of a non-JSON media type: a well-formed document of its kind mostly, else any text its schema takes. */
function rawBody({ contentType, schema }: { contentType: string; schema: Schema }): fc.Arbitrary<BodySpec> {
  const text = validValue(schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  const sample = contentType === 'text/calendar' ? fc.oneof({ weight: 3, arbitrary: fc.constant(ICS) }, { weight: 1, arbitrary: text }) : text;
  return sample.map((payload): BodySpec => ({ kind: 'raw', payload, contentType }));
}

/** Requests broken in one way each. */
export function invalidRequest(op: Operation, hooks: Hooks = {}): fc.Arbitrary<RequestSpec> {
  const breakers: Array<fc.Arbitrary<(r: RequestSpec) => RequestSpec>> = [];
  // Query breakers only where the operation declares a query: a route without one ignores
  // its query string, as the web does (a cache-buster on the widget bundle, say).
  if (op.query.length) {
    breakers.push(fc.constantFrom(...HOSTILE_STRINGS, 'x'.repeat(5000), '%00', '..', '%2e%2e%2f').map((s) => (r: RequestSpec) => ({ ...r, broken: 'hostile query values', query: Object.fromEntries([...op.query.map((q) => [q.name, s]), ['unknownParam', s]]) })));
    const scalars = op.query.filter((q) => q.schema.type !== 'array');
    if (scalars.length) breakers.push(fc.constant((r: RequestSpec) => ({ ...r, broken: 'repeated query keys', query: { ...r.query, ...Object.fromEntries(scalars.map((q) => [q.name, ['a', 'b']])) } })));
  }
  if (op.query.some((q) => q.name === 'limit')) breakers.push(fc.constantFrom('abc', '-1', '0', '201', '1e20', '', '1.5', 'NaN', '[]').map((v) => (r: RequestSpec) => ({ ...r, broken: `limit=${v}`, query: { ...r.query, limit: v } })));
  if (op.pathParams.length) {
    breakers.push(fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.trim() !== ''), 'y'.repeat(3000), '..').map((s) => (r: RequestSpec) => ({ ...r, broken: 'hostile path params', params: Object.fromEntries(op.pathParams.map((p) => [p.name, s])) })));
  }
  if (op.method === 'PATCH') breakers.push(fc.constantFrom('"x"', 'W/"-1"', '*, "1"', '"99999999999999999999"', '\u202E"1"').map((v) => (r: RequestSpec) => ({ ...r, broken: `If-Match ${v}`, headers: { 'if-match': v } })));
  if (['POST', 'PUT', 'PATCH'].includes(op.method)) breakers.push(...bodyBreakers(op.body));
  // A GET or DELETE without query or path parameters has nothing to break: a valid request stands in.
  if (!breakers.length) return validRequest(op, hooks);
  return fc.tuple(validRequest(op, hooks), fc.oneof(...breakers)).map(([r, breakIt]) => breakIt(r));
}

function bodyBreakers(schema: Schema | undefined): Array<fc.Arbitrary<(r: RequestSpec) => RequestSpec>> {
  const json = (r: RequestSpec): Record<string, unknown> => (r.body?.kind === 'json' && r.body.value && typeof r.body.value === 'object' ? (r.body.value as Record<string, unknown>) : {});
  const raw = (r: RequestSpec, broken: string, payload: string | Buffer, contentType: string | null = 'application/json'): RequestSpec => ({ ...r, broken, body: { kind: 'raw', payload, contentType: contentType ?? undefined } });
  const out: Array<fc.Arbitrary<(r: RequestSpec) => RequestSpec>> = [
    fc.constantFrom<unknown>([], 'text', 42, null, true, [{}]).map((v) => (r: RequestSpec) => ({ ...r, broken: `body is ${JSON.stringify(v)}`, body: { kind: 'json', value: v } })),
    fc.constantFrom(5000, 100_000).map((d) => (r: RequestSpec) => raw(r, `array nested ${d} deep`, spliceTop(json(r), 'nested', deepJson(d)))),
    fc.constantFrom(5000, 50_000).map((d) => (r: RequestSpec) => raw(r, `object nested ${d} deep`, spliceTop(json(r), 'nested', deepJson(d, 'object')))),
    fc.constantFrom('__proto__', 'constructor').map((k) => (r: RequestSpec) => raw(r, `${k} key`, spliceTop(json(r), k, k === 'constructor' ? '{"prototype":{"polluted":true}}' : '{"polluted":true}'))),
    fc.constant((r: RequestSpec) => raw(r, 'invalid UTF-8', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}')]))),
    fc.constant((r: RequestSpec) => raw(r, 'truncated JSON', JSON.stringify(json(r)).slice(0, -1))),
    // null: no Content-Type header at all.
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', null).map((ct) => (r: RequestSpec) => raw(r, `content-type ${ct ?? 'missing'}`, JSON.stringify(json(r)), ct)),
    fc.constant((r: RequestSpec) => ({ ...r, broken: 'unknown field', body: { kind: 'json', value: { ...json(r), unknownField: 1 } } })),
  ];
  const objects = schema ? objectSchemas(schema) : [];
  if (objects.length) {
    // One property of one (possibly nested) object: wrong type, huge, or missing when required.
    const slots = objects.flatMap(({ at, schema: s }) => Object.entries((s.properties ?? {}) as Record<string, Schema>).map(([name, ps]) => ({ at, name, ps, required: ((s.required ?? []) as string[]).includes(name) })));
    if (slots.length) {
      out.push(fc.constantFrom(...slots).map((slot) => (r: RequestSpec) => {
        const wrong = wrongTypeValue(slot.ps);
        return { ...r, broken: `wrong type at ${slot.at}/${slot.name}`, body: { kind: 'json', value: setAt(json(r), slot.at, slot.name, wrong === undefined ? { unexpected: true } : wrong) } };
      }));
      out.push(fc.constantFrom(...slots).map((slot) => (r: RequestSpec) => ({ ...r, broken: `huge string at ${slot.at}/${slot.name}`, body: { kind: 'json', value: setAt(json(r), slot.at, slot.name, 'ب'.repeat(200_000)) } })));
      out.push(fc.constantFrom(...slots).map((slot) => (r: RequestSpec) => ({ ...r, broken: `unknown field in ${slot.at || '/'}`, body: { kind: 'json', value: setAt(json(r), slot.at, `${slot.name}_unknown`, 'x') } })));
    }
  }
  return out;
}

/** Adds `"key": <raw JSON>` as the first member of an object's JSON text. */
function spliceTop(value: Record<string, unknown>, key: string, rawJson: string): string {
  const rest = JSON.stringify(value).slice(1);
  return `{${JSON.stringify(key)}:${rawJson}${rest === '}' ? '' : ','}${rest}`;
}

/** A copy of `root` with `name` set on the object at JSON pointer `at` (`/emails/0`), created when missing. */
function setAt(root: Record<string, unknown>, at: string, name: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let node = copy;
  const parts = at.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (parts[i + 1] === '0') {
      const list = node[part];
      const first = Array.isArray(list) ? (list[0] as unknown) : undefined;
      const item = first && typeof first === 'object' && !Array.isArray(first) ? (first as Record<string, unknown>) : {};
      node[part] = [item, ...(Array.isArray(list) ? list.slice(1) : [])];
      node = item;
      i++;
    } else {
      const next = node[part];
      if (!next || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
  }
  node[name] = value;
  return copy;
}

/** The inject options of a request; `resolve` fills pick placeholders. */
export function toInject(spec: RequestSpec, resolve: Resolver = () => '00000000-0000-7000-8000-000000000000'): InjectOptions {
  const params = resolvePicks(spec.params, resolve);
  const query = resolvePicks(spec.query, resolve);
  const url = fillPath(spec.op.path, params) + queryString(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v.map(asText) : asText(v)])));
  const options: InjectOptions = { method: spec.op.method, url, headers: { ...spec.headers } };
  if (spec.body?.kind === 'json') {
    options.payload = JSON.stringify(resolvePicks(spec.body.value, resolve)) ?? 'null';
    options.headers = { ...options.headers, 'content-type': 'application/json' };
  } else if (spec.body?.kind === 'raw') {
    options.payload = spec.body.payload;
    options.headers = { ...options.headers, ...(spec.body.contentType ? { 'content-type': spec.body.contentType } : {}) };
  }
  return options;
}
