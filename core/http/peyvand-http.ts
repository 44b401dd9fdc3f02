/**
 * Peyvand's HTTP layer as one encapsulated fastify plugin. Standalone it is the only
 * thing on the server; embedded it sits under the host's prefix and none of its hooks,
 * error handling or validation touch the host's own routes.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Kernel } from '../kernel/kernel.js';
import { coreError } from '../errors.js';
import { CORE_VERSION } from '../version.js';
import { createValidatorCompiler } from './validation.js';
import { errorHandler, problemSchema } from './problem.js';
import { authenticationHook, permissionHook, pluginEnabledHook } from './request-guards.js';
import { idempotencyHooks } from './idempotency.js';
import { routeRules } from './route-rules.js';
import { adminRoutes } from './routes/admin-routes.js';
import { tenantRoutes } from './routes/tenant-routes.js';
import { customerRoutes } from '../customers/customer-routes.js';

/** HTTP settings. */
export interface HttpOptions {
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Requests per credential per minute (default 1200). */
  rateLimitPerMinute?: number;
}

/** Registers everything HTTP into `scope`. */
export async function registerPeyvandHttp(scope: FastifyInstance, kernel: Kernel, options: HttpOptions = {}): Promise<void> {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  scope.setValidatorCompiler(createValidatorCompiler());
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  if (scope.hasContentTypeParser('text/plain')) scope.removeContentTypeParser('text/plain');
  // The host may have its own parser for this type; Peyvand's scope gets its own copy.
  if (scope.hasContentTypeParser('application/merge-patch+json')) scope.removeContentTypeParser('application/merge-patch+json');
  scope.addContentTypeParser('application/merge-patch+json', { parseAs: 'string', bodyLimit }, scope.getDefaultJsonParser('error', 'error'));
  scope.setErrorHandler(errorHandler(kernel.i18n));
  scope.setNotFoundHandler((request: FastifyRequest) => {
    throw coreError('ROUTE_NOT_FOUND', { path: request.url });
  });

  await scope.register(helmet, { global: true, contentSecurityPolicy: { useDefaults: true }, crossOriginResourcePolicy: { policy: 'cross-origin' } });
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

  scope.addHook('onRequest', authenticationHook(kernel.authenticator, kernel.options.adminKey));
  scope.addHook('preValidation', permissionHook);
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

  await scope.register(async (api) => {
    api.addHook('onRoute', routeRules('core', kernel.registry, bodyLimit));
    adminRoutes(api, kernel);
    tenantRoutes(api, kernel);
    customerRoutes(api, kernel);
    api.get('/openapi.json', { config: { public: true }, schema: { summary: 'This API as OpenAPI 3.1', hide: true, response: { 200: { type: 'object', additionalProperties: true } } } }, async () => scope.swagger());
  }, { prefix: '/api/v1' });

  for (const plugin of kernel.plugins) {
    const { definition } = plugin;
    if (definition.name === 'core' || !definition.routes) continue;
    await scope.register(async (pluginScope) => {
      pluginScope.addHook('onRoute', routeRules(definition.name, kernel.registry, bodyLimit));
      pluginScope.addHook('onRequest', pluginEnabledHook(definition.name, kernel.tenants));
      await definition.routes!(pluginScope, kernel.context(definition.name));
    }, { prefix: `/api/v1/${definition.name}` });
  }
}

/**
 * CORS preflight. It carries no credential, so it cannot know the tenant: it is
 * answered for origins some tenant allows, and the real request is checked against
 * its own tenant's list.
 */
function preflight(kernel: Kernel) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const origin = request.headers.origin;
    if (origin && (await allowedAnywhere(kernel, origin))) {
      reply
        .header('access-control-allow-origin', origin)
        .header('vary', 'Origin')
        .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
        .header('access-control-allow-headers', 'Authorization, Content-Type, Accept-Language, Idempotency-Key, If-Match, X-Request-Id')
        .header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  };
}

async function allowedAnywhere(kernel: Kernel, origin: string): Promise<boolean> {
  for (const tenant of await kernel.tenants.list()) {
    if ((await kernel.tenants.embedConfig(tenant.id))?.allowedOrigins.includes(origin)) return true;
  }
  return false;
}
