/**
 * JSON Schemas of the data of the sales plugin's events: closed, every field present, as
 * the emitters write them (services/deals.ts, leads.ts, tasks.ts, conversion.ts,
 * lead-scoring.ts, task-scheduler.ts, pipelines.ts, settings.ts, web-forms.ts,
 * system-writes.ts). The payload types in `PeyvandEvents` (events.ts) are derived from them.
 *
 * Events are not in the OpenAPI document, so their record schemas say what the service
 * guarantees where a response schema is looser: a lead's and a task's statuses and a
 * task's type are enums, and a deal carries no `customerName` (read from the customer
 * record for responses only).
 */
import { eventData } from '../../../core/plugin/index.js';
import { dealSchema } from './deal-schemas.js';
import { leadListQuerySchema, leadSchema } from './lead-schemas.js';
import { pipelineSchema } from './pipeline-schemas.js';
import { taskInputSchema, taskListQuerySchema, taskSchema } from './task-schemas.js';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;

const { customerName: _responseOnly, ...dealRecordProperties } = dealSchema.properties;
/** A deal as events carry it: the response's fields but `customerName`. */
const dealRecordSchema = {
  ...dealSchema,
  required: ['id', 'title', 'customerId', 'pipelineId', 'stageId', 'amount', 'currency', 'status', 'lineItems', 'stageEnteredAt', 'createdAt', 'updatedAt', 'version'],
  properties: dealRecordProperties,
} as const;
/** A lead as events carry it: its status is one of the lead statuses. */
const leadRecordSchema = { ...leadSchema, properties: { ...leadSchema.properties, status: leadListQuerySchema.properties.status } } as const;
/** A task as events carry it: its type and status are the ones the service writes. */
const taskRecordSchema = { ...taskSchema, properties: { ...taskSchema.properties, type: taskInputSchema.properties.type, status: taskListQuerySchema.properties.status } } as const;

const deal = eventData({ deal: dealRecordSchema });
const lead = eventData({ lead: leadRecordSchema });
const task = eventData({ task: taskRecordSchema });
const pipeline = eventData({ pipeline: pipelineSchema });

/** Sales event types, each with the schema of its data. */
export const salesEventSchemas = {
  'lead.created': lead,
  'lead.updated': eventData({ lead: leadRecordSchema, changed: strings }),
  'lead.assigned': eventData({ lead: leadRecordSchema, ownerId: nullableStr, teamId: nullableStr, ruleId: nullableStr }),
  'lead.scored': eventData({ leadId: str, score: int, previous: int }),
  'lead.disqualified': eventData({ lead: leadRecordSchema, reason: str }),
  'lead.converted': eventData({ lead: leadRecordSchema, customerId: str, customerCreated: { type: 'boolean' }, dealId: nullableStr }),
  /** Only an import's undo removes a lead (the API has no lead delete). */
  'lead.deleted': lead,
  'deal.created': deal,
  'deal.updated': eventData({ deal: dealRecordSchema, changed: strings }),
  'deal.stage_changed': eventData({ deal: dealRecordSchema, fromStageId: str, toStageId: str, timeInStageMs: int }),
  'deal.won': deal,
  'deal.lost': eventData({ deal: dealRecordSchema, reason: str }),
  'deal.deleted': deal,
  'task.created': task,
  'task.updated': eventData({ task: taskRecordSchema, changed: strings }),
  'task.due': task,
  'task.reminder_due': task,
  'task.completed': task,
  'pipeline.created': pipeline,
  'pipeline.updated': pipeline,
  'sales_settings.updated': eventData({ changed: strings }),
} as const;
