/**
 * Assignment of new leads: the first rule whose conditions the lead meets picks the
 * owner, taking turns among its members (round robin within a team), or by territory,
 * tag or source. The turn is stored per rule and advanced in the lead's transaction.
 */
import type { Knex } from 'knex';
import { normalizeSearchText, readInt } from '../../../core/plugin/index.js';
import type { AssignmentRule } from './settings.js';
import type { SalesStore } from './store.js';

/** Who a new lead goes to, and by which rule. */
export interface Assignment {
  ownerId: string;
  teamId?: string;
  ruleId: string;
}

/** What the rules look at. */
export interface AssignableLead {
  territory?: string;
  tags: readonly string[];
  source?: string;
}

const same = (a: string | undefined, b: string): boolean => a !== undefined && normalizeSearchText(a) === normalizeSearchText(b);

/** Whether a lead meets every condition of a rule (a rule without conditions matches all). */
export function ruleMatches(rule: AssignmentRule, lead: AssignableLead): boolean {
  const when = rule.when ?? {};
  if (when.territory !== undefined && !same(lead.territory, when.territory)) return false;
  if (when.source !== undefined && !same(lead.source, when.source)) return false;
  if (when.tag !== undefined && !lead.tags.some((t) => same(t, when.tag!))) return false;
  return true;
}

/** Applies assignment rules. */
export class LeadAssignment {
  constructor(private readonly store: SalesStore) {}

  /** The assignment of a new lead, or null when no rule matches. */
  async assign(trx: Knex.Transaction, tenantId: string, rules: readonly AssignmentRule[], lead: AssignableLead): Promise<Assignment | null> {
    const rule = rules.find((r) => ruleMatches(r, lead));
    if (!rule || rule.members.length === 0) return null;
    const turn = rule.members.length === 1 ? 0 : await this.takeTurn(trx, tenantId, rule);
    const ownerId = rule.members[turn % rule.members.length]!;
    return { ownerId, ruleId: rule.id, ...(rule.team && { teamId: rule.team }) };
  }

  /**
   * Reads and advances the rule's turn under a row lock (SQLite's writer lock on
   * SQLite), so two leads arriving at once go to different members.
   */
  private async takeTurn(trx: Knex.Transaction, tenantId: string, rule: AssignmentRule): Promise<number> {
    const cursors = () => this.store.rows(trx, 'assignment_cursors', tenantId);
    await cursors().insert({ rule_id: rule.id, next_index: 0 }).onConflict(['tenant_id', 'rule_id']).ignore();
    const row = await this.store.forUpdate(cursors().where({ rule_id: rule.id }).first());
    const turn = readInt(row?.next_index ?? 0) % rule.members.length;
    await cursors().where({ rule_id: rule.id }).update({ next_index: (turn + 1) % rule.members.length });
    return turn;
  }
}
