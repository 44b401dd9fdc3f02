/**
 * One run per connection at a time, across every node on the database: a lease on the
 * connection row (owner and expiry on the database clock), taken with a conditional
 * UPDATE that the database serializes, renewed while the run goes on, released at the
 * end. A node that dies leaves the lease to expire; another node then takes the run over
 * (re-running is idempotent: cursors only move after a page is written).
 *
 * @module
 */
import type { Database } from '../db/database.js';
import { databaseNowSql } from '../events/leases.js';

/** Leases on ERP connections for one node. */
export class ConnectionLeases {
  private readonly now: string;

  constructor(
    private readonly db: Database,
    /** This node's id, unique per process. */
    readonly nodeId: string,
    /** How long a lease lasts without renewal. */
    readonly ttlMs: number,
  ) {
    this.now = databaseNowSql(db.dialect);
  }

  /** Takes the connection's lease when it is free, expired or already ours. */
  async acquire(connectionId: string): Promise<boolean> {
    const n = await this.db.rows('erp_connections')
      .where('id', connectionId)
      .where((q) => q.whereNull('lease_owner').orWhere('lease_owner', this.nodeId).orWhereRaw(`lease_until < ${this.now}`))
      .update({ lease_owner: this.nodeId, lease_until: this.db.knex.raw(`${this.now} + ?`, [this.ttlMs]) });
    return n === 1;
  }

  /** Extends the lease; false when another node has taken it (this run must stop). */
  async renew(connectionId: string): Promise<boolean> {
    const n = await this.db.rows('erp_connections').where({ id: connectionId, lease_owner: this.nodeId }).update({ lease_until: this.db.knex.raw(`${this.now} + ?`, [this.ttlMs]) });
    return n === 1;
  }

  async release(connectionId: string): Promise<void> {
    await this.db.rows('erp_connections').where({ id: connectionId, lease_owner: this.nodeId }).update({ lease_owner: null, lease_until: 0 });
  }

  /** Whether a connection's lease has lapsed (its holder died): its `running` runs may be taken over. */
  expiredSql(): string {
    return `lease_until < ${this.now}`;
  }
}
