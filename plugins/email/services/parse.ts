/**
 * Raw mail → what Peyvand stores. mailparser decodes MIME and declared charsets (through
 * iconv-lite, windows-1256 and ISO-8859-6 included); Persian mail that is mislabelled (a
 * UTF-8 label on windows-1256 bytes, no label on 8-bit text, a Latin-1 label on Arabic
 * script) is decoded again as windows-1256 when the declared charset gives replacement
 * characters or Latin-1 gibberish, and kept so only when that gives Arabic script; text
 * that neither decoding makes readable is refused as `undecodable`, like mail without a
 * sender (`no_sender`) or with a broken MIME structure (`broken_mime`), for the quarantine.
 * What is stored is NFC (see `textNormalizer` for Persian out of legacy code pages).
 */
import type { AddressObject, ParsedMail } from 'mailparser';

/** A parsed inbound message. */
export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: { address: string; name: string } | null;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  date: Date | null;
  headers: Map<string, unknown>;
  attachments: Array<{ filename: string; contentType: string; content: Buffer; related: boolean }>;
  /** The raw parse, for bounce reports. */
  parsed: ParsedMail;
}

/** Why a message cannot be ingested. */
export type QuarantineReason = 'no_sender' | 'broken_mime' | 'undecodable' | 'unparseable';

/** A parse that failed, with its reason. */
export class UnreadableMail extends Error {
  constructor(readonly reason: QuarantineReason) {
    super(`unreadable mail: ${reason}`);
  }
}

const LATIN1_GIBBERISH = /[\u00c0-\u00ff]{3,}/;
const ARABIC_SCRIPT = /[\u0600-\u06ff]/;

/** Parses raw mail; with `lenient`, refusals become best-effort values (quarantine release). */
export async function parseEmail(raw: Buffer, lenient = false): Promise<ParsedEmail> {
  // Loaded with the first mail, not with the plugin (see transports.ts).
  const { simpleParser } = await import('mailparser');
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch {
    if (!lenient) throw new UnreadableMail('unparseable');
    parsed = await simpleParser(Buffer.from(raw.toString('latin1').replace(/\r?\n\r?\n[\s\S]*$/, '\r\n\r\n'), 'latin1'));
  }
  let legacyArabic = LEGACY_ARABIC_LABEL.test(raw.toString('latin1'));
  if (needsWindows1256(parsed, raw)) {
    const reparsed = await simpleParser(relabel(raw), { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true }).catch(() => null);
    if (reparsed && !hasReplacement(reparsed) && ARABIC_SCRIPT.test(`${reparsed.text ?? ''}${typeof reparsed.html === 'string' ? reparsed.html : ''}`)) {
      parsed = reparsed;
      legacyArabic = true;
    }
  }
  const from = firstAddress(parsed.from);
  if (!lenient) {
    if (!from) throw new UnreadableMail('no_sender');
    if (brokenMime(parsed, raw)) throw new UnreadableMail('broken_mime');
    if (hasReplacement(parsed)) throw new UnreadableMail('undecodable');
  }
  const normalize = textNormalizer(legacyArabic && PERSIAN_ONLY.test(`${parsed.subject ?? ''}${parsed.text ?? ''}${typeof parsed.html === 'string' ? parsed.html : ''}`));
  const refs = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  return {
    messageId: parsed.messageId ? strip(parsed.messageId) : null,
    inReplyTo: parsed.inReplyTo ? strip(parsed.inReplyTo.split(/\s+/)[0] ?? '') : null,
    references: refs.flatMap((r) => r.split(/\s+/)).filter(Boolean).map(strip),
    from: from && { address: from.address, name: normalize(from.name) },
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: normalize(parsed.subject ?? '').trim(),
    text: normalize(parsed.text ?? ''),
    html: typeof parsed.html === 'string' ? normalize(parsed.html) : null,
    date: parsed.date ?? null,
    headers: parsed.headers,
    attachments: parsed.attachments
      .filter((a) => !/^message\/(delivery-status|rfc822)$|^text\/rfc822-headers$/.test(a.contentType))
      .map((a) => ({ filename: a.filename ?? 'attachment', contentType: a.contentType || 'application/octet-stream', content: a.content, related: a.related === true })),
    parsed,
  };
}

/** A windows-1256 or ISO-8859-6 label, on a part or in an encoded word. */
const LEGACY_ARABIC_LABEL = /charset\s*=\s*"?(?:windows-1256|cp-?1256|iso-8859-6|iso_8859-6|arabic)\b|=\?(?:windows-1256|cp-?1256|iso-8859-6)\?/i;
/** Letters Persian has and Arabic does not: پ چ ژ گ ک ی. */
const PERSIAN_ONLY = /[\u067e\u0686\u0698\u06af\u06a9\u06cc]/;

/**
 * Stored text is Unicode NFC. Persian written in a legacy Arabic code page could only be
 * written with the Arabic yeh and kaf (windows-1256 has no Persian yeh, ISO-8859-6 neither
 * letter); when the text shows itself Persian (it has پ چ ژ گ ک or ی), they become the
 * Persian letters the writer typed. Arabic mail, and any UTF-8 mail, keeps its letters.
 */
function textNormalizer(persianFromLegacy: boolean): (s: string) => string {
  return (s) => {
    const nfc = s.normalize('NFC');
    return persianFromLegacy ? nfc.replace(/[\u064a\u0649]/g, '\u06cc').replace(/\u0643/g, '\u06a9') : nfc;
  };
}

const strip = (id: string) => id.trim().replace(/^<|>$/g, '');

function firstAddress(a: AddressObject | AddressObject[] | undefined): { address: string; name: string } | null {
  const list = (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value);
  const first = list.find((v) => v.address && /@/.test(v.address));
  return first?.address ? { address: first.address.toLowerCase(), name: first.name ?? '' } : null;
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value).map((v) => (v.address ?? '').toLowerCase()).filter(Boolean);
}

function hasReplacement(p: ParsedMail): boolean {
  return /\ufffd/.test(`${p.text ?? ''}${typeof p.html === 'string' ? p.html : ''}`);
}

/** The declared decoding went wrong in a way windows-1256 typically fixes. */
function needsWindows1256(p: ParsedMail, raw: Buffer): boolean {
  const body = `${p.text ?? ''}${typeof p.html === 'string' ? p.html : ''}`;
  if (hasReplacement(p)) return true;
  if (ARABIC_SCRIPT.test(body)) return false;
  const undeclared = !/charset\s*=/i.test(raw.toString('latin1')) && raw.some((b) => b >= 0x80);
  return undeclared || LATIN1_GIBBERISH.test(body);
}

/** The raw message with every declared text charset (or none) replaced by windows-1256. */
function relabel(raw: Buffer): Buffer {
  let s = raw.toString('latin1');
  if (/charset\s*=/i.test(s)) s = s.replace(/charset\s*=\s*"?[A-Za-z0-9_.:-]+"?/gi, 'charset="windows-1256"');
  else s = s.replace(/^(content-type:\s*text\/[a-z]+)/im, '$1; charset="windows-1256"');
  if (!/^content-type:/im.test(s.split(/\r?\n\r?\n/)[0] ?? '')) s = s.replace(/\r?\n\r?\n/, '\r\nContent-Type: text/plain; charset="windows-1256"\r\n\r\n');
  return Buffer.from(s, 'latin1');
}

/** A multipart message whose boundary never appears, or with no part at all. */
function brokenMime(p: ParsedMail, raw: Buffer): boolean {
  const type = p.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (!type?.value?.startsWith('multipart/')) return false;
  const boundary = type.params?.boundary;
  if (!boundary) return true;
  return !raw.includes(Buffer.from(`--${boundary}`));
}
