/** Peyvand's public API. */
export { createPeyvand, peyvandFastify, type Peyvand, type PeyvandOptions, type PeyvandFastifyOptions } from './peyvand.js';
export { createKernel, Kernel, type KernelOptions } from './kernel/kernel.js';
export { definePlugin } from './kernel/plugin.js';
export type { PluginDefinition, AnyPlugin, PluginContext, PermissionDeclaration, ScopedResource, RecordScope, BuiltInRoleName, JsonSchema, RouteAccess } from './kernel/plugin.js';
export type { PeyvandEvents, PeyvandEvent, EventBus, EventSubscriber, EmitOptions, EventType } from './events/types.js';
export { TenantModel } from './db/tenant-model.js';
export type { Migration, MigrationContext } from './db/migrator.js';
export { Database, type Executor } from './db/database.js';
export { connect, knexConfigFor, type Dialect } from './db/connect.js';
export { PeyvandError, BootError, coreError, type ErrorSpec, type FieldError } from './errors.js';
export type { Actor } from './auth/actor.js';
export { systemActor, can } from './auth/actor.js';
export { applyRecordScope } from './permissions/record-scope.js';
export { actorOf } from './http/request-guards.js';
export { encodeCursor, decodeCursor } from './http/cursor.js';
export type { CustomerDto, CustomerInput } from './customers/customer-types.js';
export { CORE_VERSION } from './version.js';
export * from './persian/index.js';
