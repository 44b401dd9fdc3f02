/**
 * The support API responses the customer-facing widgets read: the public CSAT survey
 * (`/support/csat/{token}`) and the customer portal (`/support/portal/tickets…`); see
 * /api/v1/openapi.json, tags `support-csat` and `support-portal`.
 */

/** `GET /support/csat/{token}`: what the customer is asked to rate. */
export interface CsatSurvey {
  ticketNumber: number;
  subject: string;
  /** The customer's language (else the company's): the language the survey mail was written in. */
  locale: 'fa' | 'en';
}

/** Body of `POST /support/csat/{token}`. */
export interface CsatAnswer {
  /** 1 (very dissatisfied) to 5 (very satisfied). */
  rating: number;
  comment?: string;
}

/** A ticket's status. */
export type PortalTicketStatus = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';

/** A public message of a portal ticket (the portal never returns internal notes). */
export interface PortalMessage {
  id: string;
  ticketId: string;
  visibility: string;
  /** Who wrote it: the customer, the support team (`agent`), or Peyvand (`system`). */
  author: { kind: 'agent' | 'customer' | 'system'; id?: string };
  body: string;
  createdAt: string;
}

/** A ticket as its customer sees it (`GET /support/portal/tickets[/{id}]`). */
export interface PortalTicket {
  id: string;
  number: number;
  subject: string;
  status: PortalTicketStatus;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  channel: 'email' | 'web' | 'phone' | 'chat' | 'api';
  csat?: { rating: number; comment?: string };
  createdAt: string;
  updatedAt: string;
  /** Only on one ticket (`GET /support/portal/tickets/{id}` and the create answer): its public messages, oldest first. */
  messages?: PortalMessage[];
}
