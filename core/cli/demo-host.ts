/**
 * The example ERP page `peyvand start` serves at `/examples/erp-host/` (fa) and
 * `/examples/erp-host/en.html`, with the two things an ERP's own backend would provide:
 * `token`, a short-lived JWT for a demo sales manager signed with the demo tenant's embed
 * secret (what the ERP does for its logged-in user), and `config.json`, the demo
 * tenant's web form key. Only `start` mounts these routes — never `serve`, never an
 * embedded Peyvand — and the token is handed only to browsers on the same computer.
 *
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import { systemActor } from '../auth/actor.js';
import { HOST_TOKEN_AUDIENCE } from '../auth/host-token.js';
import { coreError } from '../errors.js';
import { problemSchema } from '../http/problem.js';
import type { Kernel } from '../kernel/kernel.js';
import { packageRoot } from '../paths.js';
import type { SalesServices } from '../../plugins/sales/index.js';

/** Where the page is served. */
export const DEMO_PAGE_PATH = '/examples/erp-host/';
/** How long a demo token lives; the page asks for a new one when Peyvand answers 401. */
export const DEMO_TOKEN_SECONDS = 600;
/** The demo user the tokens are for. */
export const DEMO_USER = { sub: 'erp-user-1001', name: 'سارا رحیمی', roles: ['admin'] } as const;

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'en.html': 'text/html; charset=utf-8',
  'erp-host.css': 'text/css; charset=utf-8',
  'host.js': 'text/javascript; charset=utf-8',
};
// The page's own scripts and styles only; widgets talk to this same server.
const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const config = { public: true };
const html = { 200: { type: 'string' }, '4xx': problemSchema };
const redirect = { 302: { type: 'null' } };

/** The routes, for `HttpOptions.extraRoutes`. */
export function demoHostRoutes(tenantSlug: string) {
  return (app: FastifyInstance, kernel: Kernel): void => {
    const dir = path.join(packageRoot(), 'examples', 'erp-host');
    const sendFile = async (name: string, reply: FastifyReply) => {
      const type = FILES[name];
      if (!type) throw coreError('ROUTE_NOT_FOUND', { path: `${DEMO_PAGE_PATH}${name}` });
      reply.header('cache-control', 'no-cache');
      if (type.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP);
      return reply.type(type).send(await fs.readFile(path.join(dir, name)));
    };

    app.get('/', { config, schema: { summary: 'The example ERP page (demo server only)', response: redirect } }, async (_request, reply) => reply.redirect(DEMO_PAGE_PATH));
    app.get('/examples/erp-host', { config, schema: { summary: 'The example ERP page', response: redirect } }, async (_request, reply) => reply.redirect(DEMO_PAGE_PATH));
    app.get(DEMO_PAGE_PATH, { config, schema: { summary: 'The example ERP page, Persian', response: html } }, async (_request, reply) => sendFile('index.html', reply));
    app.get<{ Params: { file: string } }>(`${DEMO_PAGE_PATH}:file`, {
      config,
      schema: { summary: 'A file of the example ERP page', params: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', maxLength: 40 } } }, response: html },
    }, async (request, reply) => sendFile(request.params.file, reply));

    app.get(`${DEMO_PAGE_PATH}token`, {
      config,
      schema: {
        summary: 'A host-signed token for the demo user (what an ERP backend does)',
        response: { 200: { type: 'object', additionalProperties: false, properties: { token: { type: 'string' }, expiresAt: { type: 'string' } } }, '4xx': problemSchema },
      },
    }, async (request, reply) => {
      localOnly(request);
      const tenant = await kernel.tenants.getBySlug(tenantSlug);
      const secret = (await kernel.tenants.embedConfig(tenant.id))?.hs256Secret;
      if (!secret) throw coreError('NOT_FOUND');
      const expires = Math.floor(Date.now() / 1000) + DEMO_TOKEN_SECONDS;
      const token = await new SignJWT({ tid: tenant.slug, roles: [...DEMO_USER.roles], name: DEMO_USER.name })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(DEMO_USER.sub)
        .setAudience(HOST_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expires)
        .sign(new TextEncoder().encode(secret));
      reply.header('cache-control', 'no-store');
      return { token, expiresAt: new Date(expires * 1000).toISOString() };
    });

    app.get(`${DEMO_PAGE_PATH}config.json`, {
      config,
      schema: {
        summary: 'What the example page embeds: the demo web form key',
        response: { 200: { type: 'object', additionalProperties: false, properties: { formKey: { type: 'string' } } }, '4xx': problemSchema },
      },
    }, async (request, reply) => {
      localOnly(request);
      const tenant = await kernel.tenants.getBySlug(tenantSlug);
      const sales = kernel.servicesOf<SalesServices>('sales');
      const form = sales ? (await sales.webForms.list(systemActor(tenant, 'demo-page', []), { limit: 1 })).items[0] : undefined;
      reply.header('cache-control', 'no-store');
      return form ? { formKey: form.key } : {};
    });
  };
}

/** A demo token is an admin's: only a browser on this computer gets one. */
function localOnly(request: FastifyRequest): void {
  if (!LOOPBACK.has(request.ip)) throw coreError('DEMO_LOCAL_ONLY');
}
