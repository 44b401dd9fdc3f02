/**
 * The sales widgets' DOM events, added to the runtime's {@link PeyvandEventMap} so hosts and
 * widgets get them typed like core's (`document.addEventListener('peyvand-deal-moved', …)`).
 */
import type { Deal } from './api-types.js';

/** `peyvand-deal-moved`: the API accepted a move on `<peyvand-deal-board>`. */
export interface DealMovedDetail {
  deal: Deal;
  fromStageId: string;
  toStageId: string;
}

/** `peyvand-deal-move-failed`: the API refused a move; the card went back. */
export interface DealMoveFailedDetail {
  dealId: string;
  fromStageId: string;
  toStageId: string;
  /** Peyvand's error code (`DEAL_NOT_OPEN`, `FORBIDDEN`, …). */
  code: string;
  /** The localized reason shown to the user. */
  message: string;
}

/** `peyvand-deal-selected`: a deal card was opened (click, or Enter on the card's title). */
export interface DealSelectedDetail {
  deal: Deal;
}

/** `peyvand-lead-submitted`: `<peyvand-lead-form>` was accepted by the API. */
export interface LeadSubmittedDetail {
  formKey: string;
}

declare module '../../../widgets/runtime/events.js' {
  interface PeyvandEventMap {
    'peyvand-deal-moved': CustomEvent<DealMovedDetail>;
    'peyvand-deal-move-failed': CustomEvent<DealMoveFailedDetail>;
    'peyvand-deal-selected': CustomEvent<DealSelectedDetail>;
    'peyvand-lead-submitted': CustomEvent<LeadSubmittedDetail>;
  }
}
