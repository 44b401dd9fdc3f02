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
  csatLinkIssued: 'csat.link_issued',
  complaintRecorded: 'complaint.recorded',
  complaintFollowedUp: 'complaint.followed_up',
  absenceSet: 'agent.absence_set',
  absenceEnded: 'agent.absence_ended',
  calendarCreated: 'calendar.created',
  calendarUpdated: 'calendar.updated',
  slaPolicyCreated: 'sla_policy.created',
  slaPolicyUpdated: 'sla_policy.updated',
  slaPolicyDeleted: 'sla_policy.deleted',
  queueCreated: 'queue.created',
  queueUpdated: 'queue.updated',
  cannedResponseCreated: 'canned_response.created',
  cannedResponseUpdated: 'canned_response.updated',
  cannedResponseDeleted: 'canned_response.deleted',
  settingsUpdated: 'support_settings.updated',
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
    'csat.link_issued': SupportEventData<'csat.link_issued'>;
    'complaint.recorded': SupportEventData<'complaint.recorded'>;
    'complaint.followed_up': SupportEventData<'complaint.followed_up'>;
    'agent.absence_set': SupportEventData<'agent.absence_set'>;
    'agent.absence_ended': SupportEventData<'agent.absence_ended'>;
    'calendar.created': SupportEventData<'calendar.created'>;
    'calendar.updated': SupportEventData<'calendar.updated'>;
    'sla_policy.created': SupportEventData<'sla_policy.created'>;
    'sla_policy.updated': SupportEventData<'sla_policy.updated'>;
    'sla_policy.deleted': SupportEventData<'sla_policy.deleted'>;
    'queue.created': SupportEventData<'queue.created'>;
    'queue.updated': SupportEventData<'queue.updated'>;
    'canned_response.created': SupportEventData<'canned_response.created'>;
    'canned_response.updated': SupportEventData<'canned_response.updated'>;
    'canned_response.deleted': SupportEventData<'canned_response.deleted'>;
    'support_settings.updated': SupportEventData<'support_settings.updated'>;
  }
}
