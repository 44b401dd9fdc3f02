/**
 * Peyvand's widgets: one ES module that defines every `<peyvand-…>` element and exposes
 * the host contract. Load it with a script tag or import it:
 *
 * ```html
 * <script type="module" src="https://crm.example.com/widgets/peyvand.js"></script>
 * <script type="module">
 *   import { configure } from 'https://crm.example.com/widgets/peyvand.js';
 *   configure({ getToken: () => fetch('/erp/peyvand-token').then((r) => r.text()) });
 * </script>
 * ```
 *
 * `window.Peyvand.configure(…)` is the same function, for pages without modules.
 */
import { configure } from './runtime/config.js';
import './peyvand-customer-search.js';
import './peyvand-customer-card.js';
import './peyvand-timeline.js';
import './peyvand-lead-form.js';
import './peyvand-deal-board.js';
import './peyvand-forecast.js';

export { configure, type PeyvandConfig, type TokenProvider, type Locale } from './runtime/config.js';
export type * from './runtime/events.js';
export type { Customer, Deal, Pipeline, TimelineEntry, Forecast } from './runtime/api-types.js';
export { PeyvandCustomerSearch } from './peyvand-customer-search.js';
export { PeyvandCustomerCard } from './peyvand-customer-card.js';
export { PeyvandTimeline } from './peyvand-timeline.js';
export { PeyvandLeadForm } from './peyvand-lead-form.js';
export { PeyvandDealBoard } from './peyvand-deal-board.js';
export { PeyvandForecast } from './peyvand-forecast.js';

/** The global for pages without modules. */
export interface PeyvandGlobal {
  configure: typeof configure;
}

declare global {
  interface Window {
    Peyvand?: PeyvandGlobal;
  }
}

window.Peyvand ??= { configure };
