/**
 * How the engine hands records of one entity to the service that owns them. One sink
 * per entity (customers today; orders and invoices go through core's order service the
 * same way), so the run loop, cursors, deletions and counts are the same for all.
 *
 * @module
 */
import type { Actor } from '../plugin/actor.js';
import type { ErpConnector, ErpEntity, ErpRecord } from '../plugin/erp.js';
import type { LoadedConnection } from './connections.js';
import type { RunCounts, RunIssue } from './erp-schemas.js';
import type { SyncState } from './sync-state.js';

/** What a sink works with during one run. */
export interface SinkContext {
  /** The run's actor: a system actor whose `requestId` is `erp-run:<run id>` (the audit context). */
  actor: Actor;
  connection: LoadedConnection;
  /** The `externalRefs` source of this connection's records. */
  source: string;
  dryRun: boolean;
  connector: ErpConnector;
  state: SyncState;
  counts: RunCounts;
  issues: RunIssue[];
}

/** Applies ERP records of one entity. */
export interface EntitySink {
  readonly entity: ErpEntity;
  /** Creates, updates or leaves each record, by its field ownership; counts and issues go to `ctx`. */
  apply(ctx: SinkContext, records: ReadonlyArray<ErpRecord<unknown>>): Promise<void>;
  /** Records the ERP deleted: removed where the entity is owned by the ERP, else a conflict issue. */
  remove(ctx: SinkContext, externalIds: readonly string[]): Promise<void>;
}
