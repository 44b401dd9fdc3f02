/**
 * `peyvand/plugin` — the contract module: everything a plugin author touches, and
 * nothing else. It is a leaf: it imports no file of core's implementation (only its own
 * folder and third-party types), so a plugin written against it cannot reach into core,
 * and core's services implement the interfaces declared here.
 *
 * Plugins add their events to the typed map by augmenting this module:
 *
 * ```ts
 * declare module 'peyvand/plugin' { interface PeyvandEvents { 'claim.opened': { claimId: string } } }
 * ```
 *
 * @module
 */
export { definePlugin, WIDGET_TAG_PATTERN } from './contract.js';
export type { AnyPlugin, DemoOrder, PluginApp, PluginContext, PluginDefinition, PluginDemo, PluginDemoResult, PluginSubscriber, RouteAccess } from './contract.js';
export type { PeyvandTypeProvider, SchemaType, SchemaTypeOptions } from './route-types.js';
export type { BuiltInRoleName, JsonSchema, PermissionDeclaration, RecordScope, ScopedResource } from './types.js';
export type { EmitOptions, EventBus, EventSubscriber, EventType, PeyvandEvent, PeyvandEvents, SubscriberContext } from './events.js';
export { matchesEventPattern } from './events.js';
export type {
  AuditLog,
  AuditRecord,
  ChangeAuthor,
  CustomerService,
  CustomFieldSchemas,
  Page,
  PermissionRegistry,
  PluginDatabase,
  RegisteredPermission,
  SecretBox,
  TemplateRenderer,
  TenantService,
  TenantSettings,
  TimelineInput,
  TimelineService,
} from './services.js';
export { TIMELINE_CHANNELS } from './customers.js';
export type { Tenant } from './tenants.js';
export type { Address, CustomerDto, CustomerInput, CustomerListFilter, CustomerPatch, ExternalRef, LabeledValue, TimelineEntryDto } from './customers.js';
export { ORDER_STATUSES, INVOICE_STATUSES, type CustomerLink, type DocumentRef, type InvoiceDto, type InvoiceInput, type InvoiceStatus, type OrderDto, type OrderInput, type OrderLine, type OrderReader, type OrderStatus, type ReturnedLine } from './orders.js';
export { cellList, cellNumber, type ImportedChange, type ImportEntity, type ImportRegistry, type MappedRow, type RowError, type RowOutcome } from './imports.js';
export { toMinorUnits, type ErpInvoice, type ErpOrder } from './erp-documents.js';
export { ErpRunError, ERP_ENTITIES, ERP_PUSH_FIELDS, erpPushFieldSchema, type ErpPushField, type ErpStandardPushField, type ErpWritableField, type ErpWritableEntity, type ErpCustomerWrite, type AdapterRuntime, type ChangePage, type ErpAdapter, type ErpAdapterRegistry, type ErpConnector, type ErpCustomer, type ErpEntity, type ErpHttpRequest, type ErpHttpResponse, type ErpRecord } from './erp.js';
export type { Migration, MigrationContext } from './migration.js';
export type { BigIntColumn, BoolColumn, JsonTextColumn, PluginData, PluginTable, PluginTables, RowQuery, TenantData } from './data.js';
export { isBusyConflict, isDeadlock, isUniqueViolation, readBool, retryOnDeadlock, readInt, readJson, type Dialect, type Executor } from './sql.js';
export type { PluginDatabase as Database } from './services.js';
export { newId, isUuid } from './ids.js';
export { BootError, coreError, PeyvandError, type ErrorSpec, type FieldError } from './errors.js';
export { SubscriberUnavailableError } from './delivery-errors.js';
export { can, systemActor, type Actor } from './actor.js';
export { applyRecordScope, applyRecordScopeToJoin, type OwnerColumns } from './record-scope.js';
export { actorOf, defined, expectedVersion, problemSchema, requestLanguage, withEtag } from './http.js';
export { LANGUAGES, languageFrom, type Language } from './language.js';
export { encodeCursor, decodeCursor } from './cursor.js';
export { boundedString, eventData, lineString, phoneString, idParams, ifMatchHeaders, ifNoneMatchHeaders, mediaResponse, nullable, pageOf, pageQuery, pageQuerySchema, withEtagHeader } from './schemas.js';
export { PollingLoop, type PollingLoopOptions } from './polling-loop.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { claimDue, type DueClaim } from './due-claims.js';
export { TenantModel, TenantQueryBuilder, TenantScopeMissingError } from './tenant-model.js';
export { isPhoneNumber, isSingleLine, toSingleLine } from './text-rules.js';
export { createTemplateRenderer, localizedTemplateRenderer, type RendererOptions } from './template-renderer.js';
export { verifySignature } from './webhook-signature.js';
export { escapeHtml, pageOrSchema, publicPage, wantsHtml, PUBLIC_PAGE_CSP, PUBLIC_PAGE_HEADERS, type PublicPage } from './public-page.js';
export { compactLinkId, expandLinkId, newLinkKey, signLinkToken, verifyLinkToken } from './signed-links.js';
export { CORE_VERSION } from './version.js';
export * from './persian/index.js';
export { addMonths, isRealDate, localDateOf, localDayStart } from './local-dates.js';
