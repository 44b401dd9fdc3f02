/**
 * A DKIM verifier for tests (RFC 6376, rsa-sha256, relaxed or simple canonicalization),
 * written on node:crypto so a signature is checked independently of the signer. The public
 * key comes from a TXT record the test supplies (`v=DKIM1; k=rsa; p=…`) in place of DNS.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

/** The outcome of verifying one DKIM-Signature header. */
export interface DkimResult {
  ok: boolean;
  /** Why it failed (absent when ok). */
  reason?: string;
  domain?: string;
  selector?: string;
  signedHeaders?: string[];
}

type Field = { name: string; raw: string };

/** Splits a raw message into header fields (folded lines kept) and the body. */
function split(raw: string): { fields: Field[]; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at + 2);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const fields: Field[] = [];
  for (const line of head.split(/(?<=\r\n)/)) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1]!.raw += line;
    else if (line.trim()) fields.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), raw: line });
  }
  return { fields, body };
}

function tags(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/[ \t\r\n]+/g, ''));
  }
  return out;
}

function relaxedHeader(field: Field): string {
  const value = field.raw.slice(field.raw.indexOf(':') + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim();
  return `${field.name}:${value}`;
}

function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.join('\r\n') + '\r\n' : '';
}

function simpleBody(body: string): string {
  const trimmed = body.replace(/(\r\n)*$/, '');
  return trimmed + '\r\n';
}

/** Verifies the first DKIM-Signature of `raw` with the key published in `txtRecord`. */
export function verifyDkim(raw: string | Buffer, txtRecord: string): DkimResult {
  const { fields, body } = split((Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8')).toString('latin1'));
  const sigField = fields.find((f) => f.name === 'dkim-signature');
  if (!sigField) return { ok: false, reason: 'no DKIM-Signature header' };
  const sig = tags(sigField.raw.slice(sigField.raw.indexOf(':') + 1));
  const domain = sig.get('d');
  const selector = sig.get('s');
  const signedHeaders = (sig.get('h') ?? '').toLowerCase().split(':').filter(Boolean);
  const base = { domain, selector, signedHeaders };
  if (sig.get('v') !== '1') return { ...base, ok: false, reason: 'v is not 1' };
  if (sig.get('a') !== 'rsa-sha256') return { ...base, ok: false, reason: `unsupported algorithm ${sig.get('a')}` };
  if (!signedHeaders.includes('from')) return { ...base, ok: false, reason: 'From is not signed' };
  const [headerCanon, bodyCanon = 'simple'] = (sig.get('c') ?? 'simple/simple').split('/');
  const canonicalBody = bodyCanon === 'relaxed' ? relaxedBody(body) : simpleBody(body);
  const bh = createHash('sha256').update(canonicalBody, 'latin1').digest('base64');
  if (bh !== sig.get('bh')) return { ...base, ok: false, reason: 'body hash mismatch' };
  // Each name in h= takes the next instance of that header from the bottom up.
  const used = new Map<string, number>();
  let data = '';
  for (const name of signedHeaders) {
    const instances = fields.filter((f) => f.name === name);
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    const field = instances[instances.length - 1 - n];
    if (!field) continue; // a name signed but absent is signed as absent
    data += headerCanon === 'relaxed' ? `${relaxedHeader(field)}\r\n` : field.raw;
  }
  const unsigned: Field = { name: sigField.name, raw: sigField.raw.replace(/([:;][ \t\r\n]*b[ \t\r\n]*=)[^;]*/, '$1').replace(/\r\n$/, '') };
  data += headerCanon === 'relaxed' ? relaxedHeader(unsigned) : unsigned.raw;
  const record = tags(txtRecord);
  if (record.get('k') && record.get('k') !== 'rsa') return { ...base, ok: false, reason: 'key is not RSA' };
  const key = createPublicKey({ key: Buffer.from(record.get('p') ?? '', 'base64'), format: 'der', type: 'spki' });
  const ok = verify('sha256', Buffer.from(data, 'latin1'), key, Buffer.from(sig.get('b') ?? '', 'base64'));
  return ok ? { ...base, ok } : { ...base, ok, reason: 'signature does not verify' };
}
