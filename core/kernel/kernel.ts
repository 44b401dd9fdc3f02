/**
 * The kernel: validated plugins, the database, core services and the plugin contexts.
 * HTTP is a separate layer on top (`http/peyvand-http.ts`), so the same kernel serves
 * standalone, inside a host's fastify app, the CLI and tests.
 */
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createLogger } from '../logging.js';
import type { i18n } from 'i18next';
import { connect, DEFAULT_DATABASE_URL } from '../db/connect.js';
import { Database } from '../db/database.js';
import { TenantDataLayer } from '../db/tenant-data.js';
import { Migrator, type PluginMigrations } from '../db/migrator.js';
import { bindModel, type TenantModel } from '../plugin/tenant-model.js';
import { BootError } from '../plugin/errors.js';
import { addPluginLocales, createI18n, pluginTranslator } from '../i18n/i18n.js';
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import { ApiKeyService } from '../auth/api-key-service.js';
import { Authenticator } from '../auth/authenticator.js';
import { AuthEpoch } from '../auth/auth-epoch.js';
import { PeopleDirectory } from '../people/directory.js';
import { PermissionRegistry } from '../permissions/registry.js';
import { RoleService } from '../permissions/role-service.js';
import { TenantService } from '../tenancy/tenant-service.js';
import { AuditLog } from '../audit/audit-log.js';
import { ChangeRecorder } from '../audit/change-recorder.js';
import { Outbox } from '../events/outbox.js';
import { Dispatcher, type DispatcherOptions } from '../events/dispatcher.js';
import { InboundEvents } from '../events/inbound.js';
import { connectBridge, type EventBridge } from '../events/transports/event-bridge.js';
import { CustomerService } from '../customers/customer-service.js';
import { CustomerImportService } from '../customers/customer-import.js';
import { MergeService } from '../customers/merge-service.js';
import { TimelineService } from '../customers/timeline-service.js';
import { createTemplateRenderer } from '../plugin/template-renderer.js';
import { OrderService } from '../orders/order-service.js';
import { InvoiceService } from '../orders/invoice-service.js';
import { OverdueScheduler, type OverdueSchedulerOptions } from '../orders/overdue-scheduler.js';
import { ImportEntities } from '../imports/import-entities.js';
import { customerEntity, orderEntity } from '../imports/core-entities.js';
import { ImportService } from '../imports/import-service.js';
import { ImportWorker, type ImportWorkerOptions } from '../imports/import-worker.js';
import { ExportService } from '../imports/export-service.js';
import { corePlugin } from '../core-plugin.js';
import { Webhooks, type WebhookOptions } from '../webhooks/index.js';
import { Erp, ERP_PERMISSIONS, type ErpOptions } from '../erp/index.js';
import { resolvePlugins, type ResolvedPlugin } from './plugin-graph.js';
import type { AnyPlugin, PluginContext } from '../plugin/contract.js';
import type { PeyvandEvent, SubscriberContext } from '../plugin/events.js';

/** Options of {@link createKernel} and `createPeyvand`. */
export interface KernelOptions {
  /** Database URL (`sqlite:…`, `postgres://…`, `mysql://…`); ignored when `knex` is given. */
  databaseUrl?: string;
  /** The host's own knex instance, to live inside the ERP's database. */
  knex?: Knex;
  /**
   * How long a statement waits for another transaction's lock before the database refuses
   * it (default `DEFAULT_LOCK_WAIT_MS`, 5 s; see core/db/connect.ts); ignored when `knex` is given.
   */
  lockWaitMs?: number;
  /** Prefix of Peyvand's tables; default `crm_`. */
  tablePrefix?: string;
  /** Installed plugins (core is always there). */
  plugins?: readonly AnyPlugin[];
  /** Options per plugin name. */
  pluginOptions?: Record<string, unknown>;
  /** Key for sealing stored credentials (`PEYVAND_SECRET`), at least 32 characters. */
  secret: string;
  /** Platform admin bearer token; without it admin routes refuse everyone. */
  adminKey?: string;
  logger?: Logger;
  /** Run pending migrations at boot (default true). */
  migrate?: boolean;
  /** Start the event dispatcher (default true). */
  dispatch?: boolean;
  /** Let plugins run background loops such as schedulers (default: same as `dispatch`). */
  background?: boolean;
  dispatcher?: DispatcherOptions;
  /** External event transport (`PEYVAND_EVENTS_URL`): `redis://…` or `nats://…`; default in-process only. */
  eventsUrl?: string;
  /** Webhook delivery tuning and the SSRF allowlist (default `PEYVAND_WEBHOOK_ALLOWLIST`). */
  webhooks?: WebhookOptions;
  /** Tuning of the scheduler that marks invoices overdue. */
  overdue?: OverdueSchedulerOptions;
  /** File imports: where uploads wait (`PEYVAND_IMPORTS_DIR`, default the system temp dir; shared storage for several nodes) and worker tuning. */
  imports?: ImportWorkerOptions & { dir?: string };
  /** ERP sync tuning (run leases, retries, the inbound replay window). */
  erp?: ErpOptions;
}

/** A running kernel. */
export class Kernel {
  readonly db: Database;
  /** The tenant-scoped data layer handed to plugins as `ctx.data`. */
  readonly data: TenantDataLayer;
  readonly logger: Logger;
  readonly i18n: i18n;
  readonly secrets: SecretBox;
  readonly plugins: ResolvedPlugin[];
  readonly registry = new PermissionRegistry();
  readonly tenants: TenantService;
  readonly roles: RoleService;
  readonly apiKeys: ApiKeyService;
  readonly authenticator: Authenticator;
  /** Invalidates cached credentials, tenants, grants and plugin switches on every node. */
  readonly authEpoch: AuthEpoch;
  /** Display names of the subjects seen (host users, API keys). */
  readonly people: PeopleDirectory;
  readonly audit: AuditLog;
  readonly outbox: Outbox;
  readonly customers: CustomerService;
  /** Bulk upsert by external ref (imports, ERP sync). */
  readonly customerImport: CustomerImportService;
  readonly merge: MergeService;
  readonly timeline: TimelineService;
  readonly webhooks: Webhooks;
  /** The ERP's orders and invoices (read model). */
  readonly orders: OrderService;
  readonly invoices: InvoiceService;
  readonly overdue: OverdueScheduler;
  /** What can be imported and exported; plugins add theirs through `ctx.imports`. */
  readonly importEntities = new ImportEntities();
  readonly imports: ImportService;
  readonly importWorker: ImportWorker;
  readonly exports: ExportService;
  /** ERP connections, runs and the adapters plugins registered. */
  readonly erp: Erp;
  readonly migrator: Migrator;
  readonly contexts = new Map<string, PluginContext<unknown>>();
  dispatcher!: Dispatcher;
  /** Events taken in from other services, and the ones refused. */
  readonly inbound: InboundEvents;
  /** The connection to the external transport, when `eventsUrl` is set and the kernel is migrated. */
  bridge: EventBridge | undefined;
  private readonly services = new Map<string, unknown>();
  private readonly ownsKnex: boolean;
  private migrated = false;

  constructor(readonly options: KernelOptions) {
    this.logger = options.logger ?? createLogger();
    this.plugins = resolvePlugins([corePlugin, ...(options.plugins ?? [])], options.pluginOptions);
    this.ownsKnex = !options.knex;
    this.db = new Database(options.knex ?? connect(options.databaseUrl ?? DEFAULT_DATABASE_URL, { lockWaitMs: options.lockWaitMs }), options.tablePrefix ?? 'crm_');
    this.data = new TenantDataLayer(this.db);
    this.i18n = createI18n();
    for (const { definition } of this.plugins) {
      if (definition.localesDir !== undefined) addPluginLocales(this.i18n, definition.name, definition.locales ?? definition.name, definition.localesDir);
    }
    this.secrets = createSecretBox(options.secret);
    for (const { definition } of this.plugins) this.registry.declare(definition.name, definition.permissions ?? [], definition.scopedResources ?? []);
    // The sync is core's (every tenant has it), its permissions carry the `erp.` prefix of the contract.
    this.registry.declare('core', ERP_PERMISSIONS);
    const others = this.plugins.filter((p) => p.definition.name !== 'core');
    this.audit = new AuditLog(this.db);
    this.outbox = new Outbox(this.db);
    const changes = new ChangeRecorder(this.audit, this.outbox);
    this.authEpoch = new AuthEpoch(this.db, this.logger.child({ component: 'auth-epoch' }));
    this.tenants = new TenantService(this.db, { names: others.map((p) => p.definition.name), dependenciesOf: (name) => this.plugins.find((p) => p.definition.name === name)?.definition.dependsOn ?? [] }, this.secrets, changes, this.authEpoch);
    this.roles = new RoleService(this.db, this.registry, changes, this.authEpoch);
    this.apiKeys = new ApiKeyService(this.db, changes, this.authEpoch);
    this.people = new PeopleDirectory(this.db);
    this.authenticator = new Authenticator(this.tenants, this.roles, this.apiKeys, this.authEpoch, this.people);
    this.customers = new CustomerService(this.db, this.outbox, this.audit, this.tenants);
    this.customerImport = new CustomerImportService(this.db, this.customers, this.audit, this.outbox, this.tenants);
    this.merge = new MergeService(this.db, this.customers, this.outbox, this.audit);
    this.timeline = new TimelineService(this.db, this.customers, this.outbox, this.audit);
    this.orders = new OrderService(this.db, this.outbox, this.audit);
    this.invoices = new InvoiceService(this.db, this.outbox, this.audit);
    this.overdue = new OverdueScheduler(this.db, this.outbox, this.audit, this.logger.child({ component: 'invoice-overdue' }), options.overdue);
    this.importEntities.register(customerEntity(this.customers, this.customerImport));
    this.importEntities.register(orderEntity(this.orders));
    this.importWorker = new ImportWorker(this.db, this.importEntities, this.logger.child({ component: 'imports' }), options.imports);
    const importsDir = options.imports?.dir ?? process.env.PEYVAND_IMPORTS_DIR ?? path.join(os.tmpdir(), 'peyvand-imports');
    this.imports = new ImportService(this.db, this.importEntities, this.tenants, this.i18n, importsDir, () => this.importWorker.wake());
    this.exports = new ExportService(this.importEntities, this.tenants);
    this.webhooks = new Webhooks({ db: this.db, secrets: this.secrets, changes, i18n: this.i18n, logger: this.logger.child({ component: 'webhooks' }) }, options.webhooks);
    this.erp = new Erp({ db: this.db, secrets: this.secrets, changes, events: this.outbox, tenants: this.tenants, registry: this.registry, customers: this.customers, customerImport: this.customerImport, orders: this.orders, invoices: this.invoices, webhookGuard: this.webhooks.settings, logger: this.logger.child({ component: 'erp-sync' }) }, options.erp);
    this.inbound = new InboundEvents(this.db, this.outbox, this.tenants, this.plugins, this.logger.child({ component: 'inbound-events' }));
    this.migrator = new Migrator(this.db, this.secrets);
    for (const plugin of this.plugins) this.contexts.set(plugin.definition.name, this.contextFor(plugin));
  }

  /** Per-plugin migrations in dependency order. */
  migrations(): PluginMigrations[] {
    return this.plugins.map((p) => ({ plugin: p.definition.name, migrations: p.definition.migrations ?? [] }));
  }

  /** register → migrate → bootstrap → dispatcher. */
  async start(): Promise<void> {
    for (const plugin of this.plugins) await plugin.definition.register?.(this.context(plugin.definition.name));
    if (this.options.migrate !== false) {
      const ran = await this.migrator.latest(this.migrations());
      if (ran.length) this.logger.info({ migrations: ran }, 'migrations applied');
    }
    this.migrated = (await this.migrator.pending(this.migrations())).length === 0;
    if (this.migrated) {
      await this.roles.recordCatalog();
      await this.startOnTables();
    }
    for (const plugin of this.plugins) {
      const services = await plugin.definition.bootstrap?.(this.context(plugin.definition.name));
      if (services !== undefined) this.services.set(plugin.definition.name, services);
    }
    const subscribers = this.plugins.flatMap((p) => {
      const ctx = this.context(p.definition.name);
      // The dispatcher knows plain subscribers; each plugin's handler gets its context added.
      return (p.definition.subscribers ?? []).map((s) => ({ plugin: p.definition.name, subscriber: { id: s.id, events: s.events, handle: (event: PeyvandEvent, delivery: SubscriberContext) => s.handle(event, ctx, delivery) } }));
    });
    // Webhooks are fed by one core subscriber, so they share the dispatcher's at-least-once and gap rules.
    subscribers.push({ plugin: 'core', subscriber: this.webhooks.enqueuer.subscriber });
    // ERP write-back reads CRM changes from the outbox too, never inline in the request.
    subscribers.push({ plugin: 'core', subscriber: this.erp.pusher.subscriber });
    if (this.options.eventsUrl && this.migrated) {
      this.bridge = await connectBridge(this.options.eventsUrl, this.inbound, this.tenants, this.logger.child({ component: 'event-transport' }));
      subscribers.push(this.bridge.outboundSubscriber());
    }
    this.dispatcher = new Dispatcher(this.db, this.outbox, subscribers, (tenantId, plugin) => this.tenants.isEnabled(tenantId, plugin), this.logger.child({ component: 'dispatcher' }), this.options.dispatcher);
    if (this.migrated) await this.dispatcher.initialize();
    if (this.migrated && this.options.dispatch !== false) {
      this.dispatcher.start();
      await this.bridge?.startInbound();
      this.webhooks.deliverer.start();
    }
    if (this.migrated && (this.options.background ?? this.options.dispatch !== false)) {
      this.overdue.start();
      this.importWorker.start();
      this.erp.runner.start();
    }
  }

  /** Whether every known migration has run (`/ready`). */
  async isReady(): Promise<boolean> {
    if (!this.migrated) {
      this.migrated = (await this.migrator.pending(this.migrations())).length === 0;
      if (this.migrated) await this.startOnTables();
    }
    return this.migrated;
  }

  /**
   * What needs the tables: hot reads on SQLite beside the writer, checkpoints off the
   * serving thread, and the credential caches' invalidation.
   */
  private async startOnTables(): Promise<void> {
    this.db.openReader();
    await this.db.startCheckpoints(this.logger.child({ component: 'checkpoints' }));
    await this.authEpoch.start();
  }

  /** Stops the dispatcher, closes plugins (reverse order) and the database it opened. */
  async close(): Promise<void> {
    this.authEpoch.stop();
    await this.dispatcher?.stop();
    await this.bridge?.transport.close();
    await this.webhooks.deliverer.stop();
    await this.overdue.stop();
    await this.importWorker.stop();
    await this.erp.runner.stop();
    for (const plugin of [...this.plugins].reverse()) {
      try {
        await plugin.definition.close?.(this.context(plugin.definition.name), this.services.get(plugin.definition.name));
      } catch (err) {
        this.logger.error({ err, plugin: plugin.definition.name }, 'plugin close failed');
      }
    }
    await this.db.stopCheckpoints();
    this.db.closeReader();
    if (this.ownsKnex) await this.db.knex.destroy();
  }

  /** The services a plugin's `bootstrap` returned (the CLI's demo seed uses them), if any. */
  servicesOf<S = unknown>(name: string): S | undefined {
    return this.services.get(name) as S | undefined;
  }

  /** The context of an installed plugin. */
  context(name: string): PluginContext<unknown> {
    const ctx = this.contexts.get(name);
    if (!ctx) throw new BootError('PLUGIN_DEPENDENCY_MISSING', name, 'not installed');
    return ctx;
  }

  private contextFor(plugin: ResolvedPlugin): PluginContext<unknown> {
    const name = plugin.definition.name;
    const deps = new Set(plugin.definition.dependsOn ?? []);
    return {
      name,
      options: plugin.options,
      data: this.data,
      unscopedKnex: this.db.knex,
      db: this.db,
      events: this.outbox,
      permissions: this.registry,
      tenants: this.tenants,
      customers: this.customers,
      customFields: this.customers.customFields,
      timeline: this.timeline,
      orders: this.orders.reader,
      imports: this.importEntities,
      erp: this.erp,
      audit: this.audit,
      logger: this.logger.child({ plugin: name }),
      t: pluginTranslator(this.i18n, plugin.definition.locales ?? name),
      templates: createTemplateRenderer(),
      secrets: this.secrets,
      background: this.options.background ?? this.options.dispatch !== false,
      bindModel: <M extends typeof TenantModel>(model: M) => bindModel(model, this.db.knex, this.db.prefix),
      use: <S>(other: string): S => {
        if (!deps.has(other)) throw new BootError('PLUGIN_DEPENDENCY_MISSING', name, `uses "${other}" without declaring it in dependsOn`);
        if (!this.services.has(other)) throw new BootError('PLUGIN_DEPENDENCY_MISSING', name, `"${other}" exports no services (or has not bootstrapped yet)`);
        return this.services.get(other) as S;
      },
    };
  }
}

/** Creates and starts a kernel. */
export async function createKernel(options: KernelOptions): Promise<Kernel> {
  const kernel = new Kernel(options);
  try {
    await kernel.start();
  } catch (err) {
    await kernel.close().catch(() => undefined);
    throw err;
  }
  return kernel;
}
