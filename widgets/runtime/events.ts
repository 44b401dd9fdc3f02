/**
 * The DOM events widgets send to the host page. All bubble and cross the shadow boundary
 * (`composed`), so the host can listen on the element, a container or `document`.
 * Core's widgets' events are here; each plugin declares its own beside its widgets.
 */
import type { Customer, TimelineEntry } from './api-types.js';

/** `peyvand-customer-selected`: a customer was chosen in `<peyvand-customer-search>`. */
export interface CustomerSelectedDetail {
  customer: Customer;
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

/** `peyvand-error`: a widget could not load or save (also shown in the widget itself). */
export interface WidgetErrorDetail {
  /** The widget's tag name. */
  widget: string;
  /** HTTP status (0: server unreachable). */
  status: number;
  code: string;
  message: string;
}

/**
 * Every event a widget sends, by name. A plugin's widgets add theirs by augmenting this
 * interface (`declare module` on this file; see plugins/sales/widgets/events.ts).
 */
export interface PeyvandEventMap {
  'peyvand-customer-selected': CustomEvent<CustomerSelectedDetail>;
  'peyvand-note-added': CustomEvent<NoteAddedDetail>;
  'peyvand-quick-action': CustomEvent<QuickActionDetail>;
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
