/**
 * Customers from the ERP. A record is found by its external ref; failing that, by a
 * unique match on a normalized email or phone (or, for a company, its normalized name),
 * so «علي كريمي» with `۰۹۱۲ ۳۴۵ ۶۷۸۹` from the ERP lands on the «علی کریمی» with
 * `09123456789` the staff already created. Fields are settled by ownership, then written
 * through the bulk upsert (one transaction per batch, audited, one event per change).
 *
 * @module
 */
import { chunked } from '../db/database.js';
import { PeyvandError } from '../plugin/errors.js';
import type { CustomerService } from '../customers/customer-service.js';
import type { CustomerImportService } from '../customers/customer-import.js';
import type { CustomerDto, CustomerInput } from '../plugin/customers.js';
import { identitiesOf, type Identity } from '../customers/identities.js';
import { refKey, type ImportRow } from '../customers/import-plan.js';
import type { Database } from '../db/database.js';
import type { ErpCustomer, ErpRecord } from '../plugin/erp.js';
import { ownerOf } from './connections.js';
import type { EntitySink, SinkContext } from './entity-sink.js';
import { equivalentCustomerValue, sameValue, settleField } from './ownership.js';

/** The customer fields the ERP manages (custom fields named in the mapping come on top). */
const MANAGED = ['kind', 'name', 'givenName', 'familyName', 'emails', 'phones', 'addresses', 'organizationId'] as const;

type Fields = Record<string, unknown>;

interface Planned {
  record: ErpRecord<ErpCustomer>;
  erp: Fields;
  before: CustomerDto | undefined;
  /** Matched by contact data, not by ref: the ref is added by this write. */
  adopted: boolean;
  input: CustomerInput;
  changed: boolean;
}

/** The customers sink. */
export class CustomerSink implements EntitySink {
  readonly entity = 'customers' as const;

  constructor(
    private readonly db: Database,
    private readonly customers: CustomerService,
    private readonly bulk: CustomerImportService,
  ) {}

  async apply(ctx: SinkContext, records: ReadonlyArray<ErpRecord<unknown>>): Promise<void> {
    const typed = records as ReadonlyArray<ErpRecord<ErpCustomer>>;
    // Companies first, so a contact in the same page finds its organization.
    await this.applyBatch(ctx, typed.filter((r) => r.data.kind === 'organization'), 0);
    await this.applyBatch(ctx, typed.filter((r) => r.data.kind !== 'organization'), 0);
  }

  private async applyBatch(ctx: SinkContext, records: ReadonlyArray<ErpRecord<ErpCustomer>>, depth: number): Promise<void> {
    if (records.length === 0) return;
    const tenantId = ctx.actor.tenantId;
    const store = this.customers.store;
    const unique = [...new Map(records.map((r) => [r.externalId, r])).values()];
    const states = await ctx.state.records(ctx.connection.id, 'customers', unique.map((r) => r.externalId));
    const holders = await store.idsByRefs(this.db.knex, tenantId, unique.map((r) => ({ source: ctx.source, id: r.externalId })));
    const organizations = await this.resolveOrganizations(ctx, unique, depth);
    const matches = await this.matchByContact(ctx, unique.filter((r) => !holders.has(refKey(ctx.source, r.externalId))));
    const ids = unique.map((r) => holders.get(refKey(ctx.source, r.externalId)) ?? matches.get(r.externalId)).filter((id): id is string => id !== undefined);
    const current = await store.findMany(this.db.knex, tenantId, ids);
    const plans: Planned[] = [];
    for (const record of unique) {
      const holder = holders.get(refKey(ctx.source, record.externalId));
      const matched = holder === undefined ? matches.get(record.externalId) : undefined;
      const before = current.get(holder ?? matched ?? '');
      const erp = this.erpFields(ctx, record, organizations);
      const state = states.get(record.externalId);
      plans.push(this.plan(ctx, record, erp, before, matched !== undefined && before !== undefined, state?.base));
    }
    if (ctx.dryRun) {
      for (const p of plans) ctx.counts[!p.before ? 'created' : p.changed ? 'updated' : 'unchanged']++;
      return;
    }
    const written = new Map<string, string>();
    const viaRef = plans.filter((p) => !p.adopted);
    for (const batch of chunked(viaRef, 500)) {
      const results = await this.bulk.upsertMany(ctx.actor, batch.map((p): ImportRow => ({ source: ctx.source, externalId: p.record.externalId, input: p.input })));
      results.forEach((result, i) => {
        const p = batch[i]!;
        if (result.status === 'invalid') return this.failed(ctx, p.record, result.code, result.errors.map((e) => `${e.path} ${e.message}`).join('; '));
        ctx.counts[result.status]++;
        written.set(p.record.externalId, result.id);
      });
    }
    for (const p of plans.filter((x) => x.adopted)) {
      try {
        const id = await this.adopt(ctx, p);
        written.set(p.record.externalId, id);
        ctx.counts[p.changed ? 'updated' : 'unchanged']++;
      } catch (err) {
        if (!(err instanceof PeyvandError)) throw err;
        this.failed(ctx, p.record, err.code, (err.errors ?? []).map((e) => `${e.path} ${e.message}`).join('; ') || err.message);
      }
    }
    await ctx.state.saveRecords(tenantId, ctx.connection.id, 'customers', plans.filter((p) => written.has(p.record.externalId)).map((p) => ({ externalId: p.record.externalId, localId: written.get(p.record.externalId)!, base: p.erp })));
  }

  /** Settles each field by ownership and builds the full input of the write. */
  private plan(ctx: SinkContext, record: ErpRecord<ErpCustomer>, erp: Fields, before: CustomerDto | undefined, adopted: boolean, base: Fields | undefined): Planned {
    if (!before) {
      const input = toInput(erp, {});
      return { record, erp, before, adopted: false, input, changed: true };
    }
    const ownership = ctx.connection.fieldOwnership;
    const erpIsNewer = record.modifiedAt !== undefined && Date.parse(record.modifiedAt) > Date.parse(before.updatedAt);
    const settled: Fields = {};
    const conflicts: string[] = [];
    const crm = before as unknown as Fields;
    for (const field of Object.keys(erp)) {
      const crmValue = field.startsWith('customFields.') ? before.customFields[field.slice(13)] : crm[field];
      const decision = settleField(ownerOf(ownership, 'customers', field), erp[field], crmValue, base?.[field], base !== undefined, erpIsNewer, (a, b) => equivalentCustomerValue(field, a, b));
      settled[field] = decision.value;
      if (decision.conflict) conflicts.push(`${field}: ${decision.conflict.winner === 'erp' ? 'ERP value applied' : 'CRM value kept'} (ERP ${JSON.stringify(decision.conflict.erpValue ?? null)}, CRM ${JSON.stringify(decision.conflict.crmValue ?? null)})`);
    }
    if (conflicts.length) {
      ctx.counts.conflicts++;
      ctx.issues.push({ entity: 'customers', externalId: record.externalId, code: 'FIELD_CONFLICT', message: conflicts.join('; '), payload: record.raw });
    }
    const input = toInput(settled, before);
    if (adopted) input.externalRefs = [...before.externalRefs, { source: ctx.source, id: record.externalId }];
    const changed = adopted || MANAGED.some((f) => !sameValue(settled[f], crm[f])) || Object.keys(settled).some((f) => f.startsWith('customFields.') && !sameValue(settled[f], before.customFields[f.slice(13)]));
    return { record, erp, before, adopted, input, changed };
  }

  /** The ERP's values of the managed fields (organization ref turned into the local id). */
  private erpFields(ctx: SinkContext, record: ErpRecord<ErpCustomer>, organizations: Map<string, string>): Fields {
    const d = record.data;
    const fields: Fields = {
      kind: d.kind,
      name: d.name,
      givenName: d.givenName || undefined,
      familyName: d.familyName || undefined,
      emails: d.emails,
      phones: d.phones,
      addresses: d.addresses,
      organizationId: d.organizationRef ? organizations.get(d.organizationRef) : undefined,
    };
    const raw = (record.raw ?? {}) as Record<string, unknown>;
    for (const [key, erpField] of Object.entries(ctx.connection.mapping.customers?.customFields ?? {})) {
      const value = raw[erpField];
      fields[`customFields.${key}`] = value === false || value === null ? undefined : value;
    }
    return fields;
  }

  /** Local ids of the organizations the records name; a missing one is read from the ERP by id first. */
  private async resolveOrganizations(ctx: SinkContext, records: ReadonlyArray<ErpRecord<ErpCustomer>>, depth: number): Promise<Map<string, string>> {
    const refs = [...new Set(records.map((r) => r.data.organizationRef).filter((x): x is string => typeof x === 'string' && x !== ''))];
    const found = await this.customers.store.idsByRefs(this.db.knex, ctx.actor.tenantId, refs.map((id) => ({ source: ctx.source, id })));
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const ref of refs) {
      const id = found.get(refKey(ctx.source, ref));
      if (id) out.set(ref, id);
      else missing.push(ref);
    }
    if (missing.length && ctx.connector.readById && depth === 0 && !ctx.dryRun) {
      const fetched: ErpRecord<ErpCustomer>[] = [];
      for (const ref of missing) {
        const record = (await ctx.connector.readById('customers', ref)) as ErpRecord<ErpCustomer> | undefined;
        if (record) fetched.push({ ...record, data: { ...record.data, organizationRef: null } });
      }
      await this.applyBatch(ctx, fetched, depth + 1);
      const again = await this.customers.store.idsByRefs(this.db.knex, ctx.actor.tenantId, missing.map((id) => ({ source: ctx.source, id })));
      for (const ref of missing) if (again.get(refKey(ctx.source, ref))) out.set(ref, again.get(refKey(ctx.source, ref))!);
    }
    for (const record of records) {
      const ref = record.data.organizationRef;
      if (ref && !out.has(ref) && !ctx.dryRun) ctx.issues.push({ entity: 'customers', externalId: record.externalId, code: 'ORGANIZATION_NOT_FOUND', message: `organization ${ref} is not in the ERP nor in Peyvand; the contact is kept without it`, payload: record.raw });
    }
    return out;
  }

  /**
   * Existing customers without this connection's ref that match a record uniquely on a
   * normalized email or phone (a company also on its normalized name).
   */
  private async matchByContact(ctx: SinkContext, records: ReadonlyArray<ErpRecord<ErpCustomer>>): Promise<Map<string, string>> {
    const keysOf = new Map<string, string[]>();
    const all: Identity[] = [];
    for (const r of records) {
      const identities = identitiesOf({ name: r.data.name, emails: r.data.emails, phones: r.data.phones }).filter((i) => i.kind !== 'name' || r.data.kind === 'organization');
      keysOf.set(r.externalId, identities.map((i) => `${i.kind}:${i.value}`));
      all.push(...identities);
    }
    const holders = new Map<string, Set<string>>();
    for (const row of await this.customers.store.holdersOf(this.db.knex, ctx.actor.tenantId, all)) {
      const key = `${row.kind}:${row.value}`;
      holders.set(key, (holders.get(key) ?? new Set()).add(row.customerId));
    }
    const candidates = new Map<string, string>();
    for (const [externalId, keys] of keysOf) {
      const ids = new Set(keys.flatMap((k) => [...(holders.get(k) ?? [])]));
      if (ids.size === 1) candidates.set(externalId, [...ids][0]!);
    }
    if (candidates.size === 0) return candidates;
    // A customer that already carries a ref of this source is another ERP record's.
    const owned = await this.customers.store.findMany(this.db.knex, ctx.actor.tenantId, [...candidates.values()]);
    const claimed = new Set<string>();
    for (const [externalId, id] of candidates) {
      const c = owned.get(id);
      if (!c || c.externalRefs.some((r) => r.source === ctx.source) || claimed.has(id)) candidates.delete(externalId);
      else claimed.add(id);
    }
    return candidates;
  }

  /** Writes a matched customer with the ref added, in one audited change. */
  private async adopt(ctx: SinkContext, p: Planned): Promise<string> {
    return this.db.transaction(async (trx) => {
      const before = await this.customers.getForWrite(trx, ctx.actor, p.before!.id);
      const after = await this.customers.applyChange(trx, ctx.actor, before, this.customers.draft(ctx.actor, p.input, before));
      return after.id;
    });
  }

  private failed(ctx: SinkContext, record: ErpRecord<ErpCustomer>, code: string, message: string): void {
    ctx.counts.failed++;
    ctx.issues.push({ entity: 'customers', externalId: record.externalId, code, message: message || code, payload: record.raw });
  }

  async remove(ctx: SinkContext, externalIds: readonly string[]): Promise<void> {
    const states = await ctx.state.records(ctx.connection.id, 'customers', externalIds);
    const owner = ownerOf(ctx.connection.fieldOwnership, 'customers', '*');
    for (const externalId of externalIds) {
      const state = states.get(externalId);
      if (!state) continue;
      const exists = await this.customers.store.find(this.db.knex, ctx.actor.tenantId, state.localId);
      if (!exists) {
        if (!ctx.dryRun) await ctx.state.forget(ctx.connection.id, 'customers', [externalId]);
        continue;
      }
      if (owner !== 'erp') {
        ctx.counts.conflicts++;
        ctx.issues.push({ entity: 'customers', externalId, code: 'DELETED_IN_ERP', message: `deleted in the ERP; customer ${state.localId} is kept because customers are owned by "${owner}"`, payload: state.base });
      } else {
        ctx.counts.deleted++;
        if (!ctx.dryRun) await this.customers.delete(ctx.actor, state.localId);
      }
      if (!ctx.dryRun) await ctx.state.forget(ctx.connection.id, 'customers', [externalId]);
    }
  }
}

/** The full input of a write: settled ERP fields over the CRM's own (owner, tags, locale, other custom fields, refs). */
function toInput(fields: Fields, before: Partial<CustomerDto>): CustomerInput {
  const customFields: Record<string, unknown> = { ...(before.customFields ?? {}) };
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith('customFields.')) continue;
    if (value === undefined) delete customFields[key.slice(13)];
    else customFields[key.slice(13)] = value;
  }
  const input: CustomerInput = {
    kind: fields.kind as CustomerInput['kind'],
    name: String(fields.name),
    emails: (fields.emails as CustomerInput['emails']) ?? [],
    phones: (fields.phones as CustomerInput['phones']) ?? [],
    addresses: (fields.addresses as CustomerInput['addresses']) ?? [],
    tags: before.tags ?? [],
    customFields,
    externalRefs: before.externalRefs ?? [],
  };
  if (fields.givenName) input.givenName = String(fields.givenName);
  if (fields.familyName) input.familyName = String(fields.familyName);
  if (fields.organizationId) input.organizationId = String(fields.organizationId);
  if (before.locale) input.locale = before.locale;
  if (before.ownerId) input.ownerId = before.ownerId;
  return input;
}
