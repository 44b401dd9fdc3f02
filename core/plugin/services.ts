/**
 * The services a plugin receives in its context, as interfaces: core's classes implement
 * them, and a plugin (or its test double) depends on nothing else. Only what a plugin
 * may call is here; core's own wiring methods stay on the classes.
 */
import type { Knex } from 'knex';
import type { Actor } from './actor.js';
import type { CustomerDto, CustomerInput, CustomerListFilter, CustomerPatch, TimelineEntryDto, TimelineInput } from './customers.js';
import type { Dialect, Executor } from './sql.js';
import type { Tenant } from './tenants.js';
import type { BuiltInRoleName, JsonSchema, PermissionDeclaration, RecordScope, ScopedResource } from './types.js';

/** A page of a cursor-paginated list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The deployment's database handle: raw knex, not scoped to a tenant. Prefer
 * `ctx.data` (tenant-scoped); see `docs/plugins.md` for when raw access is needed.
 */
export interface PluginDatabase {
  /** The knex instance (the host's own when embedded). Unscoped. */
  readonly knex: Knex;
  /** Prefix of every Peyvand table, `crm_` by default. */
  readonly prefix: string;
  readonly dialect: Dialect;
  /** The real name of a Peyvand table: `table('customers')` → `crm_customers`. */
  table(name: string): string;
  /** Runs `work` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
}

/** Seals and opens strings with one key derived from `PEYVAND_SECRET`. */
export interface SecretBox {
  /** Encrypts `plain`; the result is `v1.<iv>.<ciphertext>.<tag>` (base64url parts). */
  seal(plain: string): string;
  /**
   * Decrypts a value produced by {@link SecretBox.seal} with the same secret.
   * Throws a plain `Error` when the value is malformed, tampered with, or was sealed
   * under another secret; the caller decides whether that is fatal.
   */
  open(sealed: string): string;
}

/** Renders stored Handlebars templates in an isolated environment. */
export interface TemplateRenderer {
  render(template: string, data: Record<string, unknown>): string;
}

/** Customer use cases (`ctx.customers`). Reads and writes check the actor's permissions and record scope. */
export interface CustomerService {
  /** Creates a customer; in `trx` when given, so it commits with the caller's change. */
  create(actor: Actor, input: CustomerInput, trx?: Knex.Transaction): Promise<CustomerDto>;
  /** A customer the actor may see; 404 otherwise. */
  get(actor: Actor, id: string, trx?: Knex.Transaction): Promise<CustomerDto>;
  /** Customers of a tenant sharing a normalized email or phone with `contact`. */
  findByContact(tenantId: string, contact: { emails?: readonly string[]; phones?: readonly string[] }, trx?: Executor): Promise<Array<{ customerId: string; reasons: Array<'email' | 'phone'> }>>;
  /** A page of the customers the actor may see. */
  list(actor: Actor, filter: CustomerListFilter): Promise<Page<CustomerDto>>;
  /**
   * Applies a JSON merge-patch; `expectedVersion` makes it a 412 on a stale version. In
   * `trx` when given, so it commits with the caller's change (a complaint flagging its customer).
   */
  update(actor: Actor, id: string, patch: CustomerPatch, expectedVersion?: number, trx?: Knex.Transaction): Promise<CustomerDto>;
  /** Creates or updates the customer known in `source` (the ERP) as `externalId`. */
  upsertByRef(actor: Actor, source: string, externalId: string, input: CustomerInput): Promise<{ created: boolean; customer: CustomerDto }>;
}

/**
 * Tenant-defined custom fields (`ctx.customFields`): the mechanism customers' `customFields`
 * use, for a plugin's own records. The plugin stores the tenant's JSON Schema itself; these
 * check it and the values against it, with the same limits and errors as customers.
 */
export interface CustomFieldSchemas {
  /**
   * Throws a 400 `VALIDATION_FAILED` naming the problem when `schema` is not one a tenant may
   * set: not compilable, `patternProperties`, or a pattern that could backtrack for long.
   */
  check(schema: JsonSchema): void;
  /** Throws a 422 `CUSTOM_FIELDS_INVALID` with one entry per problem (paths under `/customFields`); nothing without a schema. */
  validate(schema: JsonSchema | undefined, value: Record<string, unknown>): void;
}

export type { TimelineInput } from './customers.js';

/** Customer timelines (`ctx.timeline`): a plugin records interactions on a customer. */
export interface TimelineService {
  /** Adds an entry (emits `customer.timeline_added`); `source` names the plugin. */
  add(actor: Actor, customerId: string, input: TimelineInput, source?: string, trx?: Knex.Transaction): Promise<TimelineEntryDto>;
  list(actor: Actor, customerId: string, page: { limit: number; cursor?: string }): Promise<Page<TimelineEntryDto>>;
}

/** Who made a change: any actor, or the platform admin acting on a tenant. */
export type ChangeAuthor = Pick<Actor, 'tenantId' | 'subject' | 'kind'> & { requestId?: string };

/** What a writer records in the audit log. */
export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** The audit log (`ctx.audit`): written in the writer's transaction. */
export interface AuditLog {
  record(trx: Executor, actor: ChangeAuthor, entry: AuditRecord): Promise<void>;
  recordMany(trx: Executor, actor: ChangeAuthor, entries: readonly AuditRecord[]): Promise<void>;
}

/** Per-tenant settings. */
export interface TenantSettings {
  /** JSON Schema customers' `customFields` must satisfy. */
  customFieldsSchema?: JsonSchema;
}

/** The tenant registry as a plugin sees it (`ctx.tenants`): read-only. */
export interface TenantService {
  findById(id: string): Promise<Tenant | undefined>;
  findBySlug(slug: string): Promise<Tenant | undefined>;
  /** Whether `plugin` is enabled for the tenant (cached for a couple of seconds). */
  isEnabled(tenantId: string, plugin: string): Promise<boolean>;
  enabledPlugins(tenantId: string): Promise<Set<string>>;
  settings(tenantId: string, trx?: Executor): Promise<TenantSettings>;
}

/** A declared permission with the plugin that declared it. */
export interface RegisteredPermission extends PermissionDeclaration {
  plugin: string;
}

/** Every permission and scoped resource the installed plugins declared (`ctx.permissions`). */
export interface PermissionRegistry {
  has(name: string): boolean;
  pluginOf(name: string): string | undefined;
  list(): RegisteredPermission[];
  scopedResources(): Array<ScopedResource & { plugin: string }>;
  defaultPermissions(role: BuiltInRoleName, enabledPlugins: ReadonlySet<string>): string[];
  defaultScopes(role: BuiltInRoleName): Record<string, RecordScope>;
}
