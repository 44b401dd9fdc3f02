/**
 * Balances are derived, never stored: this replays a customer's ledger (oldest entry
 * first, by UUIDv7 id, i.e. in the order the entries were written) into lots and a debt.
 *
 * - A positive entry (`earn`, a positive `adjust`) is a lot: spendable from `unlockAt`
 *   (the returns window), lapsing at `expiresAt`. It first pays off any debt.
 * - `expire` takes its own lot's remainder.
 * - `reverse` takes from the lots of the order it reverses first, then like a redemption.
 * - `redeem` and a negative `adjust` take from spendable lots, soonest to lapse first
 *   (FIFO), then from locked lots; what no lot covers is debt (a negative balance).
 *
 * Invariant, by construction: remaining lot points − debt = the sum of all entries.
 */
import { readInt, readJson, type BigIntColumn, type SchemaType } from '../../../core/plugin/index.js';
import type { accountSchema, entrySchema } from '../schemas/account-schemas.js';
import type { entrySourceSchema } from '../schemas/event-schemas.js';
import type { LedgerEntryRow } from './rows.js';

type EntrySchemaType = SchemaType<typeof entrySchema>;

/** Ledger entry types. */
export type EntryType = EntrySchemaType['type'];

/** Where an entry comes from; the response schema types `type` as a string, the event schemas' narrows it to the sources. */
export type EntrySource = SchemaType<typeof entrySourceSchema>;

/** A ledger entry as the API and events show it; `points` is signed. */
export type LedgerEntryDto = Omit<EntrySchemaType, 'source'> & { source: EntrySource };

/** A ledger row as the replay needs it. */
export interface LedgerRow {
  id: string;
  type: EntryType;
  points: number;
  reason: string;
  sourceType: EntrySource['type'];
  sourceId: string | null;
  lotId: string | null;
  at: number;
  effectiveAt: number;
  unlockAt: number | null;
  expiresAt: number | null;
  detail: unknown;
}

/** A lot: points from one positive entry, and what is left of them. */
export interface Lot {
  id: string;
  sourceId: string | null;
  remaining: number;
  unlockAt: number;
  expiresAt: number | null;
}

/** The replayed state of an account. */
export interface LedgerState {
  lots: Lot[];
  debt: number;
  /** Sum of all entries. */
  total: number;
  /** Points ever earned: earn and positive adjust entries, less reversals. */
  lifetime: number;
}

/** The balance a customer sees: the account's figures. */
export type Balance = Omit<SchemaType<typeof accountSchema>, 'customerId' | 'tier'>;

/** Maps a database row. */
export function ledgerRowOf(row: LedgerEntryRow): LedgerRow {
  const num = (v: BigIntColumn | null) => (v === null ? null : readInt(v));
  return {
    id: row.id,
    type: row.type as EntryType,
    points: readInt(row.points),
    reason: row.reason,
    sourceType: row.source_type as EntrySource['type'],
    sourceId: row.source_id,
    lotId: row.lot_id,
    at: readInt(row.at),
    effectiveAt: readInt(row.effective_at),
    unlockAt: num(row.unlock_at),
    expiresAt: num(row.expires_at),
    detail: readJson<unknown>(row.detail, null),
  };
}

/** The API shape of an entry. */
export function entryDto(row: LedgerRow): LedgerEntryDto {
  return {
    id: row.id,
    type: row.type,
    points: row.points,
    reason: row.reason,
    source: { type: row.sourceType, id: row.sourceId },
    at: new Date(row.at).toISOString(),
    ...(row.points > 0 && row.unlockAt !== null && { unlockAt: new Date(row.unlockAt).toISOString() }),
    ...(row.points > 0 && row.expiresAt !== null && { expiresAt: new Date(row.expiresAt).toISOString() }),
  };
}

const spendableAt = (lot: Lot, at: number) => lot.remaining > 0 && lot.unlockAt <= at && (lot.expiresAt === null || lot.expiresAt > at);

/** Soonest to lapse first; lots that never lapse last; then oldest. */
const fifo = (a: Lot, b: Lot) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || (a.id < b.id ? -1 : 1);

/** Takes `amount` points from lots matching `pick`, in FIFO order; returns what is left to take. */
function take(lots: Lot[], amount: number, pick: (lot: Lot) => boolean): number {
  for (const lot of lots.filter(pick).sort(fifo)) {
    if (amount === 0) break;
    const used = Math.min(lot.remaining, amount);
    lot.remaining -= used;
    amount -= used;
  }
  return amount;
}

/** Replays entries (any order; sorted here by id) into lots and debt. */
export function replay(rows: readonly LedgerRow[]): LedgerState {
  const state: LedgerState = { lots: [], debt: 0, total: 0, lifetime: 0 };
  const byId = new Map<string, Lot>();
  for (const row of [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    state.total += row.points;
    if (row.type === 'earn' || row.type === 'reverse' || (row.type === 'adjust' && row.points > 0)) state.lifetime += row.points;
    if (row.points > 0) {
      const paid = Math.min(state.debt, row.points);
      state.debt -= paid;
      const lot: Lot = { id: row.id, sourceId: row.sourceId, remaining: row.points - paid, unlockAt: row.unlockAt ?? row.at, expiresAt: row.expiresAt };
      state.lots.push(lot);
      byId.set(row.id, lot);
      continue;
    }
    let owed = -row.points;
    if (row.type === 'expire') {
      const lot = row.lotId ? byId.get(row.lotId) : undefined;
      if (lot) owed = take([lot], owed, () => true);
    } else if (row.type === 'reverse') {
      owed = take(state.lots, owed, (lot) => lot.remaining > 0 && lot.sourceId === row.sourceId && row.sourceId !== null);
    }
    owed = take(state.lots, owed, (lot) => spendableAt(lot, row.at));
    owed = take(state.lots, owed, (lot) => lot.remaining > 0);
    state.debt += owed;
  }
  return state;
}

/** Points that can be spent at `now` (negative while a debt is open). */
export function availableAt(state: LedgerState, now: number): number {
  return state.lots.filter((lot) => spendableAt(lot, now)).reduce((sum, lot) => sum + lot.remaining, 0) - state.debt;
}

/** The balance at `now`; `soonMs` is how far ahead expiring points are listed. */
export function balanceOf(state: LedgerState, now: number, soonMs: number): Balance {
  const locked = state.lots.filter((lot) => lot.remaining > 0 && lot.unlockAt > now && (lot.expiresAt === null || lot.expiresAt > now)).reduce((sum, lot) => sum + lot.remaining, 0);
  const soon = new Map<number, number>();
  for (const lot of state.lots) {
    if (lot.remaining > 0 && lot.expiresAt !== null && lot.expiresAt > now && lot.expiresAt <= now + soonMs) soon.set(lot.expiresAt, (soon.get(lot.expiresAt) ?? 0) + lot.remaining);
  }
  return {
    available: availableAt(state, now),
    locked,
    lifetime: state.lifetime,
    expiringSoon: [...soon.entries()].sort(([a], [b]) => a - b).map(([at, points]) => ({ points, at: new Date(at).toISOString() })),
  };
}
