/**
 * Boots Peyvand with only the plugins under test against a fresh database, and closes
 * it in teardown. Requests go through `app.inject`, the full HTTP stack.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createPeyvand, type Peyvand, type PeyvandOptions } from '../../core/peyvand.js';
import { createTestDatabase } from './database.js';
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

/** A booted test deployment. */
export interface TestPeyvand {
  peyvand: Peyvand;
  adminKey: string;
  databaseUrl: string;
  /** A request with a bearer token (or none). */
  call(token: string | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** An admin request. */
  admin(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Creates a tenant and returns a function that issues API keys for it. */
  tenant(slug: string, body?: Record<string, unknown>): Promise<TestTenant>;
}

/** A tenant created by {@link TestPeyvand.tenant}. */
export interface TestTenant {
  id: string;
  slug: string;
  /** Creates an API key with the role and returns its token. */
  key(role: string, name?: string): Promise<string>;
}

/** Boots Peyvand for one test file. */
export async function bootPeyvand(
  t: { teardown(fn: () => Promise<void> | void): void },
  options: Partial<PeyvandOptions> = {},
): Promise<TestPeyvand> {
  const db = await createTestDatabase();
  const adminKey = `admin_${randomBytes(16).toString('hex')}`;
  const peyvand = await createPeyvand({
    databaseUrl: db.url,
    secret: randomBytes(32).toString('base64url'),
    adminKey,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    dispatch: false,
    ...options,
    webhooks: { resolve: offlineResolver, ...options.webhooks },
  });
  t.teardown(async () => {
    await peyvand.close();
    await db.drop();
  });
  const call = (token: string | undefined, o: InjectOptions) =>
    peyvand.app.inject({ ...o, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(o.headers ?? {}) } });
  const admin = (o: InjectOptions) => call(adminKey, o);
  return {
    peyvand,
    adminKey,
    databaseUrl: db.url,
    call,
    admin,
    async tenant(slug, body = {}) {
      const res = await admin({ method: 'POST', url: '/api/v1/admin/tenants', payload: { slug, name: slug, ...body } });
      if (res.statusCode !== 201) throw new Error(`tenant ${slug}: ${res.statusCode} ${res.body}`);
      const id = res.json().id as string;
      return {
        id,
        slug,
        async key(role, name = role) {
          const k = await admin({ method: 'POST', url: `/api/v1/admin/tenants/${slug}/api-keys`, payload: { name, role } });
          if (k.statusCode !== 201) throw new Error(`key ${role}: ${k.statusCode} ${k.body}`);
          return k.json().key as string;
        },
      };
    },
  };
}
