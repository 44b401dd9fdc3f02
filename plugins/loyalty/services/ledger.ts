/**
 * The append-only points ledger. Entries are only ever inserted — corrections are new
 * entries — each under the customer's account lock and with an idempotency key unique
 * per tenant, so a replayed order, a retried request or a second scheduler writes
 * nothing twice. Every entry's event goes to the outbox in the same transaction.
 */
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor, newId, type Executor, type PluginContext } from '../../../core/plugin/index.js';
import { entryDto, ledgerRowOf, replay, type EntrySource, type EntryType, type LedgerEntryDto, type LedgerRow, type LedgerState } from './balance.js';
import type { LoyaltyStore } from './store.js';

/** An entry to write. */
export interface NewEntry {
  type: EntryType;
  points: number;
  reason: string;
  source: EntrySource;
  /** Unique per tenant: the entry exists at most once. */
  idemKey: string;
  /** The lot an `expire` entry settles. */
  lotId?: string;
  /** When it happened in the business (an order's payment); defaults to now. */
  effectiveAt?: number;
  unlockAt?: number;
  expiresAt?: number | null;
  detail?: unknown;
}

const EVENT = {
  earn: 'loyalty.points_earned',
  redeem: 'loyalty.points_redeemed',
  expire: 'loyalty.points_expired',
  reverse: 'loyalty.points_reversed',
  adjust: 'loyalty.points_adjusted',
} as const;

/** Writes and reads ledger entries. */
export class Ledger {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
  ) {}

  /** A customer's entries, oldest first. */
  async rows(trx: Executor, tenantId: string, customerId: string): Promise<LedgerRow[]> {
    const rows = await this.store.rows(trx, 'ledger', tenantId).where({ customer_id: customerId }).orderBy('id');
    return rows.map(ledgerRowOf);
  }

  /** A customer's replayed ledger. */
  async state(trx: Executor, tenantId: string, customerId: string): Promise<LedgerState> {
    return replay(await this.rows(trx, tenantId, customerId));
  }

  /** Whether an entry with this key exists. */
  async exists(trx: Executor, tenantId: string, idemKey: string): Promise<boolean> {
    return !!(await this.store.rows(trx, 'ledger', tenantId).where({ idem_key: idemKey }).first('id'));
  }

  /**
   * Appends entries for one customer whose account `trx` has locked. Entries whose key
   * exists already are skipped (a replay); returns the ones written.
   */
  async append(trx: Knex.Transaction, tenantId: string, customerId: string, entries: readonly NewEntry[], now = Date.now()): Promise<LedgerEntryDto[]> {
    const written: LedgerEntryDto[] = [];
    for (const entry of entries) {
      if (await this.exists(trx, tenantId, entry.idemKey)) continue;
      const id = newId();
      const row = {
        id,
        tenant_id: tenantId,
        customer_id: customerId,
        type: entry.type,
        points: entry.points,
        reason: entry.reason,
        source_type: entry.source.type,
        source_id: entry.source.id,
        idem_key: entry.idemKey,
        lot_id: entry.lotId ?? null,
        at: now,
        effective_at: entry.effectiveAt ?? now,
        unlock_at: entry.points > 0 ? (entry.unlockAt ?? now) : null,
        expires_at: entry.points > 0 ? (entry.expiresAt ?? null) : null,
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      };
      await trx(this.store.table('ledger')).insert(row);
      if (row.expires_at !== null) {
        await trx(this.store.table('schedule')).insert({ id: newId(), tenant_id: tenantId, customer_id: customerId, kind: 'expire', ref_id: id, due_at: row.expires_at });
      }
      // A lot that had nothing left to lapse is settled with a zero entry: kept for the
      // once-only key, hidden from the ledger a customer reads, announced to nobody.
      if (entry.points === 0) continue;
      const dto = entryDto(ledgerRowOf(row));
      written.push(dto);
      await this.ctx.events.emit(trx, EVENT[entry.type], { customerId, entry: dto }, { tenantId, aggregateType: 'loyalty_account', aggregateId: customerId });
    }
    return written;
  }

  /** A page of a customer's entries, newest first. */
  async page(tenantId: string, customerId: string, limit: number, cursor?: string): Promise<{ items: LedgerEntryDto[]; nextCursor: string | null }> {
    const q = this.store.rows(this.ctx.db.knex, 'ledger', tenantId).where({ customer_id: customerId }).whereNot('points', 0).orderBy('id', 'desc').limit(limit + 1);
    if (cursor) q.where('id', '<', String(decodeCursor(cursor, ['string'])[0]));
    const rows = (await q).map(ledgerRowOf);
    const items = rows.slice(0, limit).map(entryDto);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }
}
