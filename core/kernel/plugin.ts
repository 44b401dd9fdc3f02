/**
 * The plugin contract. A plugin is a folder whose `index.ts` default-exports
 * `definePlugin({...})`; the kernel validates it at boot and hands it one typed context.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { TFunction } from 'i18next';
import type { Migration } from '../db/migrator.js';
import type { Database } from '../db/database.js';
import type { EventBus, PeyvandEvent, SubscriberContext } from '../events/types.js';
import type { PermissionRegistry } from '../permissions/registry.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import type { CustomerService } from '../customers/customer-service.js';
import type { TimelineService } from '../customers/timeline-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { TenantModel } from '../db/tenant-model.js';
import type { TemplateRenderer } from '../templates/renderer.js';

/** A JSON Schema object (draft 2020-12 subset ajv understands). */
export type JsonSchema = Record<string, unknown>;

/** A permission a plugin declares: `<plugin>.<resource>.<action>`. */
export interface PermissionDeclaration {
  /** The permission string; must start with the plugin's name and a dot. */
  name: string;
  /** i18n key of its description (`sales:permissions.deal_read`). */
  description: string;
  /** Built-in roles that hold it by default. */
  roles: ReadonlyArray<BuiltInRoleName>;
}

/** The built-in roles every tenant has. */
export type BuiltInRoleName = 'owner' | 'admin' | 'manager' | 'agent' | 'viewer';

/** A resource whose records have an owner, so roles can limit it to `own|team|all`. */
export interface ScopedResource {
  /** Resource name, e.g. `customer`, `deal`. */
  name: string;
  /** Default scope per built-in role (missing roles get `all`). */
  defaults?: Partial<Record<BuiltInRoleName, RecordScope>>;
}

/** How much of an owned resource a role sees. */
export type RecordScope = 'own' | 'team' | 'all';

/** Everything a plugin receives; no globals, no singletons. */
export interface PluginContext<Options = Record<string, unknown>> {
  /** The plugin's own name. */
  readonly name: string;
  /** Its options, validated against its `options` schema, defaults applied. */
  readonly options: Options;
  readonly db: Database;
  readonly events: EventBus;
  readonly permissions: PermissionRegistry;
  readonly tenants: TenantService;
  readonly customers: CustomerService;
  /** Customer timelines: a plugin records interactions (a completed call) on the customer. */
  readonly timeline: TimelineService;
  readonly audit: AuditLog;
  readonly logger: Logger;
  /** Translator bound to the plugin's namespace (the default language). */
  readonly t: TFunction;
  readonly templates: TemplateRenderer;
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
  /** HTTP routes, mounted at `/api/v1/<name>`. Each route declares a permission (or `public`) and schemas. */
  routes?(app: FastifyInstance, ctx: PluginContext<Options>): Promise<void> | void;
  /** Declare-only phase: runs before migrations. */
  register?(ctx: PluginContext<Options>): Promise<void> | void;
  /** After migrations; returns the services this plugin exports to others. */
  bootstrap?(ctx: PluginContext<Options>): Promise<Services> | Services;
  /** Shutdown; receives what `bootstrap` returned, so a plugin can stop what it started. */
  close?(ctx: PluginContext<Options>, services: Services | undefined): Promise<void> | void;
  /** i18n namespace; defaults to `name`. */
  locales?: string;
  /** Custom element tags it ships. */
  widgets?: readonly string[];
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
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {}
}
