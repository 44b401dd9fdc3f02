/**
 * Boots Peyvand with only the plugins under test against a fresh database, and closes
 * it in teardown. Requests go through `app.inject`, the full HTTP stack. The deployment
 * itself is `peyvand/testing`'s (`core/testing/`), the one plugin authors use; this adds
 * tap's teardown.
 */
import type { PeyvandOptions } from '../../core/peyvand.js';
import { bootTestDeployment, type TestDeployment, type TestTenant } from '../../core/testing/index.js';

export { offlineResolver } from '../../core/testing/index.js';
export type { TestTenant } from '../../core/testing/index.js';

/** A booted test deployment. */
export interface TestPeyvand extends Omit<TestDeployment, 'createTenant' | 'close'> {
  /** Creates a tenant and returns a function that issues API keys for it. */
  tenant(slug: string, body?: Record<string, unknown>): Promise<TestTenant>;
}

/** Boots Peyvand for one test file. */
export async function bootPeyvand(
  t: { teardown(fn: () => Promise<void> | void): void },
  options: Partial<PeyvandOptions> = {},
): Promise<TestPeyvand> {
  const deployment = await bootTestDeployment({ peyvand: options });
  t.teardown(() => deployment.close());
  const { createTenant, close: _close, ...rest } = deployment;
  return { ...rest, tenant: createTenant };
}
