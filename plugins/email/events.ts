/** The events the email plugin emits, merged into core's typed event map. */
import type { EmailBouncedData, EmailOutcomeData, EmailQuarantinedData, EmailReceivedData, EmailUnsubscribedData } from './services/api.js';

/** Email event types by name. */
export const EMAIL_EVENTS = {
  received: 'email.received',
  sent: 'email.sent',
  failed: 'email.failed',
  bounced: 'email.bounced',
  quarantined: 'email.quarantined',
  unsubscribed: 'email.unsubscribed',
} as const;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'email.received': EmailReceivedData;
    'email.sent': EmailOutcomeData;
    'email.failed': EmailOutcomeData;
    'email.bounced': EmailBouncedData;
    'email.quarantined': EmailQuarantinedData;
    'email.unsubscribed': EmailUnsubscribedData;
  }
}

/** The `events` declaration of the plugin. */
export const emailEventSchemas: Readonly<Record<string, Record<string, unknown>>> = Object.fromEntries(
  Object.values(EMAIL_EVENTS).map((type) => [type, { type: 'object' }]),
);
