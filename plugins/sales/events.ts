/**
 * The events the sales plugin emits, as a const map, and their data shapes merged into
 * core's typed event map. Every one is written through `ctx.events` in the transaction of
 * the change it describes.
 */
import type { DealDto, LeadDto, PipelineDto, TaskDto } from './services/records.js';

/** Sales event types by name. */
export const SALES_EVENTS = {
  leadCreated: 'lead.created',
  leadUpdated: 'lead.updated',
  leadAssigned: 'lead.assigned',
  leadScored: 'lead.scored',
  leadDisqualified: 'lead.disqualified',
  leadConverted: 'lead.converted',
  leadDeleted: 'lead.deleted',
  dealCreated: 'deal.created',
  dealUpdated: 'deal.updated',
  dealStageChanged: 'deal.stage_changed',
  dealWon: 'deal.won',
  dealLost: 'deal.lost',
  dealDeleted: 'deal.deleted',
  taskCreated: 'task.created',
  taskUpdated: 'task.updated',
  taskDue: 'task.due',
  taskReminderDue: 'task.reminder_due',
  taskCompleted: 'task.completed',
  pipelineCreated: 'pipeline.created',
  pipelineUpdated: 'pipeline.updated',
  settingsUpdated: 'sales_settings.updated',
} as const;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'lead.created': { lead: LeadDto };
    'lead.updated': { lead: LeadDto; changed: string[] };
    'lead.assigned': { lead: LeadDto; ownerId: string | null; teamId: string | null; ruleId: string | null };
    'lead.scored': { leadId: string; score: number; previous: number };
    'lead.disqualified': { lead: LeadDto; reason: string };
    'lead.converted': { lead: LeadDto; customerId: string; customerCreated: boolean; dealId: string | null };
    /** Only an import's undo removes a lead (the API has no lead delete). */
    'lead.deleted': { lead: LeadDto };
    'deal.created': { deal: DealDto };
    'deal.updated': { deal: DealDto; changed: string[] };
    'deal.stage_changed': { deal: DealDto; fromStageId: string; toStageId: string; timeInStageMs: number };
    'deal.won': { deal: DealDto };
    'deal.lost': { deal: DealDto; reason: string };
    'deal.deleted': { deal: DealDto };
    'task.created': { task: TaskDto };
    'task.updated': { task: TaskDto; changed: string[] };
    'task.due': { task: TaskDto };
    'task.reminder_due': { task: TaskDto };
    'task.completed': { task: TaskDto };
    'pipeline.created': { pipeline: PipelineDto };
    'pipeline.updated': { pipeline: PipelineDto };
    'sales_settings.updated': { changed: string[] };
  }
}

/** The `events` declaration of the plugin: every type it emits. */
export const salesEventSchemas: Readonly<Record<string, Record<string, unknown>>> = Object.fromEntries(
  Object.values(SALES_EVENTS).map((type) => [type, { type: 'object' }]),
);
