/**
 * The harness a plugin author starts a test with: Peyvand booted with their plugin on a
 * fresh database, one tenant with the plugin enabled, an API key per built-in role, and
 * requests made as one of those roles.
 *
 * ```ts
 * import { createTestPeyvand } from 'peyvand/testing';
 * import plugin from '../index.js';
 *
 * const peyvand = await createTestPeyvand({ plugins: [plugin] });
 * try {
 *   const res = await peyvand.request({ as: 'agent', method: 'POST', url: '/api/v1/my-plugin/items', payload: { title: 'x' } });
 *   // res.statusCode, res.json(), and what the outbox got: await peyvand.events({ type: 'my_plugin.item.created' })
 *   await peyvand.deliver(); // the subscribers run now, then their effects can be read
 * } finally {
 *   await peyvand.close();
 * }
 * ```
 *
 * @module
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AnyPlugin } from '../plugin/contract.js';
import type { BuiltInRoleName } from '../plugin/types.js';
import type { PeyvandEvent } from '../plugin/events.js';
import { bootTestDeployment, type TestDeployment, type TestDeploymentOptions, type TestTenant } from './deployment.js';
import type { EventFilter } from './events.js';

/** The built-in roles every tenant has; the harness issues one API key for each. */
export const BUILT_IN_ROLES: readonly BuiltInRoleName[] = ['owner', 'admin', 'manager', 'agent', 'viewer'];

/** Options of {@link createTestPeyvand}. */
export interface TestPeyvandOptions extends TestDeploymentOptions {
  /** The plugins under test (and the plugins they depend on); all are enabled for the tenant. */
  plugins: readonly AnyPlugin[];
  /** Options per plugin name, as a deployment's configuration would give them. */
  pluginOptions?: Record<string, unknown>;
  /** Slug of the tenant created with the plugins enabled; default `acme`. */
  tenant?: string;
  /** The tenant's default language; default `en`. */
  locale?: 'en' | 'fa';
}

/** A request of {@link PluginTestHarness.request}: fastify's inject options plus who sends it. */
export type TestRequest = InjectOptions & {
  /** Send the API key of this built-in role of the tenant. Without `as` and `token` no credential is sent. */
  as?: BuiltInRoleName;
  /** Send this bearer token instead (a key from `tenant.key()`, another tenant's key). */
  token?: string;
};

/** A booted Peyvand with one tenant that has the plugins under test enabled. */
export interface PluginTestHarness extends TestDeployment {
  /** The tenant the plugins are enabled for. */
  tenant: TestTenant;
  /** One API key of the tenant per built-in role. */
  keys: Readonly<Record<BuiltInRoleName, string>>;
  /** An HTTP request through the whole stack, as `as` (or with `token`, or anonymous). */
  request(options: TestRequest): Promise<LightMyRequestResponse>;
  /** The tenant's events in the outbox, oldest first; `type` may be `claim.*`. */
  events(filter?: EventFilter): Promise<PeyvandEvent[]>;
}

/**
 * Boots Peyvand with `plugins` on a new database (SQLite, or `PEYVAND_TEST_DB`), creates
 * a tenant with them enabled and an API key per built-in role. Close it when done.
 */
export async function createTestPeyvand(options: TestPeyvandOptions): Promise<PluginTestHarness> {
  const deployment = await bootTestDeployment({
    dialect: options.dialect,
    peyvand: { ...options.peyvand, plugins: options.plugins, pluginOptions: options.pluginOptions },
  });
  try {
    const tenant = await deployment.createTenant(options.tenant ?? 'acme', { locale: options.locale ?? 'en', plugins: options.plugins.map((p) => p.name) });
    const keys = {} as Record<BuiltInRoleName, string>;
    for (const role of BUILT_IN_ROLES) keys[role] = await tenant.key(role);
    return {
      ...deployment,
      tenant,
      keys,
      request({ as, token, ...inject }) {
        return deployment.call(token ?? (as === undefined ? undefined : keys[as]), inject);
      },
      events: (filter = {}) => deployment.events({ tenantId: tenant.id, ...filter }),
    };
  } catch (err) {
    await deployment.close();
    throw err;
  }
}
