/**
 * Peyvand's HTTP layer as one encapsulated fastify plugin. Standalone it is the only
 * thing on the server; embedded it sits under the host's prefix and none of its hooks,
 * error handling or validation touch the host's own routes.
 */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import swagger from '@fastify/swagger';
import type { Kernel } from '../kernel/kernel.js';
import { coreError } from '../plugin/errors.js';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import { checkTextHygiene, createValidatorCompiler } from './validation.js';
import { errorHandler } from './problem.js';
import { AuthFailureLimiter, authenticationHook, checkPermission, pluginEnabledHook } from './request-guards.js';
import { idempotencyHooks } from './idempotency.js';
import { notModified } from './conditional-get.js';
import { routeRules } from './route-rules.js';
import { jsonBodyText } from './json-body.js';
import { openapiOptions } from './openapi.js';
import { preflight } from './cors.js';
import { helmetHeaders } from './security-headers.js';
import { adminRoutes } from './routes/admin-routes.js';
import { tenantRoutes } from './routes/tenant-routes.js';
import { customerRoutes } from '../customers/customer-routes.js';
import { orderRoutes } from '../orders/order-routes.js';
import { importRoutes } from '../imports/import-routes.js';
import { peopleRoutes } from '../people/people-routes.js';
import { inboundEventRoutes } from '../events/inbound-routes.js';
import { webhookRoutes } from '../webhooks/webhook-routes.js';
import { erpRoutes } from '../erp/erp-routes.js';
import { widgetRoutes } from './routes/widget-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { WidgetAssets } from './widget-assets.js';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, createRateLimiter, type RateLimitCounter } from './rate-limit.js';

/** Where the rate limit counts (see rate-limit.ts). */
function rateLimitCounter(kernel: Kernel, options: HttpOptions): RateLimitCounter {
  if (options.rateLimitRedisUrl) return { kind: 'redis', url: options.rateLimitRedisUrl };
  return kernel.db.dialect === 'sqlite' ? { kind: 'memory' } : { kind: 'database', db: kernel.db };
}

/** HTTP settings. */
export interface HttpOptions {
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Requests per credential per minute (default 1200; a tenant may have its own); also failed authentications per client address. */
  rateLimitPerMinute?: number;
  /**
   * A Redis (`redis://…`) whose counters every node shares for the rate limit. Without it
   * the nodes share them through the database on PostgreSQL and MariaDB; on SQLite (one
   * process) they are kept in memory.
   */
  rateLimitRedisUrl?: string;
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

/** Registers everything HTTP into `scope`. */
export async function registerPeyvandHttp(scope: FastifyInstance, kernel: Kernel, options: HttpOptions = {}): Promise<void> {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  scope.setValidatorCompiler(createValidatorCompiler());
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  if (scope.hasContentTypeParser('text/plain')) scope.removeContentTypeParser('text/plain');
  // The host may have its own parser for this type; Peyvand's scope gets its own copy.
  if (scope.hasContentTypeParser('application/merge-patch+json')) scope.removeContentTypeParser('application/merge-patch+json');
  // Both JSON types: UTF-8 only, strictly decoded, depth-limited (json-body.ts), then
  // fastify's own parser, which refuses `__proto__` and `constructor` keys.
  const json = strictJsonParser(scope.getDefaultJsonParser('error', 'error'));
  scope.addContentTypeParser('application/merge-patch+json', { parseAs: 'buffer', bodyLimit }, json);
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, json);
  scope.setErrorHandler(errorHandler(kernel.i18n));
  scope.setNotFoundHandler((request: FastifyRequest) => {
    throw coreError('ROUTE_NOT_FOUND', { path: request.url });
  });

  // Every hook below is one function per stage, and answers in the same turn when it has
  // nothing to wait for (a warm credential, a memory rate-limit count, a GET without an
  // Idempotency-Key): a read used to pass seven async hooks and the rate-limit plugin's
  // chain of awaits (docs/performance.md, "What was changed to reach the targets").
  const limiter = await createRateLimiter(options.rateLimitPerMinute, rateLimitCounter(kernel, options), kernel.logger);
  scope.addHook('onClose', () => limiter.close());
  // On each route, as @fastify/rate-limit added it: after the scope's authentication (the
  // tenant's own limit is known) and a plugin scope's enablement check.
  scope.addHook('onRoute', (route) => {
    route.onRequest = [...[route.onRequest ?? []].flat(), limiter.hook as onRequestHookHandler];
  });
  await scope.register(swagger, openapiOptions(kernel.i18n));
  // One set for every scope below: two routes cannot share an operationId.
  const operationIds = new Set<string>();
  const rules = (plugin: string) => routeRules(plugin, kernel.registry, bodyLimit, operationIds);

  // Security headers first: answers refused by authentication carry them too.
  scope.addHook('onRequest', authenticationHook(kernel.authenticator, kernel.options.adminKey, new AuthFailureLimiter(options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE), kernel, helmetHeaders()));
  scope.addHook('preValidation', (request, _reply, done) => {
    checkPermission(request);
    checkTextHygiene(request);
    done();
  });
  const idempotency = idempotencyHooks(kernel.db);
  scope.addHook('preHandler', idempotency.preHandler);
  scope.addHook('onSend', (request, reply, payload, done) => {
    const stored = idempotency.onSend(request, reply, payload);
    if (stored) return stored.then((kept) => notModified(request, reply, kept));
    done(null, notModified(request, reply, payload));
    return undefined;
  });

  await scope.register(async (health) => {
    health.addHook('onRoute', rules('core'));
    healthRoutes(health, kernel);
  });
  scope.options('/*', { config: { public: true }, schema: { hide: true } }, preflight(kernel));

  await scope.register(async (assets) => {
    assets.addHook('onRoute', rules('core'));
    widgetRoutes(assets, new WidgetAssets(options.widgetsDir));
  });

  await scope.register(async (api) => {
    api.addHook('onRoute', rules('core'));
    adminRoutes(api, kernel);
    tenantRoutes(api, kernel);
    customerRoutes(api, kernel);
    orderRoutes(api, kernel);
    await importRoutes(api, kernel);
    peopleRoutes(api, kernel);
    inboundEventRoutes(api, kernel.inbound);
    webhookRoutes(api, kernel.webhooks);
    erpRoutes(api, kernel.erp, kernel.i18n);
  }, { prefix: '/api/v1' });
  // The document itself is the one route outside it (the rules refuse hidden routes).
  scope.get('/api/v1/openapi.json', { config: { public: true }, schema: { summary: 'This API as OpenAPI 3.1', hide: true, response: { 200: { type: 'object', additionalProperties: true } } } }, async () => scope.swagger());

  for (const plugin of kernel.plugins) {
    const { definition } = plugin;
    if (definition.name === 'core' || !definition.routes) continue;
    await scope.register(async (pluginScope) => {
      pluginScope.addHook('onRoute', rules(definition.name));
      pluginScope.addHook('onRequest', pluginEnabledHook(definition.name, kernel.tenants));
      await definition.routes!(pluginScope.withTypeProvider<PeyvandTypeProvider>(), kernel.context(definition.name), kernel.servicesOf(definition.name));
    }, { prefix: `/api/v1/${definition.name}` });
  }

  if (options.extraRoutes) {
    const extra = options.extraRoutes;
    await scope.register(async (more) => {
      more.addHook('onRoute', rules('core'));
      await extra(more, kernel);
    });
  }
}

type Done = (err: Error | null, body?: unknown) => void;

function strictJsonParser(parse: (request: FastifyRequest, body: string, done: Done) => void): (request: FastifyRequest, body: Buffer, done: Done) => void {
  return (request, body, done) => {
    let text: string;
    try {
      text = jsonBodyText(request.headers['content-type'], body);
    } catch (err) {
      done(err as Error);
      return;
    }
    parse(request, text, done);
  };
}
