/**
 * Runs syncs: takes queued runs (manual, scheduled, inbound) one connection at a time
 * under the connection's lease, reads each entity's changes page by page from the
 * adapter, hands them to the entity's sink, and keeps cursors, counts and issues. A
 * transient failure (the ERP unreachable, 5xx after the request retries) puts the run
 * back in the queue with backoff; a run whose node died is taken over once its lease
 * expires. Re-running is idempotent: cursors move only after a page is written, and an
 * unchanged record writes nothing.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { readBool, readInt, readJson, type Database } from '../db/database.js';
import type { ErpConnectionRow, ErpRunRow, PushRunPayload } from './erp-rows.js';
import type { ErpSchedule, RunCounts } from './erp-schemas.js';
import type { Actor } from '../plugin/actor.js';
import { systemActor } from '../plugin/actor.js';
import type { EventBus } from '../plugin/events.js';
import type { PermissionRegistry } from '../permissions/registry.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import { PollingLoop } from '../plugin/polling-loop.js';
import { backoffDelay } from '../plugin/backoff.js';
import { ErpRunError, type AdapterRuntime, type ErpAdapter, type ErpEntity } from '../plugin/erp.js';
import { entityEnabled, sourceOf, type ConnectionService, type LoadedConnection } from './connections.js';
import type { EntitySink, SinkContext } from './entity-sink.js';
import { ConnectionLeases } from './run-lease.js';
import { emptyCountsByEntity, runFromRow, type RunStore } from './runs.js';
import type { SyncState } from './sync-state.js';
import type { CustomerPusher } from './customer-push.js';
import './erp-events.js';

/** Tuning of the runner. */
export interface SyncRunnerOptions {
  /** Lease duration; a dead node's run is taken over after this long (default 60 s). */
  leaseTtlMs?: number;
  /** How often queued and scheduled runs are looked for (default 5 s). */
  pollIntervalMs?: number;
  /** Attempts of a run that fails transiently (default 3). */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time (default 30 s). */
  retryBaseMs?: number;
}

/** What the runner needs. */
export interface SyncRunnerDependencies {
  db: Database;
  events: EventBus;
  connections: ConnectionService;
  runs: RunStore;
  state: SyncState;
  sinks: ReadonlyMap<ErpEntity, EntitySink>;
  tenants: TenantService;
  registry: PermissionRegistry;
  runtime: (connection: LoadedConnection, inbound: unknown) => AdapterRuntime;
  /** Executes `push` runs (write-back of a customer). */
  pusher: Pick<CustomerPusher, 'run'>;
  logger: Logger;
}

/** The run engine of one node. */
export class SyncRunner {
  private readonly leases: ConnectionLeases;
  private readonly active = new Set<string>();
  /** Connections kicked while their drain was still ending: drained once more after it. */
  private readonly kickedWhileActive = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly loop: PollingLoop;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private stopped = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: SyncRunnerDependencies, options: SyncRunnerOptions = {}) {
    this.leases = new ConnectionLeases(deps.db, `${process.pid}-${randomUUID()}`, options.leaseTtlMs ?? 60_000);
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 30_000;
    this.loop = new PollingLoop({ intervalMs: options.pollIntervalMs ?? 5_000, pass: () => this.pass(), logger: deps.logger, name: 'erp-sync' });
  }

  /** Starts looking for scheduled and queued runs in the background. */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and waits for the runs of this node to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.loop.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Starts the connection's queued runs now if this node can take its lease (a new run was queued). */
  kick(connectionId: string): void {
    if (this.stopped) return;
    const work = this.drain(connectionId).catch((err: unknown) => this.deps.logger.error({ err, connectionId }, 'erp run failed to start'));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Waits until this node's runs have ended (tests, CLI); retries waiting for their backoff do not count. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** One background pass: enqueue due scheduled runs, recover orphaned ones, start what is queued. */
  async pass(): Promise<boolean> {
    const { db } = this.deps;
    const now = Date.now();
    const due = await db.rows('erp_connections').whereNotNull('next_run_at').where('next_run_at', '<=', now).limit(100);
    for (const row of due) await this.enqueueScheduled(row, now);
    // Runs left `running` by a node whose lease lapsed go back to the queue.
    await db.rows('erp_runs').where('status', 'running').whereIn('connection_id', db.rows('erp_connections').select('id').whereRaw(this.leases.expiredSql())).update({ status: 'queued' });
    const queued = await db.rows('erp_runs').where('status', 'queued').where('not_before', '<=', now).distinct('connection_id').limit(100);
    for (const row of queued) this.kick(row.connection_id);
    return false;
  }

  private async enqueueScheduled(row: ErpConnectionRow, now: number): Promise<void> {
    const { db } = this.deps;
    const schedule = readJson<ErpSchedule | null>(row.schedule, null);
    // Conditional on the value read: exactly one node enqueues each scheduled run.
    const next = schedule ? now + schedule.intervalMinutes * 60_000 : null;
    const claimed = await db.rows('erp_connections').where({ id: row.id, next_run_at: row.next_run_at }).update({ next_run_at: next });
    if (claimed !== 1 || !schedule) return;
    let full = false;
    if (schedule.fullEveryHours) {
      const last = await db.rows('erp_runs').where({ connection_id: row.id, full: true, status: 'succeeded' }).max({ at: 'finished_at' }).first();
      full = !last?.at || readInt(last.at) < now - schedule.fullEveryHours * 3_600_000;
    }
    const adapter = this.deps.connections.adapter(row.adapter);
    if (!adapter.pulls) return;
    await this.deps.runs.create(db.knex, row.tenant_id, row.id, { trigger: 'scheduled', dryRun: false, full });
  }

  /** Runs the connection's queued runs one after the other while this node holds its lease. */
  private async drain(connectionId: string): Promise<void> {
    if (this.active.has(connectionId)) {
      // The drain may be past its last look for due runs (releasing the lease): without this the wake-up is lost.
      this.kickedWhileActive.add(connectionId);
      return;
    }
    this.active.add(connectionId);
    try {
      if (!(await this.leases.acquire(connectionId))) return;
      try {
        for (;;) {
          if (this.stopped) return;
          const { db } = this.deps;
          const row = await db.rows('erp_runs').where({ connection_id: connectionId, status: 'queued' }).where('not_before', '<=', Date.now()).orderBy('id').first();
          if (!row) return;
          const claimed = await db.rows('erp_runs').where({ id: row.id, status: 'queued' }).update({ status: 'running', started_at: Date.now(), attempts: row.attempts + 1 });
          if (claimed === 1) await this.execute({ ...row, attempts: row.attempts + 1 });
        }
      } finally {
        await this.leases.release(connectionId);
      }
    } finally {
      this.active.delete(connectionId);
      if (this.kickedWhileActive.delete(connectionId)) this.kick(connectionId);
    }
  }

  private async execute(row: ErpRunRow): Promise<void> {
    const { id: runId, tenant_id: tenantId } = row;
    const byEntity = emptyCountsByEntity();
    const log = this.deps.logger.child({ runId, connectionId: row.connection_id });
    try {
      const connection = await this.deps.connections.load(tenantId, row.connection_id);
      const adapter = this.deps.connections.adapter(connection.adapter);
      await this.sync(row, connection, adapter, await this.actorFor(tenantId, connection.id, runId), byEntity);
      await this.finish(row, 'succeeded', byEntity);
    } catch (err) {
      const known = err instanceof ErpRunError ? err : undefined;
      if (!known) log.error({ err }, 'erp run crashed');
      if (known?.transient && row.attempts < this.maxAttempts) {
        const delay = backoffDelay(row.attempts, { baseMs: this.retryBaseMs });
        await this.deps.db.rows('erp_runs').where({ id: runId }).update({ status: 'queued', not_before: Date.now() + delay, counts: JSON.stringify(emptyCountsByEntity()), error_code: known.code, error_message: known.message });
        // This node tries again when the backoff ends (the background pass would too, on any node).
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.kick(row.connection_id);
        }, delay + 5);
        timer.unref();
        this.retryTimers.add(timer);
        return;
      }
      await this.finish(row, 'failed', byEntity, known ? { code: known.code, message: known.message } : { code: 'ERP_RUN_CRASHED', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async sync(row: ErpRunRow, connection: LoadedConnection, adapter: ErpAdapter, actor: Actor, byEntity: Record<ErpEntity, RunCounts>): Promise<void> {
    const { state, runs, db } = this.deps;
    const runId = row.id;
    const dryRun = readBool(row.dry_run);
    const full = readBool(row.full);
    const payload = readJson<unknown>(row.payload, undefined);
    const push = row.trigger === 'push';
    const connector = await adapter.connect(connection.fullConfig, this.deps.runtime(connection, push ? undefined : payload));
    try {
      if (push) {
        const final = row.attempts >= this.maxAttempts;
        await this.deps.pusher.run({ runId, actor, connection, connector, counts: byEntity.customers, customerId: (payload as PushRunPayload).customerId, final });
        return;
      }
      for (const entity of connector.entities) {
        const sink = this.deps.sinks.get(entity);
        if (!sink || !entityEnabled(connection, entity)) continue;
        const ctx: SinkContext = { actor, connection, source: sourceOf(connection), dryRun, connector, state, counts: byEntity[entity], issues: [] };
        const whole = full || connector.readsAll?.(entity) === true;
        const seen = whole ? new Set<string>() : undefined;
        for await (const page of connector.readChanges(entity, whole ? null : await state.cursor(connection.id, entity))) {
          await sink.apply(ctx, page.records);
          for (const r of page.rejected ?? []) {
            ctx.counts.failed++;
            ctx.issues.push({ entity, externalId: r.externalId, code: 'ERP_RECORD_INVALID', message: r.message, payload: r.raw });
            seen?.add(r.externalId);
          }
          if (page.deleted?.length) await sink.remove(ctx, page.deleted);
          for (const r of page.records) seen?.add(r.externalId);
          await runs.addIssues(actor.tenantId, runId, ctx.issues.splice(0));
          if (!dryRun && page.cursor !== null) await state.saveCursor(actor.tenantId, connection.id, entity, page.cursor);
          await db.rows('erp_runs').where({ id: runId }).update({ counts: JSON.stringify(byEntity) });
          if (!(await this.leases.renew(connection.id))) throw new ErpRunError('ERP_RUN_LEASE_LOST', 'another node took this connection over; the run stopped after its last written page');
        }
        if (seen) {
          await sink.remove(ctx, await state.missing(connection.id, entity, seen));
          await runs.addIssues(actor.tenantId, runId, ctx.issues.splice(0));
        }
      }
    } finally {
      await connector.close?.();
    }
  }

  private async finish(row: ErpRunRow, status: 'succeeded' | 'failed', byEntity: Record<ErpEntity, RunCounts>, error?: { code: string; message: string }): Promise<void> {
    const { db, events } = this.deps;
    const values = { status, finished_at: Date.now(), counts: JSON.stringify(byEntity), error_code: error?.code ?? null, error_message: error?.message ?? null };
    await db.transaction(async (trx) => {
      await db.rows('erp_runs', trx).where({ id: row.id }).update(values);
      const run = runFromRow({ ...row, ...values });
      await events.emit(trx, 'erp.run_finished', { connectionId: run.connectionId, run }, { tenantId: row.tenant_id, aggregateType: 'erp_connection', aggregateId: run.connectionId });
    });
  }

  /** The run's actor: every permission, `all` scope, and the run id as the audit context. */
  private async actorFor(tenantId: string, connectionId: string, runId: string): Promise<Actor> {
    const tenant = await this.deps.tenants.findById(tenantId);
    if (!tenant) throw new ErpRunError('ERP_TENANT_GONE', 'the tenant of this connection no longer exists');
    const actor = systemActor(tenant, `erp:${connectionId}`, this.deps.registry.list().map((p) => p.name));
    return { ...actor, requestId: `erp-run:${runId}` };
  }
}
