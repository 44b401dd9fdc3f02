/**
 * Shared setup of the loyalty tests: Peyvand booted with the loyalty plugin, a tenant
 * with it enabled, API keys, shortcuts for customers and programs, and order events
 * shaped as ORDERS-CONTRACT says, emitted through the kernel's outbox and delivered to
 * the plugin's subscribers by draining the dispatcher (no core orders module needed).
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { newId } from '../../core/plugin/ids.js';
import loyalty, { type LoyaltyServices } from '../../plugins/loyalty/index.js';
import type { OrderDto, OrderLine } from '../../plugins/loyalty/services/orders.js';
import type { ProgramInput } from '../../plugins/loyalty/services/program.js';
import { bootPeyvand, type TestPeyvand } from './peyvand.js';
import type { PeyvandOptions } from '../../core/peyvand.js';
export { eventsOf } from './events.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** A tenant with loyalty, ready for requests. */
export interface LoyaltyTenant {
  p: TestPeyvand;
  id: string;
  slug: string;
  admin: string;
  key(role: string): Promise<string>;
  call(token: string | undefined, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  ok<T = Record<string, unknown>>(token: string, method: InjectOptions['method'], url: string, payload?: unknown, status?: number): Promise<T>;
  customer(name: string, extra?: Record<string, unknown>): Promise<string>;
  program(body?: Partial<ProgramInput>): Promise<void>;
  /** Emits an order event (data = the order DTO) and delivers it. */
  emit(type: string, order: OrderDto): Promise<void>;
  services(): LoyaltyServices;
  account(customerId: string): Promise<Account>;
}

/** An account as the API returns it. */
export interface Account {
  customerId: string;
  available: number;
  locked: number;
  lifetime: number;
  expiringSoon: Array<{ points: number; at: string }>;
  tier: { key: string; name: string; since: string; progress: number } | null;
}

/** A simple program: 1 point per 10,000 IRR, no lock, no expiry, no tiers. */
export const BASE_PROGRAM: ProgramInput = { currency: 'IRR', earn: { pointsPerUnit: 1, unit: 10_000 }, lockDays: 0, expiryMonths: 0, tiers: [] };

/** An order as core's events carry it; its lines may name a `category`, as some ERPs send. */
export function makeOrder(customerId: string | null, over: Partial<Omit<OrderDto, 'lines'>> & { lines?: OrderLine[]; amount?: number } = {}): OrderDto {
  const amount = over.amount ?? 1_000_000;
  const now = new Date().toISOString();
  const { amount: _ignored, ...rest } = over;
  void _ignored;
  const id = rest.id ?? newId();
  return {
    id,
    customerId,
    externalRef: { source: 'erp', id: `SO-${id.slice(-6)}` },
    number: `SO-${id.slice(-6)}`,
    status: 'paid',
    currency: 'IRR',
    total: amount,
    placedAt: rest.paidAt ?? now,
    paidAt: now,
    deliveredAt: null,
    lines: [{ productRef: 'P-1', sku: 'SKU-1', name: 'کالا', quantity: 1, unitPrice: amount }],
    returnedLines: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...rest,
  };
}

/** Boots Peyvand with loyalty and one tenant (fa, Asia/Tehran unless told). */
export async function bootLoyalty(t: Teardown, options: { peyvand?: Partial<PeyvandOptions>; slug?: string; p?: TestPeyvand } = {}): Promise<LoyaltyTenant> {
  const p = options.p ?? (await bootPeyvand(t, { plugins: [loyalty], dispatcher: { gapGraceMs: 0 }, ...options.peyvand }));
  const slug = options.slug ?? 'shop';
  const tenant = await p.tenant(slug, { locale: 'fa', plugins: ['loyalty'] });
  const admin = await tenant.key('admin');
  const call: LoyaltyTenant['call'] = (token, method, url, payload, headers = {}) =>
    p.call(token, { method, url: url.startsWith('/api/') ? url : `/api/v1/loyalty${url}`, ...(payload !== undefined && { payload: payload as Record<string, unknown> }), headers });
  const ok: LoyaltyTenant['ok'] = async (token, method, url, payload, status) => {
    const res = await call(token, method, url, payload);
    const expected = status ?? (method === 'POST' ? 201 : 200);
    if (res.statusCode !== expected) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? ({} as never) : res.json();
  };
  const kernel = p.peyvand.kernel;
  return {
    p,
    id: tenant.id,
    slug,
    admin,
    key: (role) => tenant.key(role),
    call,
    ok,
    customer: async (name, extra = {}) => (await ok<{ id: string }>(admin, 'POST', '/api/v1/customers', { kind: 'person', name, ...extra })).id,
    program: async (body = {}) => {
      await ok(admin, 'PUT', '/program', { ...BASE_PROGRAM, ...body });
    },
    emit: async (type, order) => {
      await kernel.outbox.emitUntyped(kernel.db.knex, type, order as unknown as Record<string, unknown>, { tenantId: tenant.id, aggregateType: 'order', aggregateId: order.id });
      await kernel.dispatcher.drain();
    },
    services: () => kernel.servicesOf<LoyaltyServices>('loyalty')!,
    account: (customerId) => ok<Account>(admin, 'GET', `/accounts/${customerId}`),
  };
}

