/**
 * The events the support plugin emits, as a const map, and their data types — derived
 * from the schemas the plugin declares (schemas/event-schemas.ts) — merged into core's
 * typed event map. Every one is written through `ctx.events` in the transaction of
 * the change it describes.
 */
import type { SchemaType } from '../../core/plugin/index.js';
import { supportEventSchemas } from './schemas/event-schemas.js';

/** The `events` declaration of the plugin: every type it emits, with the schema of its data. */
export { supportEventSchemas };

/** Support event types by name. */
export const SUPPORT_EVENTS = {
  ticketCreated: 'ticket.created',
  ticketUpdated: 'ticket.updated',
  ticketAssigned: 'ticket.assigned',
  ticketReplied: 'ticket.replied',
  ticketSolved: 'ticket.solved',
  ticketReopened: 'ticket.reopened',
  ticketMerged: 'ticket.merged',
  slaWarning: 'ticket.sla_warning',
  slaBreached: 'ticket.sla_breached',
  csatReceived: 'csat.received',
  complaintRecorded: 'complaint.recorded',
  complaintFollowedUp: 'complaint.followed_up',
  absenceSet: 'agent.absence_set',
  absenceEnded: 'agent.absence_ended',
} as const;

type SupportEventData<T extends keyof typeof supportEventSchemas> = SchemaType<(typeof supportEventSchemas)[T]>;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'ticket.created': SupportEventData<'ticket.created'>;
    'ticket.updated': SupportEventData<'ticket.updated'>;
    'ticket.assigned': SupportEventData<'ticket.assigned'>;
    'ticket.replied': SupportEventData<'ticket.replied'>;
    'ticket.solved': SupportEventData<'ticket.solved'>;
    'ticket.reopened': SupportEventData<'ticket.reopened'>;
    'ticket.merged': SupportEventData<'ticket.merged'>;
    'ticket.sla_warning': SupportEventData<'ticket.sla_warning'>;
    'ticket.sla_breached': SupportEventData<'ticket.sla_breached'>;
    'csat.received': SupportEventData<'csat.received'>;
    'complaint.recorded': SupportEventData<'complaint.recorded'>;
    'complaint.followed_up': SupportEventData<'complaint.followed_up'>;
    'agent.absence_set': SupportEventData<'agent.absence_set'>;
    'agent.absence_ended': SupportEventData<'agent.absence_ended'>;
  }
}
