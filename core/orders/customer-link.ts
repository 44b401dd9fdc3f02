/**
 * Orders and invoices belong to a customer, and are seen through that customer: record
 * scope of `customer` decides which documents an actor sees. A document whose customer is
 * not (yet) known is seen only by roles that see every customer.
 */
import type { Knex } from 'knex';
import type { Actor } from '../plugin/actor.js';
import type { Database, Executor } from '../db/database.js';
import { coreError } from '../plugin/errors.js';
import { applyRecordScope } from '../plugin/record-scope.js';
import type { CustomerLink } from './order-types.js';

/** A document's customer as stored: the resolved id and the ERP's ref, when one was given. */
export interface ResolvedCustomer {
  customer_id: string | null;
  customer_source: string | null;
  customer_external_id: string | null;
}

/** Limits a query of `orders` or `invoices` to the documents whose customer the actor sees. */
export function scopeThroughCustomer<Q extends Knex.QueryBuilder>(q: Q, db: Database, actor: Actor, column = 'customer_id'): Q {
  if ((actor.scopes.customer ?? 'all') === 'all') return q;
  const visible = applyRecordScope(db.rows('customers').select('id').where('tenant_id', actor.tenantId), actor, 'customer');
  return q.whereIn(column, visible) as Q;
}

/**
 * The customer a document names. `customerId` must be a customer the actor sees (else
 * 422 `CUSTOMER_LINK_INVALID`, the same for a missing one and an unseen one);
 * `customerRef` is resolved through the customers' external refs, and one that matches
 * nobody the actor sees leaves the document unlinked (`customerId: null`) with the ref
 * kept, so a later write links it once the customer exists.
 */
export async function resolveCustomer(trx: Executor, db: Database, actor: Actor, link: CustomerLink): Promise<ResolvedCustomer> {
  if (link.customerId !== undefined && link.customerRef !== undefined) {
    throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/customerRef', message: 'give customerId or customerRef, not both', key: 'core:validation.customerLink' }] });
  }
  const visible = (id: string) => applyRecordScope(db.rows('customers', trx).where({ tenant_id: actor.tenantId, id }), actor, 'customer').first('id');
  if (link.customerId !== undefined) {
    if (!(await visible(link.customerId))) throw coreError('CUSTOMER_LINK_INVALID', { id: link.customerId });
    return { customer_id: link.customerId, customer_source: null, customer_external_id: null };
  }
  if (link.customerRef === undefined) return { customer_id: null, customer_source: null, customer_external_id: null };
  const { source, id } = link.customerRef;
  const held = await db.rows('customer_refs', trx).where({ tenant_id: actor.tenantId, source, external_id: id }).first('customer_id');
  const customerId = held && (await visible(held.customer_id)) ? held.customer_id : null;
  return { customer_id: customerId, customer_source: source, customer_external_id: id };
}
