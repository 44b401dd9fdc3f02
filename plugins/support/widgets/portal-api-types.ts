/**
 * The support API the customer-facing widgets speak: the public CSAT survey
 * (`/support/csat/{token}`) and the customer portal (`/support/portal/tickets…`), derived
 * from the routes' schemas in the OpenAPI document (tags `support-csat`, `support-portal`).
 */
import type { RequestOf, ResponseOf } from '../../../widgets/runtime/index.js';

/** `GET /support/csat/{token}`: what the customer is asked to rate, in the language the survey mail was written in. */
export type CsatSurvey = ResponseOf<'support.csat.get'>;

/** Body of `POST /support/csat/{token}`: a rating from 1 (very dissatisfied) to 5 (very satisfied). */
export type CsatAnswer = RequestOf<'support.csat.answer'>;

/**
 * A ticket as its customer sees it (`GET /support/portal/tickets/{id}`); `messages`, on one
 * ticket and the create answer only, are its public messages, oldest first.
 */
export type PortalTicket = ResponseOf<'support.portal-ticket.get'>;

/** A ticket's status. */
export type PortalTicketStatus = PortalTicket['status'];

/** A public message of a portal ticket (the portal never returns internal notes). */
export type PortalMessage = NonNullable<PortalTicket['messages']>[number];
