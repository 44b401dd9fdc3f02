/**
 * The support plugin's widgets: the chunk `/widgets/peyvand.js` loads the first time a
 * `<peyvand-ticket-list>`, `<peyvand-ticket-view>` or `<peyvand-ticket-form>` appears on a
 * page (the tags are declared in the plugin's `widgets`; the build checks they match).
 * Each module defines its element; the messages come first.
 */
import './messages.js';

export { PeyvandTicketList } from './peyvand-ticket-list.js';
export { PeyvandTicketView } from './peyvand-ticket-view.js';
export { PeyvandTicketForm } from './peyvand-ticket-form.js';
export type * from './events.js';
export type { CannedResponse, Queue, SlaTarget, Ticket, TicketMessage } from './api-types.js';
