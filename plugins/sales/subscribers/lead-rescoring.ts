/**
 * Rescoring on the events that change a score from outside the lead: a completed task
 * linked to it (activity points) and a change of the tenant's scoring rules (every open
 * lead). Idempotent: a score is recomputed from the data, never incremented.
 */
import type { PeyvandEvent, PeyvandEvents, PluginSubscriber } from '../../../core/index.js';
import type { SalesOptions } from '../options.js';
import { LeadScoring } from '../services/lead-scoring.js';
import { SettingsService } from '../services/settings.js';
import { SalesStore } from '../services/store.js';

/** Keeps lead scores current. */
export const leadRescoringSubscriber: PluginSubscriber<SalesOptions> = {
  id: 'sales.lead-rescoring',
  events: ['task.completed', 'sales_settings.updated'],
  async handle(event: PeyvandEvent, ctx) {
    const store = new SalesStore(ctx.db);
    const scoring = new LeadScoring(ctx, store, new SettingsService(ctx, store));
    if (event.type === 'task.completed') {
      const { task } = event.data as PeyvandEvents['task.completed'];
      if (task.leadId) await scoring.rescore(event.tenantId, [task.leadId]);
      return;
    }
    const { changed } = event.data as PeyvandEvents['sales_settings.updated'];
    if (changed.includes('scoringRules')) await scoring.rescore(event.tenantId);
  },
};
