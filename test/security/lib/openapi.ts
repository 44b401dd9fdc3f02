/**
 * The route table as the security suite sees it: every operation of the published
 * OpenAPI document (`GET /api/v1/openapi.json`), with its access rule and the JSON
 * Schemas of its path parameters, query and body. Every suite walks this list, so a
 * route added by core or a plugin is attacked without anyone writing a test for it.
 */
import type { HTTPMethods } from 'fastify';

/** A JSON Schema as it appears in the document. */
export type Schema = Record<string, unknown>;

/** A path or query parameter. */
export interface Param {
  name: string;
  schema: Schema;
  required: boolean;
}

/** One operation of the API. */
export interface Operation {
  method: HTTPMethods;
  /** OpenAPI template, `/api/v1/customers/{id}`. */
  path: string;
  permission?: string;
  admin: boolean;
  public: boolean;
  /**
   * A customer-portal route (`x-portal`): only a customer principal (a host token with the
   * `customer` role and a `cust` claim) passes it; staff credentials get 403 there.
   */
  portal: boolean;
  pathParams: Param[];
  query: Param[];
  body?: Schema;
  /** A body of another media type (an iCalendar file): sent as raw text, never as JSON. */
  rawBody?: { contentType: string; schema: Schema };
  /** Status codes the operation documents. */
  responses: string[];
  /** Error statuses answered as a page for people (`text/html` documented), like the email unsubscribe link's. */
  htmlErrors: string[];
  /** The JSON Schema of its first documented 2xx answer, when it has a body. */
  response?: Schema;
  /** `METHOD /path`, for messages. */
  label: string;
}

interface RawOperation {
  'x-permission'?: string;
  'x-admin'?: boolean;
  'x-portal'?: boolean;
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

/** The OpenAPI document's paths. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
}

/** Turns the document into operations. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]): Operation => {
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.['application/json']?.schema;
      const o: Operation = {
        method: method.toUpperCase() as HTTPMethods,
        path,
        admin: op['x-admin'] === true,
        public: !op.security,
        portal: op['x-portal'] === true,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {}, required: true })),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {}, required: p.required === true })),
        responses: Object.keys(op.responses ?? {}),
        htmlErrors: Object.entries(op.responses ?? {}).filter(([code, r]) => /^[45]/.test(code) && r.content?.['text/html']).map(([code]) => code),
        label: `${method.toUpperCase()} ${path}`,
      };
      if (op['x-permission']) o.permission = op['x-permission'];
      if (body) o.body = body;
      const other = Object.entries(op.requestBody?.content ?? {}).find(([type]) => !/json/.test(type));
      if (!body && other?.[1].schema) o.rawBody = { contentType: other[0], schema: other[1].schema };
      const success = Object.entries(op.responses ?? {}).find(([code]) => /^2/.test(code))?.[1];
      const response = success?.content?.['application/json']?.schema;
      if (response) o.response = response;
      return o;
    }),
  );
}

/**
 * URL-encodes a value; a lone surrogate (which has no UTF-8 form) becomes the bytes a
 * careless client would send for it, `%ED%A0%80`: invalid UTF-8 on the wire.
 */
export function encode(value: string): string {
  return value.split(/([\ud800-\udfff])/u).map((part) => (/^[\ud800-\udfff]$/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part))).join('');
}

/** Fills a path template; values are URL-encoded. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => encode(values[name] ?? 'x'));
}

/** A URL of the operation with every path parameter filled (tenant slug `acme`, ids of no record). */
export function placeholderUrl(op: Operation, slug = 'acme'): string {
  return fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, p.name === 'slug' ? slug : '01900000-0000-7000-8000-000000000000'])));
}

/** Builds a query string (values URL-encoded; arrays repeat the key). */
export function queryString(values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encode(k)}=${encode(String(one))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The collection a path parameter names a record of: the template up to the parameter.
 * `/api/v1/customers/{id}/timeline` → `{id}` is a record of `/api/v1/customers`.
 */
export function collectionOf(path: string, param: string): string {
  const index = path.indexOf(`{${param}}`);
  return path.slice(0, Math.max(0, index - 1));
}

/**
 * Fields that name a person (a host user's subject), not a record, though they end in `Id`:
 * a record's owner, a ticket's assignee, a support queue's manager.
 */
export const PRINCIPAL_FIELDS: readonly string[] = ['ownerId', 'assigneeId', 'managerId'];

/** Whether a path parameter (or body field) carries a record id by its name. */
export function isIdName(name: string): boolean {
  return /^(id|.*Id)$/.test(name) && name !== 'externalId' && name !== 'ownerId' && name !== 'managerId';
}

/** The tenant routes that change who may do what, not records (left out of record sequences). */
export function isConfiguration(op: Operation): boolean {
  return /^\/api\/v1\/(roles|settings)(\/|$)/.test(op.path);
}

/**
 * The scoped resource a collection holds, by the architecture's naming rule
 * (`/api/v1/customers` → `customer`, `/api/v1/sales/deals` → `deal`).
 */
export function resourceOf(collection: string): string {
  const last = collection.split('/').pop() ?? '';
  return last.endsWith('ies') ? `${last.slice(0, -3)}y` : last.replace(/s$/, '');
}

/** Whether an object schema refuses unknown properties. */
export function isStrictObject(schema: Schema): boolean {
  return schema.additionalProperties === false;
}
