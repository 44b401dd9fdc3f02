/**
 * Signed public links: short tokens `<version>.<field>.….<mac>` that a plugin puts in a URL
 * for someone without a credential (a CSAT survey, an unsubscribe link). Every field before
 * the MAC is signed with HMAC-SHA256 under a key of the plugin's choosing (usually the
 * tenant's own, sealed in the database), so none can be changed. Compact, because a path
 * parameter is at most 100 characters: UUIDs as 22 base64url characters, the MAC cut to
 * 128 bits. Pure: no database, no clock.
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const COMPACT_ID = /^[A-Za-z0-9_-]{22}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const mac = (key: Buffer, body: string): string => createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');

/**
 * A UUID in 22 base64url characters, for a signed link's field.
 *
 * @throws Error when `id` is not a lower-case UUID.
 */
export function compactLinkId(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a UUID: ${id}`);
  return Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The UUID of a {@link compactLinkId} field; undefined when the text does not spell 16 bytes canonically. */
export function expandLinkId(text: string): string | undefined {
  if (!COMPACT_ID.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== 16 || bytes.toString('base64url') !== text) return undefined;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A token of `fields` (none may contain a dot) joined by dots, with their MAC under `key` appended. */
export function signLinkToken(key: Buffer, fields: readonly string[]): string {
  const body = fields.join('.');
  return `${body}.${mac(key, body)}`;
}

/** Whether `token` carries a valid MAC under `key` (constant-time comparison). */
export function verifyLinkToken(key: Buffer, token: string): boolean {
  const cut = token.lastIndexOf('.');
  if (cut < 0) return false;
  // Compared as text: decoding base64url would accept another spelling of the same bytes.
  const given = Buffer.from(token.slice(cut + 1));
  const expected = Buffer.from(mac(key, token.slice(0, cut)));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A new random link key (32 bytes, base64url), to seal and store per tenant. */
export function newLinkKey(): string {
  return randomBytes(32).toString('base64url');
}
