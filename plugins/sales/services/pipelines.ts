/** Pipelines and their ordered stages, each with a win probability. */
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor, newId, readInt, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { pipelineInputSchema, pipelinePatchSchema } from '../schemas/pipeline-schemas.js';
import { salesError } from '../errors.js';
import type { PipelineDto, StageDto } from './records.js';
import type { PipelineRow, StageRow } from './rows.js';
import type { SettingsService } from './settings.js';
import { checkVersion, pageOf, type SalesStore } from './store.js';

/** Body of a pipeline create; on update, stages with an `id` keep it (and their deals). */
export type PipelineInput = SchemaType<typeof pipelineInputSchema>;

/** A change of a pipeline: given fields replace. */
export type PipelinePatch = SchemaType<typeof pipelinePatchSchema>;

/** Pipeline use cases. */
export class PipelineService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly settings: SettingsService,
  ) {}

  async create(actor: Actor, input: PipelineInput, trx?: Knex.Transaction): Promise<PipelineDto> {
    return this.store.inTransaction(trx, async (trx) => {
      await this.settings.assertAccepted(actor.tenantId, input.currency, '/currency', trx);
      const now = Date.now();
      const id = newId();
      await this.store.rows(trx, 'pipelines', actor.tenantId).insert({ id, name: input.name.trim(), currency: input.currency, version: 1, created_at: now, updated_at: now });
      await this.writeStages(trx, actor.tenantId, id, input.stages.map((s) => ({ ...s, id: newId() })));
      const pipeline = await this.get(actor.tenantId, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'pipeline.create', entityType: 'pipeline', entityId: id, after: pipeline });
      await this.ctx.events.emit(trx, 'pipeline.created', { pipeline }, { tenantId: actor.tenantId, aggregateType: 'pipeline', aggregateId: id });
      return pipeline;
    });
  }

  /** A pipeline with its stages in order, or 404. */
  async get(tenantId: string, id: string, trx?: Knex.Transaction): Promise<PipelineDto> {
    const executor = trx;
    const row = await this.store.rows(executor, 'pipelines', tenantId).where('id', id).first();
    if (!row) throw salesError('PIPELINE_NOT_FOUND', { id });
    const stages = await this.store.rows(executor, 'stages', tenantId).where('pipeline_id', id).orderBy('position');
    return toDto(row, stages);
  }

  /** Pipelines by creation, cursor-paginated; two queries for the page, not one per pipeline. */
  async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<{ items: PipelineDto[]; nextCursor: string | null }> {
    const q = this.store.rows(undefined, 'pipelines', tenantId);
    if (page.cursor) q.where('id', '>', String(decodeCursor(page.cursor)[0]));
    const rows = await q.orderBy('id').limit(page.limit + 1);
    const ids = rows.slice(0, page.limit).map((r) => r.id);
    const stages = ids.length ? await this.store.rows(undefined, 'stages', tenantId).whereIn('pipeline_id', ids).orderBy('position') : [];
    const items = rows.map((r) => toDto(r, stages.filter((s) => s.pipeline_id === r.id)));
    return pageOf(items, page.limit, encodeCursor);
  }

  /**
   * Renames, changes the currency or replaces the stage list. A stage left out is
   * deleted, which is refused (422) while deals are in it.
   */
  async update(actor: Actor, id: string, patch: PipelinePatch, expectedVersion?: number): Promise<PipelineDto> {
    return this.ctx.data.transaction(async (trx) => {
      const row = await this.store.forUpdate(this.store.rows(trx, 'pipelines', actor.tenantId).where('id', id).first());
      if (!row) throw salesError('PIPELINE_NOT_FOUND', { id });
      const before = await this.get(actor.tenantId, id, trx);
      checkVersion(expectedVersion, before.version);
      if (patch.currency !== undefined) await this.settings.assertAccepted(actor.tenantId, patch.currency, '/currency', trx);
      if (patch.stages) await this.replaceStages(trx, actor.tenantId, before, patch.stages);
      await this.store.updateVersioned(trx, 'pipelines', actor.tenantId, id, before.version, {
        ...(patch.name !== undefined && { name: patch.name.trim() }),
        ...(patch.currency !== undefined && { currency: patch.currency }),
        updated_at: Date.now(),
      });
      const after = await this.get(actor.tenantId, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'pipeline.update', entityType: 'pipeline', entityId: id, before, after });
      await this.ctx.events.emit(trx, 'pipeline.updated', { pipeline: after }, { tenantId: actor.tenantId, aggregateType: 'pipeline', aggregateId: id });
      return after;
    });
  }

  /** The stage if it belongs to the pipeline; else 422 — a deal never moves across pipelines by a stage id. */
  async stageOf(tenantId: string, pipelineId: string, stageId: string, trx?: Knex.Transaction): Promise<StageDto> {
    const row = await this.store.rows(trx, 'stages', tenantId).where({ id: stageId, pipeline_id: pipelineId }).first();
    if (!row) throw salesError('STAGE_NOT_IN_PIPELINE', { stageId, pipelineId }, [{ path: '/stageId', message: 'stage is not in the pipeline', key: 'sales:validation.stageNotInPipeline' }]);
    return { id: row.id, name: row.name, probability: row.probability };
  }

  /** Win probability (percent) of every stage of the tenant, by stage id: the reports weight with it. */
  async probabilities(tenantId: string): Promise<Map<string, number>> {
    const rows = await this.store.rows(undefined, 'stages', tenantId).select('id', 'probability');
    return new Map(rows.map((r) => [r.id, r.probability]));
  }

  private async replaceStages(trx: Knex.Transaction, tenantId: string, before: PipelineDto, stages: PipelineInput['stages']): Promise<void> {
    const known = new Set(before.stages.map((s) => s.id));
    stages.forEach((s, i) => {
      if (s.id !== undefined && !known.has(s.id)) throw salesError('STAGE_NOT_IN_PIPELINE', { stageId: s.id, pipelineId: before.id }, [{ path: `/stages/${i}/id`, message: 'stage is not in the pipeline', key: 'sales:validation.stageNotInPipeline' }]);
    });
    const kept = new Set(stages.flatMap((s) => (s.id ? [s.id] : [])));
    const removed = before.stages.filter((s) => !kept.has(s.id)).map((s) => s.id);
    if (removed.length) {
      const inUse = await this.store.rows(trx, 'deals', tenantId).whereIn('stage_id', removed).select('stage_id').first();
      if (inUse) throw salesError('STAGE_IN_USE', { stageId: inUse.stage_id }, [{ path: '/stages', message: 'a removed stage still has deals', key: 'sales:validation.stageInUse' }]);
      await this.store.rows(trx, 'stages', tenantId).whereIn('id', removed).delete();
    }
    for (const [position, s] of stages.entries()) {
      if (s.id) await this.store.rows(trx, 'stages', tenantId).where('id', s.id).update({ name: s.name.trim(), probability: s.probability, position });
    }
    const added = stages.map((s, position) => ({ s, position })).filter(({ s }) => !s.id);
    if (added.length) await this.store.rows(trx, 'stages', tenantId).insert(added.map(({ s, position }) => ({ id: newId(), pipeline_id: before.id, name: s.name.trim(), probability: s.probability, position })));
  }

  private async writeStages(trx: Knex.Transaction, tenantId: string, pipelineId: string, stages: Array<{ id: string; name: string; probability: number }>): Promise<void> {
    await this.store.rows(trx, 'stages', tenantId).insert(stages.map((s, position) => ({ id: s.id, pipeline_id: pipelineId, name: s.name.trim(), probability: s.probability, position })));
  }
}

function toDto(row: PipelineRow, stages: readonly Pick<StageRow, 'id' | 'name' | 'probability'>[]): PipelineDto {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    stages: stages.map((s) => ({ id: s.id, name: s.name, probability: s.probability })),
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: row.version,
  };
}
