/**
 * Replay of a tenant's events from a cursor, oldest first. Only events below the
 * outbox's committed horizon are returned, so a consumer that polls with `after` never
 * skips an event committed late by a concurrent transaction (see `committedPrefix`).
 */
import type { Database } from '../db/database.js';
import { readInt } from '../db/database.js';
import { committedPrefix, DEFAULT_GAP_GRACE_MS, eventFromRow } from './outbox.js';
import { matchesEventPattern, type PeyvandEvent } from './types.js';

const SCAN = 500;

/** A page of replayed events and the position to continue from. */
export interface ReplayPage {
  items: PeyvandEvent[];
  /** The last outbox position examined (0 when nothing was). */
  position: number;
}

/** Reads up to `limit` events of a tenant after `after`, matching `patterns`. */
export async function replayEvents(db: Database, tenantId: string, after: number, patterns: readonly string[], limit: number, graceMs = DEFAULT_GAP_GRACE_MS): Promise<ReplayPage> {
  const outbox = db.table('outbox');
  // The horizon is global: other tenants' events fill the gaps of this one's.
  const ahead = await db.knex(outbox).select('seq', 'occurred_at').where('seq', '>', after).orderBy('seq').limit(SCAN * 10);
  const committed = committedPrefix(ahead, after, graceMs);
  const horizon = committed.length ? readInt(committed[committed.length - 1]!.seq) : after;
  const items: PeyvandEvent[] = [];
  let position = after;
  // Type filters with wildcards are applied in code; scan forward in bounded pages.
  for (let round = 0; round < 20 && items.length < limit && position < horizon; round++) {
    const rows = await db.knex(outbox).where('tenant_id', tenantId).andWhere('seq', '>', position).andWhere('seq', '<=', horizon).orderBy('seq').limit(SCAN);
    for (const row of rows) {
      position = readInt(row.seq);
      const event = eventFromRow(row);
      if (matchesEventPattern(event.type, patterns)) items.push(event);
      if (items.length >= limit) break;
    }
    if (rows.length < SCAN && items.length < limit) position = horizon;
  }
  return { items, position };
}
