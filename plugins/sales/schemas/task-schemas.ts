/** JSON Schemas of tasks. */
import { dateTime, id, line, nullable, obj, pageQuery, principal, stamps, str } from './common.js';

const remindBeforeMinutes = { type: 'integer', minimum: 0, maximum: 10_080 } as const;

/** Body of POST /tasks: linked to exactly one lead, deal or customer. */
export const taskInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'title', 'dueAt'],
  properties: {
    type: { type: 'string', enum: ['call', 'meeting', 'todo'] },
    title: line(300, 1),
    notes: str(5000, 1),
    dueAt: dateTime,
    remindBeforeMinutes,
    leadId: id,
    dealId: id,
    customerId: id,
    assigneeId: principal,
  },
  oneOf: [{ required: ['leadId'] }, { required: ['dealId'] }, { required: ['customerId'] }],
} as const;

/** Body of PATCH /tasks/{id}; `status: done` completes it. */
export const taskPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    title: line(300, 1),
    notes: nullable(str(5000, 1)),
    dueAt: dateTime,
    remindBeforeMinutes,
    assigneeId: nullable(principal),
    status: { type: 'string', enum: ['open', 'done', 'cancelled'] },
    outcome: nullable(str(2000, 1)),
  },
} as const;

/** Query of GET /tasks. */
export const taskListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['open', 'done', 'cancelled'] }, assigneeId: { type: 'string', maxLength: 200 }, leadId: id, dealId: id, customerId: id, dueBefore: dateTime, ...pageQuery },
} as const;

/** A task in responses. */
export const taskSchema = obj({
  id: { type: 'string' },
  type: { type: 'string' },
  title: { type: 'string' },
  notes: { type: 'string' },
  dueAt: { type: 'string' },
  remindAt: { type: 'string' },
  leadId: { type: 'string' },
  dealId: { type: 'string' },
  customerId: { type: 'string' },
  assigneeId: { type: 'string' },
  teamId: { type: 'string' },
  status: { type: 'string' },
  outcome: { type: 'string' },
  completedAt: { type: 'string' },
  ...stamps,
}, ['id', 'type', 'title', 'dueAt', 'status', 'createdAt', 'updatedAt', 'version']);
