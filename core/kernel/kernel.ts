/**
 * The kernel: validated plugins, the database, core services and the plugin contexts.
 * HTTP is a separate layer on top (`http/peyvand-http.ts`), so the same kernel serves
 * standalone, inside a host's fastify app, the CLI and tests.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createLogger } from '../logging.js';
import type { i18n } from 'i18next';
import { connect, DEFAULT_DATABASE_URL } from '../db/connect.js';
import { Database } from '../db/database.js';
import { Migrator, type PluginMigrations } from '../db/migrator.js';
import { bindModel, type TenantModel } from '../db/tenant-model.js';
import { BootError } from '../errors.js';
import { createI18n, translator } from '../i18n/i18n.js';
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import { ApiKeyService } from '../auth/api-key-service.js';
import { Authenticator } from '../auth/authenticator.js';
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
import { createTemplateRenderer } from '../templates/renderer.js';
import { corePlugin } from '../core-plugin.js';
import { Webhooks, type WebhookOptions } from '../webhooks/index.js';
import { resolvePlugins, type ResolvedPlugin } from './plugin-graph.js';
import type { AnyPlugin, PluginContext } from './plugin.js';
import type { PeyvandEvent, SubscriberContext } from '../events/types.js';

/** Options of {@link createKernel} and `createPeyvand`. */
export interface KernelOptions {
  /** Database URL (`sqlite:…`, `postgres://…`, `mysql://…`); ignored when `knex` is given. */
  databaseUrl?: string;
  /** The host's own knex instance, to live inside the ERP's database. */
  knex?: Knex;
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
}

/** A running kernel. */
export class Kernel {
  readonly db: Database;
  readonly logger: Logger;
  readonly i18n: i18n;
  readonly secrets: SecretBox;
  readonly plugins: ResolvedPlugin[];
  readonly registry = new PermissionRegistry();
  readonly tenants: TenantService;
  readonly roles: RoleService;
  readonly apiKeys: ApiKeyService;
  readonly authenticator: Authenticator;
  readonly audit: AuditLog;
  readonly outbox: Outbox;
  readonly customers: CustomerService;
  /** Bulk upsert by external ref (imports, ERP sync). */
  readonly customerImport: CustomerImportService;
  readonly merge: MergeService;
  readonly timeline: TimelineService;
  readonly webhooks: Webhooks;
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
    this.db = new Database(options.knex ?? connect(options.databaseUrl ?? DEFAULT_DATABASE_URL), options.tablePrefix ?? 'crm_');
    this.i18n = createI18n();
    this.secrets = createSecretBox(options.secret);
    for (const { definition } of this.plugins) this.registry.declare(definition.name, definition.permissions ?? [], definition.scopedResources ?? []);
    const others = this.plugins.filter((p) => p.definition.name !== 'core');
    this.audit = new AuditLog(this.db);
    this.outbox = new Outbox(this.db);
    const changes = new ChangeRecorder(this.audit, this.outbox);
    this.tenants = new TenantService(this.db, { names: others.map((p) => p.definition.name), dependenciesOf: (name) => this.plugins.find((p) => p.definition.name === name)?.definition.dependsOn ?? [] }, this.secrets, changes);
    this.roles = new RoleService(this.db, this.registry, changes);
    this.apiKeys = new ApiKeyService(this.db, changes);
    this.authenticator = new Authenticator(this.tenants, this.roles, this.apiKeys);
    this.customers = new CustomerService(this.db, this.outbox, this.audit, this.tenants);
    this.customerImport = new CustomerImportService(this.db, this.customers, this.audit, this.outbox, this.tenants);
    this.merge = new MergeService(this.db, this.customers, this.outbox, this.audit);
    this.timeline = new TimelineService(this.db, this.customers, this.outbox, this.audit);
    this.webhooks = new Webhooks({ db: this.db, secrets: this.secrets, changes, i18n: this.i18n, logger: this.logger.child({ component: 'webhooks' }) }, options.webhooks);
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
  }

  /** Whether every known migration has run (`/ready`). */
  async isReady(): Promise<boolean> {
    if (!this.migrated) this.migrated = (await this.migrator.pending(this.migrations())).length === 0;
    return this.migrated;
  }

  /** Stops the dispatcher, closes plugins (reverse order) and the database it opened. */
  async close(): Promise<void> {
    await this.dispatcher?.stop();
    await this.bridge?.transport.close();
    await this.webhooks.deliverer.stop();
    for (const plugin of [...this.plugins].reverse()) {
      try {
        await plugin.definition.close?.(this.context(plugin.definition.name), this.services.get(plugin.definition.name));
      } catch (err) {
        this.logger.error({ err, plugin: plugin.definition.name }, 'plugin close failed');
      }
    }
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
      db: this.db,
      events: this.outbox,
      permissions: this.registry,
      tenants: this.tenants,
      customers: this.customers,
      timeline: this.timeline,
      audit: this.audit,
      logger: this.logger.child({ plugin: name }),
      t: translator(this.i18n, 'en', plugin.definition.locales ?? name),
      templates: createTemplateRenderer(),
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
