/**
 * Lead scoring by the tenant's rules: attribute points for what the lead is (source,
 * campaign, territory, tags…) and activity points for completed calls, meetings and
 * to-dos linked to it. A lead's own writes rescore it in their transaction; linked
 * tasks completed, reopened or cancelled and rule changes rescore through the
 * `sales.lead-rescoring` subscriber.
 */
import type { Knex } from 'knex';
import { normalizeSearchText, readInt, type AuditRecord, type PluginContext } from '../../../core/plugin/index.js';
import { leadFromRow, OPEN_LEAD_STATUSES, type LeadDto, type TaskType } from './records.js';
import type { ScoringRule, SettingsService } from './settings.js';
import type { SalesStore } from './store.js';
import { salesSystem } from './system-writes.js';

/** Completed tasks linked to a lead, by type. */
export type ActivityCounts = Partial<Record<TaskType, number>>;

function fieldValue(lead: Pick<LeadDto, 'source' | 'utm' | 'territory' | 'company' | 'email' | 'phone'>, field: string): string | undefined {
  if (field.startsWith('utm.')) return lead.utm[field.slice(4) as keyof LeadDto['utm']];
  return lead[field as 'source' | 'territory' | 'company' | 'email' | 'phone'];
}

/** The score of a lead under a set of rules. Comparisons are Persian-aware and case-blind. */
export function scoreLead(rules: readonly ScoringRule[], lead: Pick<LeadDto, 'source' | 'utm' | 'territory' | 'company' | 'email' | 'phone' | 'tags'>, activity: ActivityCounts): number {
  let score = 0;
  for (const rule of rules) {
    if (rule.kind === 'activity') {
      const earned = (activity[rule.activity] ?? 0) * rule.points;
      score += rule.maxPoints === undefined ? earned : Math.min(earned, rule.maxPoints);
      continue;
    }
    const wanted = rule.equals === undefined ? undefined : normalizeSearchText(rule.equals);
    const values = rule.field === 'tag' ? lead.tags : [fieldValue(lead, rule.field)].filter((v): v is string => v !== undefined && v !== '');
    const hit = wanted === undefined ? values.length > 0 : values.some((v) => normalizeSearchText(v) === wanted);
    if (hit) score += rule.points;
  }
  return score;
}

/** Computes and stores lead scores. */
export class LeadScoring {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly settings: SettingsService,
  ) {}

  /** Completed tasks of each type per lead, in one grouped query. */
  async activity(trx: Knex.Transaction | undefined, tenantId: string, leadIds: readonly string[]): Promise<Map<string, ActivityCounts>> {
    const out = new Map<string, ActivityCounts>();
    if (leadIds.length === 0) return out;
    const rows = await this.store.rows(trx, 'tasks', tenantId).whereIn('lead_id', leadIds).where('status', 'done').groupBy('lead_id', 'type').select('lead_id', 'type').count({ n: '*' });
    for (const r of rows) {
      if (r.lead_id === null) continue; // not reached: the query keeps `lead_id IN (…)`
      const counts = out.get(r.lead_id) ?? {};
      counts[r.type as TaskType] = readInt(r.n);
      out.set(r.lead_id, counts);
    }
    return out;
  }

  /** The score a lead has now, from the tenant's rules and its completed tasks. */
  async compute(trx: Knex.Transaction | undefined, tenantId: string, lead: LeadDto): Promise<number> {
    const { scoringRules } = await this.settings.get(tenantId, trx);
    if (scoringRules.length === 0) return 0;
    return scoreLead(scoringRules, lead, (await this.activity(trx, tenantId, [lead.id])).get(lead.id) ?? {});
  }

  /**
   * Rescores open leads (all of a tenant's, or the given ones) page by page, each page in
   * one transaction; stores, audits (`lead.rescore` by `system:sales`) and announces
   * (`lead.scored`) only scores that changed. The score is derived, so it does not bump
   * the lead's version (no spurious 412s).
   */
  async rescore(tenantId: string, leadIds?: readonly string[]): Promise<number> {
    const { scoringRules } = await this.settings.get(tenantId);
    let changed = 0;
    let after = '';
    for (;;) {
      const done = await this.ctx.data.transaction(async (trx: Knex.Transaction) => {
        const q = this.store.rows(trx, 'leads', tenantId).whereIn('status', OPEN_LEAD_STATUSES).where('id', '>', after);
        if (leadIds) q.whereIn('id', leadIds);
        const rows = await q.orderBy('id').limit(500);
        if (rows.length === 0) return true;
        after = rows[rows.length - 1]!.id;
        const leads: LeadDto[] = rows.map(leadFromRow);
        const activity = await this.activity(trx, tenantId, leads.map((l) => l.id));
        const audited: AuditRecord[] = [];
        for (const lead of leads) {
          const score = scoreLead(scoringRules, lead, activity.get(lead.id) ?? {});
          if (score === lead.score) continue;
          await this.store.rows(trx, 'leads', tenantId).where('id', lead.id).update({ score });
          await this.ctx.events.emit(trx, 'lead.scored', { leadId: lead.id, score, previous: lead.score }, { tenantId, aggregateType: 'lead', aggregateId: lead.id });
          audited.push({ action: 'lead.rescore', entityType: 'lead', entityId: lead.id, before: { score: lead.score }, after: { score } });
        }
        await this.ctx.audit.recordMany(trx, salesSystem(tenantId), audited);
        changed += audited.length;
        return rows.length < 500;
      });
      if (done) return changed;
    }
  }
}
