/**
 * Core's importable entities. `customers`: rows with `externalSource`/`externalId` go
 * through the bulk upsert by ref (one multi-row write per batch), rows without through
 * `create`; `orders`: consecutive rows of the same order ref are its lines. Both write
 * through the services the API uses, so rules, audit and events are the API's.
 */
import type { Knex } from 'knex';
import type { Actor } from '../plugin/actor.js';
import type { CustomerImportService } from '../customers/customer-import.js';
import { customerInputSchema } from '../customers/customer-schemas.js';
import type { CustomerService } from '../customers/customer-service.js';
import type { CustomerDto, CustomerInput } from '../customers/customer-types.js';
import { orderInputSchema } from '../orders/order-schemas.js';
import type { OrderService } from '../orders/order-service.js';
import type { OrderDto, OrderInput } from '../orders/order-types.js';
import type { ImportEntity, MappedRow, RowOutcome } from './import-entities.js';
import { cellNumber } from '../plugin/imports.js';
import { bodyValidator, inSavepoint } from './row-values.js';

const PAGE = 500;

/** The customer fields of a CSV row as a `CustomerInput` (empty cells left out). */
export function customerInputOf(f: Record<string, string>): CustomerInput {
  const input: Record<string, unknown> = { kind: f.kind || 'person', name: f.name ?? '' };
  if (f.givenName) input.givenName = f.givenName;
  if (f.familyName) input.familyName = f.familyName;
  if (f.email) input.emails = f.email.split(';').map((value) => ({ value: value.trim() })).filter((e) => e.value);
  if (f.phone) input.phones = f.phone.split(';').map((value) => ({ value: value.trim() })).filter((p) => p.value);
  if (f.tags) input.tags = f.tags.split(';').map((t) => t.trim()).filter(Boolean);
  if (f.city || f.country) input.addresses = [{ line1: f.city || f.country, ...(f.city && { city: f.city }), ...(f.country && { country: f.country.toUpperCase() }) }];
  const custom = Object.entries(f).filter(([k, v]) => k.startsWith('customFields.') && v !== '');
  if (custom.length) input.customFields = Object.fromEntries(custom.map(([k, v]) => [k.slice('customFields.'.length), v]));
  return input as unknown as CustomerInput;
}

/** The `customers` entity. */
export function customerEntity(customers: CustomerService, bulk: CustomerImportService): ImportEntity {
  const validate = bodyValidator(customerInputSchema);
  return {
    name: 'customers',
    plugin: 'core',
    writePermission: 'core.customer.create',
    auditType: 'customer',
    fields: ['kind', 'name', 'givenName', 'familyName', 'email', 'phone', 'tags', 'city', 'country', 'externalSource', 'externalId'],
    async write(trx, actor, rows) {
      const out: RowOutcome[] = new Array(rows.length);
      const byRef: Array<{ index: number; source: string; externalId: string; input: CustomerInput }> = [];
      for (const [index, { fields }] of rows.entries()) {
        const input = customerInputOf(fields);
        if (fields.externalSource || fields.externalId) {
          byRef.push({ index, source: fields.externalSource ?? '', externalId: fields.externalId ?? '', input });
          continue;
        }
        const invalid = validate(input);
        out[index] = invalid ? { status: 'invalid', error: invalid } : await inSavepoint(trx, async (sp) => ({ status: 'created', id: (await customers.create(actor, input, sp)).id }));
      }
      const results = await bulk.upsertMany(actor, byRef, trx);
      results.forEach((r, i) => {
        out[byRef[i]!.index] = r.status === 'invalid' ? { status: 'invalid', error: { code: r.code, i18nKey: `core:errors.${r.code}`, params: {}, errors: r.errors } } : r;
      });
      return out;
    },
    async undo(trx, actor, change) {
      const current = await customers.store.find(trx, actor.tenantId, change.entityId, { forUpdate: true });
      if (!current) return;
      if (change.action === 'customer.create') await customers.delete(actor, change.entityId, trx);
      else if (change.action === 'customer.update') await customers.applyChange(trx, actor, current, { ...(change.before as CustomerDto), version: current.version, updatedAt: current.updatedAt });
    },
    async *export(actor, formatDate) {
      yield ['id', 'kind', 'name', 'givenName', 'familyName', 'email', 'phone', 'tags', 'city', 'country', 'externalSource', 'externalId', 'createdAt', 'updatedAt'];
      for (let cursor: string | undefined; ; ) {
        const page = await customers.list(actor, { limit: PAGE, ...(cursor && { cursor }) });
        for (const c of page.items) {
          const address = c.addresses[0];
          const ref = c.externalRefs[0];
          yield [c.id, c.kind, c.name, c.givenName ?? '', c.familyName ?? '', c.emails.map((e) => e.value).join(';'), c.phones.map((p) => p.value).join(';'), c.tags.join(';'), address?.city ?? '', address?.country ?? '', ref?.source ?? '', ref?.id ?? '', formatDate(c.createdAt), formatDate(c.updatedAt)];
        }
        if (!page.nextCursor) return;
        cursor = page.nextCursor;
      }
    },
  };
}

const ORDER_FIELDS = ['externalSource', 'externalId', 'number', 'status', 'currency', 'total', 'placedAt', 'paidAt', 'deliveredAt', 'customerId', 'customerSource', 'customerExternalId', 'sku', 'productRef', 'lineName', 'quantity', 'unitPrice'] as const;

/** One order from its rows: the order's columns from the first, a line from each. */
function orderInputOf(rows: readonly MappedRow[]): OrderInput {
  const f = rows[0]!.fields;
  const input: Record<string, unknown> = { number: f.number ?? '', status: f.status ?? '', currency: (f.currency ?? '').toUpperCase(), total: cellNumber(f.total) ?? '', placedAt: f.placedAt ?? '' };
  if (f.paidAt) input.paidAt = f.paidAt;
  if (f.deliveredAt) input.deliveredAt = f.deliveredAt;
  if (f.customerId) input.customerId = f.customerId;
  else if (f.customerSource || f.customerExternalId) input.customerRef = { source: f.customerSource ?? '', id: f.customerExternalId ?? '' };
  input.lines = rows
    .filter((r) => r.fields.lineName || r.fields.sku)
    .map(({ fields: l }) => ({ ...(l.sku && { sku: l.sku }), ...(l.productRef && { productRef: l.productRef }), name: l.lineName || l.sku, quantity: cellNumber(l.quantity) ?? 1, unitPrice: cellNumber(l.unitPrice) ?? 0 }));
  return input as unknown as OrderInput;
}

/** The `orders` entity: by ref only (an order without its ERP ref cannot be matched again). */
export function orderEntity(orders: OrderService): ImportEntity {
  const validate = bodyValidator(orderInputSchema);
  const keyOf = (row: MappedRow) => `${row.fields.externalSource ?? ''}\u0000${row.fields.externalId ?? ''}`;
  return {
    name: 'orders',
    plugin: 'core',
    writePermission: 'core.order.write',
    auditType: 'order',
    fields: ORDER_FIELDS,
    groupKey: keyOf,
    async write(trx, actor, rows) {
      const out: RowOutcome[] = [];
      for (let start = 0; start < rows.length; ) {
        let end = start + 1;
        while (end < rows.length && keyOf(rows[end]!) === keyOf(rows[start]!)) end++;
        const group = rows.slice(start, end);
        const outcome = await writeOrder(trx, actor, group, orders, validate);
        for (let i = start; i < end; i++) out.push(outcome);
        start = end;
      }
      return out;
    },
    async undo(trx, actor, change) {
      if (change.action === 'order.create') await orders.remove(trx, actor, change.entityId);
      else if (change.action === 'order.update') await orders.restore(trx, actor, change.before as OrderDto);
    },
    async *export(actor, formatDate) {
      yield [...ORDER_FIELDS];
      for (let cursor: string | undefined; ; ) {
        const page = await orders.list(actor, { limit: PAGE, ...(cursor && { cursor }) });
        for (const o of page.items) {
          const head = [o.externalRef.source, o.externalRef.id, o.number, o.status, o.currency, String(o.total), formatDate(o.placedAt), formatDate(o.paidAt), formatDate(o.deliveredAt), o.customerId ?? '', '', ''];
          if (o.lines.length === 0) yield [...head, '', '', '', '', ''];
          for (const l of o.lines) yield [...head, l.sku ?? '', l.productRef ?? '', l.name, String(l.quantity), String(l.unitPrice)];
        }
        if (!page.nextCursor) return;
        cursor = page.nextCursor;
      }
    },
  };
}

async function writeOrder(trx: Knex.Transaction, actor: Actor, group: readonly MappedRow[], orders: OrderService, validate: (v: unknown) => ReturnType<ReturnType<typeof bodyValidator>>): Promise<RowOutcome> {
  const { externalSource: source = '', externalId = '' } = group[0]!.fields;
  if (!source || !externalId) {
    return { status: 'invalid', error: { code: 'VALIDATION_FAILED', i18nKey: 'core:errors.VALIDATION_FAILED', params: {}, errors: [{ path: source ? '/externalId' : '/externalSource', message: 'must have required property', key: 'core:validation.required', params: { missingProperty: source ? 'externalId' : 'externalSource' } }] } };
  }
  const input = orderInputOf(group);
  const invalid = validate(input);
  if (invalid) return { status: 'invalid', error: invalid };
  return inSavepoint(trx, async (sp) => {
    const result = await orders.upsertIn(sp, actor, source, externalId, input);
    return { status: result.created ? 'created' : result.changed ? 'updated' : 'unchanged', id: result.order.id };
  });
}
