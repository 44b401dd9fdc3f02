/**
 * CSAT: a survey link for a solved ticket (staff), the public survey itself (no
 * credential: the signed token in the URL names the tenant and the ticket), and the
 * complaints report and follow-ups for managers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, defined, mediaResponse, pageOrSchema, PeyvandError, PUBLIC_PAGE_HEADERS, requestLanguage, wantsHtml, type Language, type PeyvandTypeProvider, type PluginApp, type PluginContext } from '../../../core/plugin/index.js';
import type { SupportOptions } from '../options.js';
import type { SupportServices } from '../services/container.js';
import { csatPage, type CsatPageKind } from '../services/csat-page.js';
import { idParams, pageOf, problemSchema } from '../schemas/common.js';
import { complaintQuery, complaintReportSchema, followUpDoneSchema, followUpQuery, followUpSchema, csatAnswerSchema, csatLinkSchema, csatSurveySchema, csatTokenParams } from '../schemas/csat-schemas.js';

const tags = ['support-csat'];

/** A survey link's outcome as a page (the API's error codes of the link, as page kinds and statuses). */
const PAGE_OF_ERROR: Record<string, { status: number; kind: CsatPageKind }> = { CSAT_ANSWERED: { status: 409, kind: 'answered' }, CSAT_LINK_NOT_FOUND: { status: 404, kind: 'invalid' } };

/** Registers the CSAT and complaint routes. */
export function csatRoutes(app: PluginApp, ctx: PluginContext<SupportOptions>, { tickets, csat, complaints, followUps }: SupportServices): void {
  /** Sends a survey page; `error` (of the link) picks the page and status, in the request's language. */
  function sendPage(request: FastifyRequest, reply: FastifyReply, page: { kind: CsatPageKind; status: number; lng?: Language; survey?: Awaited<ReturnType<typeof csat.survey>> }): FastifyReply {
    const lng = page.lng ?? requestLanguage(request);
    return reply.code(page.status).headers(PUBLIC_PAGE_HEADERS).send(csatPage({ t: (key, options) => ctx.t(key, options), lng, kind: page.kind, ...(page.survey && { survey: page.survey }) }));
  }
  /** The page for a refused link, or undefined for any other error (answered as usual). */
  const pageOfError = (err: unknown) => (err instanceof PeyvandError ? PAGE_OF_ERROR[err.code] : undefined);

  app.post('/tickets/:id/csat-link', {
    config: { permission: 'support.csat.send', bodyless: true },
    schema: { summary: 'A CSAT survey link for a solved ticket, to send another way', operationId: 'support.ticket.csat-link', description: 'A new signed, single-use survey link (`url`, valid until `expiresAt`) for a solved or closed ticket, for sending by SMS or chat; solving a ticket already mails one to a customer with an address. A ticket not yet solved answers 422 CSAT_NOT_SOLVED, one already rated 409 CSAT_ANSWERED.', tags, params: idParams, response: { 201: csatLinkSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.code(201).send(await csat.link(actor, await tickets.get(actor, request.params.id)));
  });

  app.get('/csat/:token', {
    config: { public: true },
    schema: {
      summary: 'The CSAT survey of a ticket (public, by its link)', operationId: 'support.csat.get',
      description: 'The mailed survey link. No credential, the signed token is the authority. An API client (or the `<peyvand-csat>` widget) gets the ticket number and subject and the language to ask in; a browser (a request accepting `text/html`) gets the survey as a page in the customer\'s language — five ratings and a comment in a form that posts back here, no script. A forged, expired or unknown link answers 404 CSAT_LINK_NOT_FOUND; an already rated ticket 409 CSAT_ANSWERED (as pages for a browser).',
      tags, params: csatTokenParams,
      response: { 200: pageOrSchema('The survey', 'application/json', csatSurveySchema), 404: pageOrSchema('A forged, expired or unknown link', 'application/problem+json', problemSchema), 409: pageOrSchema('A ticket already rated', 'application/problem+json', problemSchema), '4xx': problemSchema },
    },
  }, async (request, reply) => {
    if (!wantsHtml(request.headers.accept)) return csat.survey(request.params.token);
    try {
      const survey = await csat.survey(request.params.token);
      return sendPage(request, reply, { kind: 'survey', status: 200, lng: survey.locale, survey });
    } catch (err) {
      const page = pageOfError(err);
      if (!page) throw err;
      return sendPage(request, reply, page);
    }
  });

  // The survey page's form posts `rating=4&comment=…`; the rating arrives as text and is read as the number it is.
  // A registered scope starts with fastify's default type provider: ask for Peyvand's again.
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<PeyvandTypeProvider>();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) => done(null, formAnswer(String(body))));
    scope.post('/csat/:token', {
      config: { public: true },
      schema: {
        summary: 'Rate a ticket (public, by its survey link; once)', operationId: 'support.csat.answer',
        description: 'Stores the customer\'s rating (1–5) and optional comment on the ticket and answers 204; emits `csat.received`. JSON, or the survey page\'s form (`application/x-www-form-urlencoded`), whose browser gets the outcome as a page (200 thanks, or the 404/409 below). The link works once and a ticket is rated once: a second answer is 409 CSAT_ANSWERED. A rating of 2 or less records a complaint with a follow-up. A forged, expired or unknown link answers 404 CSAT_LINK_NOT_FOUND.',
        tags, params: csatTokenParams, body: csatAnswerSchema,
        response: { 200: mediaResponse('text/html', 'The thanks page (a browser\'s form post)'), 204: { type: 'null' }, 404: pageOrSchema('A forged, expired or unknown link', 'application/problem+json', problemSchema), 409: pageOrSchema('A ticket already rated', 'application/problem+json', problemSchema), '4xx': problemSchema },
      },
    }, async (request, reply) => {
      if (!wantsHtml(request.headers.accept)) {
        await csat.answer(request.params.token, request.body, String(request.id));
        return reply.code(204).send();
      }
      try {
        const { locale } = await csat.answer(request.params.token, request.body, String(request.id));
        return sendPage(request, reply, { kind: 'thanks', status: 200, lng: locale });
      } catch (err) {
        const page = pageOfError(err);
        if (!page) throw err;
        return sendPage(request, reply, page);
      }
    });
  });

  app.get('/reports/complaints', {
    config: { permission: 'support.report.read' },
    schema: { summary: 'Customers with repeated complaints in a period', operationId: 'support.report.complaints', description: 'Customers with at least `min` complaints (a CSAT rating of 2 or less, or a ticket given the complaint tag; one per ticket) between `from` and `to`, most complaints first, up to 500.', tags, querystring: complaintQuery, response: { 200: complaintReportSchema, '4xx': problemSchema } },
  }, async (request) => complaints.report(actorOf(request), defined(request.query)));

  app.get('/follow-ups', {
    config: { permission: 'support.complaint.follow_up' },
    schema: { summary: 'Complaint follow-ups to do (or done)', operationId: 'support.follow-up.list', description: 'Each complaint is a follow-up task for the manager of its ticket\'s queue (`assigneeId`; null when the queue has no manager: any manager). Newest first; open unless `status=done`; only those on tickets within the caller\'s record scope.', tags, querystring: followUpQuery, response: { 200: pageOf(followUpSchema), '4xx': problemSchema } },
  }, async (request) => followUps.list(actorOf(request), defined(request.query)));

  app.post('/follow-ups/:id/done', {
    config: { permission: 'support.complaint.follow_up' },
    schema: { summary: 'Mark a complaint follow-up done', operationId: 'support.follow-up.done', description: 'Done is final: a second time answers 409 `FOLLOW_UP_DONE`. Announced as `complaint.followed_up`.', tags, params: idParams, body: followUpDoneSchema, response: { 200: followUpSchema, '4xx': problemSchema } },
  }, async (request) => followUps.done(actorOf(request), request.params.id, request.body.note));
}

/** The survey form's fields as the JSON answer: a rating of digits becomes its number, an empty comment is left out. */
function formAnswer(body: string): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.fromEntries(new URLSearchParams(body));
  if (typeof fields.rating === 'string' && /^\d{1,2}$/.test(fields.rating)) fields.rating = Number(fields.rating);
  if (fields.comment === '') delete fields.comment;
  return fields;
}
