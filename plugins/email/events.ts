/** The events the email plugin emits, merged into core's typed event map. */
import type { EmailBouncedData, EmailOutcomeData, EmailQuarantinedData, EmailReceivedData, EmailUnsubscribedData } from './services/api.js';
import { emailBouncedSchema, emailOutcomeSchema, emailQuarantinedSchema, emailReceivedSchema, emailUnsubscribedSchema } from './schemas/event-schemas.js';

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

/** The `events` declaration of the plugin: every type it emits, with the schema of its data. */
export const emailEventSchemas = {
  [EMAIL_EVENTS.received]: emailReceivedSchema,
  [EMAIL_EVENTS.sent]: emailOutcomeSchema,
  [EMAIL_EVENTS.failed]: emailOutcomeSchema,
  [EMAIL_EVENTS.bounced]: emailBouncedSchema,
  [EMAIL_EVENTS.quarantined]: emailQuarantinedSchema,
  [EMAIL_EVENTS.unsubscribed]: emailUnsubscribedSchema,
} as const satisfies Record<(typeof EMAIL_EVENTS)[keyof typeof EMAIL_EVENTS], object>;
