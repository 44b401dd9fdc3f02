/** The customer shape of the HTTP contract, and its mapping from rows. */
import { readInt, readJson } from '../plugin/sql.js';
import type { Address, CustomerDto, ExternalRef, LabeledValue } from '../plugin/customers.js';
import type { CustomerRow } from '../db/rows/customers.js';

export type { Address, CustomerDto, CustomerInput, CustomerPatch, ExternalRef, LabeledValue } from '../plugin/customers.js';


/** Maps a `customers` row to the API shape. */
export function customerFromRow(row: CustomerRow): CustomerDto {
  const dto: CustomerDto = {
    id: row.id,
    kind: row.kind === 'organization' ? 'organization' : 'person',
    name: row.name,
    emails: readJson<LabeledValue[]>(row.emails, []),
    phones: readJson<LabeledValue[]>(row.phones, []),
    addresses: readJson<Address[]>(row.addresses, []),
    tags: readJson<string[]>(row.tags, []),
    customFields: readJson<Record<string, unknown>>(row.custom_fields, {}),
    externalRefs: readJson<ExternalRef[]>(row.external_refs, []),
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: row.version,
  };
  if (row.given_name != null) dto.givenName = row.given_name;
  if (row.family_name != null) dto.familyName = row.family_name;
  if (row.organization_id != null) dto.organizationId = row.organization_id;
  // The column holds what the input schema admitted (`fa` or `en`).
  if (row.locale != null) dto.locale = row.locale as NonNullable<CustomerDto['locale']>;
  if (row.owner_id != null) dto.ownerId = row.owner_id;
  return dto;
}

/** The columns a customer write sets from the API shape (identity, tenancy, team, version and instants aside). */
export type CustomerWritableColumns = Omit<CustomerRow, 'id' | 'tenant_id' | 'team_id' | 'version' | 'created_at' | 'updated_at'>;

/** Maps writable fields to columns (JSON columns serialized). */
export function rowFromCustomer(c: Omit<CustomerDto, 'id' | 'createdAt' | 'updatedAt' | 'version'>): CustomerWritableColumns {
  return {
    kind: c.kind,
    name: c.name,
    given_name: c.givenName ?? null,
    family_name: c.familyName ?? null,
    organization_id: c.organizationId ?? null,
    emails: JSON.stringify(c.emails),
    phones: JSON.stringify(c.phones),
    addresses: JSON.stringify(c.addresses),
    tags: JSON.stringify(c.tags),
    custom_fields: JSON.stringify(c.customFields),
    external_refs: JSON.stringify(c.externalRefs),
    locale: c.locale ?? null,
    owner_id: c.ownerId ?? null,
  };
}
