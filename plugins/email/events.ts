/** The events the email plugin emits, merged into core's typed event map. */
import type { EmailAccountEventData, EmailBouncedData, EmailOutcomeData, EmailQuarantineDeletedData, EmailQuarantinedData, EmailReceivedData, EmailTemplateEventData, EmailUnsubscribedData } from './services/api.js';
import { emailAccountEventSchema, emailBouncedSchema, emailOutcomeSchema, emailQuarantineDeletedSchema, emailQuarantinedSchema, emailReceivedSchema, emailTemplateEventSchema, emailUnsubscribedSchema } from './schemas/event-schemas.js';

/** Email event types by name. */
export const EMAIL_EVENTS = {
  received: 'email.received',
  sent: 'email.sent',
  failed: 'email.failed',
  bounced: 'email.bounced',
  quarantined: 'email.quarantined',
  unsubscribed: 'email.unsubscribed',
  accountCreated: 'email.account_created',
  accountUpdated: 'email.account_updated',
  accountDeleted: 'email.account_deleted',
  templateCreated: 'email.template_created',
  templateUpdated: 'email.template_updated',
  templateDeleted: 'email.template_deleted',
  quarantineDeleted: 'email.quarantine_deleted',
} as const;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'email.received': EmailReceivedData;
    'email.sent': EmailOutcomeData;
    'email.failed': EmailOutcomeData;
    'email.bounced': EmailBouncedData;
    'email.quarantined': EmailQuarantinedData;
    'email.unsubscribed': EmailUnsubscribedData;
    'email.account_created': EmailAccountEventData;
    'email.account_updated': EmailAccountEventData;
    'email.account_deleted': EmailAccountEventData;
    'email.template_created': EmailTemplateEventData;
    'email.template_updated': EmailTemplateEventData;
    'email.template_deleted': EmailTemplateEventData;
    'email.quarantine_deleted': EmailQuarantineDeletedData;
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
  [EMAIL_EVENTS.accountCreated]: emailAccountEventSchema,
  [EMAIL_EVENTS.accountUpdated]: emailAccountEventSchema,
  [EMAIL_EVENTS.accountDeleted]: emailAccountEventSchema,
  [EMAIL_EVENTS.templateCreated]: emailTemplateEventSchema,
  [EMAIL_EVENTS.templateUpdated]: emailTemplateEventSchema,
  [EMAIL_EVENTS.templateDeleted]: emailTemplateEventSchema,
  [EMAIL_EVENTS.quarantineDeleted]: emailQuarantineDeletedSchema,
} as const satisfies Record<(typeof EMAIL_EVENTS)[keyof typeof EMAIL_EVENTS], object>;
