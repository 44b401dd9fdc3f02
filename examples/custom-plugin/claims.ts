/**
 * Warranty claims: open, list, read, move through the status flow, delete. Every query
 * goes through the tenant-scoped `ctx.data` with the caller's record scope in the SQL;
 * every change is audited and emits its event in the same transaction.
 */
import { applyRecordScope, decodeCursor, encodeCursor, newId, readInt, type Actor, type PluginContext } from 'peyvand/plugin';
import { warrantyError } from './errors.js';
import type { ClaimRow } from './migrations/rows.js';
import { CLAIM_TRANSITIONS, type ClaimDto, type ClaimInput, type ClaimListFilter, type ClaimPatch, type ClaimStatus } from './schemas.js';

const TABLE = 'warranty_claims';

/** Claim use cases; one instance per deployment, the actor says which tenant. */
export class ClaimService {
  constructor(private readonly ctx: PluginContext) {}

  /** Opens a claim on a customer the caller can see; the caller owns it. */
  async open(actor: Actor, input: ClaimInput): Promise<ClaimDto> {
    return this.ctx.data.transaction(async (trx) => {
      // A customer the caller cannot see answers as a missing one (404).
      await this.ctx.customers.get(actor, input.customerId, trx);
      const id = newId();
      const now = Date.now();
      await this.ctx.data.forTenant(actor.tenantId, trx).from(TABLE).insert({
        id,
        customer_id: input.customerId,
        product_ref: input.productRef.trim(),
        serial_number: input.serialNumber?.trim() ?? null,
        problem: input.problem,
        status: 'open',
        resolution: null,
        owner_id: actor.subject,
        team_id: actor.teams[0] ?? null,
        version: 1,
        created_at: now,
        updated_at: now,
      });
      const claim = await this.load(actor, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'claim.open', entityType: 'warranty_claim', entityId: id, after: claim });
      await this.ctx.events.emit(trx, 'warranty.claim.opened', { claim }, this.aggregate(actor, id));
      return claim;
    });
  }

  /** A claim within the caller's record scope, or 404. */
  get(actor: Actor, id: string): Promise<ClaimDto> {
    return this.load(actor, id);
  }

  /** Newest first, a page at a time, within the caller's record scope. */
  async list(actor: Actor, filter: ClaimListFilter): Promise<{ items: ClaimDto[]; nextCursor: string | null }> {
    const query = this.scoped(actor);
    if (filter.status) query.where('status', filter.status);
    if (filter.customerId) query.where('customer_id', filter.customerId);
    if (filter.cursor) query.where('id', '<', String(decodeCursor(filter.cursor, ['string'])[0]));
    const rows = await query.orderBy('id', 'desc').limit(filter.limit + 1);
    const items = rows.slice(0, filter.limit).map(claimFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([last.id]) : null };
  }

  /** Edits the text fields or moves the status along {@link CLAIM_TRANSITIONS}. */
  async update(actor: Actor, id: string, patch: ClaimPatch): Promise<ClaimDto> {
    return this.ctx.data.transaction(async (trx) => {
      const before = await this.load(actor, id, trx);
      const status = patch.status ?? before.status;
      if (status !== before.status && !CLAIM_TRANSITIONS[before.status].includes(status)) {
        throw warrantyError('CLAIM_TRANSITION_INVALID', { from: before.status, to: status });
      }
      const resolution = patch.resolution ?? before.resolution;
      if ((status === 'rejected' || status === 'resolved') && !resolution) throw warrantyError('RESOLUTION_REQUIRED', { status });
      await this.ctx.data.forTenant(actor.tenantId, trx).from(TABLE).where({ id }).update({
        problem: patch.problem ?? before.problem,
        serial_number: patch.serialNumber === undefined ? before.serialNumber : patch.serialNumber,
        status,
        resolution,
        version: before.version + 1,
        updated_at: Date.now(),
      });
      const claim = await this.load(actor, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'claim.update', entityType: 'warranty_claim', entityId: id, before, after: claim });
      if (status !== before.status) await this.ctx.events.emit(trx, 'warranty.claim.status_changed', { claim, from: before.status }, this.aggregate(actor, id));
      return claim;
    });
  }

  /** Deletes a claim within the caller's record scope. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.ctx.data.transaction(async (trx) => {
      const before = await this.load(actor, id, trx);
      await this.ctx.data.forTenant(actor.tenantId, trx).from(TABLE).where({ id }).delete();
      await this.ctx.audit.record(trx, actor, { action: 'claim.delete', entityType: 'warranty_claim', entityId: id, before });
      await this.ctx.events.emit(trx, 'warranty.claim.deleted', { claimId: id }, this.aggregate(actor, id));
    });
  }

  private scoped(actor: Actor, trx?: Parameters<PluginContext['data']['forTenant']>[1]) {
    const table = this.ctx.data.table(TABLE);
    return applyRecordScope(this.ctx.data.forTenant(actor.tenantId, trx).from(TABLE), actor, 'claim', { owner: `${table}.owner_id`, team: `${table}.team_id` });
  }

  private async load(actor: Actor, id: string, trx?: Parameters<PluginContext['data']['forTenant']>[1]): Promise<ClaimDto> {
    const row = await this.scoped(actor, trx).where('id', id).first();
    if (!row) throw warrantyError('CLAIM_NOT_FOUND', { id });
    return claimFromRow(row);
  }

  private aggregate(actor: Actor, id: string) {
    return { tenantId: actor.tenantId, aggregateType: 'warranty_claim', aggregateId: id };
  }
}

/** Maps a row to the API's shape. */
function claimFromRow(row: ClaimRow): ClaimDto {
  return {
    id: row.id,
    customerId: row.customer_id,
    productRef: row.product_ref,
    serialNumber: row.serial_number,
    problem: row.problem,
    status: row.status as ClaimStatus,
    resolution: row.resolution,
    ownerId: row.owner_id,
    teamId: row.team_id,
    version: row.version,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
  };
}
