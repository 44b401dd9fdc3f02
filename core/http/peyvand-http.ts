/**
 * Peyvand's HTTP layer as one encapsulated fastify plugin. Standalone it is the only
 * thing on the server; embedded it sits under the host's prefix and none of its hooks,
 * error handling or validation touch the host's own routes.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Kernel } from '../kernel/kernel.js';
import { coreError } from '../errors.js';
import { CORE_VERSION } from '../version.js';
import { createValidatorCompiler, refuseNulCharacters } from './validation.js';
import { errorHandler, problemSchema } from './problem.js';
import { AuthFailureLimiter, authenticationHook, permissionHook, pluginEnabledHook } from './request-guards.js';
import { idempotencyHooks } from './idempotency.js';
import { routeRules } from './route-rules.js';
import { preflight } from './cors.js';
import { securityHeaders } from './security-headers.js';
import { adminRoutes } from './routes/admin-routes.js';
import { tenantRoutes } from './routes/tenant-routes.js';
import { customerRoutes } from '../customers/customer-routes.js';
import { inboundEventRoutes } from '../events/inbound-routes.js';
import { webhookRoutes } from '../webhooks/webhook-routes.js';
import { widgetRoutes } from './routes/widget-routes.js';
import { WidgetAssets } from './widget-assets.js';

/** HTTP settings. */
export interface HttpOptions {
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Requests per credential per minute (default 1200); also failed authentications per client address. */
  rateLimitPerMinute?: number;
  /**
   * Standalone server only (embedded, the host's server owns its sockets): the whole
   * request must arrive within `requestTimeoutMs` (default 30 s, then 408 and the socket
   * is closed), an idle socket is closed after `connectionTimeoutMs` (default 60 s), and
   * Node checks those deadlines every `timeoutCheckIntervalMs` (default 30 s; lower in tests).
   */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  timeoutCheckIntervalMs?: number;
  /** Where the built widget bundle is (`manifest.json` and its files); default the package's `dist/widgets`. */
  widgetsDir?: string;
  /**
   * More routes in Peyvand's scope (its security headers, error format and rate limit
   * apply), registered after its own. `peyvand start` mounts the demo ERP page this way.
   */
  extraRoutes?: (scope: FastifyInstance, kernel: Kernel) => Promise<void> | void;
}

/** Deepest JSON nesting a body may have: far beyond any schema, far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;

/** Registers everything HTTP into `scope`. */
export async function registerPeyvandHttp(scope: FastifyInstance, kernel: Kernel, options: HttpOptions = {}): Promise<void> {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  scope.setValidatorCompiler(createValidatorCompiler());
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  if (scope.hasContentTypeParser('text/plain')) scope.removeContentTypeParser('text/plain');
  // The host may have its own parser for this type; Peyvand's scope gets its own copy.
  if (scope.hasContentTypeParser('application/merge-patch+json')) scope.removeContentTypeParser('application/merge-patch+json');
  // Both JSON types refuse absurd nesting before parsing: JSON.parse copes with it, but the
  // recursive code after it (validation, JSON.stringify into a column) overflows the stack.
  const json = depthLimitedJsonParser(scope.getDefaultJsonParser('error', 'error'));
  scope.addContentTypeParser('application/merge-patch+json', { parseAs: 'string', bodyLimit }, json);
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, json);
  scope.setErrorHandler(errorHandler(kernel.i18n));
  scope.setNotFoundHandler((request: FastifyRequest) => {
    throw coreError('ROUTE_NOT_FOUND', { path: request.url });
  });

  securityHeaders(scope);
  await scope.register(rateLimit, {
    global: true,
    max: options.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    // Per credential: the hashed Authorization header, else the client address.
    keyGenerator: (request) => {
      const auth = request.headers.authorization;
      return auth ? createHash('sha256').update(auth).digest('base64url') : `ip:${request.ip}`;
    },
    allowList: (request) => request.url === '/health' || request.url.endsWith('/health') || request.url.endsWith('/ready'),
    errorResponseBuilder: (_request, context) => coreError('RATE_LIMITED', { after: context.after }, { headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) } }),
  });
  await scope.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Peyvand CRM API', version: CORE_VERSION, description: 'Tenant and admin API of Peyvand. Errors are application/problem+json.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key (pvk_…), host-signed JWT, or the platform admin key' } } },
    },
    transform: ({ schema, url, route }) => {
      const access = route.config ?? {};
      const out: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
      if (!access.public) out.security = [{ bearer: [] }];
      if (access.permission) out['x-permission'] = access.permission;
      if (access.admin) out['x-admin'] = true;
      return { schema: out as never, url };
    },
  });

  scope.addHook('onRequest', authenticationHook(kernel.authenticator, kernel.options.adminKey, new AuthFailureLimiter(options.rateLimitPerMinute ?? 1200), kernel));
  scope.addHook('preValidation', permissionHook);
  scope.addHook('preValidation', refuseNulCharacters);
  const idempotency = idempotencyHooks(kernel.db);
  scope.addHook('preHandler', idempotency.preHandler);
  scope.addHook('onSend', idempotency.onSend);

  scope.get('/health', { config: { public: true }, schema: { summary: 'Liveness', tags: ['health'], response: { 200: { type: 'object', additionalProperties: false, properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));
  scope.get('/ready', {
    config: { public: true },
    schema: { summary: 'Readiness: 200 once migrations ran', tags: ['health'], response: { 200: { type: 'object', additionalProperties: false, properties: { status: { type: 'string' } } }, 503: problemSchema } },
  }, async () => {
    if (!(await kernel.isReady())) throw coreError('NOT_READY');
    return { status: 'ready' };
  });
  scope.options('/*', { config: { public: true }, schema: { hide: true } }, preflight(kernel));

  await scope.register(async (assets) => {
    assets.addHook('onRoute', routeRules('core', kernel.registry, bodyLimit));
    widgetRoutes(assets, new WidgetAssets(options.widgetsDir));
  });

  await scope.register(async (api) => {
    api.addHook('onRoute', routeRules('core', kernel.registry, bodyLimit));
    adminRoutes(api, kernel);
    tenantRoutes(api, kernel);
    customerRoutes(api, kernel);
    inboundEventRoutes(api, kernel.inbound);
    webhookRoutes(api, kernel.webhooks);
  }, { prefix: '/api/v1' });
  // The document itself is the one route outside it (the rules refuse hidden routes).
  scope.get('/api/v1/openapi.json', { config: { public: true }, schema: { summary: 'This API as OpenAPI 3.1', hide: true, response: { 200: { type: 'object', additionalProperties: true } } } }, async () => scope.swagger());

  for (const plugin of kernel.plugins) {
    const { definition } = plugin;
    if (definition.name === 'core' || !definition.routes) continue;
    await scope.register(async (pluginScope) => {
      pluginScope.addHook('onRoute', routeRules(definition.name, kernel.registry, bodyLimit));
      pluginScope.addHook('onRequest', pluginEnabledHook(definition.name, kernel.tenants));
      await definition.routes!(pluginScope, kernel.context(definition.name));
    }, { prefix: `/api/v1/${definition.name}` });
  }

  if (options.extraRoutes) {
    const extra = options.extraRoutes;
    await scope.register(async (more) => {
      more.addHook('onRoute', routeRules('core', kernel.registry, bodyLimit));
      await extra(more, kernel);
    });
  }
}

type BodyParser = (request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void;

function depthLimitedJsonParser(parse: BodyParser): BodyParser {
  return (request, body, done) => {
    if (jsonDepth(body) > MAX_JSON_DEPTH) {
      done(coreError('VALIDATION_FAILED', {}, { errors: [{ path: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels`, key: 'core:validation.tooDeep', params: { limit: MAX_JSON_DEPTH } }] }));
      return;
    }
    parse(request, body, done);
  };
}

/** The deepest `[`/`{` nesting of a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}
