/**
 * The shapes the support API returns and its events carry, and their mapping from rows.
 * Optional fields are absent rather than null, as in core's customer shape.
 */
import { readBool, readInt, readJson } from '../../../core/plugin/index.js';
import type { BusinessCalendar, Holiday, TimeRange, Weekday } from './business-time.js';

/** Ticket channels. */
export const CHANNELS = ['email', 'web', 'phone', 'chat', 'api'] as const;
/** Ticket priorities, lowest first. */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** Ticket statuses. */
export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
/** SLA target kinds, in display order. */
export const TARGET_KINDS = ['first_response', 'next_response', 'resolution'] as const;

export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type TicketStatus = (typeof STATUSES)[number];
export type TargetKind = (typeof TARGET_KINDS)[number];
/** What the API shows of a target's state. */
export type TargetState = 'running' | 'paused' | 'met' | 'breached';

/** One SLA target of a ticket as the API shows it. */
export interface SlaTargetDto {
  kind: TargetKind;
  dueAt: string | null;
  state: TargetState;
  remainingBusinessMinutes: number;
}

/** A ticket. */
export interface TicketDto {
  id: string;
  number: number;
  subject: string;
  customerId?: string;
  channel: Channel;
  priority: Priority;
  status: TicketStatus;
  queueId?: string;
  assigneeId?: string;
  teamId?: string;
  tags: string[];
  customFields: Record<string, unknown>;
  mergedIntoId?: string;
  sla: { policyId: string; targets: SlaTargetDto[] } | null;
  csat?: { rating: number; comment?: string };
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A message of a ticket: a public reply (the customer sees it) or an internal note. */
export interface MessageDto {
  id: string;
  ticketId: string;
  visibility: 'public' | 'internal';
  author: { kind: 'agent' | 'customer' | 'system'; id?: string };
  body: string;
  createdAt: string;
}

/** A business calendar. */
export interface CalendarDto extends BusinessCalendar {
  id: string;
  name: string;
  week: Partial<Record<Weekday, TimeRange[]>>;
  holidays: Holiday[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A queue. */
export interface QueueDto {
  id: string;
  name: string;
  members: string[];
  managerId?: string;
  calendarId?: string;
  emailAccountId?: string;
  assignment: 'round_robin' | 'least_open' | 'manual';
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What happens when a target of a policy is breached. */
export interface Escalation {
  raisePriority?: boolean;
  assignTo?: string;
}

/** An SLA policy. */
export interface SlaPolicyDto {
  id: string;
  name: string;
  calendarId: string;
  conditions: { priority?: Priority[]; channel?: Channel[]; queueId?: string[]; customerTag?: string[] };
  targets: { firstResponseMinutes: number; nextResponseMinutes?: number; resolutionMinutes: number; warningPercent?: number };
  escalation: Escalation;
  enabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (v: unknown): string => new Date(readInt(v)).toISOString();

/** Maps a `support_tickets` row; `sla` and `csat` (from `support_csat_responses`) are read separately. */
export function ticketFromRow(row: Record<string, unknown>, sla: TicketDto['sla'], csat?: TicketDto['csat']): TicketDto {
  const dto: TicketDto = {
    id: String(row.id),
    number: readInt(row.number),
    subject: String(row.subject),
    channel: String(row.channel) as Channel,
    priority: String(row.priority) as Priority,
    status: String(row.status) as TicketStatus,
    tags: readJson<string[]>(row.tags, []),
    customFields: readJson<Record<string, unknown>>(row.custom_fields, {}),
    sla,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: readInt(row.version),
  };
  for (const [key, column] of [['customerId', 'customer_id'], ['queueId', 'queue_id'], ['assigneeId', 'assignee_id'], ['teamId', 'team_id'], ['mergedIntoId', 'merged_into_id']] as const) {
    if (row[column] != null) dto[key] = String(row[column]);
  }
  if (csat) dto.csat = csat;
  return dto;
}

/** Maps a `support_messages` row. */
export function messageFromRow(row: Record<string, unknown>): MessageDto {
  return {
    id: String(row.id),
    ticketId: String(row.ticket_id),
    visibility: row.visibility === 'internal' ? 'internal' : 'public',
    author: { kind: String(row.author_kind) as MessageDto['author']['kind'], ...(row.author_id != null && { id: String(row.author_id) }) },
    body: String(row.body),
    createdAt: iso(row.created_at),
  };
}

/** Maps a `support_calendars` row. */
export function calendarFromRow(row: Record<string, unknown>): CalendarDto {
  return {
    id: String(row.id),
    name: String(row.name),
    timeZone: String(row.time_zone),
    week: readJson(row.week, {}),
    holidays: readJson<Holiday[]>(row.holidays, []),
    version: readInt(row.version),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Maps a `support_queues` row. */
export function queueFromRow(row: Record<string, unknown>): QueueDto {
  return {
    id: String(row.id),
    name: String(row.name),
    members: readJson<string[]>(row.members, []),
    ...(row.manager_id != null && { managerId: String(row.manager_id) }),
    ...(row.calendar_id != null && { calendarId: String(row.calendar_id) }),
    ...(row.email_account_id != null && { emailAccountId: String(row.email_account_id) }),
    assignment: String(row.assignment) as QueueDto['assignment'],
    version: readInt(row.version),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Maps a `support_sla_policies` row. */
export function policyFromRow(row: Record<string, unknown>): SlaPolicyDto {
  return {
    id: String(row.id),
    name: String(row.name),
    calendarId: String(row.calendar_id),
    conditions: readJson(row.conditions, {}),
    targets: readJson(row.targets, { firstResponseMinutes: 0, resolutionMinutes: 0 }),
    escalation: readJson(row.escalation, {}),
    enabled: readBool(row.enabled),
    version: readInt(row.version),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
