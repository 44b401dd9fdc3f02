/**
 * Low-level writes of a customer and everything derived from it (tags, identities,
 * external refs, search index), always inside the caller's transaction so the derived
 * tables never disagree with the row.
 */
import type { Knex } from 'knex';
import { chunked, type Database, type Executor } from '../db/database.js';
import { searchIndexFor, type SearchIndex } from './search-index/index.js';
import { identitiesOf, searchFieldsOf, type Identity } from './identities.js';
import { customerFromRow, type CustomerDto } from './customer-types.js';
import type { RowQuery } from '../plugin/data.js';
import type { CustomerRow } from '../db/rows/customers.js';

/** Table-level access to customers for one deployment. */
export class CustomerStore {
  readonly search: SearchIndex;

  constructor(readonly db: Database) {
    this.search = searchIndexFor(db.dialect);
  }

  /** Base query of one tenant's customers. */
  query(trx: Executor, tenantId: string): RowQuery<CustomerRow> {
    return this.db.rows('customers', trx).where(`${this.db.table('customers')}.tenant_id`, tenantId);
  }

  async find(trx: Executor, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<CustomerDto | undefined> {
    const q = this.query(trx, tenantId).where('id', id).first();
    // SQLite has no row locks (its writer lock serializes), the others do.
    if (options.forUpdate && this.db.dialect !== 'sqlite') q.forUpdate();
    const row = await q;
    return row ? customerFromRow(row) : undefined;
  }

  /**
   * Rewrites tags, identities, refs and search entries of a customer. A new customer has
   * none to delete, and skipping the DELETE matters: on MySQL/MariaDB a DELETE that finds
   * nothing still takes gap locks, which would make concurrent creations wait on each other.
   */
  async writeDerived(trx: Knex.Transaction, tenantId: string, c: CustomerDto, options: { isNew?: boolean } = {}): Promise<void> {
    await this.writeDerivedMany(trx, tenantId, [c], options);
  }

  /**
   * {@link writeDerived} for many customers of one tenant: one DELETE per table and chunk
   * for the rewritten ones, then multi-row INSERTs, so a batch of 1,000 costs a handful of
   * statements instead of thousands. `isNew`: all of them are new (nothing to delete).
   */
  async writeDerivedMany(trx: Knex.Transaction, tenantId: string, customers: readonly CustomerDto[], options: { isNew?: boolean } = {}): Promise<void> {
    if (customers.length === 0) return;
    if (!options.isNew) {
      for (const ids of chunked(customers.map((c) => c.id))) {
        for (const name of ['customer_tags', 'customer_identities', 'customer_refs'] as const) await this.db.rows(name, trx).whereIn('customer_id', ids).delete();
      }
    }
    await this.db.insertRows('customer_tags', trx, customers.flatMap((c) => c.tags.map((tag) => ({ tenant_id: tenantId, tag, customer_id: c.id }))));
    await this.db.insertRows('customer_identities', trx, customers.flatMap((c) => identitiesOf(c).map((i) => ({ tenant_id: tenantId, kind: i.kind, value: i.value, customer_id: c.id }))));
    await this.db.insertRows('customer_refs', trx, customers.flatMap((c) => c.externalRefs.map((r) => ({ tenant_id: tenantId, source: r.source, external_id: r.id, customer_id: c.id }))));
    await this.search.putMany(trx, this.db.prefix, customers.map((c) => ({ tenantId, customerId: c.id, fields: searchFieldsOf(c) })), options);
  }

  /** Customers of a tenant by id, those that exist (batch lookups; chunked IN lists). */
  async findMany(trx: Executor, tenantId: string, ids: readonly string[], scope: (q: RowQuery<CustomerRow>) => RowQuery<CustomerRow> = (q) => q, options: { forUpdate?: boolean } = {}): Promise<Map<string, CustomerDto>> {
    const out = new Map<string, CustomerDto>();
    for (const chunk of chunked([...new Set(ids)])) {
      const q = scope(this.query(trx, tenantId)).whereIn('id', chunk);
      if (options.forUpdate && this.db.dialect !== 'sqlite') q.forUpdate();
      for (const row of await q) out.set(row.id, customerFromRow(row));
    }
    return out;
  }

  /** Which customers hold these external refs: `source\u0000externalId` → customer id. */
  async idsByRefs(trx: Executor, tenantId: string, refs: readonly { source: string; id: string }[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const bySource = new Map<string, Set<string>>();
    for (const r of refs) bySource.set(r.source, (bySource.get(r.source) ?? new Set()).add(r.id));
    for (const [source, ids] of bySource) {
      // (tenant_id, source, external_id) is the primary key: each chunk is one index range.
      for (const chunk of chunked([...ids])) {
        const rows = await this.db.rows('customer_refs', trx).where({ tenant_id: tenantId, source }).whereIn('external_id', chunk).select('external_id', 'customer_id');
        for (const row of rows) out.set(`${source}\u0000${row.external_id}`, row.customer_id);
      }
    }
    return out;
  }

  /**
   * Who holds these dedup keys: one row per (customer, key) held. One query per kind and
   * chunk, `tenant_id = ? AND kind = ? AND value IN (…)`, a range of the primary key
   * `(tenant_id, kind, value, customer_id)` on every dialect. Not an OR of
   * `(kind = ? AND value = ?)` pairs: with two or more pairs SQLite used the key for
   * `tenant_id` alone and tested every pair against every identity of the tenant, so the
   * lookup grew with the tenant (2.4 s for 300 keys at 60,000 identities; 1.3 ms this way).
   * `exceptId` leaves one customer out; `limit` keeps the first rows by customer id.
   */
  async holdersOf(trx: Executor, tenantId: string, keys: readonly Identity[], options: { exceptId?: string; limit?: number } = {}): Promise<Array<Identity & { customerId: string }>> {
    const byKind = new Map<Identity['kind'], Set<string>>();
    for (const k of keys) byKind.set(k.kind, (byKind.get(k.kind) ?? new Set()).add(k.value));
    const out: Array<Identity & { customerId: string }> = [];
    for (const [kind, values] of byKind) {
      for (const chunk of chunked([...values])) {
        const q = this.db.rows('customer_identities', trx).where({ tenant_id: tenantId, kind }).whereIn('value', chunk).select('value', 'customer_id');
        if (options.exceptId !== undefined) q.whereNot('customer_id', options.exceptId);
        if (options.limit !== undefined) q.orderBy('customer_id').limit(options.limit);
        for (const row of await q) out.push({ kind, value: row.value, customerId: row.customer_id });
      }
    }
    if (options.limit === undefined) return out;
    // Each query kept its first `limit`: the first `limit` of them all are among those.
    return out.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0)).slice(0, options.limit);
  }

  /** Removes a customer and everything derived from it. */
  async remove(trx: Knex.Transaction, tenantId: string, id: string): Promise<void> {
    for (const name of ['customer_tags', 'customer_identities', 'customer_refs', 'timeline'] as const) await this.db.rows(name, trx).where({ customer_id: id }).delete();
    await this.search.remove(trx, this.db.prefix, tenantId, id);
    await this.query(trx, tenantId).where('id', id).delete();
  }

  /** The customer id holding an external ref, if any. */
  async idByRef(trx: Executor, tenantId: string, source: string, externalId: string): Promise<string | undefined> {
    const row = await this.db.rows('customer_refs', trx).where({ tenant_id: tenantId, source, external_id: externalId }).first();
    return row?.customer_id;
  }
}
