/**
 * The events the support plugin emits, as a const map, and their data shapes merged into
 * core's typed event map. Every one is written through `ctx.events` in the transaction of
 * the change it describes.
 */
import type { MessageDto, SlaTargetDto, TicketDto } from './services/records.js';

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
} as const;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'ticket.created': { ticket: TicketDto };
    'ticket.updated': { ticket: TicketDto; changed: string[] };
    'ticket.assigned': { ticket: TicketDto; assigneeId: string | null; previousAssigneeId: string | null };
    'ticket.replied': { ticket: TicketDto; message: MessageDto };
    'ticket.solved': { ticket: TicketDto };
    'ticket.reopened': { ticket: TicketDto };
    'ticket.merged': { ticket: TicketDto; from: string[] };
    'ticket.sla_warning': { ticketId: string; number: number; target: SlaTargetDto; policyId: string };
    'ticket.sla_breached': { ticketId: string; number: number; target: SlaTargetDto; policyId: string };
    'csat.received': { ticketId: string; number: number; customerId: string | null; rating: number; comment: string | null; answeredAt: string };
    'complaint.recorded': { ticketId: string; number: number; customerId: string | null; reason: 'low_rating' | 'tagged'; rating: number | null };
  }
}

/** The `events` declaration of the plugin: every type it emits. */
export const supportEventSchemas: Readonly<Record<string, Record<string, unknown>>> = Object.fromEntries(
  Object.values(SUPPORT_EVENTS).map((type) => [type, { type: 'object' }]),
);
