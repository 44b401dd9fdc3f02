/** A DNS resolver for tests, so webhook and ERP address checks never ask the network. */
import { isIP } from 'node:net';

/**
 * Tests never ask real DNS: IP literals resolve to themselves, `localhost` to loopback,
 * every other name fails as unknown. A test that needs names passes its own resolver.
 */
export async function offlineResolver(host: string): Promise<Array<{ address: string; family: number }>> {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family) return [{ address: bare, family }];
  if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
}
