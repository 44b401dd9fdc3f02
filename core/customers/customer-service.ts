/**
 * The customer registry's use cases. Every write runs in one transaction that also
 * writes the derived tables, the audit entry and the outbox event.
 */
import type { Knex } from 'knex';
import { newId } from '../db/ids.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/database.js';
import { coreError } from '../errors.js';
import type { Actor } from '../auth/actor.js';
import { can } from '../auth/actor.js';
import type { EventBus } from '../events/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import { applyRecordScope } from '../permissions/record-scope.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { CustomFieldValidator } from './custom-fields.js';
import { CustomerStore } from './customer-store.js';
import { queryTokensOf } from './identities.js';
import { customerFromRow, rowFromCustomer, type CustomerDto, type CustomerInput, type CustomerPatch } from './customer-types.js';

/** Filters of the customer list. */
export interface CustomerListFilter {
  q?: string;
  tag?: string;
  ownerId?: string;
  /** Contacts of an organization. */
  organizationId?: string;
  limit: number;
  cursor?: string;
}

/** Customer use cases; plugins receive it as `ctx.customers`. */
export class CustomerService {
  readonly store: CustomerStore;
  private readonly customFields = new CustomFieldValidator();

  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly audit: AuditLog,
    private readonly tenants: TenantService,
  ) {
    this.store = new CustomerStore(db);
  }

  /** Throws a 400 when a custom-fields schema cannot be compiled. */
  validateCustomFieldsSchema(schema: Record<string, unknown>): void {
    this.customFields.compile(schema);
  }

  /** Creates a customer; `trx` lets a caller (lead conversion) include it in its own transaction. */
  async create(actor: Actor, input: CustomerInput, trx?: Knex.Transaction): Promise<CustomerDto> {
    if (!trx) return this.db.transaction((t) => this.create(actor, input, t));
    const now = Date.now();
    const customer = await this.prepare(trx, actor, {
      id: newId(),
      ...normalizeInput(input),
      ownerId: input.ownerId ?? actor.subject,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      version: 1,
    });
    await trx(this.db.table('customers')).insert({
      id: customer.id,
      tenant_id: actor.tenantId,
      ...rowFromCustomer(customer),
      team_id: actor.teams[0] ?? null,
      version: 1,
      created_at: now,
      updated_at: now,
    });
    await this.writeDerived(trx, actor, customer, true);
    await this.audit.record(trx, actor, { action: 'customer.create', entityType: 'customer', entityId: customer.id, after: customer });
    await this.events.emit(trx, 'customer.created', { customer }, { tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: customer.id });
    return customer;
  }

  /** A customer within the actor's record scope, or 404. */
  async get(actor: Actor, id: string, trx?: Knex.Transaction): Promise<CustomerDto> {
    const row = await applyRecordScope(this.store.query(trx ?? this.db.knex, actor.tenantId), actor, 'customer').where('id', id).first();
    if (!row) throw coreError('CUSTOMER_NOT_FOUND', { id });
    return customerFromRow(row);
  }

  /** Newest first, cursor-paginated, no total count. */
  async list(actor: Actor, filter: CustomerListFilter): Promise<{ items: CustomerDto[]; nextCursor: string | null }> {
    const table = this.db.table('customers');
    const q = applyRecordScope(this.store.query(this.db.knex, actor.tenantId), actor, 'customer');
    if (filter.ownerId) q.where('owner_id', filter.ownerId);
    if (filter.organizationId) q.where('organization_id', filter.organizationId);
    if (filter.tag) q.whereIn('id', this.db.knex(this.db.table('customer_tags')).select('customer_id').where({ tenant_id: actor.tenantId, tag: filter.tag.trim() }));
    if (filter.q !== undefined && filter.q.trim() !== '') {
      const matching = this.store.search.matching(this.db.knex, this.db.prefix, actor.tenantId, queryTokensOf(filter.q));
      // A query of only punctuation matches nothing rather than everything.
      if (!matching) return { items: [], nextCursor: null };
      q.whereIn(`${table}.id`, matching);
    }
    if (filter.cursor) q.where(`${table}.id`, '<', String(decodeCursor(filter.cursor)[0]));
    const rows = await q.orderBy(`${table}.id`, 'desc').limit(filter.limit + 1);
    const items = rows.slice(0, filter.limit).map(customerFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor([last.id]) : null };
  }

  /** Applies a JSON merge-patch; `expectedVersion` (from If-Match) guards against lost updates. */
  async update(actor: Actor, id: string, patch: CustomerPatch, expectedVersion?: number): Promise<CustomerDto> {
    return this.db.transaction(async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw coreError('PRECONDITION_FAILED', { current: before.version });
      return this.applyChange(trx, actor, before, mergePatch(before, patch));
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      await trx(this.db.table('customers')).where({ tenant_id: actor.tenantId, organization_id: id }).update({ organization_id: null });
      await this.store.remove(trx, actor.tenantId, id);
      await this.audit.record(trx, actor, { action: 'customer.delete', entityType: 'customer', entityId: id, before });
      await this.events.emit(trx, 'customer.deleted', { customer: before }, { tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: id });
    });
  }

  /**
   * Idempotent upsert by external ref, for ERP sync: creates the customer (201) or
   * replaces its writable fields (200). An unchanged customer is not rewritten, so a
   * re-sync produces no version bump and no event.
   */
  async upsertByRef(actor: Actor, source: string, externalId: string, input: CustomerInput): Promise<{ created: boolean; customer: CustomerDto }> {
    const refs = dedupeRefs([...(input.externalRefs ?? []), { source, id: externalId }]);
    try {
      return await this.db.transaction(async (trx) => {
        const existingId = await this.store.idByRef(trx, actor.tenantId, source, externalId);
        // Creating through sync needs the create permission as well as update.
        if (!existingId && !can(actor, 'core.customer.create')) throw coreError('FORBIDDEN', { permission: 'core.customer.create' });
        if (!existingId) return { created: true, customer: await this.create(actor, { ...input, externalRefs: refs }, trx) };
        const before = await this.getForWrite(trx, actor, existingId);
        const next = { ...before, ...normalizeInput({ ...input, externalRefs: refs }), ownerId: input.ownerId ?? before.ownerId };
        return { created: false, customer: await this.applyChange(trx, actor, before, next) };
      });
    } catch (err) {
      // Two syncs racing to create the same ref: the loser retries as an update.
      if (err instanceof Error && 'code' in err && (err as { code: string }).code === 'EXTERNAL_REF_TAKEN') {
        const winner = await this.store.idByRef(this.db.knex, actor.tenantId, source, externalId);
        if (winner) return this.upsertByRef(actor, source, externalId, input);
      }
      throw err;
    }
  }

  /** Loads a customer for a write, within scope, locking the row where the dialect can. */
  async getForWrite(trx: Knex.Transaction, actor: Actor, id: string): Promise<CustomerDto> {
    const q = applyRecordScope(this.store.query(trx, actor.tenantId), actor, 'customer').where('id', id).first();
    if (this.db.dialect !== 'sqlite') q.forUpdate();
    const row = await q;
    if (!row) throw coreError('CUSTOMER_NOT_FOUND', { id });
    return customerFromRow(row);
  }

  /** Writes a changed customer: version bump, derived tables, audit, event. No-op when nothing changed. */
  async applyChange(trx: Knex.Transaction, actor: Actor, before: CustomerDto, next: CustomerDto): Promise<CustomerDto> {
    const prepared = await this.prepare(trx, actor, next, before);
    const changed = changedFields(before, prepared);
    if (changed.length === 0) return before;
    const now = Date.now();
    const after: CustomerDto = { ...prepared, version: before.version + 1, updatedAt: new Date(now).toISOString() };
    const updated = await this.store
      .query(trx, actor.tenantId)
      .where({ id: before.id, version: before.version })
      .update({ ...rowFromCustomer(after), version: after.version, updated_at: now });
    if (updated !== 1) throw coreError('PRECONDITION_FAILED', { current: before.version });
    await this.writeDerived(trx, actor, after);
    await this.audit.record(trx, actor, { action: 'customer.update', entityType: 'customer', entityId: after.id, before, after });
    await this.events.emit(trx, 'customer.updated', { customer: after, changed }, { tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: after.id });
    return after;
  }

  /** Checks the rules JSON Schema cannot express: custom fields, owner, organization. */
  private async prepare(trx: Knex.Transaction, actor: Actor, c: CustomerDto, before?: CustomerDto): Promise<CustomerDto> {
    if (c.ownerId !== undefined && c.ownerId !== before?.ownerId && c.ownerId !== actor.subject && !can(actor, 'core.customer.assign')) {
      throw coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/ownerId', message: 'not allowed to assign another owner', key: 'core:validation.ownerNotAllowed' }] });
    }
    const schema = (await this.tenants.settings(actor.tenantId, trx)).customFieldsSchema;
    this.customFields.validate(schema, c.customFields);
    if (c.organizationId !== undefined) {
      const org = await this.store.find(trx, actor.tenantId, c.organizationId);
      if (!org || org.kind !== 'organization' || c.kind !== 'person' || org.id === c.id) throw coreError('ORGANIZATION_INVALID', { id: c.organizationId });
    }
    return c;
  }

  private async writeDerived(trx: Knex.Transaction, actor: Actor, c: CustomerDto, isNew = false): Promise<void> {
    try {
      await this.store.writeDerived(trx, actor.tenantId, c, { isNew });
    } catch (err) {
      if (isUniqueViolation(err)) throw coreError('EXTERNAL_REF_TAKEN', {}, { cause: err });
      throw err;
    }
  }
}

function dedupeRefs(refs: CustomerDto['externalRefs']): CustomerDto['externalRefs'] {
  const seen = new Map(refs.map((r) => [`${r.source}\u0000${r.id}`, r]));
  return [...seen.values()];
}

/** Fills defaults, trims and de-duplicates what the user sent. */
function normalizeInput(input: CustomerInput): Omit<CustomerDto, 'id' | 'createdAt' | 'updatedAt' | 'version' | 'ownerId'> & { ownerId?: string } {
  const out: Omit<CustomerDto, 'id' | 'createdAt' | 'updatedAt' | 'version' | 'ownerId'> & { ownerId?: string } = {
    kind: input.kind,
    name: input.name.trim(),
    emails: input.emails ?? [],
    phones: input.phones ?? [],
    addresses: input.addresses ?? [],
    tags: [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))],
    customFields: input.customFields ?? {},
    externalRefs: dedupeRefs(input.externalRefs ?? []),
  };
  if (input.givenName) out.givenName = input.givenName;
  if (input.familyName) out.familyName = input.familyName;
  if (input.organizationId) out.organizationId = input.organizationId;
  if (input.locale) out.locale = input.locale;
  if (input.ownerId) out.ownerId = input.ownerId;
  return out;
}

/** RFC 7396 merge-patch of a customer: objects merge, arrays and scalars replace, null removes. */
function mergePatch(before: CustomerDto, patch: CustomerPatch): CustomerDto {
  const next: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (key === 'emails' || key === 'phones' || key === 'addresses' || key === 'tags' || key === 'externalRefs') next[key] = [];
      else if (key === 'customFields') next[key] = {};
      else delete next[key];
    } else if (key === 'customFields') {
      next[key] = mergeObjects(before.customFields, value as Record<string, unknown>);
    } else {
      next[key] = value;
    }
  }
  const merged = next as unknown as CustomerDto;
  return { ...merged, ...normalizeInput(merged as unknown as CustomerInput), ownerId: merged.ownerId } as CustomerDto;
}

function mergeObjects(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null && !Array.isArray(out[k])) out[k] = mergeObjects(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

const COMPARED: ReadonlyArray<keyof CustomerDto> = ['kind', 'name', 'givenName', 'familyName', 'organizationId', 'emails', 'phones', 'addresses', 'tags', 'locale', 'ownerId', 'customFields', 'externalRefs'];

function changedFields(a: CustomerDto, b: CustomerDto): string[] {
  return COMPARED.filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null));
}
