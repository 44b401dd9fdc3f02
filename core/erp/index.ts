/**
 * The ERP sync, wired: adapters (registered by adapter plugins), connections, runs, the
 * entity sinks and the runner. The kernel owns one {@link Erp}; plugins see it as
 * `ctx.erp` (to register adapters).
 *
 * @module
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import type { EventBus } from '../plugin/events.js';
import type { PermissionDeclaration } from '../plugin/types.js';
import type { PermissionRegistry } from '../permissions/registry.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import type { CustomerService } from '../customers/customer-service.js';
import type { CustomerImportService } from '../customers/customer-import.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import { BootError } from '../plugin/errors.js';
import type { AdapterRuntime, ErpAdapter, ErpAdapterRegistry, ErpEntity } from '../plugin/erp.js';
import { ConnectionService, type LoadedConnection } from './connections.js';
import { CustomerSink } from './customer-sink.js';
import { invoiceSink, orderSink } from './document-sink.js';
import type { OrderService } from '../orders/order-service.js';
import type { InvoiceService } from '../orders/invoice-service.js';
import type { EntitySink } from './entity-sink.js';
import { checkDatabaseHost, erpHttp, type ErpHttpOptions } from './erp-http.js';
import { RunStore } from './runs.js';
import { SyncRunner, type SyncRunnerOptions } from './sync-runner.js';
import { SyncState } from './sync-state.js';
import { CustomerPusher } from './customer-push.js';

export type { ErpAdapter, ErpAdapterRegistry, ErpConnector, ErpCustomer, ErpCustomerWrite, ErpPushField, ErpEntity, ErpRecord, ChangePage, AdapterRuntime, ErpHttpRequest, ErpHttpResponse } from '../plugin/erp.js';
export { ErpRunError, ERP_ENTITIES, ERP_PUSH_FIELDS } from '../plugin/erp.js';

/** The permissions of the ERP sync (declared by core: the sync is core's, not a plugin's). */
export const ERP_PERMISSIONS: readonly PermissionDeclaration[] = [
  { name: 'erp.connection.manage', description: 'erp:permissions.connection_manage', roles: ['owner', 'admin'] },
  { name: 'erp.run.read', description: 'erp:permissions.run_read', roles: ['owner', 'admin', 'manager'] },
];

/** `KernelOptions.erp`. */
export interface ErpOptions extends SyncRunnerOptions {
  http?: ErpHttpOptions;
  /** Seconds an inbound webhook's timestamp may be off (default 300): the replay window. */
  inboundToleranceSeconds?: number;
}

/** What the ERP sync needs from the kernel. */
export interface ErpDependencies {
  db: Database;
  secrets: SecretBox;
  changes: ChangeRecorder;
  events: EventBus;
  tenants: TenantService;
  registry: PermissionRegistry;
  customers: CustomerService;
  customerImport: CustomerImportService;
  orders: OrderService;
  invoices: InvoiceService;
  webhookGuard: Pick<WebhookSettings, 'allowlist' | 'resolve'>;
  logger: Logger;
}

/** The ERP sync of one kernel. */
export class Erp implements ErpAdapterRegistry {
  readonly adapters = new Map<string, ErpAdapter>();
  readonly sinks = new Map<ErpEntity, EntitySink>();
  readonly connections: ConnectionService;
  readonly runs: RunStore;
  readonly state: SyncState;
  readonly runner: SyncRunner;
  /** Write-back: its `subscriber` is registered with the dispatcher by the kernel. */
  readonly pusher: CustomerPusher;
  readonly inboundToleranceSeconds: number;
  private readonly http: AdapterRuntime['http'];

  constructor(readonly deps: ErpDependencies, options: ErpOptions = {}) {
    this.connections = new ConnectionService(deps.db, deps.secrets, deps.changes, this.adapters, deps.webhookGuard);
    this.runs = new RunStore(deps.db);
    this.state = new SyncState(deps.db);
    this.sinks.set('customers', new CustomerSink(deps.db, deps.customers, deps.customerImport));
    this.sinks.set('orders', orderSink(deps.orders));
    this.sinks.set('invoices', invoiceSink(deps.invoices));
    this.inboundToleranceSeconds = options.inboundToleranceSeconds ?? 300;
    this.http = erpHttp(deps.webhookGuard, options.http);
    this.pusher = new CustomerPusher({ db: deps.db, state: this.state, runs: this.runs, customers: deps.customers, changes: deps.changes, adapters: this.adapters, kick: (id) => this.runner.kick(id) });
    this.runner = new SyncRunner({
      db: deps.db,
      events: deps.events,
      connections: this.connections,
      runs: this.runs,
      state: this.state,
      sinks: this.sinks,
      tenants: deps.tenants,
      registry: deps.registry,
      logger: deps.logger,
      runtime: (connection, inbound) => this.runtimeFor(connection, inbound),
      pusher: this.pusher,
    }, options);
  }

  /** What an adapter gets to reach its ERP: guarded HTTP, the database host check, a logger, the pushed batch. */
  runtimeFor(connection: Pick<LoadedConnection, 'id' | 'adapter'>, inbound?: unknown): AdapterRuntime {
    return {
      http: this.http,
      checkHost: (host, port) => checkDatabaseHost(this.deps.webhookGuard, host, port),
      logger: this.deps.logger.child({ connectionId: connection.id, adapter: connection.adapter }),
      inbound,
    };
  }

  registerAdapter(adapter: ErpAdapter): void {
    if (this.adapters.has(adapter.name)) throw new BootError('PLUGIN_DUPLICATE', `erp adapter ${adapter.name}`, 'two adapters have this name');
    this.adapters.set(adapter.name, adapter);
  }
}
