/**
 * Duplicate candidates and merging. Candidates share a normalized email, phone or name
 * with the customer. A merge moves core's related records (timeline, external refs,
 * organization contacts) to the survivor, unions contact data, and deletes the merged
 * customers, in one transaction; plugins move their own records on `customer.merged`.
 */
import type { Database } from '../db/database.js';
import { coreError } from '../plugin/errors.js';
import type { Actor } from '../plugin/actor.js';
import type { EventBus } from '../plugin/events.js';
import type { AuditLog } from '../audit/audit-log.js';
import { applyRecordScope } from '../plugin/record-scope.js';
import { customerFromRow, type CustomerDto } from './customer-types.js';
import { identitiesOf } from './identities.js';
import { normalizeEmail } from '../plugin/persian/normalize.js';
import { normalizePhone } from '../plugin/persian/phone.js';
import type { CustomerService } from './customer-service.js';

/** A possible duplicate and why. */
export interface DuplicateCandidate {
  customer: CustomerDto;
  reasons: Array<'email' | 'phone' | 'name'>;
}

/** Finds and merges duplicates. */
export class MergeService {
  constructor(
    private readonly db: Database,
    private readonly customers: CustomerService,
    private readonly events: EventBus,
    private readonly audit: AuditLog,
  ) {}

  /** Customers in the actor's scope sharing an identity with `id`, strongest match first. */
  async duplicates(actor: Actor, id: string, limit = 50): Promise<DuplicateCandidate[]> {
    const customer = await this.customers.get(actor, id);
    const identities = identitiesOf(customer);
    if (identities.length === 0) return [];
    const matches = await this.customers.store.holdersOf(this.db.knex, actor.tenantId, identities, { exceptId: id, limit: limit * 3 });
    const reasons = new Map<string, Set<DuplicateCandidate['reasons'][number]>>();
    for (const m of matches) reasons.set(m.customerId, (reasons.get(m.customerId) ?? new Set()).add(m.kind));
    if (reasons.size === 0) return [];
    const rows = await applyRecordScope(this.customers.store.query(this.db.knex, actor.tenantId), actor, 'customer').whereIn('id', [...reasons.keys()]);
    const weight = { email: 4, phone: 3, name: 1 } as const;
    const score = (r: Set<string>) => [...r].reduce((s, k) => s + weight[k as keyof typeof weight], 0);
    return rows
      .map((row) => ({ customer: customerFromRow(row), reasons: [...reasons.get(row.id)!].sort() as DuplicateCandidate['reasons'] }))
      .sort((a, b) => score(new Set(b.reasons)) - score(new Set(a.reasons)) || a.customer.id.localeCompare(b.customer.id))
      .slice(0, limit);
  }

  /** Merges `fromIds` into `survivorId` and returns the survivor. */
  async merge(actor: Actor, survivorId: string, fromIds: readonly string[]): Promise<CustomerDto> {
    const from = [...new Set(fromIds)];
    return this.db.transaction(async (trx) => {
      // A survivor the caller cannot see is a 404 before anything about the request is judged.
      const survivor = await this.customers.getForWrite(trx, actor, survivorId);
      if (from.length === 0 || from.includes(survivorId)) throw coreError('MERGE_INVALID', { id: survivorId });
      const merged: CustomerDto[] = [];
      for (const id of from) {
        const c = await this.customers.getForWrite(trx, actor, id);
        if (c.kind !== survivor.kind) throw coreError('MERGE_INVALID', { id });
        merged.push(c);
      }
      // Move what points at the merged customers before they are deleted.
      await this.db.rows('timeline', trx).where('tenant_id', actor.tenantId).whereIn('customer_id', from).update({ customer_id: survivorId });
      await this.db.rows('customers', trx).where('tenant_id', actor.tenantId).whereIn('organization_id', from).update({ organization_id: survivorId });
      const next: CustomerDto = {
        ...survivor,
        emails: unionBy([survivor, ...merged].flatMap((c) => c.emails), (e) => normalizeEmail(e.value)),
        phones: unionBy([survivor, ...merged].flatMap((c) => c.phones), (p) => normalizePhone(p.value) ?? p.value),
        addresses: unionBy([survivor, ...merged].flatMap((c) => c.addresses), (a) => JSON.stringify(a)),
        tags: [...new Set([survivor, ...merged].flatMap((c) => c.tags))],
        externalRefs: unionBy([survivor, ...merged].flatMap((c) => c.externalRefs), (r) => `${r.source}\u0000${r.id}`),
        // The survivor's values win; merged customers only fill gaps.
        customFields: Object.assign({}, ...[...merged].reverse().map((c) => c.customFields), survivor.customFields) as Record<string, unknown>,
      };
      for (const c of merged) {
        await this.customers.store.remove(trx, actor.tenantId, c.id);
        await this.audit.record(trx, actor, { action: 'customer.merge', entityType: 'customer', entityId: c.id, before: c, after: { mergedInto: survivorId } });
      }
      const after = await this.customers.applyChange(trx, actor, survivor, next);
      await this.events.emit(trx, 'customer.merged', { survivorId, mergedIds: from, customer: after }, { tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: survivorId });
      return after;
    });
  }
}

function unionBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
