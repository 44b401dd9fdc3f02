/**
 * The sql adapter's connection config: the database URL (a secret) and, per entity, a
 * flat declarative mapping — `<entity>Table`, `<entity>Id` (the id column),
 * `<entity>Change` (a change column: `updated_at`, a rowversion or a serial; left out,
 * the entity is read in full-compare mode) and `<entity>Columns` (Peyvand field → column).
 * Every table and column name must be a plain identifier: names are quoted in the SQL,
 * never bound, so the schema refuses anything else outright.
 *
 * @module
 */
import type { ErpEntity } from '../../core/plugin/index.js';

/** A table or column name: letters (any script), digits, `_` and `$`, not starting with a digit. */
export const IDENTIFIER = '^[\\p{L}_][\\p{L}\\p{N}_$]{0,62}$';
/** A table, optionally with its schema (`erp.customers`). */
const TABLE = '^[\\p{L}_][\\p{L}\\p{N}_$]{0,62}(\\.[\\p{L}_][\\p{L}\\p{N}_$]{0,62})?$';

/** The Peyvand fields each entity's columns can fill. */
export const ENTITY_FIELDS = {
  customers: ['name', 'isCompany', 'givenName', 'familyName', 'email', 'phone', 'mobile', 'line1', 'line2', 'city', 'region', 'postalCode', 'country', 'organizationRef'],
  orders: ['customerRef', 'number', 'status', 'currency', 'total', 'placedAt', 'paidAt', 'deliveredAt'],
  invoices: ['customerRef', 'number', 'orderRef', 'currency', 'amount', 'issuedAt', 'dueAt', 'status'],
  orderLines: ['orderId', 'lineId', 'productRef', 'sku', 'name', 'quantity', 'unitPrice'],
} as const;

/** Fields an entity's mapping must name. */
const REQUIRED_FIELDS: Record<keyof typeof ENTITY_FIELDS, string[]> = {
  customers: ['name'],
  orders: ['customerRef', 'number', 'total', 'placedAt'],
  invoices: ['customerRef', 'number', 'amount', 'issuedAt'],
  orderLines: ['orderId', 'name', 'quantity', 'unitPrice'],
};

const identifier = { type: 'string', pattern: IDENTIFIER };
const columns = (entity: keyof typeof ENTITY_FIELDS) => ({
  type: 'object',
  additionalProperties: false,
  required: REQUIRED_FIELDS[entity],
  properties: Object.fromEntries(ENTITY_FIELDS[entity].map((f) => [f, identifier])),
});
const statusMap = (statuses: string[]) => ({
  type: 'object',
  maxProperties: 50,
  description: 'ERP status value → Peyvand status (values not listed must already be Peyvand statuses)',
  additionalProperties: { type: 'string', enum: statuses },
});
const entityKeys = (entity: ErpEntity) => ({
  [`${entity}Table`]: { type: 'string', pattern: TABLE },
  [`${entity}Id`]: identifier,
  [`${entity}Change`]: identifier,
  [`${entity}Columns`]: columns(entity),
});

/** JSON Schema of `config` (contract: `{databaseUrl, …mapping}`). */
export const sqlConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['databaseUrl'],
  anyOf: [{ required: ['customersTable'] }, { required: ['ordersTable'] }, { required: ['invoicesTable'] }],
  dependencies: {
    customersTable: ['customersId', 'customersColumns'],
    ordersTable: ['ordersId', 'ordersColumns'],
    invoicesTable: ['invoicesId', 'invoicesColumns'],
    orderLinesTable: ['ordersTable', 'orderLinesColumns'],
  },
  properties: {
    databaseUrl: { type: 'string', pattern: '^(postgres|postgresql|mysql|mariadb)://', maxLength: 2048, description: 'postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db (write-only)' },
    amounts: { type: 'string', enum: ['major', 'minor'], default: 'major', description: 'major: decimal amounts (12.50 USD); minor: integers in the currency\'s minor unit' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'The currency of documents whose mapping has no currency column' },
    ...entityKeys('customers'),
    customersExtraColumns: { type: 'array', maxItems: 50, items: identifier, description: 'More columns read into the raw row, for mapping.customers.customFields' },
    ...entityKeys('orders'),
    ordersStatusMap: statusMap(['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned']),
    orderLinesTable: { type: 'string', pattern: TABLE },
    orderLinesColumns: columns('orderLines'),
    ...entityKeys('invoices'),
    invoicesStatusMap: statusMap(['issued', 'paid', 'overdue', 'cancelled']),
  },
};

/** The mapping of one entity, read from the config. */
export interface EntityMapping {
  table: string;
  id: string;
  /** The change column; undefined: full-compare mode. */
  change?: string;
  /** Peyvand field → column. */
  columns: Record<string, string>;
  /** Columns read only into the raw row. */
  extra: string[];
  statusMap: Record<string, string>;
}

/** The config as the adapter uses it (after schema validation). */
export interface SqlConfig {
  databaseUrl: string;
  amounts: 'major' | 'minor';
  currency?: string;
  entities: Partial<Record<ErpEntity, EntityMapping>>;
  orderLines?: { table: string; columns: Record<string, string> };
}

/** Reads the validated config into per-entity mappings. */
export function sqlConfigOf(raw: Record<string, unknown>): SqlConfig {
  const entities: SqlConfig['entities'] = {};
  for (const entity of ['customers', 'orders', 'invoices'] as const) {
    const table = raw[`${entity}Table`];
    if (typeof table !== 'string') continue;
    entities[entity] = {
      table,
      id: String(raw[`${entity}Id`]),
      ...(typeof raw[`${entity}Change`] === 'string' && { change: String(raw[`${entity}Change`]) }),
      columns: raw[`${entity}Columns`] as Record<string, string>,
      extra: entity === 'customers' ? ((raw.customersExtraColumns as string[] | undefined) ?? []) : [],
      statusMap: (raw[`${entity}StatusMap`] as Record<string, string> | undefined) ?? {},
    };
  }
  return {
    databaseUrl: String(raw.databaseUrl),
    amounts: raw.amounts === 'minor' ? 'minor' : 'major',
    ...(typeof raw.currency === 'string' && { currency: raw.currency }),
    entities,
    ...(typeof raw.orderLinesTable === 'string' && { orderLines: { table: raw.orderLinesTable, columns: raw.orderLinesColumns as Record<string, string> } }),
  };
}
