/**
 * The support API responses the staff widgets read, derived from the routes' schemas in
 * the OpenAPI document (see `ResponseOf` in peyvand/widgets/runtime; the contract:
 * `../shared/docs/api-contract.md`, "Support plugin").
 */
import type { ItemOf, RequestOf, ResponseOf } from '../../../widgets/runtime/index.js';

/** A ticket (`GET /support/tickets/{id}`); `number` is per tenant and increasing — what people quote. */
export type Ticket = ResponseOf<'support.ticket.get'>;
export type TicketStatus = Ticket['status'];
export type TicketPriority = Ticket['priority'];
export type TicketChannel = Ticket['channel'];

/** Ticket statuses, in their usual order of life. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const satisfies readonly TicketStatus[];
/** Ticket priorities, lowest first. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly TicketPriority[];

/** One SLA target of a ticket: due time, state and the business minutes left. */
export type SlaTarget = NonNullable<Ticket['sla']>['targets'][number];

/** A message of a ticket: a public reply (the customer sees it) or an internal note. Plain text, also for email. */
export type TicketMessage = ItemOf<'support.ticket.messages'>;

/** What a new ticket is created from (`POST /support/tickets`). */
export type TicketInput = RequestOf<'support.ticket.create'>;

/** A queue (`GET /support/queues`). */
export type Queue = ItemOf<'support.queue.list'>;

/** A canned response (`GET /support/canned-responses`). */
export type CannedResponse = ItemOf<'support.canned-response.list'>;

/** `POST /support/tickets/{id}/canned-responses/{cannedId}/render`. */
export type RenderedCanned = ResponseOf<'support.canned-response.render'>;

/** Core's `GET /me`: the widgets read who "mine" is. */
export type Me = ResponseOf<'core.me.get'>;
