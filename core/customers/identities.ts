/**
 * Derived keys of a customer: identities for duplicate detection (normalized email,
 * phone and name) and the token fields of the search index. Derived on every write
 * from what the user typed, which is stored untouched.
 */
import { normalizeEmail, normalizeSearchText, searchTokens } from '../plugin/persian/normalize.js';
import { normalizePhone, phoneSearchKeys } from '../plugin/persian/phone.js';
import type { CustomerDto } from './customer-types.js';

/** A dedup key. */
export interface Identity {
  kind: 'email' | 'phone' | 'name';
  value: string;
}

/** Dedup keys of a customer. */
export function identitiesOf(c: Pick<CustomerDto, 'name' | 'emails' | 'phones'>): Identity[] {
  const out = new Map<string, Identity>();
  const add = (kind: Identity['kind'], value: string | null): void => {
    if (value) out.set(`${kind}:${value}`, { kind, value: value.slice(0, 190) });
  };
  add('name', normalizeSearchText(c.name));
  for (const e of c.emails) add('email', normalizeEmail(e.value));
  for (const p of c.phones) add('phone', normalizePhone(p.value));
  return [...out.values()];
}

/** Token fields for the search index: one list per name, email and phone. */
export function searchFieldsOf(c: Pick<CustomerDto, 'name' | 'givenName' | 'familyName' | 'emails' | 'phones'>): string[][] {
  const fields: string[][] = [searchTokens(c.name)];
  if (c.givenName) fields.push(searchTokens(c.givenName));
  if (c.familyName) fields.push(searchTokens(c.familyName));
  for (const e of c.emails) fields.push(searchTokens(e.value));
  for (const p of c.phones) for (const key of phoneSearchKeys(p.value)) fields.push([key]);
  return fields.filter((f) => f.length > 0);
}

/**
 * Query tokens for `q`. A query that is a phone number in any notation becomes its
 * canonical key, so `+98 912 345 6789` and `۰۹۱۲۳۴۵۶۷۸۹` find the same customer.
 */
export function queryTokensOf(q: string): string[] {
  const compact = q.replace(/[\s\-().]/g, '');
  if (/^[+0-9۰-۹٠-٩]{4,}$/.test(compact)) {
    const phone = normalizePhone(q);
    if (phone) return [phone.replace(/^\+/, '')];
  }
  return searchTokens(q);
}
