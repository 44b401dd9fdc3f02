/**
 * Rescoring on the events that change a score from outside the lead: a task linked to it
 * completed or reopened (activity points) and a change of the tenant's scoring rules
 * (every open lead). Idempotent: a score is recomputed from the data, never incremented.
 */
import type { PeyvandEvent, PeyvandEvents, PluginSubscriber } from '../../../core/plugin/index.js';
import type { SalesOptions } from '../options.js';
import { LeadScoring } from '../services/lead-scoring.js';
import { SettingsService } from '../services/settings.js';
import { SalesStore } from '../services/store.js';

/** Keeps lead scores current. */
export const leadRescoringSubscriber: PluginSubscriber<SalesOptions> = {
  id: 'sales.lead-rescoring',
  // task.updated, not task.completed: a task reopened or cancelled after it was done takes its points back.
  events: ['task.updated', 'sales_settings.updated'],
  async handle(event: PeyvandEvent, ctx) {
    const store = new SalesStore(ctx.data);
    const scoring = new LeadScoring(ctx, store, new SettingsService(ctx, store));
    if (event.type === 'task.updated') {
      const { task, changed } = event.data as PeyvandEvents['task.updated'];
      if (task.leadId && changed.includes('status')) await scoring.rescore(event.tenantId, [task.leadId]);
      return;
    }
    const { changed } = event.data as PeyvandEvents['sales_settings.updated'];
    if (changed.includes('scoringRules')) await scoring.rescore(event.tenantId);
  },
};
