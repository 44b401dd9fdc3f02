/**
 * Per-field ownership: which system wins when the ERP and the CRM disagree on a field.
 *
 * Each field is compared three ways: the ERP's new value, the CRM's current value, and
 * the base — the ERP value the last sync applied (none for a record seen the first time
 * that matched an existing CRM customer). The base tells an ERP change from a CRM edit:
 *
 * | ERP changed | CRM edited | `erp`            | `crm`            | `newest`               |
 * |---|---|---|---|---|
 * | yes | no  | take ERP         | keep CRM, conflict | take ERP             |
 * | no  | yes | take ERP, conflict | keep CRM       | keep CRM               |
 * | yes | yes | take ERP, conflict | keep CRM, conflict | newer side, conflict |
 *
 * A conflict is logged as a run issue; it never stops the record.
 *
 * @module
 */
import { normalizeEmail, normalizeSearchText } from '../plugin/persian/normalize.js';
import { normalizePhone } from '../plugin/persian/phone.js';

/** Who wins a field. */
export type FieldOwner = 'erp' | 'crm' | 'newest';

/** Ownership rules per entity: one owner for the whole entity, or a default and per-field owners (from the route schema). */
export type { FieldOwnership } from './erp-schemas.js';

/** How one field was settled. */
export interface FieldDecision<T> {
  value: T;
  /** Set when both sides had a say and one lost. */
  conflict?: { winner: 'erp' | 'crm'; erpValue: T; crmValue: T };
}

/** Values are compared by their JSON form (arrays of labelled values, addresses). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

type LabeledList = ReadonlyArray<{ value: string }> | undefined;
const keyList = (list: unknown, key: (v: string) => string | null): string => JSON.stringify(((list ?? []) as LabeledList ?? []).map((x) => key(x.value) ?? x.value));

/**
 * Whether two values of a customer field mean the same: names compared by their Persian
 * search form («علي كريمي» = «علی کریمی»), phones by their canonical number
 * (`۰۹۱۲ ۳۴۵ ۶۷۸۹` = `09123456789`), emails case-folded; other fields by JSON.
 * Equivalent values are no conflict and cause no write: what the staff typed is kept.
 */
export function equivalentCustomerValue(field: string, a: unknown, b: unknown): boolean {
  if (sameValue(a, b)) return true;
  if ((field === 'name' || field === 'givenName' || field === 'familyName') && typeof a === 'string' && typeof b === 'string') return normalizeSearchText(a) === normalizeSearchText(b);
  if (field === 'phones') return keyList(a, normalizePhone) === keyList(b, normalizePhone);
  if (field === 'emails') return keyList(a, normalizeEmail) === keyList(b, normalizeEmail);
  return false;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * Settles one field.
 * @param erpValue the ERP's value now
 * @param crmValue the CRM's value now
 * @param base the ERP value last applied; `undefined` when the record was never synced
 *   (then a CRM value counts as a CRM edit)
 * @param erpIsNewer whether the ERP's record changed after the CRM's (for `newest`)
 * @param same when two values count as equal (see {@link equivalentCustomerValue})
 */
export function settleField<T>(owner: FieldOwner, erpValue: T, crmValue: T, base: T | undefined, hasBase: boolean, erpIsNewer: boolean, same: (a: unknown, b: unknown) => boolean = sameValue): FieldDecision<T> {
  if (same(erpValue, crmValue)) return { value: crmValue };
  // Nothing in the CRM to lose: the ERP fills it whoever owns the field.
  if (isEmpty(crmValue)) return { value: erpValue };
  const erpChanged = !hasBase || !same(erpValue, base);
  const crmEdited = !hasBase || !same(crmValue, base);
  const takeErp = (conflict: boolean): FieldDecision<T> => ({ value: erpValue, ...(conflict && { conflict: { winner: 'erp', erpValue, crmValue } }) });
  const keepCrm = (conflict: boolean): FieldDecision<T> => ({ value: crmValue, ...(conflict && { conflict: { winner: 'crm', erpValue, crmValue } }) });
  if (!crmEdited) return owner === 'crm' ? keepCrm(true) : takeErp(false);
  if (!erpChanged) return owner === 'erp' ? takeErp(true) : keepCrm(false);
  if (owner === 'erp') return takeErp(true);
  if (owner === 'crm') return keepCrm(true);
  return erpIsNewer ? takeErp(true) : keepCrm(true);
}
