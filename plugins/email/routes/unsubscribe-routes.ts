/**
 * The public unsubscribe URL of marketing mail (`List-Unsubscribe`). Mail clients POST to
 * it for one click (RFC 8058); a person whose client opens it in a browser does a GET,
 * which changes nothing (link checkers and prefetchers GET too) and answers a page with a
 * button that POSTs the same form, answered with a page. No credential: the signed token
 * is the authority. Rate-limited with every route by core's per-address limit.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageOrSchema, PeyvandError, PUBLIC_PAGE_HEADERS, requestLanguage, wantsHtml, type PeyvandTypeProvider, type PluginApp, type PluginContext } from '../../../core/plugin/index.js';
import type { EmailOptions } from '../options.js';
import { createEmailServices } from '../services/container.js';
import { unsubscribePage, type UnsubscribePageKind } from '../services/unsubscribe-page.js';
import * as s from '../schemas/email-schemas.js';

const tags = ['email: messages'];
const page = (description: string) => s.mediaResponse('text/html', description);
/** A browser's form post asks for HTML; a mail client's one-click POST (or an API client) gets JSON. */
const wantsPage = (request: FastifyRequest): boolean => wantsHtml(request.headers.accept);

/** Registers `GET` and `POST /unsubscribe/{token}`. */
export function unsubscribeRoutes(app: PluginApp, ctx: PluginContext<EmailOptions>): void {
  const { unsubscribes } = createEmailServices(ctx);

  /** Answers a page in the request's language (Accept-Language, else the link's company's, else English). */
  async function sendPage(request: FastifyRequest, reply: FastifyReply, status: number, kind: UnsubscribePageKind, tenantId?: string, address?: string): Promise<FastifyReply> {
    const tenant = tenantId ? await ctx.tenants.findById(tenantId) : undefined;
    if (tenant) request.tenantLocale = tenant.locale;
    const lng = requestLanguage(request);
    const body = unsubscribePage({ t: (key, options) => ctx.t(key, options), lng, kind, ...(address !== undefined && { address }), ...(tenant && { company: tenant.name }) });
    return reply.code(status).headers(PUBLIC_PAGE_HEADERS).send(body);
  }

  app.get('/unsubscribe/:token', {
    config: { public: true },
    schema: {
      operationId: 'email.unsubscribe.page',
      summary: 'The unsubscribe page for people (public; GET changes nothing)',
      description: 'What a browser shows for the `List-Unsubscribe` URL of a marketing mail: an HTML page in the request\'s language (Accept-Language, else the company\'s), right to left in Persian, asking to confirm with a button that POSTs `List-Unsubscribe=One-Click` to the same URL. Nothing changes on GET, as link checkers and prefetchers open links too. A used link answers a page saying so; a forged, unknown or mangled link a 404 page. No script; its own Content-Security-Policy.',
      tags,
      // Any text: a link cut or mangled by a mail client still gets a page, not a JSON error.
      params: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 500 } } },
      response: { 200: page('The confirmation page, or the page saying the link was already used'), 404: pageOrSchema('The page saying the link cannot be used', 'application/problem+json', s.problemSchema), '4xx': s.problemSchema },
    },
  }, async (request, reply) => {
    const link = await unsubscribes.inspect(request.params.token);
    if (!link) return sendPage(request, reply, 404, 'invalid');
    return sendPage(request, reply, 200, link.used ? 'used' : 'confirm', link.tenantId, link.address);
  });

  // Mail clients POST the form body of RFC 8058 (urlencoded or multipart is allowed by the RFC; urlencoded is what clients send).
  // A registered scope starts with fastify's default type provider: ask for Peyvand's again.
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<PeyvandTypeProvider>();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
    scope.post('/unsubscribe/:token', {
      config: { public: true },
      schema: {
        operationId: 'email.unsubscribe.one-click',
        summary: 'Unsubscribe from marketing mail (public, one click, RFC 8058)',
        description: 'The URL of a marketing mail\'s `List-Unsubscribe` header; mail clients POST `List-Unsubscribe=One-Click` (form-encoded, or JSON). No credential: the signed token is the authority. Marks the recipient unsubscribed from the tenant\'s marketing mail, emits `email.unsubscribed` and answers 200 with the address and a sentence in the request\'s language. A link works once: again it answers 409 UNSUBSCRIBE_LINK_USED; a forged or unknown link 404 UNSUBSCRIBE_LINK_NOT_FOUND. A request that accepts `text/html` (the form of the GET page, posted by a browser) gets the outcome as a page instead, with the same status.',
        tags,
        params: s.unsubscribeParams,
        body: s.unsubscribeBodySchema,
        response: {
          200: pageOrSchema('The address and a sentence; or the outcome page', 'application/json', s.unsubscribedSchema),
          404: pageOrSchema('An unknown or forged link (UNSUBSCRIBE_LINK_NOT_FOUND)', 'application/problem+json', s.problemSchema),
          409: pageOrSchema('A link already used (UNSUBSCRIBE_LINK_USED)', 'application/problem+json', s.problemSchema),
          '4xx': s.problemSchema,
        },
      },
    }, async (request, reply) => {
      if (!wantsPage(request)) return unsubscribes.unsubscribe(request.params.token, requestLanguage(request));
      const link = await unsubscribes.inspect(request.params.token);
      try {
        const done = await unsubscribes.unsubscribe(request.params.token, requestLanguage(request));
        return sendPage(request, reply, 200, 'done', link?.tenantId, done.address);
      } catch (err) {
        if (err instanceof PeyvandError && err.code === 'UNSUBSCRIBE_LINK_NOT_FOUND') return sendPage(request, reply, 404, 'invalid');
        if (err instanceof PeyvandError && err.code === 'UNSUBSCRIBE_LINK_USED' && link) return sendPage(request, reply, 409, 'used', link.tenantId, link.address);
        throw err;
      }
    });
  });
}
