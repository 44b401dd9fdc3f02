/** JSON Schemas of calendars, queues and SLA policies. */
import { channel, id, line, nullable, obj, principal, priority, stamps, str } from './common.js';

const time = { type: 'string', pattern: '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' } as const;
const ranges = { type: 'array', maxItems: 12, items: { type: 'array', minItems: 2, maxItems: 2, items: time } } as const;
const week = { type: 'object', additionalProperties: false, properties: { sat: ranges, sun: ranges, mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges } } as const;
const holiday = {
  type: 'object',
  additionalProperties: false,
  required: ['date', 'calendar', 'name'],
  properties: { date: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }, calendar: { type: 'string', enum: ['persian', 'gregorian'] }, yearly: { type: 'boolean' }, name: line(200, 1) },
} as const;

/** Params of /calendars/{id}: a tenant-chosen id such as `default` or `tehran-office`. */
export const calendarParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } } } as const;

/** Body of PUT /calendars/{id}. */
export const calendarInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: line(200, 1), timeZone: str(64, 1), week, holidays: { type: 'array', maxItems: 2000, items: holiday } },
} as const;

/** A calendar in responses. */
export const calendarSchema = obj({ id: { type: 'string' }, name: { type: 'string' }, timeZone: { type: 'string' }, week, holidays: { type: 'array', items: holiday }, ...stamps }, ['id', 'name', 'timeZone', 'week', 'holidays', 'createdAt', 'updatedAt', 'version']);

/** The answer of an .ics import. */
export const importResultSchema = obj({ imported: { type: 'integer' }, calendar: calendarSchema }, ['imported', 'calendar']);

const assignment = { type: 'string', enum: ['round_robin', 'least_open', 'manual'] } as const;
const members = { type: 'array', maxItems: 500, items: principal } as const;

/** Body of POST /queues. */
export const queueInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'members', 'assignment'],
  properties: { name: line(200, 1), members, managerId: principal, calendarId: id, emailAccountId: id, assignment },
} as const;

/** Body of PATCH /queues/{id}. */
export const queuePatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: line(200, 1), members, managerId: nullable(principal), calendarId: nullable(id), emailAccountId: nullable(id), assignment },
} as const;

/** A queue in responses. */
export const queueSchema = obj({ id: { type: 'string' }, name: { type: 'string' }, members: { type: 'array', items: { type: 'string' } }, managerId: { type: 'string' }, calendarId: { type: 'string' }, emailAccountId: { type: 'string' }, assignment: { type: 'string' }, ...stamps }, ['id', 'name', 'members', 'assignment', 'createdAt', 'updatedAt', 'version']);

const minutes = { type: 'integer', minimum: 1, maximum: 525_600 } as const;
const list = <const I extends object>(items: I) => ({ type: 'array', minItems: 1, maxItems: 50, items }) as const;
const conditions = { type: 'object', additionalProperties: false, properties: { priority: list(priority), channel: list(channel), queueId: list(id), customerTag: list(str(100, 1)) } } as const;
const targets = {
  type: 'object',
  additionalProperties: false,
  required: ['firstResponseMinutes', 'resolutionMinutes'],
  properties: { firstResponseMinutes: minutes, nextResponseMinutes: minutes, resolutionMinutes: minutes, warningPercent: { type: 'integer', minimum: 1, maximum: 99 } },
} as const;
const escalation = { type: 'object', additionalProperties: false, properties: { raisePriority: { type: 'boolean' }, assignTo: principal } } as const;

/** Body of POST /sla-policies. */
export const policyInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'calendarId', 'conditions', 'targets'],
  properties: { name: line(200, 1), calendarId: str(64, 1), conditions, targets, escalation, enabled: { type: 'boolean' } },
} as const;

/** Body of PATCH /sla-policies/{id} (merge-patch; `targets` members merge). */
export const policyPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { ...policyInputSchema.properties, targets: { ...targets, required: [] } },
} as const;

/** A policy in responses. */
export const policySchema = obj({ id: { type: 'string' }, name: { type: 'string' }, calendarId: { type: 'string' }, conditions, targets, escalation, enabled: { type: 'boolean' }, ...stamps }, ['id', 'name', 'calendarId', 'conditions', 'targets', 'escalation', 'enabled', 'createdAt', 'updatedAt', 'version']);
