/**
 * DKIM per account: the settings are checked when saved (an RSA private key of at least
 * 1024 bits, RFC 8301, and a signing domain aligned with the From address so DMARC can
 * pass), and outbound mail is signed with nodemailer's signer (rsa-sha256,
 * relaxed/relaxed) before it is sent, so the copy in the Sent folder is the signed one.
 */
import { createPrivateKey } from 'node:crypto';
import type DKIMSigner from 'nodemailer/lib/dkim';
import type { SchemaType } from '../../../core/plugin/index.js';
import type { accountInputSchema, accountSchema } from '../schemas/email-schemas.js';
import { emailError } from '../errors.js';

/** DKIM settings as written by the API (the private key is write-only). */
export type DkimInput = NonNullable<SchemaType<typeof accountInputSchema>['dkim']>;

/** DKIM settings as the API shows them: the key only as `configured`. */
export type DkimDto = NonNullable<SchemaType<typeof accountSchema>['dkim']>;

/** DKIM settings with the key opened, for the sender only. */
export type DkimCredentials = DkimInput;

const MIN_RSA_BITS = 1024;

/** Normalizes and checks DKIM settings for an account sending as `address`; 422 when unusable. */
export function checkDkim(input: DkimInput, address: string): DkimInput {
  const domain = input.domain.trim().toLowerCase().replace(/\.$/, '');
  const selector = input.selector.trim().toLowerCase();
  const fromDomain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  // Relaxed DMARC alignment: the From domain or one of its parents.
  if (fromDomain !== domain && !fromDomain.endsWith(`.${domain}`)) throw emailError('DKIM_DOMAIN_MISMATCH', { domain, address }, [{ path: '/dkim/domain', message: `must be ${fromDomain} or a parent domain of it` }]);
  let bits = 0;
  try {
    const key = createPrivateKey(input.privateKey);
    if (key.asymmetricKeyType === 'rsa') bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  } catch {
    bits = -1;
  }
  if (bits < MIN_RSA_BITS) throw emailError('DKIM_KEY_INVALID', { minBits: MIN_RSA_BITS }, [{ path: '/dkim/privateKey', message: `an unencrypted PEM RSA private key of at least ${MIN_RSA_BITS} bits` }]);
  return { domain, selector, privateKey: input.privateKey.trim() };
}

/** Signs a composed message; resolves to the message with its DKIM-Signature header first. */
export async function signDkim(raw: Buffer, dkim: DkimCredentials): Promise<Buffer> {
  // Loaded with the first signed mail (see transports.ts).
  const { default: DKIM } = (await import('nodemailer/lib/dkim')) as { default: typeof DKIMSigner };
  const signer = new DKIM({ domainName: dkim.domain, keySelector: dkim.selector, privateKey: dkim.privateKey });
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(raw)) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
