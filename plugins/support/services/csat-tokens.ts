/**
 * CSAT survey tokens: `c1.<tenant>.<ticket>.<expiry>.<nonce>.<signature>`, HMAC-SHA256 under
 * the tenant's own key. The token names its tenant (a public link carries no credential),
 * so the key to check it can be found; everything before the signature is signed, so
 * neither the ticket nor the expiry can be changed (checked with core's `verifyLinkToken`).
 * Pure: no database, no clock.
 *
 * Built on core's signed links (UUIDs in 22 characters, the MAC cut to 128 bits); the
 * expiry is in base 36 and a 6-byte nonce makes each link distinct.
 */
import { createHash, randomBytes } from 'node:crypto';
import { compactLinkId, expandLinkId, signLinkToken } from '../../../core/plugin/index.js';

/** What a token says. */
export interface CsatClaims {
  tenantId: string;
  ticketId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const VERSION = 'c1';

/** A fresh token for `claims`, signed with `key`. */
export function signCsatToken(key: Buffer, claims: CsatClaims): string {
  return signLinkToken(key, [VERSION, compactLinkId(claims.tenantId), compactLinkId(claims.ticketId), claims.expiresAt.toString(36), randomBytes(6).toString('base64url')]);
}

/** The claims a token states, unverified (to find the key), or undefined when it is not a token. */
export function readCsatToken(token: string): CsatClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 6 || parts[0] !== VERSION) return undefined;
  const [, tenant, ticket, expiry] = parts as [string, string, string, string];
  const tenantId = expandLinkId(tenant);
  const ticketId = expandLinkId(ticket);
  const expiresAt = parseInt(expiry, 36);
  if (!tenantId || !ticketId || !/^[0-9a-z]{1,12}$/.test(expiry) || !Number.isSafeInteger(expiresAt)) return undefined;
  return { tenantId, ticketId, expiresAt };
}

/** What the database keeps of a token: its SHA-256, never the token itself. */
export function csatTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
