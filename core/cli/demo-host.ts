/**
 * The example ERP page `peyvand start` serves at `/examples/erp-host/` (fa) and
 * `/examples/erp-host/en.html`, with the two things an ERP's own backend would provide:
 * `token`, a short-lived JWT for a demo sales manager signed with the demo tenant's embed
 * secret (what the ERP does for its logged-in user), and `config.json`, what the plugins'
 * demo hooks handed the page (sales: the demo web form's key). Only `start` mounts these routes — never `serve`, never an
 * embedded Peyvand — and the token is handed only to browsers on the same computer.
 *
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import { HOST_TOKEN_AUDIENCE } from '../auth/host-token.js';
import { coreError } from '../plugin/errors.js';
import { problemSchema } from '../http/problem.js';
import { mediaResponse } from '../plugin/schemas.js';
import type { Kernel } from '../kernel/kernel.js';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import { packageRoot } from '../paths.js';

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
// Tagged `demo`: listed like every route (the security suite walks the document), but
// marked as the demo server's, which a deployment (`serve`) or an embedding never has.
const tags = ['demo'];
const html = { 200: mediaResponse('text/html', 'The page'), '4xx': problemSchema };
const pageFile = {
  200: { description: 'The file', content: Object.fromEntries(Object.values(FILES).map((type) => [type.split(';')[0]!, { schema: { type: 'string' } }])) },
  '4xx': problemSchema,
};
const redirect = { 302: { type: 'null', description: `To ${DEMO_PAGE_PATH}`, headers: { Location: { type: 'string' } } } };
const fileParams = { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', maxLength: 40 } } } as const;
const demoOnly = ' Served only by `peyvand start` (the demo server), never by `serve` or an embedded Peyvand.';
const localOnlyNote = ' Answers only a browser on the same computer (403 DEMO_LOCAL_ONLY otherwise).';

/** The routes, for `HttpOptions.extraRoutes`; `pageValues` reads what the demo seed's plugins handed the page. */
export function demoHostRoutes(tenantSlug: string, pageValues: () => Readonly<Record<string, string>> = () => ({})) {
  return (scope: FastifyInstance, kernel: Kernel): void => {
    // Request types come from the route schemas, as in plugins.
    const app = scope.withTypeProvider<PeyvandTypeProvider>();
    const dir = path.join(packageRoot(), 'examples', 'erp-host');
    const sendFile = async (name: string, reply: FastifyReply) => {
      const type = FILES[name];
      if (!type) throw coreError('ROUTE_NOT_FOUND', { path: `${DEMO_PAGE_PATH}${name}` });
      reply.header('cache-control', 'no-cache');
      if (type.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP);
      return reply.type(type).send(await fs.readFile(path.join(dir, name)));
    };

    app.get('/', { config, schema: { operationId: 'core.demo-page.root', summary: 'The example ERP page (demo server only)', description: `Redirects to the example ERP page.${demoOnly}`, tags, response: redirect } }, async (_request, reply) => reply.redirect(DEMO_PAGE_PATH));
    app.get('/examples/erp-host', { config, schema: { operationId: 'core.demo-page.redirect', summary: 'The example ERP page', description: `Redirects to the page's folder URL.${demoOnly}`, tags, response: redirect } }, async (_request, reply) => reply.redirect(DEMO_PAGE_PATH));
    app.get(DEMO_PAGE_PATH, { config, schema: { operationId: 'core.demo-page.get', summary: 'The example ERP page, Persian', description: `An ERP screen with the widgets embedded, right to left; \`en.html\` beside it is the English one.${demoOnly}`, tags, response: html } }, async (_request, reply) => sendFile('index.html', reply));
    app.get(`${DEMO_PAGE_PATH}:file`, {
      config,
      schema: { operationId: 'core.demo-page.file', summary: 'A file of the example ERP page', description: `The page's HTML, stylesheet and script.${demoOnly}`, tags, params: fileParams, response: pageFile },
    }, async (request, reply) => sendFile(request.params.file, reply));

    app.get(`${DEMO_PAGE_PATH}token`, {
      config,
      schema: {
        operationId: 'core.demo-page.token',
        summary: 'A host-signed token for the demo user (what an ERP backend does)',
        description: `A JWT for the demo sales manager, signed with the demo tenant's embed secret and valid for ${DEMO_TOKEN_SECONDS / 60} minutes.${localOnlyNote}${demoOnly}`,
        tags,
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
        operationId: 'core.demo-page.config',
        summary: 'What the example page embeds: values from the plugins\' demo data',
        description: `Strings the installed plugins' demo hooks handed the page, by name (sales: \`formKey\`, its web-to-lead form's key, for the page's lead form).${localOnlyNote}${demoOnly}`,
        tags,
        response: { 200: { type: 'object', additionalProperties: { type: 'string' } }, '4xx': problemSchema },
      },
    }, async (request, reply) => {
      localOnly(request);
      reply.header('cache-control', 'no-store');
      return pageValues();
    });
  };
}

/** A demo token is an admin's: only a browser on this computer gets one. */
function localOnly(request: FastifyRequest): void {
  if (!LOOPBACK.has(request.ip)) throw coreError('DEMO_LOCAL_ONLY');
}
