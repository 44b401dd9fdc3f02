/**
 * The shapes of a bulk customer upsert and how a batch is ordered: rows that touch the
 * same sync ref are applied one after the other, like consecutive `upsertByRef` calls.
 */
import type { FieldError } from '../plugin/errors.js';
import type { CustomerInput } from './customer-types.js';

/** One row of a bulk upsert: the customer `input` as the system `source` knows it by `externalId`. */
export interface ImportRow {
  source: string;
  externalId: string;
  input: CustomerInput;
}

/** What happened to one row; `invalid` carries the error code and field errors the API would answer with. */
export type ImportResult = { status: 'created' | 'updated' | 'unchanged'; id: string } | { status: 'invalid'; code: string; errors: FieldError[] };

/** The map key of an external ref. */
export function refKey(source: string, externalId: string): string {
  return `${source}\u0000${externalId}`;
}

/**
 * Splits rows into waves in which no two rows touch the same external ref (their sync ref
 * or one in `externalRefs`), keeping row order: a row goes to the wave after the last one
 * holding any of its refs, so it sees those rows as already written — as if each row were
 * its own `upsertByRef` call. Almost every batch is a single wave.
 */
export function planWaves<T extends { row: ImportRow }>(rows: readonly T[]): T[][] {
  const lastWave = new Map<string, number>();
  const waves: T[][] = [];
  for (const item of rows) {
    const keys = [refKey(item.row.source, item.row.externalId), ...(item.row.input.externalRefs ?? []).map((r) => refKey(r.source, r.id))];
    const wave = Math.max(0, ...keys.map((k) => (lastWave.get(k) ?? -1) + 1));
    for (const k of keys) lastWave.set(k, wave);
    (waves[wave] ??= []).push(item);
  }
  return waves;
}

const SOURCE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** The by-ref route's rules for `source` and `externalId`, as field errors (empty: valid). */
export function refErrors(source: string, externalId: string): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof source !== 'string' || !SOURCE.test(source)) errors.push({ path: '/source', message: `must match pattern "${SOURCE.source}"`, key: 'core:validation.pattern', params: { pattern: SOURCE.source } });
  if (typeof externalId !== 'string' || externalId.length < 1 || externalId.length > 128) errors.push({ path: '/externalId', message: 'must be 1 to 128 characters', key: 'core:validation.maxLength', params: { limit: 128 } });
  return errors;
}
