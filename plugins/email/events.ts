/** The events the email plugin emits, merged into core's typed event map. */
import type { SchemaType } from '../../core/plugin/index.js';
import type { EmailBouncedData, EmailOutcomeData, EmailQuarantinedData, EmailReceivedData, EmailUnsubscribedData } from './services/api.js';
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

/** The data of an email event, derived from its declared schema. */
type EmailEventData<T extends keyof typeof emailEventSchemas> = SchemaType<(typeof emailEventSchemas)[T]>;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'email.received': EmailReceivedData;
    'email.sent': EmailOutcomeData;
    'email.failed': EmailOutcomeData;
    'email.bounced': EmailBouncedData;
    'email.quarantined': EmailQuarantinedData;
    'email.unsubscribed': EmailUnsubscribedData;
    'email.account_created': EmailEventData<'email.account_created'>;
    'email.account_updated': EmailEventData<'email.account_updated'>;
    'email.account_deleted': EmailEventData<'email.account_deleted'>;
    'email.template_created': EmailEventData<'email.template_created'>;
    'email.template_updated': EmailEventData<'email.template_updated'>;
    'email.template_deleted': EmailEventData<'email.template_deleted'>;
    'email.quarantine_deleted': EmailEventData<'email.quarantine_deleted'>;
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
