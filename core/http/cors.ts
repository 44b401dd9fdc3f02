/**
 * CORS for browsers calling Peyvand from an ERP's page (the widgets). A tenant lists the
 * origins allowed to embed it (`PUT /api/v1/admin/tenants/{slug}/embed`). An
 * authenticated request is checked against its own tenant's list (request-guards). What
 * carries no usable credential — a preflight, a public route, a refused credential — cannot
 * name its tenant, so it is answered for origins that some tenant allows: a widget must be
 * able to read a 401 to know it should fetch a new token. That question is one indexed
 * read of the origin index (`tenancy/tenant-origins.ts`), whatever the number of tenants.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kernel } from '../kernel/kernel.js';

/** Response headers a widget may read on a cross-origin response. */
const EXPOSED_HEADERS = 'ETag, Location, Retry-After, X-Request-Id, Idempotency-Replayed';

/** Lets `origin` read this response. */
export function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('vary', 'Origin');
  reply.header('access-control-expose-headers', EXPOSED_HEADERS);
}

/** The request's `Origin` when it is another origin than Peyvand's own (a cross-origin call). */
export function crossOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (!origin) return undefined;
  try {
    return new URL(origin).host === request.headers.host ? undefined : origin;
  } catch {
    return origin;
  }
}

/**
 * Adds the CORS headers for a cross-origin request that names no tenant, when some tenant
 * allows its origin; otherwise the browser keeps the response from the page.
 */
export async function allowOriginOfAnyTenant(kernel: Pick<Kernel, 'tenants'>, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const origin = crossOrigin(request);
  if (origin && (await kernel.tenants.someTenantAllowsOrigin(origin))) allowOrigin(reply, origin);
}

/** The CORS preflight (`OPTIONS`): it carries no credential, so the origin must be allowed by some tenant. */
export function preflight(kernel: Pick<Kernel, 'tenants'>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const origin = request.headers.origin;
    if (origin && (await kernel.tenants.someTenantAllowsOrigin(origin))) {
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

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A public static file (the widget bundle) that sets its own CORS headers for every origin. */
    asset?: boolean;
  }
}
