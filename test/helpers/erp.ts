/**
 * Shared setup of the ERP sync tests: Peyvand booted with the adapter plugins, loopback
 * ERPs allowlisted (the fakes listen on 127.0.0.1), fast retries, and shortcuts for
 * connections and runs.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AnyPlugin } from '../../core/plugin/contract.js';
import type { PeyvandOptions } from '../../core/peyvand.js';
import { bootPeyvand, type TestPeyvand } from './peyvand.js';
import type { Test } from 'tap';
import { coreEventSchemas } from '../../core/plugin/core-events.js';
import { orderEventSchemas } from '../../core/orders/order-events.js';
import { erpEventSchemas } from '../../core/erp/erp-events.js';
import { assertWrittenEvents } from './event-schemas.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** Counts of a run. */
export type Counts = Record<'created' | 'updated' | 'unchanged' | 'deleted' | 'failed' | 'conflicts', number>;

/** A run as the API returns it. */
export interface Run {
  id: string;
  status: string;
  dryRun: boolean;
  full: boolean;
  counts: Counts;
  countsByEntity: Record<'customers' | 'orders' | 'invoices', Counts>;
  error?: { code: string; message: string };
  startedAt: string | null;
  finishedAt: string | null;
}

/** An issue as the API returns it. */
export interface Issue {
  entity: string;
  externalId: string;
  code: string;
  message: string;
  payload: Record<string, unknown>;
}

/** A tenant ready for ERP requests. */
export interface ErpTenant {
  p: TestPeyvand;
  id: string;
  /** An owner API key. */
  owner: string;
  key(role: string): Promise<string>;
  call(token: string | undefined, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A request that must answer `status`; returns the JSON body. */
  ok<T = Record<string, unknown>>(method: InjectOptions['method'], url: string, payload?: unknown, status?: number): Promise<T>;
  /** Starts a run and waits until it has ended. */
  run(connectionId: string, body?: { dryRun?: boolean; full?: boolean }): Promise<Run>;
  /** Polls a run until it has ended (deadline 20 s). */
  waitRun(runId: string): Promise<Run>;
  issues(runId: string): Promise<Issue[]>;
  /**
   * Delivers the outbox (the write-back subscriber queues push runs) and returns the
   * connection's push runs, newest first, each waited until it has ended.
   */
  pushes(connectionId: string): Promise<Run[]>;
}

/** Boots Peyvand with the given adapter plugins and one tenant. */
export async function bootErp(t: Teardown, plugins: AnyPlugin[], options: { p?: TestPeyvand; slug?: string; peyvand?: Partial<PeyvandOptions> } = {}): Promise<ErpTenant> {
  const p = options.p ?? await bootPeyvand(t, { plugins, webhooks: { allowlist: ['127.0.0.1'] }, erp: { retryBaseMs: 20, http: { backoffBaseMs: 5, timeoutMs: 10_000 } }, http: { rateLimitPerMinute: 1_000_000 }, ...options.peyvand });
  const tenant = await p.tenant(options.slug ?? 'erp');
  const owner = await tenant.key('owner');
  const call = (token: string | undefined, method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    p.call(token, { method, url: url.startsWith('/api/') ? url : `/api/v1${url}`, ...(payload !== undefined && { payload: payload as InjectOptions['payload'] }), headers });
  const ok = async <T>(method: InjectOptions['method'], url: string, payload?: unknown, status = method === 'POST' ? 201 : 200): Promise<T> => {
    const res = await call(owner, method, url, payload);
    if (res.statusCode !== status) throw new Error(`${String(method)} ${url}: expected ${status}, got ${res.statusCode} ${res.body}`);
    return (res.body ? res.json() : undefined) as T;
  };
  const waitRun = async (runId: string): Promise<Run> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const run = await ok<Run>('GET', `/erp/runs/${runId}`);
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    p,
    id: tenant.id,
    owner,
    key: tenant.key,
    call,
    ok,
    waitRun,
    async run(connectionId, body = {}) {
      const accepted = await ok<{ id: string; status: string }>('POST', `/erp/connections/${connectionId}/runs`, body, 202);
      return waitRun(accepted.id);
    },
    async pushes(connectionId) {
      await p.peyvand.kernel.dispatcher.drain();
      const page = await ok<{ items: Run[] }>('GET', `/erp/connections/${connectionId}/runs?trigger=push&limit=200`);
      return Promise.all(page.items.map((run) => waitRun(run.id)));
    },
    async issues(runId) {
      const out: Issue[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Issue[]; nextCursor: string | null } = await ok('GET', `/erp/runs/${runId}/issues?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        out.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    },
  };
}

/** Asserts that every event a sync wrote (customers, documents, runs) carries exactly what its data schema says, and that `expected` types were among them. */
export async function assertSyncEvents(t: Test, s: ErpTenant, expected: readonly string[]): Promise<void> {
  await assertWrittenEvents(t, { admin: s.owner, call: s.call }, 'customer.*,order.*,invoice.*,erp.*', { ...coreEventSchemas, ...orderEventSchemas, ...erpEventSchemas }, expected);
}
