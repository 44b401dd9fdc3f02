/**
 * The `Peyvand-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The key is the secret string's UTF-8 bytes exactly as shown at creation (not base64-decoded).
 * The timestamp is inside the MAC, so a captured request cannot be replayed later with a
 * fresh `t`; receivers reject old timestamps.
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Generates a webhook secret: 32 random bytes, base64url (43 characters). */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Hex HMAC-SHA256 of `"<t>.<body>"`, over the exact body bytes. */
export function signatureOf(secret: string, timestamp: number, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
}

/** The header value for a body sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: Buffer): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/**
 * Verifies a `Peyvand-Signature` header the way a receiver should: recompute over the
 * raw body, compare in constant time, refuse timestamps further than `toleranceSeconds`
 * from `now`. Several `v1=` entries are accepted (room for a secret rotation).
 */
export function verifySignature(header: string, secret: string, body: Buffer, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureOf(secret, t, body), 'hex');
  return parts.some(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, 'hex'), expected));
}
