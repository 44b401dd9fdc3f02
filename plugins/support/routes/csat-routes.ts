/**
 * CSAT: a survey link for a solved ticket (staff), the public survey itself (no
 * credential: the signed token in the URL names the tenant and the ticket), and the
 * complaints report for managers.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../../core/plugin/index.js';
import type { SupportServices } from '../services/container.js';
import type { ComplaintQuery } from '../services/complaints.js';
import type { CsatAnswer } from '../services/csat.js';
import { idParams, problemSchema } from '../schemas/common.js';
import { complaintQuery, complaintReportSchema, csatAnswerSchema, csatLinkSchema, csatSurveySchema, csatTokenParams } from '../schemas/csat-schemas.js';
import { defined } from './http.js';

const tags = ['support-csat'];

/** Registers the CSAT and complaint routes. */
export function csatRoutes(app: FastifyInstance, { tickets, csat, complaints }: SupportServices): void {
  app.post<{ Params: { id: string } }>('/tickets/:id/csat-link', {
    config: { permission: 'support.csat.send', bodyless: true },
    schema: { summary: 'A CSAT survey link for a solved ticket, to send another way', operationId: 'support.ticket.csat-link', description: 'A new signed, single-use survey link (`url`, valid until `expiresAt`) for a solved or closed ticket, for sending by SMS or chat; solving a ticket already mails one to a customer with an address. A ticket not yet solved answers 422 CSAT_NOT_SOLVED, one already rated 409 CSAT_ANSWERED.', tags, params: idParams, response: { 201: csatLinkSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.code(201).send(await csat.link(actor, await tickets.get(actor, request.params.id)));
  });

  app.get<{ Params: { token: string } }>('/csat/:token', {
    config: { public: true },
    schema: { summary: 'The CSAT survey of a ticket (public, by its link)', operationId: 'support.csat.get', description: 'For the survey page the customer opens from the mailed link; no credential, the signed token is the authority. Answers the ticket number and subject and the language to ask in. A forged, expired or unknown link answers 404 CSAT_LINK_NOT_FOUND; an already rated ticket 409 CSAT_ANSWERED.', tags, params: csatTokenParams, response: { 200: csatSurveySchema, '4xx': problemSchema } },
  }, async (request) => csat.survey(request.params.token));

  app.post<{ Params: { token: string }; Body: CsatAnswer }>('/csat/:token', {
    config: { public: true },
    schema: { summary: 'Rate a ticket (public, by its survey link; once)', operationId: 'support.csat.answer', description: 'Stores the customer\'s rating (1–5) and optional comment on the ticket and answers 204; emits `csat.received`. The link works once and a ticket is rated once: a second answer is 409 CSAT_ANSWERED. A rating of 2 or less records a complaint with a follow-up. A forged, expired or unknown link answers 404 CSAT_LINK_NOT_FOUND.', tags, params: csatTokenParams, body: csatAnswerSchema, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await csat.answer(request.params.token, request.body, String(request.id));
    return reply.code(204).send();
  });

  app.get<{ Querystring: ComplaintQuery }>('/reports/complaints', {
    config: { permission: 'support.report.read' },
    schema: { summary: 'Customers with repeated complaints in a period', operationId: 'support.report.complaints', description: 'Customers with at least `min` complaints (a CSAT rating of 2 or less, or a ticket given the complaint tag; one per ticket) between `from` and `to`, most complaints first, up to 500.', tags, querystring: complaintQuery, response: { 200: complaintReportSchema, '4xx': problemSchema } },
  }, async (request) => complaints.report(actorOf(request), defined(request.query)));
}
