/**
 * The two ways to run Peyvand: `createPeyvand` (its own fastify server) and
 * `peyvandFastify` (a fastify plugin mounted into the host ERP's app, with the host's
 * knex, logger and prefix).
 */
import fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { createKernel, type Kernel, type KernelOptions } from './kernel/kernel.js';
import { registerPeyvandHttp, type HttpOptions } from './http/peyvand-http.js';
import { errorHandler } from './http/problem.js';
import { clientErrorHandler } from './http/client-error.js';
import { requestIds } from './http/request-id.js';
import { lazyRequestLogger } from './http/request-logger.js';

/** Options of a Peyvand deployment. */
export interface PeyvandOptions extends KernelOptions {
  http?: HttpOptions;
}

/** A standalone Peyvand. */
export interface Peyvand {
  kernel: Kernel;
  app: FastifyInstance;
  /** Starts listening; resolves to the address. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Graceful shutdown: stops accepting, finishes in-flight requests, stops dispatch, closes the database. */
  close(): Promise<void>;
}

/** Boots the kernel and a fastify server around it. */
export async function createPeyvand(options: PeyvandOptions): Promise<Peyvand> {
  const kernel = await createKernel(options);
  // Typed as the default instance: the pino logger type would otherwise leak into every route type.
  const app = fastify({
    loggerInstance: kernel.logger,
    bodyLimit: options.http?.bodyLimit ?? 1024 * 1024,
    // A slow client cannot hold a connection: whole request within 30 s, idle sockets closed.
    requestTimeout: options.http?.requestTimeoutMs ?? 30_000,
    connectionTimeout: options.http?.connectionTimeoutMs ?? 60_000,
    keepAliveTimeout: 5_000,
    // Node enforces requestTimeout from a periodic sweep (30 s by default).
    ...(options.http?.timeoutCheckIntervalMs !== undefined && { http: { connectionsCheckingInterval: options.http.timeoutCheckIntervalMs } }),
    // A path with invalid percent-encoding is refused before routing: still problem+json.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', String(request.id));
      return errorHandler(kernel.i18n)(error, request, reply);
    },
    // What Node's HTTP parser refuses (raw UTF-8 in the request line, oversized headers) is problem+json too.
    clientErrorHandler: clientErrorHandler(kernel.i18n, kernel.logger),
    return503OnClosing: true,
    // The response serializer compiles a oneOf/anyOf with its own ajv to pick the branch; it need
    // not check Peyvand's formats (the request validator did), only know them (no "unknown format").
    serializerOpts: { ajv: { formats: { 'single-line': true, phone: true } } },
    // A caller's safe X-Request-Id, else this process's prefix and a counter (request-id.ts).
    genReqId: requestIds(),
    // The request's pino child is made only when something logs (request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
  }) as unknown as FastifyInstance;
  app.addHook('onClose', async () => kernel.close());
  try {
    await app.register(async (scope) => registerPeyvandHttp(scope, kernel, options.http));
    await app.ready();
  } catch (err) {
    // A boot failure (e.g. a route without a permission) must not leave the database open.
    await app.close().catch(() => undefined);
    await kernel.close().catch(() => undefined);
    throw err;
  }
  return {
    kernel,
    app,
    listen: (o = {}) => app.listen({ port: o.port ?? 3000, host: o.host ?? '127.0.0.1' }),
    close: () => app.close(),
  };
}

/** Options of the embedded plugin: the host passes its knex; logger defaults to the host's. */
export type PeyvandFastifyOptions = PeyvandOptions;

/**
 * Mounts Peyvand into a host fastify app:
 * `await app.register(peyvandFastify, { prefix: '/crm', knex, tablePrefix: 'crm_', secret })`.
 * Peyvand's hooks, validation and error handling stay inside its own scope; the host's
 * knex is used but never destroyed by Peyvand. The kernel is decorated as `peyvand` on
 * Peyvand's own scope (for plugins registered inside it), not on the host root.
 */
export const peyvandFastify: FastifyPluginAsync<PeyvandFastifyOptions> = async (host, options) => {
  const { http, ...kernelOptions } = options;
  const kernel = await createKernel({ ...kernelOptions, logger: kernelOptions.logger ?? (host.log as never) });
  host.addHook('onClose', async () => kernel.close());
  host.decorate('peyvand', kernel);
  await registerPeyvandHttp(host, kernel, http);
};

declare module 'fastify' {
  interface FastifyInstance {
    /** The embedded Peyvand kernel (set by `peyvandFastify`). */
    peyvand?: Kernel;
  }
}
