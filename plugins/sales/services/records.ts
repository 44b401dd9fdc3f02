/**
 * The shapes the sales API returns and its events carry, and their mapping from rows.
 * Each shape is the type of its response schema (`SchemaType`), so a mapper that adds a
 * field the schema lacks, or leaves out a required one, does not compile. Optional fields
 * are absent rather than null, as in core's customer shape.
 */
import { readInt, readJson, type SchemaType } from '../../../core/plugin/index.js';
import type { dealSchema } from '../schemas/deal-schemas.js';
import type { leadListQuerySchema, leadSchema } from '../schemas/lead-schemas.js';
import type { pipelineSchema, stageSchema } from '../schemas/pipeline-schemas.js';
import type { taskInputSchema, taskListQuerySchema, taskSchema } from '../schemas/task-schemas.js';
import type { DealRow, DealViewRow, LeadRow, TaskRow } from './rows.js';

/** A stage of a pipeline; order is the array order. `probability`: win probability in percent, 0–100. */
export type StageDto = SchemaType<typeof stageSchema>;

/** A pipeline. */
export type PipelineDto = SchemaType<typeof pipelineSchema>;

/**
 * A deal as the API shows it: the record plus its customer's name, read in the same
 * query. Null when the customer was deleted or is outside the reader's record scope for
 * customers. `amount` and a line's `unitPrice` are minor units; `expectedCloseDate` is
 * the tenant's local calendar day.
 */
export type DealView = SchemaType<typeof dealSchema>;

/** A deal record: {@link DealView} without the customer's name, as events and the audit log carry it. */
export type DealDto = Omit<DealView, 'customerName'>;

/** A deal's line: an ERP product by external reference. */
export type LineItem = DealView['lineItems'][number];

/** Status of a deal. */
export type DealStatus = DealView['status'];

/** Status of a lead, as the list query's `status` filter names them; `converted` is reached only through conversion. */
export type LeadStatus = SchemaType<typeof leadListQuerySchema.properties.status>;

/** Statuses of a lead still being worked: duplicates are checked and scores kept against these. */
export const OPEN_LEAD_STATUSES: readonly LeadStatus[] = ['new', 'contacted', 'qualified'];

/**
 * A lead. `matchedCustomerId` is an existing customer with the same email or phone,
 * found when the lead arrived. The response schema types `status` as a plain string, so
 * the status is narrowed here to the values the service writes.
 */
export type LeadDto = Omit<SchemaType<typeof leadSchema>, 'status'> & { status: LeadStatus };

/** Campaign parameters a lead arrived with. */
export type Utm = LeadDto['utm'];

/** Kinds of task, as the create body's `type` lists them. */
export type TaskType = SchemaType<typeof taskInputSchema.properties.type>;
/** Status of a task, as the list query's `status` filter names them. */
export type TaskStatus = SchemaType<typeof taskListQuerySchema.properties.status>;

/**
 * A task linked to a lead, a deal or a customer. The response schema types `type` and
 * `status` as plain strings; they are narrowed here to the values the service writes.
 */
export type TaskDto = Omit<SchemaType<typeof taskSchema>, 'type' | 'status'> & { type: TaskType; status: TaskStatus };

const iso = (v: unknown): string => new Date(readInt(v)).toISOString();

/** Copies the non-null columns to optional fields: `set(dto, 'ownerId', row.owner_id)`. */
function set<T extends object, K extends keyof T>(target: T, key: K, value: unknown, map: (v: unknown) => T[K] = (v) => String(v) as T[K]): void {
  if (value !== null && value !== undefined) target[key] = map(value);
}

/** Maps a `sales_deals` row. */
export function dealFromRow(row: DealRow): DealDto {
  const dto: DealDto = {
    id: row.id,
    title: row.title,
    customerId: row.customer_id,
    pipelineId: row.pipeline_id,
    stageId: row.stage_id,
    amount: readInt(row.amount),
    currency: row.currency,
    status: row.status as DealStatus,
    lineItems: readJson<LineItem[]>(row.line_items, []),
    stageEnteredAt: iso(row.stage_entered_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: row.version,
  };
  set(dto, 'expectedCloseDate', row.expected_close_date);
  set(dto, 'ownerId', row.owner_id);
  set(dto, 'teamId', row.team_id);
  set(dto, 'lostReason', row.lost_reason);
  set(dto, 'leadId', row.lead_id);
  set(dto, 'closedAt', row.closed_at, iso);
  return dto;
}

/** Maps a `sales_deals` row joined with its customer's `customer_name`. */
export function dealViewFromRow(row: DealViewRow): DealView {
  return { ...dealFromRow(row), customerName: row.customer_name ?? null };
}

/** Maps a `sales_leads` row. */
export function leadFromRow(row: LeadRow): LeadDto {
  const utm: Utm = {};
  set(utm, 'source', row.utm_source);
  set(utm, 'medium', row.utm_medium);
  set(utm, 'campaign', row.utm_campaign);
  const dto: LeadDto = {
    id: row.id,
    name: row.name,
    utm,
    tags: readJson<string[]>(row.tags, []),
    status: row.status as LeadStatus,
    score: row.score,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: row.version,
  };
  for (const [key, column] of [['email', 'email'], ['phone', 'phone'], ['company', 'company'], ['source', 'source'], ['territory', 'territory'], ['notes', 'notes'], ['ownerId', 'owner_id'], ['teamId', 'team_id'], ['disqualifyReason', 'disqualify_reason'], ['matchedCustomerId', 'matched_customer_id'], ['customerId', 'customer_id'], ['dealId', 'deal_id']] as const) {
    set(dto, key, row[column]);
  }
  set(dto, 'convertedAt', row.converted_at, iso);
  return dto;
}

/** Maps a `sales_tasks` row. */
export function taskFromRow(row: TaskRow): TaskDto {
  const dto: TaskDto = {
    id: row.id,
    type: row.type as TaskType,
    title: row.title,
    dueAt: iso(row.due_at),
    status: row.status as TaskStatus,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: row.version,
  };
  for (const [key, column] of [['notes', 'notes'], ['leadId', 'lead_id'], ['dealId', 'deal_id'], ['customerId', 'customer_id'], ['assigneeId', 'assignee_id'], ['teamId', 'team_id'], ['outcome', 'outcome']] as const) {
    set(dto, key, row[column]);
  }
  set(dto, 'remindAt', row.remind_at, iso);
  set(dto, 'completedAt', row.completed_at, iso);
  return dto;
}
