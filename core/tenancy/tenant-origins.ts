/**
 * Which tenant allows which browser origin, as a plain indexed table (`tenant_origins`).
 * The embed configuration itself is sealed (it holds the HS256 secret), so asking "does
 * some tenant allow this origin?" of it means opening every tenant's config; a preflight,
 * a 401 and the public web-to-lead route ask exactly that. The table answers it with one
 * primary-key lookup. It is written in the transaction that saves the embed config, so
 * every node reading the database sees both change together: there is no cache to expire.
 */
import type { Database, Executor } from '../db/database.js';

import type { TenantOriginRow } from './tenant-rows.js';

/** Longest origin a tenant may allow (the column's size, and the admin route's limit). */
export const MAX_ORIGIN_LENGTH = 300;

/**
 * `value` if it is an origin exactly as a browser sends it in `Origin` (`https://host[:port]`,
 * lower-case host, no default port, no path), otherwise undefined. The embed route accepts
 * only such origins, so stored ones compare byte for byte with what browsers send.
 */
export function canonicalOrigin(value: string): string | undefined {
  if (value.length > MAX_ORIGIN_LENGTH || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value ? value : undefined;
}

/** The origin rows of one tenant: its canonical origins, each once. */
export function originRows(tenantId: string, origins: readonly string[]): TenantOriginRow[] {
  const canonical = new Set(origins.filter((o) => canonicalOrigin(o) !== undefined));
  return [...canonical].map((origin) => ({ origin, tenant_id: tenantId }));
}

/** The `tenant_origins` index. */
export class TenantOrigins {
  private readonly table: string;

  constructor(private readonly db: Database) {
    this.table = db.table('tenant_origins');
  }

  /**
   * Makes `origins` the tenant's allowed origins, in the caller's transaction. The caller
   * must have written the tenant's row first in that transaction: its row lock makes two
   * saves of one tenant take turns, so the rows left are those of the save committed last.
   */
  async replace(trx: Executor, tenantId: string, origins: readonly string[]): Promise<void> {
    await this.db.rows('tenant_origins', trx).where({ tenant_id: tenantId }).delete();
    await this.db.insertRows('tenant_origins', trx, originRows(tenantId, origins));
  }

  /** Whether any tenant allows `origin` (compared exactly: browsers send canonical origins). */
  async allowedBySomeTenant(origin: string): Promise<boolean> {
    if (canonicalOrigin(origin) === undefined) return false;
    const row = await this.db.rows('tenant_origins').where({ origin }).first('origin');
    // Exact whatever the column's collation (MySQL's default one ignores case).
    return row?.origin === origin;
  }
}
