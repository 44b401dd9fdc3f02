/**
 * The loyalty plugin's widgets: the chunk `/widgets/peyvand.js` loads the first time a
 * `<peyvand-loyalty-card>`, `<peyvand-rewards>`, `<peyvand-rfm>` or `<peyvand-pareto>`
 * appears on a page (the tags are declared in the plugin's `widgets`; the build checks they
 * match). Each module defines its element; the messages come first.
 */
import './messages.js';

export { PeyvandLoyaltyCard } from './peyvand-loyalty-card.js';
export { PeyvandRewards } from './peyvand-rewards.js';
export { PeyvandRfm } from './peyvand-rfm.js';
export { PeyvandPareto } from './peyvand-pareto.js';
export type * from './events.js';
export type { LedgerEntry, LoyaltyAccount, ParetoReport, Redemption, Reward, RfmReport } from './api-types.js';
