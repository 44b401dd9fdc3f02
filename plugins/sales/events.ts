/**
 * The events the sales plugin emits, as a const map, and their data types — derived from
 * the schemas the plugin declares (schemas/event-schemas.ts) — merged into core's typed
 * event map. Every one is written through `ctx.events` in the transaction of
 * the change it describes.
 */
import type { SchemaType } from '../../core/plugin/index.js';
import { salesEventSchemas } from './schemas/event-schemas.js';

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

type SalesEventData<T extends keyof typeof salesEventSchemas> = SchemaType<(typeof salesEventSchemas)[T]>;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'lead.created': SalesEventData<'lead.created'>;
    'lead.updated': SalesEventData<'lead.updated'>;
    'lead.assigned': SalesEventData<'lead.assigned'>;
    'lead.scored': SalesEventData<'lead.scored'>;
    'lead.disqualified': SalesEventData<'lead.disqualified'>;
    'lead.converted': SalesEventData<'lead.converted'>;
    'lead.deleted': SalesEventData<'lead.deleted'>;
    'deal.created': SalesEventData<'deal.created'>;
    'deal.updated': SalesEventData<'deal.updated'>;
    'deal.stage_changed': SalesEventData<'deal.stage_changed'>;
    'deal.won': SalesEventData<'deal.won'>;
    'deal.lost': SalesEventData<'deal.lost'>;
    'deal.deleted': SalesEventData<'deal.deleted'>;
    'task.created': SalesEventData<'task.created'>;
    'task.updated': SalesEventData<'task.updated'>;
    'task.due': SalesEventData<'task.due'>;
    'task.reminder_due': SalesEventData<'task.reminder_due'>;
    'task.completed': SalesEventData<'task.completed'>;
    'pipeline.created': SalesEventData<'pipeline.created'>;
    'pipeline.updated': SalesEventData<'pipeline.updated'>;
    'sales_settings.updated': SalesEventData<'sales_settings.updated'>;
  }
}

/** The `events` declaration of the plugin: every type it emits, with the schema of its data. */
export { salesEventSchemas };
