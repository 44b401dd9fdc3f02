/**
 * The plugin contract. A plugin is a folder whose `index.ts` default-exports
 * `definePlugin({...})`; the kernel validates it at boot and hands it one typed context.
 */
import type { PluginApp } from './route-types.js';
import type { Logger } from 'pino';
import type { TFunction } from 'i18next';
import type { Migration } from './migration.js';
import type { EventBus, PeyvandEvent, SubscriberContext } from './events.js';
import type { AuditLog, CustomerService, CustomFieldSchemas, PermissionRegistry, PluginDatabase, SecretBox, TemplateRenderer, TenantService, TimelineService } from './services.js';
import type { Tenant } from './tenants.js';
import type { Actor } from './actor.js';
import type { TenantModel } from './tenant-model.js';
import type { PluginData } from './data.js';
import type { Knex } from 'knex';
import type { JsonSchema, PermissionDeclaration, ScopedResource } from './types.js';
import type { OrderDto, OrderInput, OrderReader } from './orders.js';
import type { ImportRegistry } from './imports.js';
import type { ErpAdapterRegistry } from './erp.js';

export type { BuiltInRoleName, JsonSchema, PermissionDeclaration, RecordScope, ScopedResource } from './types.js';

export type { PluginApp } from './route-types.js';

/** Everything a plugin receives; no globals, no singletons. */
export interface PluginContext<Options = Record<string, unknown>> {
  /** The plugin's own name. */
  readonly name: string;
  /** Its options, validated against its `options` schema, defaults applied. */
  readonly options: Options;
  /**
   * The tenant-scoped data layer: every query is bound to one tenant (see
   * `docs/plugins.md`, "Data layer"). Use it for all of a plugin's table access.
   */
  readonly data: PluginData;
  /**
   * knex with no tenant scope, for the few jobs that must cross tenants (a scheduler
   * claiming due rows of every tenant, a public form looked up by its key). Every use
   * in a plugin is listed in `docs/plugins.md` and flagged by a test.
   */
  readonly unscopedKnex: Knex;
  /** @deprecated The raw database handle; use {@link PluginContext.data} (or `unscopedKnex`, named for what it is). */
  readonly db: PluginDatabase;
  readonly events: EventBus;
  readonly permissions: PermissionRegistry;
  readonly tenants: TenantService;
  readonly customers: CustomerService;
  /** Checks a tenant's custom-field JSON Schema for a plugin's records, and values against it. */
  readonly customFields: CustomFieldSchemas;
  /** Customer timelines: a plugin records interactions (a completed call) on the customer. */
  readonly timeline: TimelineService;
  /** The ERP's orders, read only (a plugin keeps its own projection fed by `order.*` events). */
  readonly orders: OrderReader;
  /** Register the plugin's importable entities here (in `bootstrap`); core imports and exports them. */
  readonly imports: ImportRegistry;
  /** ERP adapters: an adapter plugin registers its adapter here (in `register`). */
  readonly erp: ErpAdapterRegistry;
  readonly audit: AuditLog;
  readonly logger: Logger;
  /** Translator bound to the plugin's namespace (the default language). */
  readonly t: TFunction;
  readonly templates: TemplateRenderer;
  /** Seals credentials a plugin must store usable (SMTP/IMAP passwords) with `PEYVAND_SECRET`. */
  readonly secrets: SecretBox;
  /**
   * Whether this kernel runs background work (event dispatch, a plugin's schedulers).
   * False for one-shot CLI commands and for tests that drive the work by hand; a plugin
   * starts its polling loops in `bootstrap` only when this is true.
   */
  readonly background: boolean;
  /** Model classes bound to this deployment's knex and prefix. */
  bindModel<M extends typeof TenantModel>(model: M): M;
  /** Services another plugin exports on purpose (declare it in `dependsOn`). */
  use<S = unknown>(plugin: string): S;
}

/**
 * An in-process subscriber of a plugin. Delivery is at least once: `handle` must be
 * idempotent by `event.id` and tolerate replays and batches. It receives the plugin's
 * context, so a subscriber declared as data can still reach the database and services.
 */
export interface PluginSubscriber<Options = Record<string, unknown>> {
  /** Stable id; progress is stored under it, so renaming it replays history. */
  id: string;
  /** Event types or `prefix.*` patterns. */
  events: readonly string[];
  handle(event: PeyvandEvent, ctx: PluginContext<Options>, delivery: SubscriberContext): Promise<void>;
}

/** A widget tag a plugin may declare: `peyvand-`, then lower-case kebab-case (checked at boot and by the widget build). */
export const WIDGET_TAG_PATTERN = /^peyvand-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** An order of the demo's history, as the ERP would send it to core's `PUT /orders/by-ref/{source}/{externalId}`, for one of its customers by id. */
export type DemoOrder = Omit<OrderInput, 'customerRef' | 'returnedLines'> & { customerId: string };

/** What core hands a plugin's `demo` hook: the demo tenant and a system actor holding every permission. */
export interface PluginDemo {
  tenant: Tenant;
  actor: Actor;
  /**
   * Core's orders service, so a demo can give its customers an order history (a plugin
   * otherwise only reads orders): creates or replaces the order `source` knows as
   * `externalId`, with the `order.*` events the plugins' subscribers receive. Replaying
   * the same order changes nothing.
   */
  orders: { upsertByRef(actor: Actor, source: string, externalId: string, order: DemoOrder): Promise<{ created: boolean; changed: boolean; order: OrderDto }> };
}

/** What a plugin's `demo` hook did. */
export interface PluginDemoResult {
  /** Records it created now (0 when the demo tenant already had its data). */
  created: number;
  /**
   * Values the example ERP page reads from `/examples/erp-host/config.json` (sales: its web
   * form's `formKey`). Merged across plugins: name them so they cannot clash.
   */
  page?: Readonly<Record<string, string>>;
}

/** The definition a plugin's index.ts exports. */
export interface PluginDefinition<Options = Record<string, unknown>, Services = unknown> {
  /** kebab-case; also the route prefix, i18n namespace, permission prefix and table prefix. */
  name: string;
  /** The plugin's own semver version. */
  version: string;
  /** Semver range of core versions it supports. */
  core: string;
  /** Names of plugins it needs; they boot first and must be enabled with it. */
  dependsOn?: readonly string[];
  /** JSON Schema of its options, checked with ajv at boot. */
  options?: JsonSchema;
  permissions?: readonly PermissionDeclaration[];
  /** Owned resources subject to record scope. */
  scopedResources?: readonly ScopedResource[];
  migrations?: readonly Migration[];
  /** Event types it emits, with the JSON Schema of their data. */
  events?: Readonly<Record<string, JsonSchema>>;
  /**
   * Event types it accepts from other services over the external transport
   * (`erp.order.paid`), with the JSON Schema their `data` must match; accepted ones reach
   * subscribers like any event, refused ones are recorded with the reason.
   */
  inboundEvents?: Readonly<Record<string, JsonSchema>>;
  subscribers?: readonly PluginSubscriber<Options>[];
  // Lifecycle members use method syntax on purpose: it lets a plugin with typed options
  // sit in the kernel's list of plugins (`AnyPlugin`) without casts.
  /**
   * HTTP routes, mounted at `/api/v1/<name>`. Each route declares a permission (or `public`) and schemas.
   * Mounted after `bootstrap`: `services` is what it returned (undefined without one), so
   * routes, subscribers and loops can share one set of services.
   */
  routes?(app: PluginApp, ctx: PluginContext<Options>, services: Services | undefined): Promise<void> | void;
  /** Declare-only phase: runs before migrations. */
  register?(ctx: PluginContext<Options>): Promise<void> | void;
  /** After migrations; returns the services this plugin exports to others. */
  bootstrap?(ctx: PluginContext<Options>): Promise<Services> | Services;
  /** Shutdown; receives what `bootstrap` returned, so a plugin can stop what it started. */
  close?(ctx: PluginContext<Options>, services: Services | undefined): Promise<void> | void;
  /** i18n namespace; defaults to `name`. */
  locales?: string;
  /**
   * Where a plugin outside this package keeps its messages: a folder (path or `file:` URL,
   * e.g. `new URL('./locales/', import.meta.url)`) holding `en/<namespace>.json` and
   * `fa/<namespace>.json`. Both must exist; the kernel loads them at boot. The built-in
   * plugins leave it out: theirs are in the package's own `locales/`.
   */
  localesDir?: string | URL;
  /**
   * The custom element tags its widgets define (`peyvand-deal-board`). The widgets live in
   * `plugins/<name>/widgets/index.ts`; the widget build makes them one chunk that
   * `/widgets/peyvand.js` loads the first time one of these tags is on a page
   * (docs/plugins.md, "Widgets"). Tags start with `peyvand-` and are unique across plugins.
   */
  widgets?: readonly string[];
  /**
   * Demo data for `npm start` and `peyvand seed --demo`, never for `serve`: called after
   * core seeded the demo tenant's customers, with the plugin enabled for it. Must be
   * idempotent (it runs on every start): create only what is missing.
   */
  demo?(ctx: PluginContext<Options>, services: Services, demo: PluginDemo): Promise<PluginDemoResult> | PluginDemoResult;
}

/** Any plugin, whatever its options and services: what the kernel accepts. */
export type AnyPlugin = PluginDefinition<unknown, unknown>;

/**
 * Declares a plugin. Identity only: validation happens when the kernel boots, so a
 * broken plugin fails with a coded error naming it.
 */
export function definePlugin<Options = Record<string, unknown>, Services = unknown>(
  definition: PluginDefinition<Options, Services>,
): PluginDefinition<Options, Services> {
  return definition;
}

/** Route-level settings every Peyvand route carries in `config`. */
export interface RouteAccess {
  /** The permission the caller must hold. */
  permission?: string;
  /** No credential needed (health, public web forms). */
  public?: boolean;
  /** Platform admin key only. */
  admin?: boolean;
  /**
   * Self-service: reached by the tenant's customers (a host token with the `customer` role
   * and a `cust` claim) and by no one else; the handler limits it to that customer's records.
   */
  portal?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {}
}
