/**
 * The customer registry's use cases. Every write runs in one transaction that also
 * writes the derived tables, the audit entry and the outbox event.
 */
import type { Knex } from 'knex';
import { newId } from '../plugin/ids.js';
import type { Database, Executor } from '../db/database.js';
import type { ReadConnection } from '../db/read-connection.js';
import { isUniqueViolation } from '../db/database.js';
import { coreError } from '../plugin/errors.js';
import type { Actor } from '../plugin/actor.js';
import { can } from '../plugin/actor.js';
import type { EventBus } from '../plugin/events.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import { applyRecordScope, recordScopeSql } from '../plugin/record-scope.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import { CustomFieldValidator } from './custom-fields.js';
import { CustomerStore } from './customer-store.js';
import { identitiesOf, queryTokensOf } from './identities.js';
import type { JsonSchema } from '../plugin/types.js';
import type { CustomerService as PluginCustomerService } from '../plugin/services.js';
import type { CustomerListFilter } from '../plugin/customers.js';
import type { CustomerRow } from '../db/rows/customers.js';
import { customerFromRow, rowFromCustomer, type CustomerDto, type CustomerInput, type CustomerPatch } from './customer-types.js';
import { changedFields, mergePatch, normalizeInput, withExternalRef } from './customer-changes.js';

export type { CustomerListFilter } from '../plugin/customers.js';

/** Customer use cases; plugins receive it as `ctx.customers`. */
export class CustomerService implements PluginCustomerService {
  readonly store: CustomerStore;
  /** Tenant custom-field schemas, compiled once; shared with plugins as `ctx.customFields`. */
  readonly customFields = new CustomFieldValidator();
  private readonly byIdSql: string;

  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly audit: AuditLog,
    private readonly tenants: TenantService,
  ) {
    this.store = new CustomerStore(db);
    this.byIdSql = `select * from "${db.table('customers')}" where "tenant_id" = ? and "id" = ?`;
  }

  /** Creates a customer; `trx` lets a caller (lead conversion) include it in its own transaction. */
  async create(actor: Actor, input: CustomerInput, trx?: Knex.Transaction): Promise<CustomerDto> {
    if (!trx) return this.db.transaction((t) => this.create(actor, input, t));
    const now = Date.now();
    const customer = await this.prepare(trx, actor, this.draft(actor, input, undefined, now));
    // insertMany: on SQLite in a group commit a prepared statement, not a knex query (group-commit.ts).
    await this.db.insertRows('customers', trx, [{
      id: customer.id,
      tenant_id: actor.tenantId,
      ...rowFromCustomer(customer),
      team_id: actor.teams[0] ?? null,
      version: 1,
      created_at: now,
      updated_at: now,
    }]);
    await this.writeDerived(trx, actor, customer, true);
    await this.audit.record(trx, actor, { action: 'customer.create', entityType: 'customer', entityId: customer.id, after: customer });
    await this.events.emit(trx, 'customer.created', { customer }, { tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: customer.id });
    return customer;
  }

  /** A customer within the actor's record scope, or 404. */
  async get(actor: Actor, id: string, trx?: Knex.Transaction): Promise<CustomerDto> {
    const { reader } = this.db;
    // Outside a transaction on SQLite: one prepared statement on the read connection.
    const row = !trx && reader ? this.readOne(reader, actor, id) : await applyRecordScope(this.store.query(trx ?? this.db.knex, actor.tenantId), actor, 'customer').where('id', id).first();
    if (!row) throw coreError('CUSTOMER_NOT_FOUND', { id });
    return customerFromRow(row);
  }

  private readOne(reader: ReadConnection, actor: Actor, id: string): CustomerRow | undefined {
    const scope = recordScopeSql(actor, 'customer');
    return reader.get<CustomerRow>(`${this.byIdSql}${scope.sql}`, actor.tenantId, id, ...scope.params);
  }

  /**
   * Customers of a tenant sharing a normalized email or phone with the given values,
   * whoever owns them: duplicate detection for records that are not customers yet
   * (leads, imports). Matches on the same keys as {@link MergeService.duplicates}.
   */
  async findByContact(tenantId: string, contact: { emails?: readonly string[]; phones?: readonly string[] }, trx?: Executor): Promise<Array<{ customerId: string; reasons: Array<'email' | 'phone'> }>> {
    const keys = identitiesOf({ name: '', emails: (contact.emails ?? []).map((value) => ({ value })), phones: (contact.phones ?? []).map((value) => ({ value })) }).filter((i) => i.kind !== 'name');
    if (keys.length === 0) return [];
    const rows = await this.store.holdersOf(trx ?? this.db.knex, tenantId, keys, { limit: 50 });
    const byCustomer = new Map<string, Set<'email' | 'phone'>>();
    for (const r of rows) byCustomer.set(r.customerId, (byCustomer.get(r.customerId) ?? new Set()).add(r.kind === 'email' ? 'email' : 'phone'));
    return [...byCustomer].map(([customerId, reasons]) => ({ customerId, reasons: [...reasons].sort() }));
  }

  /** Newest first, cursor-paginated, no total count. */
  async list(actor: Actor, filter: CustomerListFilter): Promise<{ items: CustomerDto[]; nextCursor: string | null }> {
    const table = this.db.table('customers');
    const q = applyRecordScope(this.store.query(this.db.knex, actor.tenantId), actor, 'customer');
    if (filter.ownerId) q.where('owner_id', filter.ownerId);
    if (filter.organizationId) q.where('organization_id', filter.organizationId);
    if (filter.tag) q.whereIn('id', this.db.rows('customer_tags').select('customer_id').where({ tenant_id: actor.tenantId, tag: filter.tag.trim() }));
    const cursor = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    if (filter.q !== undefined && filter.q.trim() !== '') {
      const tokens = queryTokensOf(filter.q);
      const { search } = this.store;
      if (search.ranked) {
        // The index's own order (newest first) lets it stop at the page: see sqlite.ts.
        const ranked = search.ranked(q, this.db.prefix, actor.tenantId, tokens, cursor && (typeof cursor[1] === 'number' ? cursor[1] : String(cursor[0])));
        if (!ranked) return { items: [], nextCursor: null };
        return page(await ranked.limit(filter.limit + 1), filter.limit, (row, c) => [c.id, Number(row.search_rank)]);
      }
      if (search.page) {
        // The index walks the matches newest first and stops at the page: see postgres-sql.ts.
        const rows = search.page(this.db.knex, q, this.db.prefix, actor.tenantId, tokens, { ...(cursor && { beforeId: String(cursor[0]) }), limit: filter.limit + 1 });
        if (!rows) return { items: [], nextCursor: null };
        return page(await rows, filter.limit, (_row, c) => [c.id]);
      }
      const matching = search.matching(this.db.knex, this.db.prefix, actor.tenantId, tokens);
      // A query of only punctuation matches nothing rather than everything.
      if (!matching) return { items: [], nextCursor: null };
      q.whereIn(`${table}.id`, matching);
    }
    if (cursor) q.where(`${table}.id`, '<', String(cursor[0]));
    return page(await q.orderBy(`${table}.id`, 'desc').limit(filter.limit + 1), filter.limit, (_row, c) => [c.id]);
  }

  /** Applies a JSON merge-patch; `expectedVersion` (from If-Match) guards against lost updates. */
  async update(actor: Actor, id: string, patch: CustomerPatch, expectedVersion?: number, trx?: Knex.Transaction): Promise<CustomerDto> {
    if (!trx) return this.db.transaction((t) => this.update(actor, id, patch, expectedVersion, t));
    const before = await this.getForWrite(trx, actor, id);
    if (expectedVersion !== undefined && expectedVersion !== before.version) throw coreError('PRECONDITION_FAILED', { current: before.version });
    return this.applyChange(trx, actor, before, mergePatch(before, patch));
  }

  /** Deletes a customer; `trx` lets a caller (an import's undo) include it in its own transaction. */
  async delete(actor: Actor, id: string, trx?: Knex.Transaction): Promise<void> {
    if (!trx) return this.db.transaction((t) => this.delete(actor, id, t));
    {
      const before = await this.getForWrite(trx, actor, id);
      await this.db.rows('customers', trx).where({ tenant_id: actor.tenantId, organization_id: id }).update({ organization_id: null });
      await this.store.remove(trx, actor.tenantId, id);
      await this.audit.record(trx, actor, { action: 'customer.delete', entityType: 'customer', entityId: id, before });
      await this.events.emit(trx, 'customer.deleted', { customer: before }, { tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: id });
    }
  }

  /**
   * Idempotent upsert by external ref, for ERP sync: creates the customer (201) or
   * replaces its writable fields (200). An unchanged customer is not rewritten, so a
   * re-sync produces no version bump and no event.
   */
  async upsertByRef(actor: Actor, source: string, externalId: string, input: CustomerInput): Promise<{ created: boolean; customer: CustomerDto }> {
    const withRef = withExternalRef(input, source, externalId);
    try {
      return await this.db.transaction(async (trx) => {
        const existingId = await this.store.idByRef(trx, actor.tenantId, source, externalId);
        // Creating through sync needs the create permission as well as update.
        if (!existingId && !can(actor, 'core.customer.create')) throw coreError('FORBIDDEN', { permission: 'core.customer.create' });
        if (!existingId) return { created: true, customer: await this.create(actor, withRef, trx) };
        const before = await this.getForWrite(trx, actor, existingId);
        return { created: false, customer: await this.applyChange(trx, actor, before, this.draft(actor, withRef, before)) };
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

  /**
   * The customer a full write of `input` produces (create, or upsert over `before`):
   * normalized, defaults filled, a new one with a fresh id, version 1 and the actor as
   * default owner. Nothing is checked or stored; see {@link assertWritable}.
   */
  draft(actor: Actor, input: CustomerInput, before?: CustomerDto, now = Date.now()): CustomerDto {
    if (before) return { ...before, ...normalizeInput(input), ownerId: input.ownerId ?? before.ownerId };
    const at = new Date(now).toISOString();
    return { id: newId(), ...normalizeInput(input), ownerId: input.ownerId ?? actor.subject, createdAt: at, updatedAt: at, version: 1 };
  }

  /**
   * The rules JSON Schema cannot express — owner assignment, custom fields, organization —
   * against what the caller loaded: the tenant's custom-fields schema and the customer
   * `c.organizationId` names (undefined when there is none). Throws the coded error.
   * Split from the loading so a batch loads these once for all its rows.
   */
  assertWritable(actor: Actor, c: CustomerDto, before: CustomerDto | undefined, loaded: { customFieldsSchema: JsonSchema | undefined; organization: CustomerDto | undefined }): void {
    // Any change of owner but taking the record oneself needs the assign permission; removing
    // the owner (`ownerId: null`) is a change too, not a way around it.
    if ((c.ownerId ?? null) !== (before?.ownerId ?? null) && c.ownerId !== actor.subject && !can(actor, 'core.customer.assign')) {
      throw coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/ownerId', message: 'not allowed to assign another owner', key: 'core:validation.ownerNotAllowed' }] });
    }
    this.customFields.validate(loaded.customFieldsSchema, c.customFields);
    const org = loaded.organization;
    if (c.organizationId !== undefined && (!org || org.kind !== 'organization' || c.kind !== 'person' || org.id === c.id)) throw coreError('ORGANIZATION_INVALID', { id: c.organizationId });
  }

  /** Loads what {@link assertWritable} needs for one customer and checks it. */
  private async prepare(trx: Knex.Transaction, actor: Actor, c: CustomerDto, before?: CustomerDto): Promise<CustomerDto> {
    const customFieldsSchema = (await this.tenants.settings(actor.tenantId, trx)).customFieldsSchema;
    // A new link must name an organization within the caller's record scope: one outside it
    // is refused exactly like a missing one (no linking to, or probing for, unseen records).
    const linking = c.organizationId !== undefined && c.organizationId !== before?.organizationId;
    const organization = c.organizationId === undefined
      ? undefined
      : linking
        ? await applyRecordScope(this.store.query(trx, actor.tenantId), actor, 'customer').where('id', c.organizationId).first().then((row) => (row ? customerFromRow(row) : undefined))
        : await this.store.find(trx, actor.tenantId, c.organizationId);
    this.assertWritable(actor, c, before, { customFieldsSchema, organization });
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

/** A page of customers from `limit + 1` rows, with the cursor after its last one. */
function page<Row extends CustomerRow>(rows: Row[], limit: number, keyOf: (row: Row, c: CustomerDto) => Array<string | number>): { items: CustomerDto[]; nextCursor: string | null } {
  const items = rows.slice(0, limit).map((row) => customerFromRow(row));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(rows[limit - 1]!, last)) : null };
}
