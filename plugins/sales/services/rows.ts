/**
 * The rows of the sales tables as the database returns them (migrations 001–006), and
 * their entry in the data layer's table map, so `ctx.data…from('sales_deals')` is typed.
 * Columns are snake_case as stored; instants are epoch milliseconds (BIGINT), JSON lives
 * in TEXT. The DTO mappers in `records.ts` read these.
 */
import type { BigIntColumn, JsonTextColumn } from '../../../core/plugin/index.js';

/** `sales_pipelines`. */
export interface PipelineRow {
  id: string;
  tenant_id: string;
  name: string;
  currency: string;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `sales_stages`: a pipeline's stages, in `position` order. */
export interface StageRow {
  id: string;
  tenant_id: string;
  pipeline_id: string;
  name: string;
  probability: number;
  position: number;
}

/** `sales_deals`. */
export interface DealRow {
  id: string;
  tenant_id: string;
  title: string;
  customer_id: string;
  pipeline_id: string;
  stage_id: string;
  amount: BigIntColumn;
  currency: string;
  /** The tenant's local calendar day, `YYYY-MM-DD`. */
  expected_close_date: string | null;
  owner_id: string | null;
  team_id: string | null;
  status: string;
  lost_reason: string | null;
  /** `LineItem[]` as JSON. */
  line_items: JsonTextColumn;
  lead_id: string | null;
  stage_entered_at: BigIntColumn;
  closed_at: BigIntColumn | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** A deal read with its customer's name (LEFT JOIN: null when gone or out of scope). */
export interface DealViewRow extends DealRow {
  customer_name: string | null;
}

/** `sales_deal_stages`: the stage history of a deal. */
export interface DealStageRow {
  id: string;
  tenant_id: string;
  deal_id: string;
  pipeline_id: string;
  stage_id: string;
  entered_at: BigIntColumn;
  left_at: BigIntColumn | null;
  actor: string;
}

/** `sales_leads`. */
export interface LeadRow {
  id: string;
  tenant_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  source: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  territory: string | null;
  /** `string[]` as JSON. */
  tags: JsonTextColumn;
  notes: string | null;
  email_key: string | null;
  phone_key: string | null;
  /** The keys again while the lead is open, null once closed (unique per tenant, 005). */
  open_email_key: string | null;
  open_phone_key: string | null;
  status: string;
  score: number;
  owner_id: string | null;
  team_id: string | null;
  disqualify_reason: string | null;
  matched_customer_id: string | null;
  customer_id: string | null;
  deal_id: string | null;
  web_form_id: string | null;
  contacted_at: BigIntColumn | null;
  qualified_at: BigIntColumn | null;
  disqualified_at: BigIntColumn | null;
  converted_at: BigIntColumn | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `sales_assignment_cursors`: the round-robin position of each assignment rule. */
export interface AssignmentCursorRow {
  tenant_id: string;
  rule_id: string;
  next_index: number;
}

/** `sales_tasks`. */
export interface TaskRow {
  id: string;
  tenant_id: string;
  type: string;
  title: string;
  notes: string | null;
  due_at: BigIntColumn;
  remind_at: BigIntColumn | null;
  lead_id: string | null;
  deal_id: string | null;
  customer_id: string | null;
  assignee_id: string | null;
  team_id: string | null;
  status: string;
  outcome: string | null;
  completed_at: BigIntColumn | null;
  /** Token of the scheduler round that emitted `task.due`, once it has. */
  due_claim: string | null;
  reminder_claim: string | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `sales_settings`: one row per tenant, rules as JSON. */
export interface SettingsRow {
  tenant_id: string;
  accepted_currencies: JsonTextColumn;
  assignment_rules: JsonTextColumn;
  scoring_rules: JsonTextColumn;
  version: number;
  updated_at: BigIntColumn;
}

/** `sales_web_forms`. */
export interface WebFormRow {
  id: string;
  tenant_id: string;
  form_key: string;
  name: string;
  source: string | null;
  owner_id: string | null;
  created_at: BigIntColumn;
}

/** `sales_web_form_hits`: submissions per form, client and window. */
export interface WebFormHitRow {
  form_id: string;
  client_key: string;
  window_start: BigIntColumn;
  hits: number;
  tenant_id: string;
}

declare module '../../../core/plugin/index.js' {
  interface PluginTables {
    sales_pipelines: PipelineRow;
    sales_stages: StageRow;
    sales_deals: DealRow;
    sales_deal_stages: DealStageRow;
    sales_leads: LeadRow;
    sales_assignment_cursors: AssignmentCursorRow;
    sales_tasks: TaskRow;
    sales_settings: SettingsRow;
    sales_web_forms: WebFormRow;
    sales_web_form_hits: WebFormHitRow;
  }
}
