/**
 * JSON Schemas of the data of the support plugin's events: closed, every field present,
 * as the emitters write them (services/tickets.ts, sla-scheduler.ts, csat.ts,
 * complaints.ts, follow-ups.ts, absences.ts, and the set-up writes: calendars.ts, sla.ts,
 * queues.ts, canned.ts, ticket-fields.ts). The payload types in `PeyvandEvents` (events.ts)
 * are derived from them.
 *
 * A set-up record's event is named after its resource (`/queues` → `queue.*`) and carries
 * the record as the API answers it; a deletion carries it as it was.
 */
import { eventData } from '../../../core/plugin/index.js';
import { cannedSchema } from './csat-schemas.js';
import { calendarSchema, policySchema, queueInputSchema, queueSchema } from './setup-schemas.js';
import { messageSchema, slaTargetSchema, ticketSchema } from './ticket-schemas.js';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const withTicket = eventData({ ticket: ticketSchema });
const slaEvent = eventData({ ticketId: str, number: int, target: slaTargetSchema, policyId: str });
/** A queue as events carry it: its assignment is one of the rules the service writes; `managerId`, `calendarId` and `emailAccountId` are left out when unset, as in responses. */
const queueRecordSchema = { ...queueSchema, properties: { ...queueSchema.properties, assignment: queueInputSchema.properties.assignment } } as const;
const calendar = eventData({ calendar: calendarSchema });
const policy = eventData({ policy: policySchema });
const queue = eventData({ queue: queueRecordSchema });
const cannedResponse = eventData({ cannedResponse: cannedSchema });

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
  /** A survey link issued by `POST /tickets/{id}/csat-link` (without the link: it is a bearer token). */
  'csat.link_issued': eventData({ ticketId: str, number: int, expiresAt: str }),
  'csat.received': eventData({ ticketId: str, number: int, customerId: nullableStr, rating: int, comment: nullableStr, answeredAt: str }),
  /** A complaint's follow-up marked done by `doneBy`. */
  'complaint.followed_up': eventData({ id: str, ticketId: str, customerId: nullableStr, doneBy: str, note: nullableStr }),
  /** An agent marked away until `until`; `reassigned`: their open tickets handed on. */
  'agent.absence_set': eventData({ agentId: str, since: str, until: str, reason: nullableStr, reassigned: strings }),
  /** An absence ended before its `until`. */
  'agent.absence_ended': eventData({ agentId: str }),
  'complaint.recorded': eventData({ ticketId: str, number: int, customerId: nullableStr, reason: { type: 'string', enum: ['low_rating', 'tagged'] }, rating: { type: ['integer', 'null'] } }),
  /** A business calendar created by `PUT`, or replaced by `PUT` or an .ics import. */
  'calendar.created': calendar,
  'calendar.updated': calendar,
  'sla_policy.created': policy,
  'sla_policy.updated': policy,
  'sla_policy.deleted': policy,
  'queue.created': queue,
  'queue.updated': queue,
  'canned_response.created': cannedResponse,
  'canned_response.updated': cannedResponse,
  'canned_response.deleted': cannedResponse,
  /** `changed`: the settings written (`ticketFields`: the JSON Schema of tickets' custom fields; read it with `GET /settings/ticket-fields`). */
  'support_settings.updated': eventData({ changed: strings }),
} as const;
