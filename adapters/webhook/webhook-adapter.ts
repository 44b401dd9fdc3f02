/**
 * The webhook adapter: the ERP pushes its changes to `POST /api/v1/erp/inbound/{connectionId}`
 * signed with the connection's secret (core checks the signature, the replay window and
 * replays, and queues an `inbound` run with the posted `changes`). For that run this
 * adapter hands each entity's changes to the sync as one page: upserts as records,
 * deletions as deleted ids, and a change that cannot be a record as rejected with the
 * reason and the posted change as its raw payload, while the others apply. There is
 * nothing to pull: manual and scheduled runs are refused (`pulls: false`).
 *
 * @module
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { AdapterRuntime, ChangePage, ErpAdapter, ErpConnector, ErpEntity } from '../../core/plugin/index.js';

/** One posted change, as the inbound route's schema admits it. */
export interface InboundChange {
  entity: ErpEntity;
  externalId: string;
  action: 'upsert' | 'delete';
  modifiedAt?: string;
  data?: Record<string, unknown>;
}

/** The adapter's config: the shared secret the ERP signs with (write-only). */
export const webhookConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['secret'],
  properties: { secret: { type: 'string', minLength: 16, maxLength: 500, description: 'HMAC-SHA256 key of Peyvand-Signature (at least 16 characters)' } },
};

const text = (max: number, min = 0) => ({ type: 'string', minLength: min, maxLength: max });
const labeled = { type: 'array', maxItems: 20, items: { type: 'object', required: ['value'], additionalProperties: false, properties: { value: text(320, 1), label: text(50) } } };

/** `data` of a customer upsert: the canonical ERP customer. */
const customerData = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name'],
  properties: {
    kind: { type: 'string', enum: ['person', 'organization'] },
    name: text(300, 1),
    givenName: text(200),
    familyName: text(200),
    emails: labeled,
    phones: labeled,
    addresses: { type: 'array', maxItems: 20, items: { type: 'object', required: ['line1'], additionalProperties: false, properties: { line1: text(300, 1), line2: text(300), city: text(100), region: text(100), postalCode: text(20), country: text(2, 2) } } },
    organizationRef: { type: ['string', 'null'], maxLength: 128 },
  },
};

/**
 * `data` of an order or invoice upsert: core's document body with the customer as its ERP
 * id; the document sink checks the rest against the order/invoice schema.
 */
const documentData = { type: 'object', required: ['customerRef'], properties: { customerRef: { type: ['string', 'null'], maxLength: 128 } } };

const ajv = new Ajv({ strict: false, allErrors: false });
const validators = { customers: ajv.compile(customerData), orders: ajv.compile(documentData), invoices: ajv.compile(documentData) };

const describe = (errors: ErrorObject[] | null | undefined): string => (errors ?? []).map((e) => `data${e.instancePath} ${e.message ?? 'is invalid'}`).join('; ');

/** The changes of one entity as a page. */
export function pageOfChanges(changes: readonly InboundChange[], entity: ErpEntity): ChangePage<unknown> {
  const page: ChangePage<unknown> = { records: [], deleted: [], rejected: [], cursor: null };
  for (const change of changes) {
    if (change.entity !== entity) continue;
    if (change.action === 'delete') {
      page.deleted!.push(change.externalId);
      continue;
    }
    if (!change.data) {
      page.rejected!.push({ externalId: change.externalId, message: 'an upsert needs data', raw: change });
      continue;
    }
    const validate = validators[entity];
    if (!validate(change.data)) {
      page.rejected!.push({ externalId: change.externalId, message: describe(validate.errors), raw: change });
      continue;
    }
    const modifiedAt = change.modifiedAt === undefined ? undefined : Date.parse(change.modifiedAt);
    if (modifiedAt !== undefined && Number.isNaN(modifiedAt)) {
      page.rejected!.push({ externalId: change.externalId, message: `modifiedAt is not a date-time (${change.modifiedAt})`, raw: change });
      continue;
    }
    const data = entity === 'customers' ? { emails: [], phones: [], addresses: [], ...change.data } : entity === 'orders' ? { lines: [], ...change.data } : change.data;
    page.records.push({ externalId: change.externalId, ...(modifiedAt !== undefined && { modifiedAt: new Date(modifiedAt).toISOString() }), data, raw: change });
  }
  return page;
}

/** Creates the adapter. */
export function webhookAdapter(): ErpAdapter {
  return {
    name: 'webhook',
    configSchema: webhookConfigSchema,
    secretFields: ['secret'],
    pulls: false,
    connect(_config: Record<string, unknown>, runtime: AdapterRuntime): ErpConnector {
      const changes = Array.isArray(runtime.inbound) ? (runtime.inbound as InboundChange[]) : [];
      return {
        entities: ['customers', 'orders', 'invoices'],
        // Nothing to reach: the ERP calls Peyvand. The secret's presence is checked by the config schema.
        async test() {},
        async *readChanges(entity: ErpEntity): AsyncIterable<ChangePage<unknown>> {
          const page = pageOfChanges(changes, entity);
          if (page.records.length || page.deleted!.length || page.rejected!.length) yield page;
        },
      };
    },
  };
}
