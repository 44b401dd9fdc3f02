/** Identifiers: UUIDv7 strings, time-ordered so primary-key order is creation order. */
import { v7 as uuidv7 } from 'uuid';

/** A new UUIDv7 string. */
export function newId(): string {
  return uuidv7();
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a string is a UUID in canonical lower-case form. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
