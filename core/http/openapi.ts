/**
 * The OpenAPI document of everything mounted in Peyvand's scope — core's routes and every
 * plugin's — built by @fastify/swagger from the route schemas. The transform here applies
 * the conventions no route has to repeat: error responses are `application/problem+json`
 * (what the error handler sends), every operation may answer a 5xx problem, credentials
 * and permissions are stated, and the tag list is collected from the operations with a
 * description each plugin gives in its locale (`<ns>:openapi.tags.<tag-slug>`, `sales: deals` →
 * `sales-deals`).
 */
import { STATUS_CODES } from 'node:http';
import type { SwaggerOptions } from '@fastify/swagger';
import type { i18n } from 'i18next';
import { CORE_VERSION } from '../plugin/version.js';
import { problemSchema } from './problem.js';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

type Schema = Record<string, unknown>;
type Document = {
  paths?: Record<string, Record<string, { operationId?: string; tags?: string[] } | unknown>>;
  tags?: Array<{ name: string; description?: string }>;
};

/** The @fastify/swagger options of Peyvand's scope. `i18n` gives the tag descriptions. */
export function openapiOptions(i18n: i18n): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Peyvand CRM API',
        version: CORE_VERSION,
        description: 'Tenant and admin API of Peyvand. Errors are application/problem+json (RFC 9457) with a stable `code`; '
          + 'titles and details follow Accept-Language (fa, en). Each operation states the permission it needs in `x-permission`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative, so it holds wherever a host mounted Peyvand: the paths carry the prefix.
      servers: [{ url: '/', description: 'This deployment' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key (pvk_…), host-signed JWT, or the platform admin key' } } },
    },
    transform: ({ schema, url, route }) => {
      const access = route.config ?? {};
      const out: Schema = { ...(schema as Schema) };
      if (!access.public) out.security = [{ bearer: [] }];
      if (access.permission) out['x-permission'] = access.permission;
      if (access.admin) out['x-admin'] = true;
      if (access.portal) out['x-portal'] = true;
      if (out.response) out.response = documentedResponses(out.response as Record<string, Schema>);
      return { schema: out as never, url };
    },
    transformObject: (document) => withTagList(('openapiObject' in document ? document.openapiObject : document.swaggerObject) as Document, i18n) as never,
  };
}

/**
 * Error responses as problem+json, a 5xx problem on every operation (any route can fail
 * unexpectedly; the answer then carries the request id), and a status text instead of
 * swagger's "Default Response" where a route gave no description.
 */
function documentedResponses(responses: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const [code, schema] of Object.entries(responses)) {
    const description = (schema.description as string | undefined) ?? statusText(code);
    const isError = /^[45]/.test(code) || code === 'default';
    out[code] = isError && !schema.content ? { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: withoutDescription(schema) } } } : { ...schema, description };
  }
  if (!Object.keys(out).some((code) => code.startsWith('5'))) {
    out['5xx'] = { description: 'Unexpected server error; the problem carries the request id that is also logged', content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema } } };
  }
  return out;
}

function withoutDescription(schema: Schema): Schema {
  const { description: _omitted, ...rest } = schema;
  return rest;
}

function statusText(code: string): string {
  if (/^[1-5]xx$/i.test(code)) return { 2: 'Success', 3: 'Redirection', 4: 'Client error', 5: 'Server error' }[Number(code[0])] ?? 'Response';
  return STATUS_CODES[Number(code)] ?? 'Response';
}

/**
 * The global tag list: every tag an operation uses, in order of first use, described in
 * the locale namespace of the plugin that uses it first (the operationId's first segment;
 * core's and the admin API's in `core`).
 */
function withTagList(document: Document, i18n: i18n): Document {
  const namespaceOf = new Map<string, string>();
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations) as Array<{ operationId?: string; tags?: string[] }>) {
      const owner = operation.operationId?.split('.')[0] ?? 'core';
      for (const tag of operation.tags ?? []) if (!namespaceOf.has(tag)) namespaceOf.set(tag, owner === 'admin' ? 'core' : owner);
    }
  }
  const tags = [...namespaceOf].map(([name, ns]) => {
    const key = `openapi.tags.${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    return i18n.exists(key, { ns, lng: 'en' }) ? { name, description: i18n.t(key, { ns, lng: 'en' }) } : { name };
  });
  return { ...document, tags };
}
