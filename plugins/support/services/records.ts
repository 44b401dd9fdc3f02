/**
 * The shapes the support API returns and its events carry, and their mapping from rows.
 * Optional fields are absent rather than null, as in core's customer shape.
 */
import { readBool, readInt, readJson, type BigIntColumn } from '../../../core/plugin/index.js';
import type { BusinessCalendar, Holiday, TimeRange, Weekday } from './business-time.js';
import type { CalendarRow, MessageRow, QueueRow, SlaPolicyRow, TicketRow } from './rows.js';

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

const iso = (v: BigIntColumn): string => new Date(readInt(v)).toISOString();

/** Maps a `support_tickets` row; `sla` and `csat` (from `support_csat_responses`) are read separately. */
export function ticketFromRow(row: TicketRow, sla: TicketDto['sla'], csat?: TicketDto['csat']): TicketDto {
  const dto: TicketDto = {
    id: row.id,
    number: readInt(row.number),
    subject: row.subject,
    channel: row.channel as Channel,
    priority: row.priority as Priority,
    status: row.status as TicketStatus,
    tags: readJson<string[]>(row.tags, []),
    customFields: readJson<Record<string, unknown>>(row.custom_fields, {}),
    sla,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: row.version,
  };
  for (const [key, column] of [['customerId', 'customer_id'], ['queueId', 'queue_id'], ['assigneeId', 'assignee_id'], ['teamId', 'team_id'], ['mergedIntoId', 'merged_into_id']] as const) {
    const value = row[column];
    if (value != null) dto[key] = value;
  }
  if (csat) dto.csat = csat;
  return dto;
}

/** Maps a `support_messages` row. */
export function messageFromRow(row: MessageRow): MessageDto {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    visibility: row.visibility === 'internal' ? 'internal' : 'public',
    author: { kind: row.author_kind as MessageDto['author']['kind'], ...(row.author_id != null && { id: row.author_id }) },
    body: row.body ?? '',
    createdAt: iso(row.created_at),
  };
}

/** Maps a `support_calendars` row. */
export function calendarFromRow(row: CalendarRow): CalendarDto {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    week: readJson(row.week, {}),
    holidays: readJson<Holiday[]>(row.holidays, []),
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Maps a `support_queues` row. */
export function queueFromRow(row: QueueRow): QueueDto {
  return {
    id: row.id,
    name: row.name,
    members: readJson<string[]>(row.members, []),
    ...(row.manager_id != null && { managerId: row.manager_id }),
    ...(row.calendar_id != null && { calendarId: row.calendar_id }),
    ...(row.email_account_id != null && { emailAccountId: row.email_account_id }),
    assignment: row.assignment as QueueDto['assignment'],
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Maps a `support_sla_policies` row. */
export function policyFromRow(row: SlaPolicyRow): SlaPolicyDto {
  return {
    id: row.id,
    name: row.name,
    calendarId: row.calendar_id,
    conditions: readJson(row.conditions, {}),
    targets: readJson(row.targets, { firstResponseMinutes: 0, resolutionMinutes: 0 }),
    escalation: readJson(row.escalation, {}),
    enabled: readBool(row.enabled),
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
