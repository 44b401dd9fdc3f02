/**
 * The support plugin's widgets: the chunk `/widgets/peyvand.js` loads the first time one
 * of the plugin's tags appears on a page (declared in the plugin's `widgets`; the build
 * checks they match). Each module defines its element; the messages come first.
 */
import './messages.js';

export { PeyvandCsat } from './peyvand-csat.js';
export { PeyvandSupportPortal } from './peyvand-support-portal.js';
export type * from './portal-events.js';
export type * from './portal-api-types.js';
