/**
 * The deployment every security suite attacks: core, every plugin the standalone server
 * installs (`installedPlugins()`, so sales, webhooks… join the attack when they are
 * added there) and the notes fixture, two tenants with every plugin enabled, and for each
 * tenant API keys of the five built-in roles plus host-signed JWT users with teams, and one
 * customer principal (a host token with the `customer` role and a `cust` claim), the only
 * caller portal routes let in.
 */
import { SignJWT } from 'jose';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { bootPeyvand, type TestPeyvand } from '../../helpers/peyvand.js';
import { notesPlugin } from '../../fixtures/notes-plugin.js';
import warrantyClaims from '../../../examples/custom-plugin/index.js';
import { loadInstalledPlugins } from '../../../core/cli/plugin-loader.js';
import type { AnyPlugin, RecordScope } from '../../../core/index.js';
import type { PeyvandOptions } from '../../../core/peyvand.js';
import { operationsOf, type OpenApiDocument, type Operation } from './openapi.js';
import { summarize, type DbSummary } from './db-state.js';

/** A caller of the attacked deployment. */
export interface SecurityActor {
  label: string;
  tenant: string;
  tenantId: string;
  token: string;
  kind: 'api_key' | 'user';
  role: string;
  subject: string;
  teams: string[];
  permissions: Set<string>;
  scopes: Record<string, RecordScope>;
}

/** A customer of a tenant signed in by the host: the caller of portal routes (and of nothing else). */
export interface PortalCustomer {
  tenant: string;
  tenantId: string;
  /** The customer record the token's `cust` claim names. */
  customerId: string;
  token: string;
}

/** The booted deployment and its callers. */
export interface SecurityWorld {
  p: TestPeyvand;
  operations: Operation[];
  tenants: Array<{ slug: string; id: string; hs256Secret: string }>;
  /** Staff callers (API keys and host users); none of them passes a portal route. */
  actors: SecurityActor[];
  /** One customer principal per tenant. */
  customers: PortalCustomer[];
  /**
   * The credential that passes an operation's access rule: none for a public route, the
   * admin key for an admin route, the tenant's customer token for a portal route, else `staff`.
   */
  tokenFor(op: Operation, staff: string | undefined, tenant?: string): string | undefined;
  /** A request that fails the test when it takes longer than `timeoutMs`. */
  send(token: string | undefined, options: InjectOptions, timeoutMs?: number): Promise<LightMyRequestResponse>;
  /** Signs a host JWT for a tenant (claims overridable, for the bad-token tests). */
  jwt(tenant: string, claims: Record<string, unknown>, options?: { secret?: string; expiresIn?: string | number; audience?: string }): Promise<string>;
  /** Re-reads every actor's permissions and scopes (after a role edit). */
  refreshActors(): Promise<void>;
  /**
   * What the database holds (db-state.ts), once background work that earlier requests
   * started has ended: an ERP run queued by a request runs on this node right away, and
   * its writes must not be blamed on the next request.
   */
  snapshot(): Promise<DbSummary>;
}

/** Iterations: the CI count times `PEYVAND_FUZZ_SCALE` (`npm run test:fuzz` sets 20). */
export function runs(ciCount: number): number {
  const scale = Number(process.env.PEYVAND_FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(ciCount * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** fast-check parameters shared by the suites; `PEYVAND_FUZZ_SEED` replays a run. */
export function fcParams(ciCount: number): fc.Parameters<unknown> {
  const seed = process.env.PEYVAND_FUZZ_SEED ? Number(process.env.PEYVAND_FUZZ_SEED) : undefined;
  return { numRuns: runs(ciCount), endOnFailure: true, ...(seed !== undefined && { seed }) };
}

/**
 * Runs `check` on values of `arbitrary(item)` for every item, round after round
 * (`runs(ciRounds)` rounds): interleaved, so a DELETE does not empty the pool before the
 * routes after it in the list have had their turn. Each case has its own seed, derived from
 * `PEYVAND_FUZZ_SEED` when set (a failure message names it).
 */
export async function roundRobin<I, V>(items: readonly I[], arbitrary: (item: I) => fc.Arbitrary<V>, check: (value: V, item: I) => Promise<void>, ciRounds: number): Promise<number> {
  const base = process.env.PEYVAND_FUZZ_SEED ? Number(process.env.PEYVAND_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 30);
  let cases = 0;
  for (let round = 0; round < runs(ciRounds); round++) {
    for (const [i, item] of items.entries()) {
      const seed = base + round * 10_000 + i;
      try {
        await fc.assert(fc.asyncProperty(arbitrary(item), (v) => check(v, item)), { numRuns: 1, seed });
      } catch (err) {
        throw new Error(`PEYVAND_FUZZ_SEED=${base} (case seed ${seed}): ${(err as Error).message}`, { cause: err });
      }
      cases++;
    }
  }
  return cases;
}

/** What `npm start` installs when nothing is configured: every built-in plugin. */
export const installed = await loadInstalledPlugins({}, process.cwd());

/**
 * The plugins under attack: the built-ins, a fixture, and the example written only against
 * the public API (`examples/custom-plugin/`), as an outside author's plugin would be.
 */
export function attackedPlugins(): AnyPlugin[] {
  return [...installed.plugins, notesPlugin(), warrantyClaims];
}

const ROLES = ['owner', 'admin', 'manager', 'agent', 'viewer'] as const;
const USERS: Array<{ sub: string; roles: string[]; teams: string[] }> = [
  { sub: 'agent-north-1', roles: ['agent'], teams: ['north'] },
  { sub: 'agent-north-2', roles: ['agent'], teams: ['north'] },
  { sub: 'agent-south', roles: ['agent'], teams: ['south'] },
  { sub: 'manager-north', roles: ['manager'], teams: ['north'] },
  { sub: 'viewer-user', roles: ['viewer'], teams: [] },
];

/** Boots the world (rate limit lifted: the suites send thousands of requests). */
export async function bootWorld(t: Parameters<typeof bootPeyvand>[0], options: Partial<PeyvandOptions> = {}): Promise<SecurityWorld> {
  const plugins = attackedPlugins();
  // Webhooks to the loopback are refused unless allowlisted; nothing is delivered (no dispatch).
  process.env.PEYVAND_WEBHOOK_ALLOWLIST ??= '127.0.0.1';
  // An ERP run a request queues starts at once on this node, in the background (by design);
  // one attempt only, so no retry fires 30 s later, in the middle of another request's check.
  const p = await bootPeyvand(t, { plugins, pluginOptions: installed.options, ...options, http: { rateLimitPerMinute: 1_000_000, ...options.http }, erp: { maxAttempts: 1, ...options.erp } });
  const names = plugins.map((x) => x.name);
  const tenants: SecurityWorld['tenants'] = [];
  const actors: SecurityActor[] = [];
  const customers: PortalCustomer[] = [];
  const jwt: SecurityWorld['jwt'] = async (tenant, claims, o = {}) => {
    const secret = o.secret ?? tenants.find((x) => x.slug === tenant)!.hs256Secret;
    return new SignJWT({ tid: tenant, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(o.audience ?? 'peyvand')
      .setExpirationTime(o.expiresIn ?? '2h')
      .sign(new TextEncoder().encode(secret));
  };
  for (const slug of ['acme', 'globex']) {
    const tenant = await p.tenant(slug, { plugins: names });
    const hs256Secret = `${slug}-embed-secret-0123456789-abcdefghijklmnop`;
    const embed = await p.admin({ method: 'PUT', url: `/api/v1/admin/tenants/${slug}/embed`, payload: { hs256Secret, algorithms: ['HS256'], allowedOrigins: ['https://erp.example'] } });
    if (embed.statusCode !== 204) throw new Error(`embed ${slug}: ${embed.body}`);
    tenants.push({ slug, id: tenant.id, hs256Secret });
    for (const role of ROLES) actors.push(blankActor(`${slug}/key:${role}`, slug, tenant.id, await tenant.key(role), 'api_key', role));
    for (const u of USERS) actors.push(blankActor(`${slug}/jwt:${u.sub}`, slug, tenant.id, await jwt(slug, { sub: u.sub, roles: u.roles, teams: u.teams }), 'user', u.roles[0]!));
    // The portal's caller: a customer record, and a host token naming it in `cust`.
    const ownerKey = actors.find((a) => a.label === `${slug}/key:owner`)!.token;
    const customer = await p.call(ownerKey, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: `مشتری پرتال ${slug}` } });
    if (customer.statusCode !== 201) throw new Error(`portal customer ${slug}: ${customer.body}`);
    const customerId = String(customer.json().id);
    customers.push({ tenant: slug, tenantId: tenant.id, customerId, token: await jwt(slug, { sub: `portal-${slug}`, roles: ['customer'], cust: customerId }) });
  }
  const send: SecurityWorld['send'] = (token, o, timeoutMs = 30_000) => withTimeout(p.call(token, o), timeoutMs, `${o.method} ${o.url}`);
  const refreshActors = async () => {
    for (const a of actors) {
      const me = await p.call(a.token, { method: 'GET', url: '/api/v1/me' });
      if (me.statusCode !== 200) throw new Error(`/me for ${a.label}: ${me.statusCode}`);
      const body = me.json() as { subject: string; teams: string[]; permissions: string[]; scopes: Record<string, RecordScope> };
      Object.assign(a, { subject: body.subject, teams: body.teams, permissions: new Set(body.permissions), scopes: body.scopes });
    }
  };
  await refreshActors();
  const doc = (await p.call(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApiDocument;
  // Local triage only: `PEYVAND_SECURITY_EXCLUDE=<regex>` leaves matching routes out (CI never sets it).
  const exclude = process.env.PEYVAND_SECURITY_EXCLUDE ? new RegExp(process.env.PEYVAND_SECURITY_EXCLUDE) : undefined;
  const operations = operationsOf(doc).filter((op) => !exclude?.test(op.label));
  const tokenFor: SecurityWorld['tokenFor'] = (op, staff, tenant = 'acme') => {
    if (op.public) return undefined;
    if (op.admin) return p.adminKey;
    if (op.portal) return customers.find((c) => c.tenant === tenant)!.token;
    return staff;
  };
  const snapshot = async () => {
    await p.peyvand.kernel.erp.runner.idle();
    return summarize(p.peyvand.kernel.db);
  };
  return { p, operations, tenants, actors, customers, tokenFor, send, jwt, refreshActors, snapshot };
}

function blankActor(label: string, tenant: string, tenantId: string, token: string, kind: SecurityActor['kind'], role: string): SecurityActor {
  return { label, tenant, tenantId, token, kind, role, subject: '', teams: [], permissions: new Set(), scopes: {} };
}

/** Rejects when `promise` takes longer than `ms`: a hang is a failure, not a stuck CI job. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Throws (failing the fast-check property) with a message when `ok` is false. */
export function expect(ok: boolean, message: () => string): asserts ok {
  if (!ok) throw new Error(message());
}

/** A compact description of a response for failure messages. */
export function describe(res: LightMyRequestResponse): string {
  return `${res.statusCode} ${res.body.slice(0, 400)}`;
}

/**
 * A response body without what changes by itself between two reads: the request id, and
 * the `asOf` instant of a report's open period (support's backlog is "as of now"). The
 * suites compare views before and after others act; only a real change may differ.
 */
export function stableBody(body: string): string {
  return body.replace(/"requestId":"[^"]*"/, '').replace(/"asOf":"[^"]*"/g, '"asOf":…');
}
