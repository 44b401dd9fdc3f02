/**
 * The shapes the sales API returns and its events carry, and their mapping from rows.
 * Optional fields are absent rather than null, as in core's customer shape.
 */
import { readInt, readJson } from '../../../core/plugin/index.js';
import type { DealRow, DealViewRow, LeadRow, TaskRow } from './rows.js';

/** A stage of a pipeline; order is the array order. */
export interface StageDto {
  id: string;
  name: string;
  /** Win probability in percent, 0–100. */
  probability: number;
}

/** A pipeline. */
export interface PipelineDto {
  id: string;
  name: string;
  currency: string;
  stages: StageDto[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A deal's line: an ERP product by external reference. */
export interface LineItem {
  productRef: { source: string; id: string };
  name: string;
  quantity: number;
  /** Minor units of the deal's currency. */
  unitPrice: number;
}

/** Status of a deal. */
export type DealStatus = 'open' | 'won' | 'lost';

/** A deal. */
export interface DealDto {
  id: string;
  title: string;
  customerId: string;
  pipelineId: string;
  stageId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** The tenant's local calendar day, `YYYY-MM-DD`. */
  expectedCloseDate?: string;
  ownerId?: string;
  teamId?: string;
  status: DealStatus;
  lostReason?: string;
  lineItems: LineItem[];
  leadId?: string;
  stageEnteredAt: string;
  closedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * A deal as the API shows it: the record plus its customer's name, read in the same
 * query. Null when the customer was deleted or is outside the reader's record scope for
 * customers. Not part of the record: events and the audit log carry {@link DealDto}.
 */
export interface DealView extends DealDto {
  customerName: string | null;
}

/** Status of a lead; `converted` is reached only through conversion. */
export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'disqualified' | 'converted';

/** Statuses of a lead still being worked: duplicates are checked and scores kept against these. */
export const OPEN_LEAD_STATUSES: readonly LeadStatus[] = ['new', 'contacted', 'qualified'];

/** Campaign parameters a lead arrived with. */
export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
}

/** A lead. */
export interface LeadDto {
  id: string;
  name: string;
  email?: string;
  phone?: string;
  company?: string;
  source?: string;
  utm: Utm;
  territory?: string;
  tags: string[];
  notes?: string;
  status: LeadStatus;
  score: number;
  ownerId?: string;
  teamId?: string;
  disqualifyReason?: string;
  /** An existing customer with the same email or phone, found when the lead arrived. */
  matchedCustomerId?: string;
  customerId?: string;
  dealId?: string;
  convertedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Kinds of task. */
export type TaskType = 'call' | 'meeting' | 'todo';
/** Status of a task. */
export type TaskStatus = 'open' | 'done' | 'cancelled';

/** A task linked to a lead, a deal or a customer. */
export interface TaskDto {
  id: string;
  type: TaskType;
  title: string;
  notes?: string;
  dueAt: string;
  remindAt?: string;
  leadId?: string;
  dealId?: string;
  customerId?: string;
  assigneeId?: string;
  teamId?: string;
  status: TaskStatus;
  outcome?: string;
  completedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

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
