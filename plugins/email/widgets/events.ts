/**
 * The email widgets' DOM events, added to the runtime's {@link PeyvandEventMap} so hosts and
 * widgets get them typed like core's (`document.addEventListener('peyvand-email-sent', …)`).
 */

/** `peyvand-email-sent`: `<peyvand-email-thread>`'s reply was queued by the API (delivery follows in the background). */
export interface EmailSentDetail {
  threadId: string;
  /** The new message's Peyvand id (`GET /api/v1/email/messages/{id}`). */
  id: string;
  /** Its RFC 5322 Message-ID. */
  messageId: string;
  to: string[];
}

declare module '../../../widgets/runtime/events.js' {
  interface PeyvandEventMap {
    'peyvand-email-sent': CustomEvent<EmailSentDetail>;
  }
}
