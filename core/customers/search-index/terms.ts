/**
 * What every dialect of the customer search index agrees on: which terms a customer is
 * indexed under, what a query asks for, and how a tenant is folded into a term. Keeping
 * this in one place is what makes the three dialects answer the same query the same way.
 */

/**
 * Longest token kept, in code points. MySQL's token column is `varchar(191)` (191 × 4
 * bytes fits InnoDB's index key limit next to the ids); the other dialects cut at the same
 * length so a long token matches identically everywhere.
 */
export const MAX_TOKEN_CHARS = 191;

// NUL cannot be stored in PostgreSQL text, and a lone surrogate is not valid UTF-8 for
// any driver: neither can come from the caller's normalizer, so dropping them is safe.
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be matched
const UNSTORABLE = /\u0000|[\ud800-\udfff]/gu;

/** A token made storable on every dialect: unstorable characters dropped, length capped. */
export function cleanToken(raw: string): string {
  const chars = Array.from(String(raw).replace(UNSTORABLE, ''));
  return chars.length > MAX_TOKEN_CHARS ? chars.slice(0, MAX_TOKEN_CHARS).join('') : chars.join('');
}

/**
 * The terms one customer is indexed under: every token of every field, plus, within each
 * field, each adjacent pair glued together, so a query typed without the space («میدانم»)
 * finds a name stored with it («می دانم»). Pairs never cross fields: a name ending in «می»
 * and an email starting with «دانم» are not the word «میدانم».
 */
export function indexTerms(fields: readonly (readonly string[])[]): string[] {
  const terms = new Set<string>();
  for (const field of fields) {
    const tokens = field.map(cleanToken).filter((t) => t !== '');
    tokens.forEach((token, i) => {
      terms.add(token);
      const next = tokens[i + 1];
      if (next !== undefined) terms.add(cleanToken(token + next));
    });
  }
  return [...terms];
}

/** What a search asks: every token of `all` as a prefix, or else `joined` as one prefix. */
export interface QueryShape {
  /** Prefixes that must all match (each some term of the customer). */
  all: string[];
  /** All query tokens glued together, for «می دانم» → «میدانم»; null for one token. */
  joined: string | null;
}

/** The shape of a query, or null when nothing searchable is left (no filter at all). */
export function queryShape(queryTokens: readonly string[]): QueryShape | null {
  // An empty token would be a prefix of everything; dropping it keeps the query honest.
  const all = [...new Set(queryTokens.map(cleanToken).filter((t) => t !== ''))];
  if (all.length === 0) return null;
  const joined = all.length > 1 ? cleanToken(queryTokens.map(cleanToken).join('')) : null;
  return { all, joined };
}

/** Lower-case hexadecimal of the UTF-8 bytes of a string. */
export function hex(value: string): string {
  return Buffer.from(value, 'utf8').toString('hex');
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A tenant id as a run of `[0-9a-fx]` that term text can start with. Terms carry their
 * tenant so that a prefix lookup only ever walks that tenant's part of the index: a small
 * tenant is not slowed by a big one's terms, and no lookup can reach another tenant.
 * Canonical UUIDs lose their hyphens (32 hex digits); anything else becomes `x` + hex of
 * its bytes. The two forms cannot collide (only the second contains `x`), and neither
 * contains the separators the dialects put after the key (`z`, `:`).
 */
export function tenantKey(tenantId: string): string {
  return CANONICAL_UUID.test(tenantId) ? tenantId.replaceAll('-', '') : `x${hex(tenantId)}`;
}

/** The customer ids of entries, grouped by tenant (a batch usually holds one tenant). */
export function customersByTenant(entries: readonly { tenantId: string; customerId: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const list = out.get(e.tenantId);
    if (list) list.push(e.customerId);
    else out.set(e.tenantId, [e.customerId]);
  }
  return out;
}
