/**
 * The support plugin's widgets: the chunk `/widgets/peyvand.js` loads the first time one
 * of the plugin's tags appears on a page (declared in the plugin's `widgets`; the build
 * checks they match). Each module defines its element; the messages come first.
 */
import './messages.js';

export { PeyvandTicketList } from './peyvand-ticket-list.js';
export { PeyvandTicketView } from './peyvand-ticket-view.js';
export { PeyvandTicketForm } from './peyvand-ticket-form.js';
export { PeyvandCsat } from './peyvand-csat.js';
export { PeyvandSupportPortal } from './peyvand-support-portal.js';
export type * from './events.js';
export type * from './portal-events.js';
export type { CannedResponse, Queue, SlaTarget, Ticket, TicketMessage } from './api-types.js';
export type * from './portal-api-types.js';
