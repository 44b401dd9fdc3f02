/**
 * The support benchmark's dataset: a `bench-support` tenant (fa, Asia/Tehran) with a
 * business calendar, one SLA policy and four queues (created through the plugin's
 * services), and `tickets` tickets opened over the Persian year 1404, 40 agents, with
 * the figures the reports read — first response and resolution instants with their
 * business minutes, and the ticket's two SLA targets. Ticket `i` of a seed is always the
 * same ticket, so two runs, or two databases, hold the same rows.
 *
 * Written with multi-row INSERTs, not through the API: the scenario measures reading a
 * year of tickets, and writing them one request at a time would take far longer than the
 * measurement. The business minutes are drawn, not walked on the calendar: the reports
 * aggregate stored numbers, so what they cost does not depend on how the numbers came.
 * Rows written behind the plugin's back leave its per-day report summary empty, so the
 * loader then runs migration 006's backfill over the tenant — what an upgrade does to the
 * tickets of a running installation (`rebuildSummary`).
 */
import { insertMany } from '../core/db/database.js';
import type { Kernel } from '../core/kernel/kernel.js';
import { newId } from '../core/plugin/index.js';
import type { SupportServices } from '../plugins/support/index.js';
import { rebuildSummary } from '../plugins/support/services/summary.js';
import { prng } from './generate.js';

/** What the scenario needs to know about a loaded support dataset. */
export interface SupportDatasetMeta {
  databaseUrl: string;
  tenantId: string;
  /** An admin API key of the tenant. */
  token: string;
  tickets: number;
  /** The first of the four queues: the queue view the scenario lists. */
  queueId: string;
}

/** The reports the scenario asks for: the twelve Persian months of 1404. */
export const SUPPORT_REPORT_QUERY = 'period=month&calendar=persian&from=2025-03-21&to=2026-03-21';

const YEAR_START = Date.parse('2025-03-20T20:30:00Z');
const YEAR_MS = 365 * 86_400_000;
const MIN = 60_000;

/** Loads the support dataset into a kernel booted with the email and support plugins. */
export async function loadSupportDataset(kernel: Kernel, databaseUrl: string, o: { tickets: number; seed: number }): Promise<SupportDatasetMeta> {
  const support = kernel.servicesOf<SupportServices>('support');
  if (!support) throw new Error('the support plugin is not installed');
  const tenant = await kernel.tenants.create({ slug: 'bench-support', name: 'Bench support', locale: 'fa', plugins: ['email', 'support'] });
  const key = await kernel.apiKeys.create({ tenantId: tenant.id, subject: 'system:bench', kind: 'system' }, 'bench', 'admin');
  const { actor } = await kernel.authenticator.authenticate(key.key);
  await support.calendars.put(actor, 'tehran', { name: 'دفتر تهران' }, async () => {});
  const policy = await support.sla.createPolicy(actor, { name: 'عمومی', calendarId: 'tehran', conditions: {}, targets: { firstResponseMinutes: 240, resolutionMinutes: 2_400 } });
  const queues = [];
  for (const name of ['فنی', 'مالی', 'فروش', 'عمومی']) queues.push((await support.queues.create(actor, { name, members: [], assignment: 'manual' })).id);

  const r = prng(o.seed ^ 0x5e7);
  const tables = { tickets: kernel.db.table('support_tickets'), targets: kernel.db.table('support_sla_targets') };
  const batch = 1_000;
  for (let start = 0; start < o.tickets; start += batch) {
    const tickets: Array<Record<string, unknown>> = [];
    const targets: Array<Record<string, unknown>> = [];
    for (let i = start; i < Math.min(o.tickets, start + batch); i++) {
      const createdAt = YEAR_START + Math.floor((i / o.tickets) * YEAR_MS);
      const id = newId();
      const answered = r() < 0.95;
      const firstAt = answered ? createdAt + Math.floor(r() * 24 * 60) * MIN : null;
      const firstMs = answered ? Math.floor(r() * 600) * MIN : null;
      const resolved = answered && r() < 0.85;
      const resolvedAt = resolved ? firstAt! + Math.floor(r() * 10 * 24 * 60) * MIN : null;
      const resolutionMs = resolved ? firstMs! + Math.floor(r() * 4_000) * MIN : null;
      tickets.push({
        id, tenant_id: tenant.id, number: i + 1, subject: `تیکت ${i}`, channel: 'email', priority: 'normal', status: resolved ? 'solved' : answered ? 'open' : 'new',
        queue_id: queues[i % queues.length], assignee_id: `agent-${i % 40}`, team_id: `team-${i % 8}`, tags: '[]', custom_fields: '{}', sla_policy_id: policy.id,
        first_response_at: firstAt, first_response_business_ms: firstMs, solved_at: resolvedAt, resolved_at: resolvedAt, resolution_business_ms: resolutionMs,
        version: 1, created_at: createdAt, updated_at: resolvedAt ?? firstAt ?? createdAt,
      });
      const target = (kind: string, budgetMs: number, spentMs: number | null, metAt: number | null) => ({
        id: newId(), tenant_id: tenant.id, ticket_id: id, kind, policy_id: policy.id, budget_ms: budgetMs, spent_ms: spentMs ?? 0, running_since: metAt === null ? createdAt : null,
        due_at: metAt === null ? createdAt + budgetMs : null, warn_at: null, state: metAt === null ? 'running' : 'met', started_at: createdAt, met_at: metAt,
        // An unmet target of last year breached long ago: its warning and breach were claimed
        // and sent then, so the scheduler of the measured server has nothing left to do.
        breached: metAt === null || (spentMs ?? 0) > budgetMs, warn_claim: metAt === null ? 'bench' : null, breach_claim: metAt === null ? 'bench' : null,
      });
      targets.push(target('first_response', 240 * MIN, firstMs, firstAt), target('resolution', 2_400 * MIN, resolutionMs, resolvedAt));
    }
    await kernel.db.transaction(async (trx) => {
      await insertMany(trx, tables.tickets, tickets);
      await insertMany(trx, tables.targets, targets);
    });
  }
  await rebuildSummary(kernel.db.knex, kernel.db.dialect, (name) => kernel.db.table(name), { tenantId: tenant.id });
  return { databaseUrl, tenantId: tenant.id, token: key.key, tickets: o.tickets, queueId: queues[0]! };
}
