/**
 * API key format, generation and verification. Pure crypto: storing the key row,
 * looking it up by `keyId` and revoking it belong to the callers.
 *
 * A key reads `pvk_<keyId>_<secret>`:
 * - `pvk_` makes leaked keys recognizable to secret scanners and to humans;
 * - `keyId` (12 lowercase hex chars, 48 random bits) is stored in clear and indexed, so a
 *   request finds its key row in one lookup without touching the secret;
 * - `secret` (32 random bytes, base64url, 43 chars) is never stored, only its hash.
 *
 * @module
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix every API key starts with. */
export const API_KEY_PREFIX = 'pvk_';

/** A freshly generated API key; `token` is shown to the user once, `hash` is stored. */
export interface GeneratedApiKey {
  /** Public identifier, stored in clear and used to find the key row. */
  keyId: string;
  /** The secret part; never stored. */
  secret: string;
  /** The full bearer token, `pvk_<keyId>_<secret>`. */
  token: string;
  /** Hex SHA-256 of `secret`, the only form of the secret that is stored. */
  hash: string;
}

const KEY_ID_BYTES = 6; // 12 hex chars
const SECRET_BYTES = 32; // 43 base64url chars, no padding
// The secret alphabet contains `_`, so the format is parsed by fixed lengths, not by splitting.
// 43 base64url characters hold 258 bits; the canonical encoding of 32 bytes leaves the last
// 2 zero, so the last character is one of the 16 whose low 2 bits are zero. Checking that
// here keeps exactly one spelling per secret without decoding and re-encoding it.
const TOKEN_RE = /^pvk_([0-9a-f]{12})_([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/;
const HASH_RE = /^[0-9a-f]{64}$/;

/**
 * Hashes an API key secret for storage.
 *
 * A fast hash (SHA-256) is the standard choice here: the secret carries 256 bits of
 * randomness, so nobody can brute-force it from the hash, and slow password KDFs
 * (bcrypt, scrypt, argon2) only defend low-entropy human passwords. Using one would
 * add tens of milliseconds to every API request for no security gain.
 */
export function hashApiKeySecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Generates a new API key with a random key id and secret. */
export function generateApiKey(): GeneratedApiKey {
  const keyId = randomBytes(KEY_ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { keyId, secret, token: `${API_KEY_PREFIX}${keyId}_${secret}`, hash: hashApiKeySecret(secret) };
}

/**
 * Splits a bearer token into key id and secret, or returns `null` when it is not an API
 * key of exactly our format. Strict on purpose: anything else (a JWT, the admin key, a
 * mangled copy-paste) must fall through to the other credential kinds or be refused,
 * never be half-parsed.
 */
export function parseApiKey(token: string): { keyId: string; secret: string } | null {
  if (typeof token !== 'string') return null;
  const match = TOKEN_RE.exec(token);
  if (!match) return null;
  const keyId = match[1];
  const secret = match[2];
  if (keyId === undefined || secret === undefined) return null;
  return { keyId, secret };
}

/**
 * Checks a presented secret against the stored hash in constant time.
 *
 * Both sides are 32-byte digests before comparison, so `timingSafeEqual` always sees
 * equal lengths and the time taken does not depend on the presented secret. A malformed
 * stored hash is compared against a zero buffer (and then refused) rather than returned
 * early, so a broken row does not behave observably differently from a wrong secret.
 */
export function verifyApiKeySecret(secret: string, storedHash: string): boolean {
  // One-shot `hash`: no Hash object per request (this runs on every API request).
  const presented = hash('sha256', String(secret), 'buffer');
  const wellFormed = typeof storedHash === 'string' && HASH_RE.test(storedHash);
  const expected = wellFormed ? Buffer.from(storedHash, 'hex') : Buffer.alloc(presented.length);
  const equal = timingSafeEqual(presented, expected);
  return equal && wellFormed;
}
