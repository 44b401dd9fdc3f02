/**
 * SLA policies and the targets of each ticket. A policy is chosen by conditions (the most
 * specific enabled match wins, the oldest on a tie); each target (first response, next
 * response, resolution) is its own clock on the policy's calendar. Changing, disabling or
 * deleting a policy, or changing its calendar, recomputes the open tickets in the same
 * transaction, so no ticket keeps a stale due time or escalation; that transaction moves
 * the report summary's rows of many tickets, so it runs again when refused for a
 * concurrent ticket change (`retryingTransaction`). A policy's creation, change and
 * deletion are audited and announced (`sla_policy.created|updated|deleted`) in it too.
 */
import type { Knex } from 'knex';
import { coreError, newId, readBool, readInt, type Actor, type BigIntColumn, type Executor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { policyInputSchema, policyPatchSchema } from '../schemas/setup-schemas.js';
import { supportError } from '../errors.js';
import type { BusinessCalendar } from './business-time.js';
import type { CalendarService } from './calendars.js';
import { policyFromRow, TARGET_KINDS, type Channel, type Priority, type SlaPolicyDto, type TargetKind, type TicketDto, type TicketStatus } from './records.js';
import { DEFAULT_WARNING_PERCENT, meetTarget, pauseTarget, rebudgetTarget, reopenTarget, resumeTarget, startTarget, targetView, type TargetClock } from './sla-clock.js';
import type { SlaPolicyRow, SlaTargetRow, TicketRow } from './rows.js';
import type { SupportStore } from './store.js';
import type { ReportSummary } from './summary.js';

/** Writable fields of a policy. */
export type PolicyInput = SchemaType<typeof policyInputSchema>;

/** A merge-patch of a policy (`targets` members merge). */
export type PolicyPatch = SchemaType<typeof policyPatchSchema>;

/** What happened to a ticket, as far as its SLA is concerned. */
export type SlaChange =
  | { kind: 'created' }
  | { kind: 'status'; from: TicketStatus; to: TicketStatus }
  | { kind: 'agent_reply' }
  | { kind: 'customer_reply' }
  | { kind: 'reassess' };

/** The fields of a ticket that choose and drive its policy. */
export type SlaSubject = Pick<TicketDto, 'id' | 'status' | 'priority' | 'channel' | 'queueId' | 'customerId'>;

const PAUSED: ReadonlySet<TicketStatus> = new Set(['pending', 'on_hold']);
const DONE: ReadonlySet<TicketStatus> = new Set(['solved', 'closed']);
const budgetOf = (p: SlaPolicyDto, kind: TargetKind): number | undefined =>
  kind === 'first_response' ? p.targets.firstResponseMinutes : kind === 'resolution' ? p.targets.resolutionMinutes : p.targets.nextResponseMinutes;

/** SLA use cases. */
export class SlaService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SupportStore,
    private readonly calendars: CalendarService,
    private readonly summary: ReportSummary,
  ) {}

  // ── policies ────────────────────────────────────────────────────────────────

  async listPolicies(tenantId: string): Promise<{ items: SlaPolicyDto[] }> {
    const rows = await this.store.rows(this.ctx.db.knex, 'sla_policies', tenantId).orderBy('id');
    return { items: rows.map(policyFromRow) };
  }

  /** Policies of the tenant by id, in one statement; 404 when one is missing. */
  private async policiesById(executor: Executor, tenantId: string, ids: readonly string[]): Promise<Map<string, SlaPolicyDto>> {
    const found = new Map((await this.store.rows(executor, 'sla_policies', tenantId).whereIn('id', [...ids])).map((row) => [row.id, policyFromRow(row)]));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw supportError('SLA_POLICY_NOT_FOUND', { id: missing });
    return found;
  }

  async getPolicy(tenantId: string, id: string, trx: Executor = this.ctx.db.knex): Promise<SlaPolicyDto> {
    const row = await this.store.rows(trx, 'sla_policies', tenantId).where({ id }).first();
    if (!row) throw supportError('SLA_POLICY_NOT_FOUND', { id });
    return policyFromRow(row);
  }

  async createPolicy(actor: Actor, input: PolicyInput): Promise<SlaPolicyDto> {
    return this.store.retryingTransaction(async (trx) => {
      await this.calendars.get(actor.tenantId, input.calendarId, trx);
      const id = newId();
      const now = Date.now();
      await trx<SlaPolicyRow>(this.store.table('sla_policies')).insert({ id, tenant_id: actor.tenantId, ...policyColumns({ escalation: {}, enabled: true, ...input }), version: 1, created_at: now, updated_at: now });
      const policy = await this.getPolicy(actor.tenantId, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'support_sla_policy.create', entityType: 'support_sla_policy', entityId: id, after: policy });
      await this.ctx.events.emit(trx, 'sla_policy.created', { policy }, { tenantId: actor.tenantId, aggregateType: 'support_sla_policy', aggregateId: id });
      await this.recomputeOpen(trx, actor.tenantId);
      return policy;
    });
  }

  async updatePolicy(actor: Actor, id: string, patch: PolicyPatch, expectedVersion?: number): Promise<SlaPolicyDto> {
    return this.store.retryingTransaction(async (trx) => {
      const before = await this.getPolicy(actor.tenantId, id, trx);
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw coreError('PRECONDITION_FAILED', { current: before.version });
      const next = { ...before, ...patch, targets: { ...before.targets, ...patch.targets } };
      if (patch.calendarId) await this.calendars.get(actor.tenantId, patch.calendarId, trx);
      await this.store.updateVersioned(trx, 'sla_policies', actor.tenantId, id, before.version, { ...policyColumns(next), updated_at: Date.now() });
      const policy = await this.getPolicy(actor.tenantId, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'support_sla_policy.update', entityType: 'support_sla_policy', entityId: id, before, after: policy });
      await this.ctx.events.emit(trx, 'sla_policy.updated', { policy }, { tenantId: actor.tenantId, aggregateType: 'support_sla_policy', aggregateId: id });
      await this.recomputeOpen(trx, actor.tenantId);
      return policy;
    });
  }

  async deletePolicy(actor: Actor, id: string): Promise<void> {
    await this.store.retryingTransaction(async (trx) => {
      const before = await this.getPolicy(actor.tenantId, id, trx);
      await this.store.rows(trx, 'sla_policies', actor.tenantId).where({ id }).delete();
      await this.ctx.audit.record(trx, actor, { action: 'support_sla_policy.delete', entityType: 'support_sla_policy', entityId: id, before });
      await this.ctx.events.emit(trx, 'sla_policy.deleted', { policy: before }, { tenantId: actor.tenantId, aggregateType: 'support_sla_policy', aggregateId: id });
      await this.recomputeOpen(trx, actor.tenantId);
    });
  }

  /** A calendar changed: the policies using it recompute their open tickets. */
  async calendarChanged(trx: Knex.Transaction, actor: Actor, calendarId: string): Promise<void> {
    const uses = await this.store.rows(trx, 'sla_policies', actor.tenantId).where({ calendar_id: calendarId }).first('id');
    if (uses) await this.recomputeOpen(trx, actor.tenantId);
  }

  /** Re-chooses the policy of every open ticket and re-arms its targets. */
  async recomputeOpen(trx: Knex.Transaction, tenantId: string, now = Date.now()): Promise<number> {
    let count = 0;
    let after = '';
    for (;;) {
      const rows = await this.store.rows(trx, 'tickets', tenantId).whereNotIn('status', ['solved', 'closed']).whereNull('merged_into_id').where('id', '>', after).orderBy('id').limit(500);
      for (const row of rows) await this.summary.track(trx, tenantId, [row.id], () => this.apply(trx, tenantId, subjectOf(row), { kind: 'reassess' }, now));
      count += rows.length;
      if (rows.length < 500) return count;
      after = rows[rows.length - 1]!.id;
    }
  }

  // ── targets of a ticket ─────────────────────────────────────────────────────

  /** Applies a change to a ticket's targets inside its transaction; returns the ticket's policy id or null. */
  async apply(trx: Knex.Transaction, tenantId: string, ticket: SlaSubject, change: SlaChange, now = Date.now()): Promise<string | null> {
    const policy = await this.select(trx, tenantId, ticket);
    const before = await this.clocks(trx, tenantId, [ticket.id]);
    const clocks = new Map((before.get(ticket.id) ?? []).map((c) => [c.kind, c]));
    if (!policy) {
      // No enabled policy applies (any more): no targets, so nothing left to escalate.
      await this.store.rows(trx, 'sla_targets', tenantId).where({ ticket_id: ticket.id }).delete();
      await this.store.rows(trx, 'tickets', tenantId).where({ id: ticket.id }).update({ sla_policy_id: null });
      return null;
    }
    const calendar = await this.calendars.get(tenantId, policy.calendarId, trx);
    const warn = policy.targets.warningPercent ?? DEFAULT_WARNING_PERCENT;
    const paused = PAUSED.has(ticket.status) || DONE.has(ticket.status);
    for (const kind of TARGET_KINDS) {
      const budget = budgetOf(policy, kind);
      const c = clocks.get(kind);
      if (budget === undefined) clocks.delete(kind);
      else if (c) clocks.set(kind, rebudgetTarget(c, policy.id, budget, calendar, warn, now));
      else if (kind !== 'next_response') clocks.set(kind, startTarget(kind, policy.id, budget, calendar, warn, now, paused));
    }
    const each = (f: (c: TargetClock) => TargetClock, kinds: readonly TargetKind[] = TARGET_KINDS) => {
      for (const kind of kinds) {
        const c = clocks.get(kind);
        if (c) clocks.set(kind, f(c));
      }
    };
    if (change.kind === 'status') {
      const { from, to } = change;
      if (DONE.has(to)) {
        each((c) => meetTarget(c, calendar, now), ['resolution']);
        each((c) => pauseTarget(c, calendar, now));
      } else if (PAUSED.has(to)) {
        if (DONE.has(from)) each((c) => reopenTarget(c, calendar, warn, now), ['resolution']);
        each((c) => pauseTarget(c, calendar, now));
      } else if (PAUSED.has(from) || DONE.has(from)) {
        if (DONE.has(from)) each((c) => reopenTarget(c, calendar, warn, now), ['resolution']);
        each((c) => resumeTarget(c, calendar, warn, now));
      }
    } else if (change.kind === 'agent_reply') {
      each((c) => meetTarget(c, calendar, now), ['first_response', 'next_response']);
    } else if (change.kind === 'customer_reply') {
      const first = clocks.get('first_response');
      const next = clocks.get('next_response');
      const budget = policy.targets.nextResponseMinutes;
      // A next-response clock starts on a customer's message after an agent answered, and only then.
      if (budget !== undefined && first?.state === 'met' && (!next || next.state === 'met')) {
        clocks.set('next_response', startTarget('next_response', policy.id, budget, calendar, warn, now, PAUSED.has(ticket.status)));
      }
    }
    for (const kind of TARGET_KINDS) if (!clocks.has(kind)) await this.store.rows(trx, 'sla_targets', tenantId).where({ ticket_id: ticket.id, kind }).delete();
    for (const c of clocks.values()) await this.save(trx, tenantId, ticket.id, c, before.get(ticket.id)?.find((b) => b.kind === c.kind));
    await this.store.rows(trx, 'tickets', tenantId).where({ id: ticket.id }).update({ sla_policy_id: policy.id });
    return policy.id;
  }

  /** The API's `sla` of each ticket at `now`: its policy and targets, or null. */
  async views(executor: Executor, tenantId: string, tickets: Array<{ id: string; policyId: string | null }>, now = Date.now()): Promise<Map<string, TicketDto['sla']>> {
    const out = new Map<string, TicketDto['sla']>();
    const withPolicy = tickets.filter((t) => t.policyId);
    if (withPolicy.length === 0) return new Map(tickets.map((t) => [t.id, null]));
    // A page's distinct policies and calendars in one statement each, the first two at once:
    // the queue view's cost over its bare SQL was its statements, one after another.
    const [clocks, policies] = await Promise.all([
      this.clocks(executor, tenantId, withPolicy.map((t) => t.id)),
      this.policiesById(executor, tenantId, [...new Set(withPolicy.map((t) => t.policyId!))]),
    ]);
    const calendars: Map<string, BusinessCalendar> = await this.calendars.getMany(tenantId, [...new Set([...policies.values()].map((p) => p.calendarId))], executor);
    for (const t of tickets) {
      if (!t.policyId) {
        out.set(t.id, null);
        continue;
      }
      const cal = calendars.get(policies.get(t.policyId)!.calendarId)!;
      const targets = (clocks.get(t.id) ?? []).sort((a, b) => TARGET_KINDS.indexOf(a.kind) - TARGET_KINDS.indexOf(b.kind)).map((c) => targetView(c, cal, now));
      out.set(t.id, { policyId: t.policyId, targets });
    }
    return out;
  }

  /** The enabled policy that applies to a ticket, or undefined. */
  async select(trx: Executor, tenantId: string, ticket: SlaSubject): Promise<SlaPolicyDto | undefined> {
    const policies: SlaPolicyDto[] = (await this.store.rows(trx, 'sla_policies', tenantId).where({ enabled: true }).orderBy('id')).map(policyFromRow);
    if (policies.length === 0) return undefined;
    const needsTags = policies.some((p) => p.conditions.customerTag?.length);
    const tags = needsTags && ticket.customerId
      ? new Set((await trx(this.ctx.db.table('customer_tags')).where({ tenant_id: tenantId, customer_id: ticket.customerId }).select('tag')).map((r: { tag: string }) => r.tag))
      : new Set<string>();
    let best: { policy: SlaPolicyDto; specificity: number } | undefined;
    for (const p of policies) {
      const c = p.conditions;
      const ok = (!c.priority?.length || c.priority.includes(ticket.priority as Priority))
        && (!c.channel?.length || c.channel.includes(ticket.channel as Channel))
        && (!c.queueId?.length || (ticket.queueId !== undefined && c.queueId.includes(ticket.queueId)))
        && (!c.customerTag?.length || c.customerTag.some((tag) => tags.has(tag)));
      const specificity = [c.priority, c.channel, c.queueId, c.customerTag].filter((x) => x?.length).length;
      if (ok && (!best || specificity > best.specificity)) best = { policy: p, specificity };
    }
    return best?.policy;
  }

  /** The stored clocks of some tickets. */
  async clocks(executor: Executor, tenantId: string, ticketIds: string[]): Promise<Map<string, TargetClock[]>> {
    const rows = await this.store.rows(executor, 'sla_targets', tenantId).whereIn('ticket_id', ticketIds);
    const out = new Map<string, TargetClock[]>();
    for (const r of rows) {
      const list = out.get(r.ticket_id) ?? [];
      list.push(clockFromRow(r));
      out.set(r.ticket_id, list);
    }
    return out;
  }

  private async save(trx: Knex.Transaction, tenantId: string, ticketId: string, c: TargetClock, before: TargetClock | undefined): Promise<void> {
    if (before && JSON.stringify(before) === JSON.stringify(c)) return;
    const values = {
      policy_id: c.policyId, budget_ms: c.budgetMs, spent_ms: c.spentMs, running_since: c.runningSince, due_at: c.dueAt, warn_at: c.warnAt,
      state: c.state, started_at: c.startedAt, met_at: c.metAt, breached: c.breached,
      // A claim cleared re-arms the scheduler for the new warning or due time.
      ...(!c.warnClaimed && { warn_claim: null }),
      ...(!c.breachClaimed && { breach_claim: null }),
    };
    if (before) await this.store.rows(trx, 'sla_targets', tenantId).where({ ticket_id: ticketId, kind: c.kind }).update(values);
    else await trx<SlaTargetRow>(this.store.table('sla_targets')).insert({ id: newId(), tenant_id: tenantId, ticket_id: ticketId, kind: c.kind, ...values });
  }
}

/** The SLA-relevant fields of a ticket row. */
export function subjectOf(row: TicketRow): SlaSubject {
  return {
    id: row.id,
    status: row.status as TicketStatus,
    priority: row.priority as Priority,
    channel: row.channel as Channel,
    ...(row.queue_id != null && { queueId: row.queue_id }),
    ...(row.customer_id != null && { customerId: row.customer_id }),
  };
}

/** Maps a `support_sla_targets` row. */
export function clockFromRow(r: SlaTargetRow): TargetClock {
  const num = (v: BigIntColumn | null) => (v == null ? null : readInt(v));
  return {
    kind: r.kind as TargetKind,
    policyId: r.policy_id,
    budgetMs: readInt(r.budget_ms),
    spentMs: readInt(r.spent_ms),
    runningSince: num(r.running_since),
    dueAt: num(r.due_at),
    warnAt: num(r.warn_at),
    state: r.state as TargetClock['state'],
    startedAt: readInt(r.started_at),
    metAt: num(r.met_at),
    breached: readBool(r.breached),
    warnClaimed: r.warn_claim != null,
    breachClaimed: r.breach_claim != null,
  };
}

function policyColumns(p: PolicyInput & { escalation: SlaPolicyDto['escalation']; enabled: boolean }): Pick<SlaPolicyRow, 'name' | 'calendar_id' | 'conditions' | 'targets' | 'escalation' | 'enabled'> {
  return { name: p.name.trim(), calendar_id: p.calendarId, conditions: JSON.stringify(p.conditions ?? {}), targets: JSON.stringify(p.targets), escalation: JSON.stringify(p.escalation), enabled: p.enabled };
}
