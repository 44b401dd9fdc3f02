/**
 * Replay of a tenant's events from a cursor, oldest first.
 *
 * The cursor names the last event of *this tenant* that a page examined (its event id,
 * opaque), never an outbox position: outbox positions are global, so a cursor carrying
 * one would let a tenant count how many events the other tenants produce. The cursor
 * therefore moves only when the tenant's own events do.
 *
 * A late-committed event is never skipped: an event is returned only when every outbox
 * position before it is committed or a gap old enough to be a rolled-back transaction
 * (`committedPrefix`). Only gaps among recent rows need looking at, so the check reads
 * the young tail of the outbox below the tenant's newest candidate, however far behind
 * the cursor is.
 */
import type { Database } from '../db/database.js';
import { readInt } from '../db/database.js';
import type { OutboxRow } from '../db/rows/events.js';
import { isUuid } from '../plugin/ids.js';
import { coreError } from '../plugin/errors.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import { committedPrefix, DEFAULT_GAP_GRACE_MS, eventFromRow } from './outbox.js';
import { matchesEventPattern, type PeyvandEvent } from '../plugin/events.js';

/** Own rows read per query while looking for events of the wanted types. */
const SCAN = 500;
/** Own-row queries per page at most (types that match rarely). */
const ROUNDS = 20;
/** Outbox rows per query, and queries at most, when looking for young gaps. */
const TAIL_PAGE = 1000;
const TAIL_PAGES = 10;

/** A page of replayed events and the cursor to continue from. */
export interface ReplayPage {
  items: PeyvandEvent[];
  /** The cursor after this page; the same as the one given when nothing new was examined (null: nothing yet). */
  nextCursor: string | null;
}

/**
 * Reads up to `limit` events of a tenant after `cursor` (a `nextCursor` from an earlier
 * page; none: from the beginning), matching `patterns`. A cursor that is not one of this
 * tenant's is a 400 `BAD_CURSOR`, exactly like a malformed one.
 */
export async function replayEvents(db: Database, tenantId: string, cursor: string | undefined, patterns: readonly string[], limit: number, graceMs = DEFAULT_GAP_GRACE_MS): Promise<ReplayPage> {
  const start = cursor === undefined ? undefined : await eventOfCursor(db, tenantId, cursor);
  let position = start?.seq ?? 0;
  let lastId = start?.id;
  const items: PeyvandEvent[] = [];
  for (let round = 0; round < ROUNDS && items.length < limit; round++) {
    const own = await db.rows('outbox').where('tenant_id', tenantId).andWhere('seq', '>', position).orderBy('seq').limit(SCAN);
    if (own.length === 0) break;
    const horizon = await committedHorizon(db, position, own, graceMs);
    let held = false;
    for (const row of own) {
      const seq = readInt(row.seq);
      if (seq > horizon) {
        held = true;
        break;
      }
      position = seq;
      lastId = row.id;
      const event = eventFromRow(row);
      if (matchesEventPattern(event.type, patterns)) items.push(event);
      if (items.length >= limit) break;
    }
    if (held || own.length < SCAN) break;
  }
  return { items, nextCursor: lastId === undefined ? null : encodeCursor([lastId]) };
}

/** The tenant's event a cursor names, with its outbox position. */
async function eventOfCursor(db: Database, tenantId: string, cursor: string): Promise<{ id: string; seq: number }> {
  const [id] = decodeCursor(cursor, ['string']) as [string];
  if (!isUuid(id)) throw coreError('BAD_CURSOR');
  const row = await db.rows('outbox').where({ tenant_id: tenantId, id }).first('seq');
  if (!row) throw coreError('BAD_CURSOR');
  return { id, seq: readInt(row.seq) };
}

/**
 * The highest position up to the last of the tenant's rows `own` that a reader at `after`
 * may pass: every position in (`after`, horizon] is committed or an old gap.
 *
 * A gap is young only when the row after it is, so only the recent tail of the outbox
 * matters. The walk goes back from the last own row until it reaches `after` or a row
 * older than twice the grace period: below such a row every gap is old (rows are numbered
 * as they are written, so a lower position was written no later, give or take the grace
 * period again for clocks and inserts in flight). From there up, {@link committedPrefix}
 * decides. When the tail is too busy to walk within the bound, the same argument admits
 * the own rows that are themselves that old: the page comes late, never with a skip.
 * SQLite commits in position order (one writer at a time), so it has no young gaps.
 */
async function committedHorizon(db: Database, after: number, own: ReadonlyArray<Pick<OutboxRow, 'seq' | 'occurred_at'>>, graceMs: number): Promise<number> {
  const upTo = readInt(own[own.length - 1]!.seq);
  if (db.dialect === 'sqlite') return upTo;
  const now = Date.now();
  const aged = (row: Pick<OutboxRow, 'occurred_at'>) => now - readInt(row.occurred_at) >= 2 * graceMs;
  const tail: Array<Pick<OutboxRow, 'seq' | 'occurred_at'>> = [];
  let below = upTo + 1;
  let from: number | undefined;
  for (let page = 0; page < TAIL_PAGES && from === undefined; page++) {
    const rows = await db.rows('outbox').select('seq', 'occurred_at').where('seq', '>', after).andWhere('seq', '<', below).orderBy('seq', 'desc').limit(TAIL_PAGE);
    tail.push(...rows);
    const oldest = rows.at(-1);
    if (rows.length < TAIL_PAGE || !oldest) from = after;
    else if (aged(oldest)) from = readInt(oldest.seq) - 1;
    else below = readInt(oldest.seq);
  }
  if (from === undefined) return own.reduce((horizon, row) => (aged(row) ? readInt(row.seq) : horizon), after);
  const ascending = tail.filter((r) => readInt(r.seq) > from).reverse();
  const committed = committedPrefix(ascending, from, graceMs, now);
  return committed.length ? readInt(committed[committed.length - 1]!.seq) : from;
}
