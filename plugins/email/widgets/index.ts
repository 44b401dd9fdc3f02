/**
 * The email plugin's widgets: the chunk `/widgets/peyvand.js` loads the first time a
 * `<peyvand-email-thread>` appears on a page (the tag is declared in the plugin's
 * `widgets`; the build checks they match). The messages come first.
 */
import './messages.js';

export { PeyvandEmailThread } from './peyvand-email-thread.js';
export type * from './events.js';
export type { EmailAttachment, EmailMessage, EmailTemplate, EmailThread } from './api-types.js';
