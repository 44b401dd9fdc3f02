/**
 * Low-level writes of a customer and everything derived from it (tags, identities,
 * external refs, search index), always inside the caller's transaction so the derived
 * tables never disagree with the row.
 */
import type { Knex } from 'knex';
import type { Database, Executor } from '../db/database.js';
import { searchIndexFor, type SearchIndex } from './search-index/index.js';
import { identitiesOf, searchFieldsOf } from './identities.js';
import { customerFromRow, type CustomerDto } from './customer-types.js';

/** Table-level access to customers for one deployment. */
export class CustomerStore {
  readonly search: SearchIndex;

  constructor(readonly db: Database) {
    this.search = searchIndexFor(db.dialect);
  }

  /** Base query of one tenant's customers. */
  query(trx: Executor, tenantId: string): Knex.QueryBuilder {
    return trx(this.db.table('customers')).where(`${this.db.table('customers')}.tenant_id`, tenantId);
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
    const t = (name: string) => this.db.table(name);
    if (!options.isNew) {
      for (const name of ['customer_tags', 'customer_identities', 'customer_refs']) await trx(t(name)).where({ customer_id: c.id }).delete();
    }
    if (c.tags.length) await trx(t('customer_tags')).insert(c.tags.map((tag) => ({ tenant_id: tenantId, tag, customer_id: c.id })));
    const ids = identitiesOf(c);
    if (ids.length) await trx(t('customer_identities')).insert(ids.map((i) => ({ tenant_id: tenantId, kind: i.kind, value: i.value, customer_id: c.id })));
    if (c.externalRefs.length) await trx(t('customer_refs')).insert(c.externalRefs.map((r) => ({ tenant_id: tenantId, source: r.source, external_id: r.id, customer_id: c.id })));
    await this.search.put(trx, this.db.prefix, { tenantId, customerId: c.id, fields: searchFieldsOf(c) });
  }

  /** Removes a customer and everything derived from it. */
  async remove(trx: Knex.Transaction, tenantId: string, id: string): Promise<void> {
    const t = (name: string) => this.db.table(name);
    for (const name of ['customer_tags', 'customer_identities', 'customer_refs', 'timeline']) await trx(t(name)).where({ customer_id: id }).delete();
    await this.search.remove(trx, this.db.prefix, tenantId, id);
    await this.query(trx, tenantId).where('id', id).delete();
  }

  /** The customer id holding an external ref, if any. */
  async idByRef(trx: Executor, tenantId: string, source: string, externalId: string): Promise<string | undefined> {
    const row = await trx(this.db.table('customer_refs')).where({ tenant_id: tenantId, source, external_id: externalId }).first();
    return row ? String(row.customer_id) : undefined;
  }
}
