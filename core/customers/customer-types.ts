/** The customer shape of the HTTP contract, and its mapping from rows. */
import { readInt, readJson } from '../db/database.js';

/** An email or phone with an optional label. */
export interface LabeledValue {
  value: string;
  label?: string;
}

/** A postal address. */
export interface Address {
  line1: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

/** A reference to the same customer in another system (the ERP). */
export interface ExternalRef {
  source: string;
  id: string;
}

/** A customer as the API returns it. */
export interface CustomerDto {
  id: string;
  kind: 'person' | 'organization';
  name: string;
  givenName?: string;
  familyName?: string;
  organizationId?: string;
  emails: LabeledValue[];
  phones: LabeledValue[];
  addresses: Address[];
  tags: string[];
  locale?: string;
  ownerId?: string;
  customFields: Record<string, unknown>;
  externalRefs: ExternalRef[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Writable fields (create and full upsert). */
export interface CustomerInput {
  kind: 'person' | 'organization';
  name: string;
  givenName?: string | null;
  familyName?: string | null;
  organizationId?: string | null;
  emails?: LabeledValue[];
  phones?: LabeledValue[];
  addresses?: Address[];
  tags?: string[];
  locale?: string | null;
  ownerId?: string | null;
  customFields?: Record<string, unknown>;
  externalRefs?: ExternalRef[];
}

/** A JSON merge-patch of a customer: null removes an optional field. */
export type CustomerPatch = Partial<{ [K in keyof CustomerInput]: CustomerInput[K] | null }>;

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
  if (row.locale != null) dto.locale = String(row.locale);
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
