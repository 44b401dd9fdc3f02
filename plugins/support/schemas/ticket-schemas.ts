/** JSON Schemas of tickets and their messages. */
import { channel, customFields, id, line, nullable, obj, principal, priority, stamps, status, str, tags } from './common.js';

const body = str(100_000, 1);

/** Body of POST /tickets. */
export const ticketInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'channel', 'priority', 'body'],
  properties: { subject: line(300, 1), customerId: id, channel, priority, queueId: id, assigneeId: principal, tags, customFields, body },
} as const;

/** Body of PATCH /tickets/{id} (JSON merge-patch). */
export const ticketPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { subject: line(300, 1), customerId: nullable(id), channel, priority, status, queueId: nullable(id), assigneeId: nullable(principal), tags, customFields },
} as const;

/** Query of GET /tickets. */
export const ticketListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status,
    queueId: id,
    assigneeId: principal,
    customerId: id,
    slaState: { type: 'string', enum: ['running', 'paused', 'met', 'breached'] },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: str(200, 1),
  },
} as const;

/** One SLA target of a ticket (in `sla.targets`, and in the SLA events' data). */
export const slaTargetSchema = obj({
  kind: { type: 'string', enum: ['first_response', 'next_response', 'resolution'] },
  dueAt: { type: ['string', 'null'] },
  state: { type: 'string', enum: ['running', 'paused', 'met', 'breached'] },
  remainingBusinessMinutes: { type: 'integer' },
}, ['kind', 'dueAt', 'state', 'remainingBusinessMinutes']);

/** A ticket's survey answer, in the agents' and the customer's view. */
const csat = obj({ rating: { type: 'integer' }, comment: { type: 'string' } }, ['rating']);

/** A ticket in responses. */
export const ticketSchema = obj({
  id: { type: 'string' },
  number: { type: 'integer' },
  subject: { type: 'string' },
  customerId: { type: 'string' },
  channel,
  priority,
  status,
  queueId: { type: 'string' },
  assigneeId: { type: 'string' },
  teamId: { type: 'string' },
  tags: { type: 'array', items: { type: 'string' } },
  customFields: { type: 'object', additionalProperties: true },
  mergedIntoId: { type: 'string' },
  sla: { anyOf: [{ type: 'null' }, obj({ policyId: { type: 'string' }, targets: { type: 'array', items: slaTargetSchema } }, ['policyId', 'targets'])] },
  csat,
  ...stamps,
}, ['id', 'number', 'subject', 'channel', 'priority', 'status', 'tags', 'customFields', 'sla', 'createdAt', 'updatedAt', 'version']);

/** Body of POST /tickets/{id}/messages. */
export const messageInputSchema = { type: 'object', additionalProperties: false, required: ['body', 'visibility'], properties: { body, visibility: { type: 'string', enum: ['public', 'internal'] } } } as const;

/** A message in responses. */
export const messageSchema = obj({
  id: { type: 'string' },
  ticketId: { type: 'string' },
  visibility: { type: 'string', enum: ['public', 'internal'] },
  author: obj({ kind: { type: 'string', enum: ['agent', 'customer', 'system'] }, id: { type: 'string' } }, ['kind']),
  body: { type: 'string' },
  createdAt: { type: 'string' },
}, ['id', 'ticketId', 'visibility', 'author', 'body', 'createdAt']);

/** A ticket as its customer sees it in the portal. */
export const portalTicketSchema = obj({
  id: { type: 'string' },
  number: { type: 'integer' },
  subject: { type: 'string' },
  status,
  priority,
  channel,
  csat,
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
  messages: { type: 'array', items: messageSchema },
}, ['id', 'number', 'subject', 'status', 'priority', 'channel', 'createdAt', 'updatedAt']);

/** Body of POST /tickets/{id}/merge. */
export const mergeSchema = { type: 'object', additionalProperties: false, required: ['from'], properties: { from: { type: 'array', minItems: 1, maxItems: 50, items: id } } } as const;
