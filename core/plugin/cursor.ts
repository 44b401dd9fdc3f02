/** Opaque cursors: base64url JSON arrays of the sort key of the last item seen. */
import { coreError } from './errors.js';

/** Encodes a sort key as an opaque cursor. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Decodes a cursor; a tampered or foreign one is a 400 `BAD_CURSOR`. With `shape`, the
 * cursor must hold exactly those types: a well-formed cursor of another list must not
 * reach SQL as `NaN` or as a number compared with a text column. `integer` is a safe
 * integer, for keys on integer columns (times in ms, sequence numbers): `1e300` there is
 * out of range for PostgreSQL's bigint, an error rather than an empty page.
 */
export function decodeCursor(cursor: string, shape?: ReadonlyArray<'string' | 'number' | 'integer'>): Array<string | number> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // `1e309` is valid JSON and parses to Infinity: finite numbers only, shape or not.
    const fits = (v: unknown, i: number) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return false;
      if (!shape) return typeof v === 'string' || typeof v === 'number';
      return shape[i] === 'integer' ? Number.isSafeInteger(v) : typeof v === shape[i];
    };
    if (Array.isArray(parsed) && parsed.length > 0 && (!shape || parsed.length === shape.length) && parsed.every(fits)) return parsed;
  } catch {
    // fall through to the coded error
  }
  throw coreError('BAD_CURSOR');
}
