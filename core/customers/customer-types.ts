/** The customer shape of the HTTP contract, and its mapping from rows. */
import { readInt, readJson } from '../plugin/sql.js';
import type { Address, CustomerDto, ExternalRef, LabeledValue } from '../plugin/customers.js';

export type { Address, CustomerDto, CustomerInput, CustomerPatch, ExternalRef, LabeledValue } from '../plugin/customers.js';


/** Maps a `customers` row to the API shape. */
export function customerFromRow(row: Record<string, unknown>): CustomerDto {
  const dto: CustomerDto = {
    id: String(row.id),
    kind: row.kind === 'organization' ? 'organization' : 'person',
    name: String(row.name),
    emails: readJson<LabeledValue[]>(row.emails, []),
    phones: readJson<LabeledValue[]>(row.phones, []),
    addresses: readJson<Address[]>(row.addresses, []),
    tags: readJson<string[]>(row.tags, []),
    customFields: readJson<Record<string, unknown>>(row.custom_fields, {}),
    externalRefs: readJson<ExternalRef[]>(row.external_refs, []),
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: readInt(row.version),
  };
  if (row.given_name != null) dto.givenName = String(row.given_name);
  if (row.family_name != null) dto.familyName = String(row.family_name);
  if (row.organization_id != null) dto.organizationId = String(row.organization_id);
  // The column holds what the input schema admitted (`fa` or `en`).
  if (row.locale != null) dto.locale = String(row.locale) as NonNullable<CustomerDto['locale']>;
  if (row.owner_id != null) dto.ownerId = String(row.owner_id);
  return dto;
}

/** Maps writable fields to columns (JSON columns serialized). */
export function rowFromCustomer(c: Omit<CustomerDto, 'id' | 'createdAt' | 'updatedAt' | 'version'>): Record<string, unknown> {
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
