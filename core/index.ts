/**
 * Peyvand's public API for hosts: booting the kernel and the HTTP layer, connecting to a
 * database, logging. Everything a plugin uses lives in the contract module
 * (`peyvand/plugin`, `core/plugin/index.ts`) and is re-exported here under the same
 * names, so code written against this entry keeps working.
 */
export * from './plugin/index.js';
export { createPeyvand, peyvandFastify, type Peyvand, type PeyvandOptions, type PeyvandFastifyOptions } from './peyvand.js';
export { createKernel, Kernel, type KernelOptions } from './kernel/kernel.js';
// The class that implements the contract's `Database` interface, for hosts that build one.
export { Database } from './db/database.js';
export { connect, knexConfigFor } from './db/connect.js';
export type { WebhookOptions } from './webhooks/webhook-settings.js';
export { createLogger } from './logging.js';
