/**
 * Leads and deals as importable and exportable entities (`POST /api/v1/imports?entity=leads|deals`).
 * Each row goes through the service the API uses — duplicate detection, assignment and scoring
 * for leads, pipeline, stage, currency and owner rules for deals — inside the import's batch
 * transaction, one savepoint per row, so audit and events are the API's. Neither has an
 * external ref to match a row again, so rows always create; undo removes what they created.
 */
import type { Knex } from 'knex';
import { cellList, cellNumber, isUniqueViolation, type Actor, type ImportEntity, type ImportRegistry, type MappedRow, type PluginContext, type RowOutcome } from '../../../core/plugin/index.js';
import { salesError } from '../errors.js';
import { dealInputSchema } from '../schemas/deal-schemas.js';
import { leadInputSchema } from '../schemas/lead-schemas.js';
import type { DealService, DealInput } from './deals.js';
import type { LeadInput, LeadService } from './leads.js';
import type { SalesStore } from './store.js';

const PAGE = 500;
const LEAD_FIELDS = ['name', 'email', 'phone', 'company', 'source', 'territory', 'tags', 'notes', 'status', 'ownerId'] as const;
const DEAL_FIELDS = ['title', 'customerId', 'customerEmail', 'customerPhone', 'pipelineId', 'pipeline', 'stageId', 'stage', 'amount', 'currency', 'status', 'lostReason', 'expectedCloseDate', 'ownerId'] as const;

/** The non-empty cells of `keys`, as an object (an empty cell is an absent field, as in the API). */
function present<K extends string>(fields: Record<string, string>, keys: readonly K[]): Partial<Record<K, string>> {
  return Object.fromEntries(keys.filter((k) => (fields[k] ?? '') !== '').map((k) => [k, fields[k]!.trim()])) as Partial<Record<K, string>>;
}

/** A lead from its row: tags split on `;`. */
function leadInputOf(fields: Record<string, string>): LeadInput {
  const { tags, ...rest } = present(fields, LEAD_FIELDS);
  return { name: '', ...rest, ...(tags && { tags: cellList(tags) }) } as LeadInput;
}

/** The `leads` entity: each row is captured as `POST /leads` would, an open duplicate is its row's 409. */
export function leadEntity(registry: ImportRegistry, leads: LeadService): ImportEntity {
  const validate = registry.validator(leadInputSchema);
  return {
    name: 'leads',
    plugin: 'sales',
    writePermission: 'sales.lead.create',
    auditType: 'lead',
    fields: LEAD_FIELDS,
    async write(trx, actor, rows) {
      const out: RowOutcome[] = [];
      for (const { fields } of rows) {
        const input = leadInputOf(fields);
        const invalid = validate(input);
        out.push(invalid ? { status: 'invalid', error: invalid } : await registry.inSavepoint(trx, (sp) => createdLead(sp, actor, leads, input)));
      }
      return out;
    },
    async undo(trx, actor, change) {
      if (change.action === 'lead.create') await leads.remove(trx, actor, change.entityId);
    },
    async *export(actor, formatDate) {
      yield ['id', ...LEAD_FIELDS, 'score', 'createdAt', 'updatedAt'];
      for (let cursor: string | undefined; ; ) {
        const page = await leads.list(actor, { limit: PAGE, ...(cursor && { cursor }) });
        for (const l of page.items) {
          yield [l.id, l.name, l.email ?? '', l.phone ?? '', l.company ?? '', l.source ?? '', l.territory ?? '', l.tags.join(';'), l.notes ?? '', l.status, l.ownerId ?? '', String(l.score), formatDate(l.createdAt), formatDate(l.updatedAt)];
        }
        if (!page.nextCursor) return;
        cursor = page.nextCursor;
      }
    },
  };
}

/** Creates one lead in the row's savepoint; a unique-key race with a concurrent capture is the row's duplicate. */
async function createdLead(sp: Knex.Transaction, actor: Actor, leads: LeadService, input: LeadInput): Promise<RowOutcome> {
  try {
    return { status: 'created', id: (await leads.create(actor, input, {}, sp))!.id };
  } catch (err) {
    if (isUniqueViolation(err)) throw salesError('LEAD_DUPLICATE', {}, [{ path: '/email', message: 'an open lead has this contact', key: 'sales:validation.duplicateLeadHidden' }]);
    throw err;
  }
}

/**
 * A deal from its row. The customer is named by id or by an email or phone that exactly one
 * customer has; the pipeline and stage by id or by name (the tenant's only pipeline when
 * neither is given), as a file from another CRM names them.
 */
async function dealInputOf(trx: Knex.Transaction, ctx: PluginContext<unknown>, store: SalesStore, actor: Actor, fields: Record<string, string>): Promise<DealInput> {
  const f = present(fields, DEAL_FIELDS);
  const input: Record<string, unknown> = { title: f.title ?? '', amount: cellNumber(f.amount) ?? '' };
  for (const key of ['currency', 'status', 'lostReason', 'expectedCloseDate', 'ownerId'] as const) if (f[key]) input[key] = key === 'currency' ? f[key]!.toUpperCase() : f[key];
  input.customerId = f.customerId ?? (await customerByContact(trx, ctx, actor, f.customerEmail, f.customerPhone));
  const pipelineId = await pipelineIdOf(trx, store, actor, f.pipelineId, f.pipeline);
  input.pipelineId = pipelineId;
  if (f.stageId) input.stageId = f.stageId;
  else if (f.stage) {
    const stage = await store.rows(trx, 'stages', actor.tenantId).where({ pipeline_id: pipelineId, name: f.stage }).first('id');
    if (!stage) throw salesError('IMPORT_REFERENCE_UNRESOLVED', {}, [{ path: '/stage', message: 'no stage of the pipeline has this name', key: 'sales:validation.stageUnresolved' }]);
    input.stageId = stage.id;
  }
  return input as unknown as DealInput;
}

/** The pipeline named by id, or by name, or the tenant's only one; otherwise the row's 422. */
async function pipelineIdOf(trx: Knex.Transaction, store: SalesStore, actor: Actor, id?: string, name?: string): Promise<string> {
  if (id) return id;
  const q = store.rows(trx, 'pipelines', actor.tenantId).limit(2).select('id');
  if (name) q.where('name', name);
  const rows: Array<{ id: string }> = await q;
  if (rows.length !== 1) throw salesError('IMPORT_REFERENCE_UNRESOLVED', {}, [{ path: '/pipeline', message: 'no single pipeline has this name', key: 'sales:validation.pipelineUnresolved' }]);
  return String(rows[0]!.id);
}

/** The one customer of the tenant (deal rules then check the actor may see it) with this email or phone, or the row's 422. */
async function customerByContact(trx: Knex.Transaction, ctx: PluginContext<unknown>, actor: Actor, email?: string, phone?: string): Promise<string> {
  const matches = email || phone ? await ctx.customers.findByContact(actor.tenantId, { emails: email ? [email] : [], phones: phone ? [phone] : [] }, trx) : [];
  if (matches.length !== 1) {
    const path = email ? '/customerEmail' : phone ? '/customerPhone' : '/customerId';
    throw salesError('IMPORT_REFERENCE_UNRESOLVED', {}, [{ path, message: 'no single customer has this contact', key: matches.length > 1 ? 'sales:validation.customerAmbiguous' : 'sales:validation.customerUnresolved' }]);
  }
  return matches[0]!.customerId;
}

/** The `deals` entity: each row is created as `POST /deals` would, with the API's rules. */
export function dealEntity(registry: ImportRegistry, ctx: PluginContext<unknown>, deals: DealService, store: SalesStore): ImportEntity {
  const validate = registry.validator(dealInputSchema);
  return {
    name: 'deals',
    plugin: 'sales',
    writePermission: 'sales.deal.create',
    auditType: 'deal',
    fields: DEAL_FIELDS,
    async write(trx, actor, rows: readonly MappedRow[]) {
      const out: RowOutcome[] = [];
      for (const { fields } of rows) {
        out.push(await registry.inSavepoint(trx, async (sp) => {
          const input = await dealInputOf(sp, ctx, store, actor, fields);
          const invalid = validate(input);
          return invalid ? { status: 'invalid', error: invalid } : { status: 'created', id: (await deals.create(actor, input, sp)).id };
        }));
      }
      return out;
    },
    async undo(trx, actor, change) {
      if (change.action === 'deal.create') await deals.remove(trx, actor, change.entityId);
    },
    async *export(actor, formatDate) {
      yield ['id', 'title', 'customerId', 'customerName', 'pipelineId', 'stageId', 'amount', 'currency', 'status', 'lostReason', 'expectedCloseDate', 'ownerId', 'createdAt', 'updatedAt'];
      for (let cursor: string | undefined; ; ) {
        const page = await deals.list(actor, { limit: PAGE, ...(cursor && { cursor }) });
        for (const d of page.items) {
          yield [d.id, d.title, d.customerId, d.customerName ?? '', d.pipelineId, d.stageId, String(d.amount), d.currency, d.status, d.lostReason ?? '', d.expectedCloseDate ?? '', d.ownerId ?? '', formatDate(d.createdAt), formatDate(d.updatedAt)];
        }
        if (!page.nextCursor) return;
        cursor = page.nextCursor;
      }
    },
  };
}
