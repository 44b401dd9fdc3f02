/**
 * CSAT survey tokens: `c1.<tenant>.<ticket>.<expiry>.<nonce>.<signature>`, HMAC-SHA256 under
 * the tenant's own key. The token names its tenant (a public link carries no credential),
 * so the key to check it can be found; everything before the signature is signed, so
 * neither the ticket nor the expiry can be changed. Pure: no database, no clock.
 *
 * Compact, because a path parameter is at most 100 characters: ids (UUIDs) as 22
 * base64url characters, the expiry in base 36, a 6-byte nonce, the MAC cut to 128 bits.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a token says. */
export interface CsatClaims {
  tenantId: string;
  ticketId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const VERSION = 'c1';
const COMPACT_ID = /^[A-Za-z0-9_-]{22}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const mac = (key: Buffer, body: string): string => createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');

/** A UUID in 22 characters. */
function compact(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a UUID: ${id}`);
  return Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The UUID back; undefined when the text does not spell 16 bytes canonically. */
function expand(text: string): string | undefined {
  if (!COMPACT_ID.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== 16 || bytes.toString('base64url') !== text) return undefined;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A fresh token for `claims`, signed with `key`. */
export function signCsatToken(key: Buffer, claims: CsatClaims): string {
  const body = [VERSION, compact(claims.tenantId), compact(claims.ticketId), claims.expiresAt.toString(36), randomBytes(6).toString('base64url')].join('.');
  return `${body}.${mac(key, body)}`;
}

/** The claims a token states, unverified (to find the key), or undefined when it is not a token. */
export function readCsatToken(token: string): CsatClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 6 || parts[0] !== VERSION) return undefined;
  const [, tenant, ticket, expiry] = parts as [string, string, string, string];
  const tenantId = expand(tenant);
  const ticketId = expand(ticket);
  const expiresAt = parseInt(expiry, 36);
  if (!tenantId || !ticketId || !/^[0-9a-z]{1,12}$/.test(expiry) || !Number.isSafeInteger(expiresAt)) return undefined;
  return { tenantId, ticketId, expiresAt };
}

/** Whether `token` carries a valid signature under `key` (constant-time comparison). */
export function verifyCsatToken(key: Buffer, token: string): boolean {
  const cut = token.lastIndexOf('.');
  if (cut < 0) return false;
  // Compared as text: decoding base64url would accept another spelling of the same bytes.
  const given = Buffer.from(token.slice(cut + 1));
  const expected = Buffer.from(mac(key, token.slice(0, cut)));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What the database keeps of a token: its SHA-256, never the token itself. */
export function csatTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random key for a tenant. */
export function newCsatKey(): string {
  return randomBytes(32).toString('base64url');
}
