/**
 * Shared setup of the sales tests: Peyvand booted with the sales plugin, a tenant with
 * sales enabled, API keys and host-signed JWTs (for users with roles and teams), and
 * shortcuts for the records most tests need.
 */
import { SignJWT } from 'jose';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import sales from '../../plugins/sales/index.js';
import { bootPeyvand, type TestPeyvand } from './peyvand.js';
import type { PeyvandOptions } from '../../core/peyvand.js';
export { eventsOf } from './events.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** A tenant with sales, ready for requests. */
export interface SalesTenant {
  p: TestPeyvand;
  id: string;
  slug: string;
  /** An API key of the admin role. */
  admin: string;
  key(role: string): Promise<string>;
  /** A host-signed JWT for a user. */
  user(sub: string, roles: string[], teams?: string[]): Promise<string>;
  /** A request; the body is JSON. */
  call(token: string | undefined, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A request that must answer `status`; returns the JSON body. */
  ok<T = Record<string, unknown>>(token: string, method: InjectOptions['method'], url: string, payload?: unknown, status?: number): Promise<T>;
  customer(token: string, name: string, extra?: Record<string, unknown>): Promise<{ id: string; name: string }>;
  pipeline(token?: string, body?: Record<string, unknown>): Promise<Pipeline>;
}

/** A pipeline as the API returns it. */
export interface Pipeline {
  id: string;
  currency: string;
  stages: Array<{ id: string; name: string; probability: number }>;
  version: number;
}

const SECRET = 'sales-test-embed-secret-0123456789abcdef';

/** Boots Peyvand with sales and one tenant (fa, Asia/Tehran unless told). */
export async function bootSales(t: Teardown, options: { peyvand?: Partial<PeyvandOptions>; slug?: string; tenant?: Record<string, unknown>; p?: TestPeyvand } = {}): Promise<SalesTenant> {
  // No grace for outbox gaps: rolled-back writes (tested on purpose) must not hide later events.
  const p = options.p ?? (await bootPeyvand(t, { plugins: [sales], dispatcher: { gapGraceMs: 0 }, ...options.peyvand }));
  const slug = options.slug ?? 'acme';
  const tenant = await p.tenant(slug, { locale: 'fa', plugins: ['sales'], ...options.tenant });
  const admin = await tenant.key('admin');
  const embed = await p.admin({ method: 'PUT', url: `/api/v1/admin/tenants/${slug}/embed`, payload: { hs256Secret: SECRET, algorithms: ['HS256'], allowedOrigins: [] } });
  if (embed.statusCode !== 204) throw new Error(embed.body);
  const call: SalesTenant['call'] = (token, method, url, payload, headers = {}) =>
    p.call(token, { method, url: url.startsWith('/api/') ? url : `/api/v1/sales${url}`, ...(payload !== undefined && { payload: payload as Record<string, unknown> }), headers });
  const ok: SalesTenant['ok'] = async (token, method, url, payload, status) => {
    const res = await call(token, method, url, payload);
    const expected = status ?? (method === 'POST' ? 201 : 200);
    if (res.statusCode !== expected) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  return {
    p,
    id: tenant.id,
    slug,
    admin,
    key: (role) => tenant.key(role),
    user: (sub, roles, teams = []) =>
      new SignJWT({ tid: slug, roles, teams }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setAudience('peyvand').setExpirationTime('10m').sign(new TextEncoder().encode(SECRET)),
    call,
    ok,
    customer: (token, name, extra = {}) => ok(token, 'POST', '/api/v1/customers', { kind: 'person', name, ...extra }),
    pipeline: (token = admin, body = {}) =>
      ok<Pipeline>(token, 'POST', '/pipelines', { name: 'فروش', currency: 'IRR', stages: [{ name: 'سرنخ', probability: 10 }, { name: 'مذاکره', probability: 40 }, { name: 'پیشنهاد قیمت', probability: 60 }, { name: 'قرارداد', probability: 90 }], ...body }),
  };
}

