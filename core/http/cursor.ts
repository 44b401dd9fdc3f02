/** Opaque cursors: base64url JSON arrays of the sort key of the last item seen. */
import { coreError } from '../errors.js';

/** Encodes a sort key as an opaque cursor. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor; a tampered or foreign one is a 400 `BAD_CURSOR`. */
export function decodeCursor(cursor: string): Array<string | number> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((v) => typeof v === 'string' || typeof v === 'number')) return parsed;
  } catch {
    // fall through to the coded error
  }
  throw coreError('BAD_CURSOR');
}
