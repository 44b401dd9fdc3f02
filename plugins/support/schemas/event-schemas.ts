/**
 * JSON Schemas of the data of the support plugin's events: closed, every field present,
 * as the emitters write them (services/tickets.ts, sla-scheduler.ts, csat.ts,
 * complaints.ts, follow-ups.ts, absences.ts). The payload types in `PeyvandEvents` (events.ts) are derived from them.
 */
import { eventData } from '../../../core/plugin/index.js';
import { messageSchema, slaTargetSchema, ticketSchema } from './ticket-schemas.js';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const withTicket = eventData({ ticket: ticketSchema });
const slaEvent = eventData({ ticketId: str, number: int, target: slaTargetSchema, policyId: str });

/** Support event types, each with the schema of its data. */
export const supportEventSchemas = {
  'ticket.created': withTicket,
  'ticket.updated': eventData({ ticket: ticketSchema, changed: strings }),
  'ticket.assigned': eventData({ ticket: ticketSchema, assigneeId: nullableStr, previousAssigneeId: nullableStr }),
  'ticket.replied': eventData({ ticket: ticketSchema, message: messageSchema }),
  'ticket.solved': withTicket,
  'ticket.reopened': withTicket,
  /** `from`: the tickets merged into this one. */
  'ticket.merged': eventData({ ticket: ticketSchema, from: strings }),
  'ticket.sla_warning': slaEvent,
  'ticket.sla_breached': slaEvent,
  'csat.received': eventData({ ticketId: str, number: int, customerId: nullableStr, rating: int, comment: nullableStr, answeredAt: str }),
  /** A complaint's follow-up marked done by `doneBy`. */
  'complaint.followed_up': eventData({ id: str, ticketId: str, customerId: nullableStr, doneBy: str, note: nullableStr }),
  /** An agent marked away until `until`; `reassigned`: their open tickets handed on. */
  'agent.absence_set': eventData({ agentId: str, since: str, until: str, reason: nullableStr, reassigned: strings }),
  /** An absence ended before its `until`. */
  'agent.absence_ended': eventData({ agentId: str }),
  'complaint.recorded': eventData({ ticketId: str, number: int, customerId: nullableStr, reason: { type: 'string', enum: ['low_rating', 'tagged'] }, rating: { type: ['integer', 'null'] } }),
} as const;
