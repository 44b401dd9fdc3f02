/**
 * `peyvand/testing` — boots an in-process Peyvand for a plugin's tests, with no test
 * framework attached: {@link createTestPeyvand} returns a handle (requests as a role,
 * the events the outbox got, `close()`), usable from `node:test`, tap, vitest or mocha.
 * The database is a fresh SQLite file, or a new PostgreSQL / MariaDB database when
 * `PEYVAND_TEST_DB=postgres|mysql`.
 *
 * @module
 */
export { createTestPeyvand, BUILT_IN_ROLES, type PluginTestHarness, type TestPeyvandOptions, type TestRequest } from './plugin-harness.js';
export { bootTestDeployment, type TestDeployment, type TestDeploymentOptions, type TestTenant } from './deployment.js';
export { outboxEvents, type EventFilter } from './events.js';
export { createTestDatabase, testDialect, type TestDatabase } from './database.js';
export { offlineResolver } from './offline-resolver.js';
