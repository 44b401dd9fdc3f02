/**
 * How a customer write turns into the next version of the customer: input
 * normalization, JSON merge-patch, and which fields changed. Pure functions, shared by
 * the single writes (`CustomerService`) and the bulk import (`CustomerImportService`).
 */
import type { CustomerDto, CustomerInput, CustomerPatch } from './customer-types.js';

/** `input` with the sync ref `source`/`externalId` added to its external refs (once). */
export function withExternalRef(input: CustomerInput, source: string, externalId: string): CustomerInput {
  return { ...input, externalRefs: dedupeRefs([...(input.externalRefs ?? []), { source, id: externalId }]) };
}

/** Refs de-duplicated by source and id, first occurrence kept. */
export function dedupeRefs(refs: CustomerDto['externalRefs']): CustomerDto['externalRefs'] {
  const seen = new Map(refs.map((r) => [`${r.source}\u0000${r.id}`, r]));
  return [...seen.values()];
}

/** Fills defaults, trims and de-duplicates what the user sent. */
export function normalizeInput(input: CustomerInput): Omit<CustomerDto, 'id' | 'createdAt' | 'updatedAt' | 'version' | 'ownerId'> & { ownerId?: string } {
  const out: Omit<CustomerDto, 'id' | 'createdAt' | 'updatedAt' | 'version' | 'ownerId'> & { ownerId?: string } = {
    kind: input.kind,
    name: input.name.trim(),
    emails: input.emails ?? [],
    phones: input.phones ?? [],
    addresses: input.addresses ?? [],
    tags: [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))],
    customFields: input.customFields ?? {},
    externalRefs: dedupeRefs(input.externalRefs ?? []),
  };
  if (input.givenName) out.givenName = input.givenName;
  if (input.familyName) out.familyName = input.familyName;
  if (input.organizationId) out.organizationId = input.organizationId;
  if (input.locale) out.locale = input.locale;
  if (input.ownerId) out.ownerId = input.ownerId;
  return out;
}

/** RFC 7396 merge-patch of a customer: objects merge, arrays and scalars replace, null removes. */
export function mergePatch(before: CustomerDto, patch: CustomerPatch): CustomerDto {
  const next: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (key === 'emails' || key === 'phones' || key === 'addresses' || key === 'tags' || key === 'externalRefs') next[key] = [];
      else if (key === 'customFields') next[key] = {};
      else delete next[key];
    } else if (key === 'customFields') {
      next[key] = mergeObjects(before.customFields, value as Record<string, unknown>);
    } else {
      next[key] = value;
    }
  }
  const merged = next as unknown as CustomerDto;
  return { ...merged, ...normalizeInput(merged as unknown as CustomerInput), ownerId: merged.ownerId } as CustomerDto;
}

function mergeObjects(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null && !Array.isArray(out[k])) out[k] = mergeObjects(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

const COMPARED: ReadonlyArray<keyof CustomerDto> = ['kind', 'name', 'givenName', 'familyName', 'organizationId', 'emails', 'phones', 'addresses', 'tags', 'locale', 'ownerId', 'customFields', 'externalRefs'];

/** The writable fields that differ between two versions of a customer (empty: nothing to write). */
export function changedFields(a: CustomerDto, b: CustomerDto): string[] {
  return COMPARED.filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null));
}
