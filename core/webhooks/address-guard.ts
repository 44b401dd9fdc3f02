/**
 * The SSRF guard of outgoing webhooks. A tenant chooses the URL, so without a guard any
 * tenant could make Peyvand POST to the cloud metadata service, the database's admin
 * port or anything else only the server can reach. Before every connection the host is
 * resolved once, every address is checked against the special-purpose ranges, and the
 * connection then goes to the address that was checked (never a second DNS answer, which
 * an attacker's DNS server could change in between: "DNS rebinding").
 *
 * The operator's allowlist (`PEYVAND_WEBHOOK_ALLOWLIST`) admits host names, addresses and
 * CIDR ranges that are private on purpose (an ERP on the same network; tests on 127.0.0.1).
 *
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { BootError } from '../plugin/errors.js';

/** One address as a byte array: 4 bytes for IPv4, 16 for IPv6. */
type IpBytes = number[];

interface Cidr {
  bytes: IpBytes;
  bits: number;
}

/** What the operator admits although it is private or loopback. */
export interface Allowlist {
  /** Exact host names (lower case, no trailing dot). */
  readonly hosts: ReadonlySet<string>;
  /** `*.corp.example` entries, stored as `.corp.example`. */
  readonly suffixes: readonly string[];
  /** Addresses and ranges (an address is a /32 or /128). */
  readonly ranges: readonly Cidr[];
}

/** Resolves a host name to all its addresses (injectable for tests). */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver: `dns.lookup` with every address, in the order the system returns them. */
export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** Why a URL may not be used; the `host` is safe to show the tenant (it is what they typed). */
export type TargetRefusal =
  | { kind: 'invalid'; reason: string }
  | { kind: 'insecure'; host: string }
  | { kind: 'forbidden'; host: string; address: string; range: string }
  | { kind: 'unresolvable'; host: string; reason: string };

/** A URL that passed the guard and the one address to connect to. */
export interface CheckedTarget {
  url: URL;
  /** The host name as the URL has it, without IPv6 brackets (for TLS SNI and `Host`). */
  host: string;
  address: string;
  family: 4 | 6;
}

/** The result of {@link checkTarget}. */
export type TargetCheck = { ok: true; target: CheckedTarget } | { ok: false; refusal: TargetRefusal };

function parseV4(text: string): IpBytes | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** Parses an IP address (no brackets; an IPv6 zone `%eth0` is ignored) into bytes. */
export function ipBytes(text: string): IpBytes | null {
  const address = text.split('%')[0] ?? '';
  const family = isIP(address);
  if (family === 4) return parseV4(address);
  if (family !== 6) return null;
  let s = address.toLowerCase();
  // A trailing dotted quad (::ffff:10.0.0.1) becomes two hex groups.
  const quadAt = s.lastIndexOf(':');
  if (s.includes('.')) {
    const quad = parseV4(s.slice(quadAt + 1));
    if (!quad) return null;
    s = `${s.slice(0, quadAt + 1)}${((quad[0]! << 8) | quad[1]!).toString(16)}:${((quad[2]! << 8) | quad[3]!).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  if (groups.length !== 8) return null;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function parseCidr(text: string): Cidr | null {
  const [address = '', bitsText] = text.split('/');
  const bytes = ipBytes(address.replace(/^\[|\]$/g, ''));
  if (!bytes) return null;
  const max = bytes.length * 8;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  return Number.isInteger(bits) && bits >= 0 && bits <= max ? { bytes, bits } : null;
}

function inCidr(bytes: IpBytes, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.bits; bit += 8) {
    const take = Math.min(8, cidr.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (cidr.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

const range = (cidr: string, label: string) => ({ cidr: parseCidr(cidr)!, label });

// Special-purpose ranges that are not the public internet (IANA registries), labelled
// for the attempt log. Order matters only for the label of overlapping ranges.
const FORBIDDEN_V4 = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'shared (CGNAT)'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'IETF protocol assignments'),
  range('192.0.2.0/24', 'documentation'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
];
const FORBIDDEN_V6 = [
  range('::1/128', 'loopback'),
  range('::/128', 'unspecified'),
  // IPv4-compatible (deprecated) addresses: nothing legitimate uses them.
  range('::/96', 'IPv4-compatible'),
  range('100::/64', 'discard'),
  // Teredo embeds an obfuscated IPv4 address; refusing the prefix is simpler than decoding it.
  range('2001::/32', 'Teredo'),
  range('2001:db8::/32', 'documentation'),
  range('fc00::/7', 'unique local (private)'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('ff00::/8', 'multicast'),
];
// IPv6 forms that carry an IPv4 address, which is checked as IPv4: mapped (::ffff:a.b.c.d),
// NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
const EMBEDDING = [
  { cidr: parseCidr('::ffff:0:0/96')!, at: 12 },
  { cidr: parseCidr('64:ff9b::/96')!, at: 12 },
  { cidr: parseCidr('2002::/16')!, at: 2 },
];

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), else the address itself. */
function unwrap(bytes: IpBytes): IpBytes {
  if (bytes.length !== 16) return bytes;
  const embedding = EMBEDDING.find((e) => inCidr(bytes, e.cidr));
  return embedding ? bytes.slice(embedding.at, embedding.at + 4) : bytes;
}

/**
 * The special-purpose range an address falls in (`loopback`, `private`, …), or `null`
 * for a public address. An unparseable address counts as forbidden.
 */
export function forbiddenRange(address: string): string | null {
  const parsed = ipBytes(address);
  if (!parsed) return 'not an IP address';
  const bytes = unwrap(parsed);
  const table = bytes.length === 4 ? FORBIDDEN_V4 : FORBIDDEN_V6;
  return table.find((r) => inCidr(bytes, r.cidr))?.label ?? null;
}

/**
 * Parses the allowlist: comma-separated host names (`erp.local`, `*.corp.example`), IP
 * addresses (`127.0.0.1`, `::1`, `[::1]`) and CIDR ranges (`10.20.0.0/16`, `fd00::/8`).
 * A malformed entry stops the boot: a typo must not silently admit nothing (or everything).
 */
export function parseAllowlist(input: string | readonly string[] | undefined): Allowlist {
  const entries = (typeof input === 'string' ? input.split(',') : (input ?? [])).map((e) => e.trim().toLowerCase()).filter(Boolean);
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const ranges: Cidr[] = [];
  for (const entry of entries) {
    const cidr = /^[\d.]+(\/\d+)?$|:/.test(entry) ? parseCidr(entry) : null;
    if (cidr) ranges.push(cidr);
    else if (/^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(entry) && !/^[\d.]+$/.test(entry)) {
      const host = entry.replace(/\.$/, '');
      if (host.startsWith('*.')) suffixes.push(host.slice(1));
      else hosts.add(host);
    } else {
      throw new BootError('CONFIG_INVALID', 'core', `PEYVAND_WEBHOOK_ALLOWLIST entry "${entry}" is neither a host name, an IP address nor a CIDR range`);
    }
  }
  return { hosts, suffixes, ranges };
}

function hostAdmitted(allowlist: Allowlist, host: string): boolean {
  return allowlist.hosts.has(host) || allowlist.suffixes.some((s) => host.endsWith(s));
}

function addressAdmitted(allowlist: Allowlist, address: string): boolean {
  const parsed = ipBytes(address);
  if (!parsed) return false;
  const candidates = [parsed, unwrap(parsed)];
  return allowlist.ranges.some((r) => candidates.some((bytes) => inCidr(bytes, r)));
}

/** Parses a webhook URL: http or https, no credentials, a host. */
export function parseWebhookUrl(raw: string): { ok: true; url: URL; host: string } | { ok: false; refusal: TargetRefusal } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, refusal: { kind: 'invalid', reason: 'not an absolute URL' } };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, refusal: { kind: 'invalid', reason: `scheme ${url.protocol.replace(/:$/, '')} is not http or https` } };
  // Credentials in the URL would be sent to whoever the URL names and shown in every GET.
  if (url.username || url.password) return { ok: false, refusal: { kind: 'invalid', reason: 'credentials in the URL are not allowed' } };
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (!host) return { ok: false, refusal: { kind: 'invalid', reason: 'no host' } };
  return { ok: true, url, host };
}

/**
 * Checks a webhook URL and picks the address to connect to. Every address the host
 * resolves to must be public or admitted: a host with one public and one private record
 * is refused, since the connection could otherwise be steered to the private one. Plain
 * `http` is accepted only for admitted hosts.
 */
export async function checkTarget(raw: string, allowlist: Allowlist, resolve: Resolver = systemResolver): Promise<TargetCheck> {
  const parsed = parseWebhookUrl(raw);
  if (!parsed.ok) return parsed;
  const { url, host } = parsed;
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      return { ok: false, refusal: { kind: 'unresolvable', host, reason: (err as NodeJS.ErrnoException).code ?? String(err) } };
    }
    if (addresses.length === 0) return { ok: false, refusal: { kind: 'unresolvable', host, reason: 'no address' } };
  }
  const byName = hostAdmitted(allowlist, host);
  for (const { address } of addresses) {
    const label = forbiddenRange(address);
    if (label && !byName && !addressAdmitted(allowlist, address)) return { ok: false, refusal: { kind: 'forbidden', host, address, range: label } };
  }
  if (url.protocol === 'http:' && !byName && !addresses.every(({ address }) => addressAdmitted(allowlist, address))) return { ok: false, refusal: { kind: 'insecure', host } };
  const first = addresses[0]!;
  return { ok: true, target: { url, host, address: first.address, family: first.family === 6 ? 6 : 4 } };
}

/** A refusal as one English line, for the attempt log and server logs. */
export function describeRefusal(refusal: TargetRefusal): string {
  switch (refusal.kind) {
    case 'invalid':
      return `invalid URL: ${refusal.reason}`;
    case 'insecure':
      return `plain http to ${refusal.host} is refused (https required unless allowlisted)`;
    case 'forbidden':
      // The resolved address stays out: the log is shown to the tenant, and what an
      // internal name resolves to is the operator's business.
      return `refused: ${refusal.host} is or resolves to a ${refusal.range} address`;
    case 'unresolvable':
      return `cannot resolve ${refusal.host}: ${refusal.reason}`;
  }
}
