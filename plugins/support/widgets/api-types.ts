/**
 * The support API responses the staff widgets read (see /api/v1/openapi.json, `support-*`
 * tags, and `../shared/docs/api-contract.md`, "Support plugin").
 */

/** Ticket statuses, in their usual order of life. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
/** Ticket priorities, lowest first. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export type TicketChannel = 'email' | 'web' | 'phone' | 'chat' | 'api';

/** One SLA target of a ticket: due time, state and the business minutes left. */
export interface SlaTarget {
  kind: 'first_response' | 'next_response' | 'resolution';
  dueAt: string | null;
  state: 'running' | 'paused' | 'met' | 'breached';
  remainingBusinessMinutes: number;
}

/** A ticket (`GET /support/tickets/{id}`). */
export interface Ticket {
  id: string;
  /** Per tenant, increasing: what people quote ("ticket 42"). */
  number: number;
  subject: string;
  customerId?: string;
  channel: TicketChannel;
  priority: TicketPriority;
  status: TicketStatus;
  queueId?: string;
  assigneeId?: string;
  tags: string[];
  /** Null when no enabled SLA policy applies. */
  sla: { policyId: string; targets: SlaTarget[] } | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A message of a ticket: a public reply (the customer sees it) or an internal note. Plain text, also for email. */
export interface TicketMessage {
  id: string;
  ticketId: string;
  visibility: 'public' | 'internal';
  author: { kind: 'agent' | 'customer' | 'system'; id?: string };
  body: string;
  createdAt: string;
}

/** A queue (`GET /support/queues`). */
export interface Queue {
  id: string;
  name: string;
  members: string[];
}

/** A canned response (`GET /support/canned-responses`). */
export interface CannedResponse {
  id: string;
  name: string;
  locale: 'fa' | 'en';
}

/** `POST /support/tickets/{id}/canned-responses/{cannedId}/render`. */
export interface RenderedCanned {
  id: string;
  text: string;
}

/** The part of core's `GET /me` the widgets read: who "mine" is. */
export interface Me {
  subject: string;
}
