/**
 * Deals: create, read, list, change, move between stages, win, lose, delete. Every write
 * is one transaction holding the row, its stage history, the audit entry and the events.
 */
import type { Knex } from 'knex';
import { applyRecordScopeToJoin, can, coreError, decodeCursor, encodeCursor, newId, readInt, type Actor, type PeyvandError, type PeyvandEvents, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { dealInputSchema, dealListQuerySchema, dealPatchSchema, historySchema } from '../schemas/deal-schemas.js';
import { salesError } from '../errors.js';
import { dealFromRow, dealViewFromRow, type DealDto, type DealStatus, type DealView } from './records.js';
import type { PipelineService } from './pipelines.js';
import type { SettingsService } from './settings.js';
import type { DealRow, DealViewRow } from './rows.js';
import { changedFields, checkVersion, pageOf, type SalesStore } from './store.js';

/** Writable fields of a deal: the body of POST /deals. */
export type DealInput = SchemaType<typeof dealInputSchema>;

/** A JSON merge-patch of a deal. */
export type DealPatch = SchemaType<typeof dealPatchSchema>;

/** Filters of the deal list: the query of GET /deals. */
export type DealListFilter = SchemaType<typeof dealListQuerySchema>;

/** One stay of a deal in a stage; `timeInStageMs` runs until it left, or until now for the current stage. */
export type StageStay = SchemaType<typeof historySchema>['items'][number];

const COMPARED: ReadonlyArray<keyof DealDto> = ['title', 'customerId', 'pipelineId', 'stageId', 'amount', 'currency', 'expectedCloseDate', 'ownerId', 'teamId', 'status', 'lostReason', 'lineItems'];

/** Deal use cases. */
export class DealService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly pipelines: PipelineService,
    private readonly settings: SettingsService,
  ) {}

  /** Creates a deal; `trx` lets lead conversion include it in its own transaction. */
  async create(actor: Actor, input: DealInput & { leadId?: string }, trx?: Knex.Transaction): Promise<DealView> {
    return this.store.inTransaction(trx, async (trx) => {
      const pipeline = await this.pipelines.get(actor.tenantId, input.pipelineId, trx);
      const stageId = input.stageId ?? pipeline.stages[0]?.id;
      if (!stageId) throw salesError('STAGE_NOT_IN_PIPELINE', { stageId: '', pipelineId: pipeline.id });
      const now = Date.now();
      const status = input.status ?? 'open';
      const deal: DealDto = {
        id: newId(),
        title: input.title.trim(),
        customerId: input.customerId,
        pipelineId: pipeline.id,
        stageId,
        amount: input.amount,
        currency: input.currency ?? pipeline.currency,
        status,
        lineItems: input.lineItems ?? [],
        stageEnteredAt: new Date(now).toISOString(),
        createdAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
        version: 1,
        ...(input.expectedCloseDate && { expectedCloseDate: input.expectedCloseDate }),
        ownerId: input.ownerId ?? actor.subject,
        ...((input.teamId ?? actor.teams[0]) && { teamId: (input.teamId ?? actor.teams[0])! }),
        ...(status === 'lost' && input.lostReason && { lostReason: input.lostReason }),
        ...(status !== 'open' && { closedAt: new Date(now).toISOString() }),
        ...(input.leadId && { leadId: input.leadId }),
      };
      await this.check(trx, actor, deal);
      await this.store.rows(trx, 'deals', actor.tenantId).insert({ id: deal.id, ...columns(deal), lead_id: deal.leadId ?? null, version: 1, created_at: now });
      await this.enterStage(trx, actor, deal, now);
      await this.ctx.audit.record(trx, actor, { action: 'deal.create', entityType: 'deal', entityId: deal.id, after: deal });
      await this.emit(trx, actor, 'deal.created', { deal });
      if (status === 'won') await this.emit(trx, actor, 'deal.won', { deal });
      if (status === 'lost') await this.emit(trx, actor, 'deal.lost', { deal, reason: deal.lostReason ?? '' });
      return this.viewOf(trx, actor, deal.id);
    });
  }

  /** A deal within the actor's record scope, or 404 — another tenant's or agent's alike. */
  async get(actor: Actor, id: string): Promise<DealView> {
    const row = await this.views(undefined, actor, 'scoped').where(this.column('id'), id).first();
    if (!row) throw salesError('DEAL_NOT_FOUND', { id });
    return dealViewFromRow(row);
  }

  /** Newest first, cursor-paginated, within scope. */
  async list(actor: Actor, filter: DealListFilter): Promise<{ items: DealView[]; nextCursor: string | null }> {
    const q = this.views(undefined, actor, 'scoped');
    for (const [key, column] of [['pipelineId', 'pipeline_id'], ['stageId', 'stage_id'], ['status', 'status'], ['ownerId', 'owner_id'], ['customerId', 'customer_id']] as const) {
      if (filter[key] !== undefined) q.where(this.column(column), filter[key]);
    }
    if (filter.cursor) q.where(this.column('id'), '<', String(decodeCursor(filter.cursor)[0]));
    const rows = await q.orderBy(this.column('id'), 'desc').limit(filter.limit + 1);
    return pageOf(rows.map(dealViewFromRow), filter.limit, encodeCursor);
  }

  /** Applies a merge-patch: a stage change is a move, a status change a win, loss or reopening. */
  async update(actor: Actor, id: string, patch: DealPatch, expectedVersion?: number): Promise<DealView> {
    return this.ctx.data.transaction(async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      checkVersion(expectedVersion, before.version);
      const next: DealDto = { ...before };
      for (const [key, value] of Object.entries(patch) as Array<[keyof DealDto, unknown]>) {
        if (value === null) delete next[key];
        else (next as unknown as Record<string, unknown>)[key] = key === 'title' ? String(value).trim() : value;
      }
      // A pipeline change needs a stage of the new pipeline; a stage alone stays in the current one.
      if (patch.pipelineId !== undefined && patch.pipelineId !== before.pipelineId && patch.stageId === undefined) {
        throw salesError('STAGE_NOT_IN_PIPELINE', { stageId: before.stageId, pipelineId: patch.pipelineId }, [{ path: '/stageId', message: 'a pipeline change needs a stage of that pipeline', key: 'sales:validation.stageNotInPipeline' }]);
      }
      if (next.status !== 'lost') delete next.lostReason;
      await this.write(trx, actor, before, next);
      return this.viewOf(trx, actor, id);
    });
  }

  /** Moves an open deal to another stage of its pipeline. */
  async move(actor: Actor, id: string, stageId: string): Promise<DealView> {
    return this.ctx.data.transaction(async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      if (before.status !== 'open') throw dealNotOpen(before.status);
      await this.write(trx, actor, before, { ...before, stageId });
      return this.viewOf(trx, actor, id);
    });
  }

  /** Marks an open deal won or lost. */
  async close(actor: Actor, id: string, outcome: { status: 'won' } | { status: 'lost'; reason: string }): Promise<DealView> {
    return this.ctx.data.transaction(async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      if (before.status !== 'open') throw dealNotOpen(before.status);
      const next: DealDto = { ...before, status: outcome.status, ...(outcome.status === 'lost' && { lostReason: outcome.reason }) };
      await this.write(trx, actor, before, next);
      return this.viewOf(trx, actor, id);
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.ctx.data.transaction((trx) => this.remove(trx, actor, id));
  }

  /** Deletes a deal in `trx` (the API's delete, an import's undo): audited, `deal.deleted` emitted. */
  async remove(trx: Knex.Transaction, actor: Actor, id: string): Promise<void> {
    const before = await this.getForWrite(trx, actor, id);
    await this.store.rows(trx, 'deals', actor.tenantId).where('id', id).delete();
    await this.ctx.audit.record(trx, actor, { action: 'deal.delete', entityType: 'deal', entityId: id, before });
    await this.emit(trx, actor, 'deal.deleted', { deal: before });
  }

  /** The stages a deal went through, oldest first, with the time spent in each. */
  async history(actor: Actor, id: string): Promise<{ items: StageStay[] }> {
    await this.get(actor, id);
    const rows = await this.store.rows(undefined, 'deal_stages', actor.tenantId).where('deal_id', id).orderBy([{ column: 'entered_at' }, { column: 'id' }]);
    const now = Date.now();
    return {
      items: rows.map((r) => ({
        pipelineId: r.pipeline_id,
        stageId: r.stage_id,
        enteredAt: new Date(readInt(r.entered_at)).toISOString(),
        ...(r.left_at != null && { leftAt: new Date(readInt(r.left_at)).toISOString() }),
        timeInStageMs: (r.left_at != null ? readInt(r.left_at) : now) - readInt(r.entered_at),
        actor: r.actor,
      })),
    };
  }

  /** Loads a deal for a write, within scope, locking the row where the dialect can. */
  async getForWrite(trx: Knex.Transaction, actor: Actor, id: string): Promise<DealDto> {
    const row = await this.store.forUpdate(this.store.scoped(trx, 'deals', actor).where('id', id).first());
    if (!row) throw salesError('DEAL_NOT_FOUND', { id });
    return dealFromRow(row);
  }

  /**
   * Deals with their customer's name: a LEFT JOIN on the customer's primary key, within
   * the tenant and the actor's record scope for customers. A page of deals stays one
   * query (no lookup per deal); a deleted customer, or one the actor may not see, joins
   * as null. `scoped` adds the actor's record scope for deals.
   */
  private views(trx: Knex.Transaction | undefined, actor: Actor, deals: 'scoped' | 'tenant'): Knex.QueryBuilder<DealRow, DealViewRow[]> {
    const table = this.store.table('deals');
    const base = deals === 'scoped' ? this.store.scoped(trx, 'deals', actor) : this.store.rows(trx, 'deals', actor.tenantId);
    return base
      .leftJoin(`${this.ctx.data.table('customers')} as customer`, (join) => {
        join.on('customer.id', '=', `${table}.customer_id`).andOn('customer.tenant_id', '=', `${table}.tenant_id`);
        applyRecordScopeToJoin(join, actor, 'customer', { owner: 'customer.owner_id', team: 'customer.team_id' });
      })
      .select<DealViewRow[]>(`${table}.*`, 'customer.name as customer_name');
  }

  /** A deal's column, qualified: the join brings a customer's columns of the same names. */
  private column(name: string): string {
    return `${this.store.table('deals')}.${name}`;
  }

  /**
   * A deal just written, as the API shows it. Outside the deal scope on purpose: a deal
   * handed to another owner leaves the writer's scope, yet the writer gets the result.
   */
  private async viewOf(trx: Knex.Transaction, actor: Actor, id: string): Promise<DealView> {
    const row = await this.views(trx, actor, 'tenant').where(this.column('id'), id).first();
    if (!row) throw salesError('DEAL_NOT_FOUND', { id });
    return dealViewFromRow(row);
  }

  /** Checks, writes and announces a changed deal. No-op when nothing changed. */
  private async write(trx: Knex.Transaction, actor: Actor, before: DealDto, next: DealDto): Promise<DealDto> {
    const changed = changedFields(before, next, COMPARED);
    if (changed.length === 0) return before;
    const now = Date.now();
    const after: DealDto = { ...next, version: before.version + 1, updatedAt: new Date(now).toISOString() };
    if (after.status !== before.status) {
      if (after.status === 'open') delete after.closedAt;
      else after.closedAt = new Date(now).toISOString();
    }
    const stageChanged = after.stageId !== before.stageId;
    if (stageChanged) after.stageEnteredAt = new Date(now).toISOString();
    await this.check(trx, actor, after, before);
    await this.store.updateVersioned(trx, 'deals', actor.tenantId, before.id, before.version, columns(after));
    if (stageChanged) {
      await this.store.rows(trx, 'deal_stages', actor.tenantId).where({ deal_id: before.id }).whereNull('left_at').update({ left_at: now });
      await this.enterStage(trx, actor, after, now);
    }
    await this.ctx.audit.record(trx, actor, { action: 'deal.update', entityType: 'deal', entityId: after.id, before, after });
    await this.emit(trx, actor, 'deal.updated', { deal: after, changed });
    if (stageChanged) await this.emit(trx, actor, 'deal.stage_changed', { deal: after, fromStageId: before.stageId, toStageId: after.stageId, timeInStageMs: now - Date.parse(before.stageEnteredAt) });
    if (after.status !== before.status && after.status === 'won') await this.emit(trx, actor, 'deal.won', { deal: after });
    if (after.status !== before.status && after.status === 'lost') await this.emit(trx, actor, 'deal.lost', { deal: after, reason: after.lostReason ?? '' });
    return after;
  }

  /**
   * The rules JSON Schema cannot express, each a clear 422 (or 404 for a customer the
   * actor cannot see, or one deleted since): no negative amount, an accepted currency, a
   * stage of the deal's own pipeline, an owner the actor may assign.
   */
  private async check(trx: Knex.Transaction, actor: Actor, deal: DealDto, before?: DealDto): Promise<void> {
    if (deal.amount < 0) throw salesError('AMOUNT_NEGATIVE', { amount: deal.amount }, [{ path: '/amount', message: 'must not be negative', key: 'sales:validation.amountNegative' }]);
    if (deal.currency !== before?.currency) await this.settings.assertAccepted(actor.tenantId, deal.currency, '/currency', trx);
    if (deal.pipelineId !== before?.pipelineId || deal.stageId !== before?.stageId) {
      if (before && before.status !== 'open' && deal.status !== 'open') throw dealNotOpen(before.status);
      await this.pipelines.get(actor.tenantId, deal.pipelineId, trx);
      await this.pipelines.stageOf(actor.tenantId, deal.pipelineId, deal.stageId, trx);
    }
    // A new customer, or a reopened deal (its customer may have been deleted since it closed), must be one the actor can see.
    const reopened = before !== undefined && before.status !== 'open' && deal.status === 'open';
    if (deal.customerId !== before?.customerId || reopened) await this.ctx.customers.get(actor, deal.customerId, trx);
    if (deal.ownerId !== before?.ownerId && deal.ownerId !== actor.subject && !can(actor, 'sales.deal.assign')) {
      throw coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/ownerId', message: 'not allowed to assign another owner', key: 'core:validation.ownerNotAllowed' }] });
    }
    // The team decides who else sees the deal under `team` scope: only one's own teams, unless assigning.
    if (deal.teamId !== before?.teamId && deal.teamId !== undefined && !actor.teams.includes(deal.teamId) && !can(actor, 'sales.deal.assign')) {
      throw coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/teamId', message: 'not allowed to hand the deal to another team', key: 'core:validation.ownerNotAllowed' }] });
    }
  }

  private async enterStage(trx: Knex.Transaction, actor: Actor, deal: DealDto, now: number): Promise<void> {
    await this.store.rows(trx, 'deal_stages', actor.tenantId).insert({ id: newId(), deal_id: deal.id, pipeline_id: deal.pipelineId, stage_id: deal.stageId, entered_at: now, left_at: null, actor: actor.subject });
  }

  private emit<T extends DealEvent>(trx: Knex.Transaction, actor: Actor, type: T, data: PeyvandEvents[T]): Promise<string> {
    return this.ctx.events.emit(trx, type, data, { tenantId: actor.tenantId, aggregateType: 'deal', aggregateId: (data as PeyvandEvents[DealEvent]).deal.id });
  }
}

/**
 * A closed deal cannot move or close again. The message says which way it closed (the
 * `context` picks `detail_won` / `detail_lost`) and what to do, without the deal's id:
 * the person reading it knows the deal by its title, shown next to the message.
 */
function dealNotOpen(status: DealStatus): PeyvandError {
  return salesError('DEAL_NOT_OPEN', { context: status });
}

type DealEvent = 'deal.created' | 'deal.updated' | 'deal.stage_changed' | 'deal.won' | 'deal.lost' | 'deal.deleted';

/** The writable columns of a deal. */
function columns(d: DealDto): Partial<DealRow> {
  return {
    title: d.title,
    customer_id: d.customerId,
    pipeline_id: d.pipelineId,
    stage_id: d.stageId,
    amount: d.amount,
    currency: d.currency,
    expected_close_date: d.expectedCloseDate ?? null,
    owner_id: d.ownerId ?? null,
    team_id: d.teamId ?? null,
    status: d.status,
    lost_reason: d.lostReason ?? null,
    line_items: JSON.stringify(d.lineItems),
    stage_entered_at: Date.parse(d.stageEnteredAt),
    closed_at: d.closedAt ? Date.parse(d.closedAt) : null,
    updated_at: Date.parse(d.updatedAt),
  };
}
