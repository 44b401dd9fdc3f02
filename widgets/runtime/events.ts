/**
 * The DOM events widgets send to the host page. All bubble and cross the shadow boundary
 * (`composed`), so the host can listen on the element, a container or `document`.
 */
import type { Customer, Deal, TimelineEntry } from './api-types.js';

/** `peyvand-customer-selected`: a customer was chosen in `<peyvand-customer-search>`. */
export interface CustomerSelectedDetail {
  customer: Customer;
}

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

/** `peyvand-note-added`: a note was saved to a customer's timeline (card or timeline). */
export interface NoteAddedDetail {
  customerId: string;
  entry: TimelineEntry;
}

/** `peyvand-quick-action` (cancelable): a quick action of `<peyvand-customer-card>`. */
export interface QuickActionDetail {
  action: 'call' | 'email';
  customerId: string;
  /** The phone number or email address. */
  value: string;
}

/** `peyvand-lead-submitted`: `<peyvand-lead-form>` was accepted by the API. */
export interface LeadSubmittedDetail {
  formKey: string;
}

/** `peyvand-error`: a widget could not load or save (also shown in the widget itself). */
export interface WidgetErrorDetail {
  /** The widget's tag name. */
  widget: string;
  /** HTTP status (0: server unreachable). */
  status: number;
  code: string;
  message: string;
}

/** Every event a widget sends, by name. */
export interface PeyvandEventMap {
  'peyvand-customer-selected': CustomEvent<CustomerSelectedDetail>;
  'peyvand-deal-moved': CustomEvent<DealMovedDetail>;
  'peyvand-deal-move-failed': CustomEvent<DealMoveFailedDetail>;
  'peyvand-deal-selected': CustomEvent<DealSelectedDetail>;
  'peyvand-note-added': CustomEvent<NoteAddedDetail>;
  'peyvand-quick-action': CustomEvent<QuickActionDetail>;
  'peyvand-lead-submitted': CustomEvent<LeadSubmittedDetail>;
  'peyvand-error': CustomEvent<WidgetErrorDetail>;
}

/** An event name. */
export type PeyvandEventName = keyof PeyvandEventMap;
/** The `detail` of an event. */
export type PeyvandEventDetail<K extends PeyvandEventName> = PeyvandEventMap[K] extends CustomEvent<infer D> ? D : never;

declare global {
  // Typed `addEventListener('peyvand-…', e => e.detail…)` on elements and the document.
  interface HTMLElementEventMap extends PeyvandEventMap {}
  interface DocumentEventMap extends PeyvandEventMap {}
}
