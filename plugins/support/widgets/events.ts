/**
 * The support staff widgets' DOM events, added to the runtime's {@link PeyvandEventMap} so
 * hosts and widgets get them typed (`document.addEventListener('peyvand-ticket-selected', …)`).
 */
import type { Ticket } from './api-types.js';

/** `peyvand-ticket-selected`: a ticket was opened in `<peyvand-ticket-list>` (click, or Enter). */
export interface TicketSelectedDetail {
  ticket: Ticket;
}

/** `peyvand-ticket-created`: `<peyvand-ticket-form>` was accepted by the API. */
export interface TicketCreatedDetail {
  ticket: Ticket;
}

/** `peyvand-ticket-updated`: `<peyvand-ticket-view>` changed a ticket (a reply, a note, a field). */
export interface TicketUpdatedDetail {
  ticket: Ticket;
  /** What changed: `reply`, `note`, or the field (`status`, `priority`, `assigneeId`). */
  change: 'reply' | 'note' | 'status' | 'priority' | 'assigneeId';
}

declare module '../../../widgets/runtime/events.js' {
  interface PeyvandEventMap {
    'peyvand-ticket-selected': CustomEvent<TicketSelectedDetail>;
    'peyvand-ticket-created': CustomEvent<TicketCreatedDetail>;
    'peyvand-ticket-updated': CustomEvent<TicketUpdatedDetail>;
  }
}
