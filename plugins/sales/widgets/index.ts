/**
 * The sales plugin's widgets: the chunk `/widgets/peyvand.js` loads the first time a
 * `<peyvand-deal-board>`, `<peyvand-forecast>` or `<peyvand-lead-form>` appears on a page
 * (the tags are declared in the plugin's `widgets`; the build checks they match). Each
 * module defines its element; the messages come first.
 */
import './messages.js';

export { PeyvandDealBoard } from './peyvand-deal-board.js';
export { PeyvandForecast } from './peyvand-forecast.js';
export { PeyvandLeadForm } from './peyvand-lead-form.js';
export type * from './events.js';
export type { Deal, Forecast, Pipeline } from './api-types.js';
