/** The customer shapes of the HTTP contract, as plugins see them through `ctx.customers`. */

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

/** Filters of the customer list. */
export interface CustomerListFilter {
  q?: string;
  tag?: string;
  ownerId?: string;
  /** Contacts of an organization. */
  organizationId?: string;
  limit: number;
  cursor?: string;
}
