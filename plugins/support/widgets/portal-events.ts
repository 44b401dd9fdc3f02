/**
 * The customer-facing support widgets' DOM events, added to the runtime's
 * {@link PeyvandEventMap} so hosts and widgets get them typed like core's
 * (`document.addEventListener('peyvand-csat-submitted', …)`).
 */
import type { PortalTicket } from './portal-api-types.js';

/** `peyvand-csat-submitted`: `<peyvand-csat>`'s rating was stored. */
export interface CsatSubmittedDetail {
  ticketNumber: number;
  rating: number;
}

/** `peyvand-portal-ticket-created`: the customer opened a ticket in `<peyvand-support-portal>`. */
export interface PortalTicketCreatedDetail {
  ticket: PortalTicket;
}

declare module '../../../widgets/runtime/events.js' {
  interface PeyvandEventMap {
    'peyvand-csat-submitted': CustomEvent<CsatSubmittedDetail>;
    'peyvand-portal-ticket-created': CustomEvent<PortalTicketCreatedDetail>;
  }
}
