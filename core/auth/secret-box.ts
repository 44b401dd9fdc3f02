/**
 * Authenticated encryption of credentials Peyvand must store in a usable form (tenant
 * embed HS256 secrets now; SMTP/IMAP/ERP passwords later). Unlike API keys these cannot
 * be hashed: Peyvand needs the plaintext back to sign, verify or log in with it.
 *
 * AES-256-GCM with a key derived from `PEYVAND_SECRET`. A database dump alone therefore
 * does not reveal the credentials; the operator's secret is needed too.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBox } from '../plugin/services.js';

export type { SecretBox } from '../plugin/services.js';

/** Minimum length of `PEYVAND_SECRET`, in characters. */
export const MIN_SECRET_LENGTH = 32;

const VERSION = 'v1';
// Fixed info string: binds the derived key to this purpose and format version, so the
// same PEYVAND_SECRET can feed other derivations without their keys colliding.
const HKDF_INFO = 'peyvand secret-box v1';
const IV_BYTES = 12; // the GCM-recommended nonce size
const TAG_BYTES = 16;
const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/** Decodes a base64url segment, refusing anything not in canonical form. */
function decodePart(part: string | undefined): Buffer | null {
  if (part === undefined || !B64URL_RE.test(part)) return null;
  const bytes = Buffer.from(part, 'base64url');
  // Node's decoder silently skips junk; re-encoding catches non-canonical input.
  return bytes.toString('base64url') === part ? bytes : null;
}

/**
 * Creates a {@link SecretBox} keyed from `secret` (normally `PEYVAND_SECRET`).
 * Throws when the secret is shorter than {@link MIN_SECRET_LENGTH} characters, because a
 * short operator secret would make every stored credential guessable offline.
 */
export function createSecretBox(secret: string): SecretBox {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`secret-box: the secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  // HKDF rather than using the secret directly: the operator secret is an arbitrary
  // string, the cipher needs exactly 32 uniformly random bytes. An empty salt is fine
  // (RFC 5869 §3.1) as the input is already high-entropy key material.
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), HKDF_INFO, 32));

  return {
    seal(plain: string): string {
      // A fresh random IV per seal: reusing an IV under one GCM key breaks both
      // confidentiality and integrity. 96 random bits keep collisions negligible for
      // the volume of credentials a deployment stores.
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv, ciphertext, tag].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },

    open(sealed: string): string {
      // One message for every failure: telling "bad tag" from "bad format" helps no caller
      // and the sealed value itself must never end up in logs.
      const fail = (): never => {
        throw new Error('secret-box: cannot open sealed value (malformed, tampered or wrong secret)');
      };
      if (typeof sealed !== 'string') return fail();
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) return fail();
      const iv = decodePart(parts[1]);
      const ciphertext = decodePart(parts[2]);
      const tag = decodePart(parts[3]);
      if (!iv || !ciphertext || !tag || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return fail();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tag);
        // final() verifies the tag; nothing is returned before it has.
        const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
        return plain.toString('utf8');
      } catch {
        return fail();
      }
    },
  };
}

/**
 * Generates a new random secret (32 bytes, base64url: 43 characters), suitable for
 * `PEYVAND_SECRET`; `npm start` uses it to create one on first run.
 */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
