/**
 * Shared setup of the support tests: Peyvand booted with the support plugin, a tenant
 * with support enabled, API keys and host-signed JWTs (users, and portal customers), and
 * shortcuts for the records most tests need.
 */
import { SignJWT } from 'jose';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import email from '../../plugins/email/index.js';
import support from '../../plugins/support/index.js';
import type { SupportServices } from '../../plugins/support/index.js';
import { bootPeyvand, type TestPeyvand } from './peyvand.js';
import type { PeyvandOptions } from '../../core/peyvand.js';
export { eventsOf } from './events.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** A ticket as the API returns it. */
export interface Ticket {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  customerId?: string;
  queueId?: string;
  assigneeId?: string;
  tags: string[];
  customFields: Record<string, unknown>;
  mergedIntoId?: string;
  sla: { policyId: string; targets: Array<{ kind: string; dueAt: string | null; state: string; remainingBusinessMinutes: number }> } | null;
  csat?: { rating: number; comment?: string };
  version: number;
  createdAt: string;
}

/** A tenant with support, ready for requests. */
export interface SupportTenant {
  p: TestPeyvand;
  id: string;
  slug: string;
  admin: string;
  services(): SupportServices;
  /** A host-signed JWT; `extra` adds claims (`cust` for portal customers). */
  user(sub: string, roles: string[], teams?: string[], extra?: Record<string, unknown>): Promise<string>;
  call(token: string | undefined, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  ok<T = Record<string, unknown>>(token: string, method: InjectOptions['method'], url: string, payload?: unknown, status?: number): Promise<T>;
  customer(name: string, extra?: Record<string, unknown>): Promise<{ id: string; name: string }>;
  ticket(body?: Record<string, unknown>, token?: string): Promise<Ticket>;
}

const SECRET = 'support-test-embed-secret-0123456789abcdef';

/** A calendar open around the clock, so due times are plain additions. */
export const ALWAYS_OPEN = { sat: [['00:00', '24:00']], sun: [['00:00', '24:00']], mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']] };

/** Boots Peyvand with support and one tenant (fa unless told). */
export async function bootSupport(t: Teardown, options: { peyvand?: Partial<PeyvandOptions>; slug?: string; p?: TestPeyvand } = {}): Promise<SupportTenant> {
  const p = options.p ?? (await bootPeyvand(t, { plugins: [email, support], dispatcher: { gapGraceMs: 0 }, ...options.peyvand }));
  const slug = options.slug ?? 'acme';
  const tenant = await p.tenant(slug, { locale: 'fa', plugins: ['email', 'support'] });
  const admin = await tenant.key('admin');
  const embed = await p.admin({ method: 'PUT', url: `/api/v1/admin/tenants/${slug}/embed`, payload: { hs256Secret: SECRET, algorithms: ['HS256'], allowedOrigins: [] } });
  if (embed.statusCode !== 204) throw new Error(embed.body);
  const call: SupportTenant['call'] = (token, method, url, payload, headers = {}) =>
    p.call(token, { method, url: url.startsWith('/api/') ? url : `/api/v1/support${url}`, ...(payload !== undefined && { payload: payload as Record<string, unknown> }), headers });
  const ok: SupportTenant['ok'] = async (token, method, url, payload, status) => {
    const res = await call(token, method, url, payload);
    const expected = status ?? (method === 'POST' ? 201 : 200);
    if (res.statusCode !== expected) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return (res.body === '' ? undefined : res.json()) as never;
  };
  return {
    p,
    id: tenant.id,
    slug,
    admin,
    services: () => p.peyvand.kernel.servicesOf<SupportServices>('support')!,
    user: (sub, roles, teams = [], extra = {}) =>
      new SignJWT({ tid: slug, roles, teams, ...extra }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setAudience('peyvand').setExpirationTime('10m').sign(new TextEncoder().encode(SECRET)),
    call,
    ok,
    customer: (name, extra = {}) => ok(admin, 'POST', '/api/v1/customers', { kind: 'person', name, ...extra }),
    ticket: (body = {}, token = admin) => ok<Ticket>(token, 'POST', '/tickets', { subject: 'چاپگر کار نمی‌کند', channel: 'phone', priority: 'normal', body: 'سلام، چاپگر روشن نمی‌شود.', ...body }),
  };
}

