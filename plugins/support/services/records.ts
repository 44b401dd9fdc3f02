/**
 * The shapes the support API returns and its events carry, and their mapping from rows.
 * Each shape is the type of its response schema (`SchemaType`), so a mapper that adds a
 * field the schema lacks, or leaves out a required one, does not compile. Optional fields
 * are absent rather than null, as in core's customer shape.
 */
import { readBool, readInt, readJson, type BigIntColumn, type SchemaType } from '../../../core/plugin/index.js';
import type { CHANNELS, PRIORITIES, STATUSES } from '../schemas/common.js';
import type { calendarSchema, policySchema, queueSchema } from '../schemas/setup-schemas.js';
import type { messageSchema, ticketSchema } from '../schemas/ticket-schemas.js';
import type { BusinessCalendar, Holiday } from './business-time.js';
import type { CalendarRow, MessageRow, QueueRow, SlaPolicyRow, TicketRow } from './rows.js';

export { CHANNELS, PRIORITIES, STATUSES } from '../schemas/common.js';

/** SLA target kinds, in display order. */
export const TARGET_KINDS = ['first_response', 'next_response', 'resolution'] as const;

export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type TicketStatus = (typeof STATUSES)[number];
export type TargetKind = (typeof TARGET_KINDS)[number];

/** A ticket. */
export type TicketDto = SchemaType<typeof ticketSchema>;

/** One SLA target of a ticket as the API shows it. */
export type SlaTargetDto = NonNullable<TicketDto['sla']>['targets'][number];

/** What the API shows of a target's state. */
export type TargetState = SlaTargetDto['state'];

/** A message of a ticket: a public reply (the customer sees it) or an internal note. */
export type MessageDto = SchemaType<typeof messageSchema>;

/**
 * A business calendar. The schema bounds each open range to two times
 * (minItems/maxItems 2), which the derived type sees as `string[]`; the week is the
 * `[from, to]` pairs the business-time code reads.
 */
export type CalendarDto = Omit<SchemaType<typeof calendarSchema>, 'week'> & BusinessCalendar;

/** A queue; the response schema types `assignment` as a plain string, narrowed here to the strategies. */
export type QueueDto = Omit<SchemaType<typeof queueSchema>, 'assignment'> & { assignment: 'round_robin' | 'least_open' | 'manual' };

/** An SLA policy. */
export type SlaPolicyDto = SchemaType<typeof policySchema>;

/** What happens when a target of a policy is breached. */
export type Escalation = SlaPolicyDto['escalation'];

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
