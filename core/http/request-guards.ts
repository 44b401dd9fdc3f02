/**
 * The hooks every Peyvand request passes: authentication (onRequest), origin check for
 * browser calls, plugin enablement (in each plugin's scope) and the route's permission
 * (preValidation, so a caller without the permission gets 403 before any 400).
 */
import { timingSafeEqual, hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { coreError } from '../plugin/errors.js';
import type { Authenticated, Authenticator } from '../auth/authenticator.js';
import type { Kernel } from '../kernel/kernel.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import { allowOrigin, allowOriginOfAnyTenant, crossOrigin } from './cors.js';
import { API_KEY_PREFIX } from '../auth/api-keys.js';
import { ADMIN_RATE_LIMIT_KEY, rateLimitKeyOf } from './rate-limit.js';

export { actorOf } from '../plugin/http.js';

/** The bearer token of the Authorization header, if it has one. */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return (header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null)?.[1] || undefined;
}

function bearer(request: FastifyRequest): string {
  const token = tokenOf(request);
  if (!token) throw coreError('UNAUTHENTICATED');
  return token;
}

/** Constant-time string comparison (hashing first equalizes lengths). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

/**
 * Failed authentications per client address, in one-minute windows. The rate limit proper
 * is per credential and runs once the caller is known, so without this a caller sending
 * no, junk or ever-changing credentials would never be limited. Past the budget an address
 * gets 429 before any credential it sends is even checked (so guessing stops too).
 *
 * At most `maxAddresses` are tracked; past that the least recently seen address is
 * forgotten (a Map keeps insertion order, and each failure re-inserts its address), so
 * an attacker spraying new addresses pushes out idle ones, never its own busy counter.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Throws 429 when the address has used up its failures. */
  check(address: string): void {
    const w = this.windows.get(address);
    const now = Date.now();
    if (w && w.resetAt > now && w.failures >= this.perMinute) throw coreError('RATE_LIMITED', {}, { headers: { 'retry-after': String(Math.ceil((w.resetAt - now) / 1000)) } });
  }

  fail(address: string): void {
    const now = Date.now();
    let w = this.windows.get(address);
    if (!w || w.resetAt <= now) w = { failures: 0, resetAt: now + 60_000 };
    // Most recently seen last: delete and set again moves the address to the end.
    this.windows.delete(address);
    while (this.windows.size >= this.maxAddresses) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(address, w);
    w.failures++;
  }
}

/**
 * onRequest: sets the security headers (`headers`, see security-headers.ts) and the request
 * id, then resolves the credential the route needs. `tenants` answers CORS for requests
 * that name no tenant (public routes, refused credentials; see cors.ts). A same-origin
 * call with an API key whose row, tenant and grant are cached is answered in the same
 * turn, without a promise; anything else takes the full path.
 */
export function authenticationHook(auth: Authenticator, adminKey: string | undefined, failures?: AuthFailureLimiter, tenants?: Pick<Kernel, 'tenants'>, headers: Readonly<Record<string, string>> = {}) {
  const isAdminKey = adminKeyCheck(adminKey);
  return (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): Promise<void> | undefined => {
    reply.headers(headers);
    reply.header('x-request-id', String(request.id));
    const access = request.routeOptions.config ?? {};
    // An unknown path is a 404 for everyone, not a 401 that hides whether it exists.
    if (request.method === 'OPTIONS' || request.is404) {
      done();
      return undefined;
    }
    if (access.public) {
      // A public route (the web-to-lead form) is called from the pages of allowed origins;
      // static assets answer every origin themselves.
      if (tenants && !access.asset) return allowOriginOfAnyTenant(tenants, request, reply);
      done();
      return undefined;
    }
    failures?.check(request.ip);
    // Refusals (no token, a wrong one) take the full path, which counts them.
    const token = !access.admin && !request.headers.origin ? tokenOf(request) : undefined;
    const known = token && !isAdminKey(token) ? auth.cached(token, String(request.id)) : undefined;
    if (known) {
      identify(request, known);
      done();
      return undefined;
    }
    return authenticateOrCount(request, reply, auth, isAdminKey, access.admin === true, failures, tenants);
  };
}

/** The full path: any credential, any origin; a 401 counts against the client address. */
async function authenticateOrCount(request: FastifyRequest, reply: FastifyReply, auth: Authenticator, isAdminKey: (token: string) => boolean, adminRoute: boolean, failures?: AuthFailureLimiter, tenants?: Pick<Kernel, 'tenants'>): Promise<void> {
  try {
    await authenticate(request, reply, auth, isAdminKey, adminRoute);
  } catch (err) {
    if ((err as { status?: number }).status === 401) {
      failures?.fail(request.ip);
      // A widget must see the 401 (not a CORS failure) to ask its host for a new token.
      if (tenants && !adminRoute) await allowOriginOfAnyTenant(tenants, request, reply);
    }
    throw err;
  }
}

/**
 * Whether a token is the admin key, compared in constant time (the admin key's digest is
 * taken once). A token of the API key shape (`pvk_…`) cannot be an admin key that lacks
 * that prefix, so it is not hashed for the comparison: the prefix is public, and only
 * whether the presented token starts with it decides whether time is spent.
 */
function adminKeyCheck(adminKey: string | undefined): (token: string) => boolean {
  if (!adminKey) return () => false;
  const expected = digest(adminKey);
  const apiKeyShaped = adminKey.startsWith(API_KEY_PREFIX);
  return (token) => (apiKeyShaped || !token.startsWith(API_KEY_PREFIX)) && timingSafeEqual(digest(token), expected) && token.length === adminKey.length;
}

function identify(request: FastifyRequest, { actor, locale, rateLimitPerMinute }: Authenticated): void {
  request.actor = actor;
  request.tenantLocale = locale;
  request.rateLimitKey = rateLimitKeyOf(actor);
  if (rateLimitPerMinute !== null) request.tenantRateLimit = rateLimitPerMinute;
}

async function authenticate(request: FastifyRequest, reply: FastifyReply, auth: Authenticator, isAdminKey: (token: string) => boolean, adminRoute: boolean): Promise<void> {
  const token = bearer(request);
  if (adminRoute) {
    if (!isAdminKey(token)) throw coreError('INVALID_CREDENTIAL', { reason: 'admin' });
    request.rateLimitKey = ADMIN_RATE_LIMIT_KEY;
    return;
  }
  if (isAdminKey(token)) throw coreError('FORBIDDEN', { permission: 'tenant credential' });
  const authenticated = await auth.authenticate(token, String(request.id));
  identify(request, authenticated);
  const origin = crossOrigin(request);
  if (origin) {
    if (!(await authenticated.allowedOrigins()).includes(origin)) throw coreError('ORIGIN_NOT_ALLOWED', { origin });
    allowOrigin(reply, origin);
  }
}

/** onRequest in a plugin's scope: a plugin the tenant has not enabled does not exist for it. */
export function pluginEnabledHook(plugin: string, tenants: TenantService) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.actor) return;
    if (!(await tenants.isEnabled(request.actor.tenantId, plugin))) throw coreError('PLUGIN_NOT_ENABLED', { plugin });
  };
}

/**
 * For preValidation: the route's permission. A customer principal reaches only routes
 * marked `portal`, and those routes only customer principals (staff use the staff routes).
 */
export function checkPermission(request: FastifyRequest): void {
  // Read once: fastify builds a new routeOptions object on every read.
  const config = request.routeOptions.config;
  const permission = config?.permission;
  const portal = config?.portal === true;
  if (request.actor && (request.actor.kind === 'customer') !== portal) throw coreError('FORBIDDEN', { permission: portal ? 'customer portal' : (permission ?? 'staff') });
  if (!permission || !request.actor) return;
  if (!request.actor.permissions.has(permission)) throw coreError('FORBIDDEN', { permission });
}
