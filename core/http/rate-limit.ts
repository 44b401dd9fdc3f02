/**
 * The request rate limit (docs/security.md, "Rate limits"): per credential — the verified
 * API key (its id), the host ERP's user or customer (tenant and subject), the admin key —
 * else, for a caller no credential was verified for (a public route), per client address;
 * `PEYVAND_RATE_LIMIT_PER_MINUTE` or the tenant's own override
 * (`PUT /admin/tenants/{slug}/rate-limit`), counted by every node together:
 *
 * - through Redis when one is configured — @fastify/rate-limit's own store, exact;
 * - else, on PostgreSQL and MariaDB, through the database ({@link DatabaseRateLimitStore});
 * - else (SQLite: one process owns the file) in memory.
 *
 * The limiter runs after authentication (its hook is the route's own, which fastify runs
 * after the scope's), so the credential and the tenant's override are known; refused
 * credentials never reach it and are counted by the auth-failure limiter instead.
 */
import { hash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { readInt } from '../db/database.js';
import { BootError, coreError } from '../plugin/errors.js';
import type { Actor } from '../plugin/actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's tenant's own requests per minute, when it has one (set by authentication). */
    tenantRateLimit?: number;
    /** What the rate limit counts this request against, once a credential is verified (see {@link rateLimitKeyOf}). */
    rateLimitKey?: string;
  }
}

/** The admin key's count: there is one admin key per deployment. */
export const ADMIN_RATE_LIMIT_KEY = 'admin';

/**
 * The rate-limit key of a verified caller. An API key is counted by its id (`apikey:<id>`,
 * unique across tenants), so however its header is spelled it has one budget, and two
 * keys have two. A host token's user or customer is counted by tenant and subject, hashed
 * to fit the counts' key column (a subject is the ERP's and may be long): every token the
 * ERP signs for that person shares one budget. Unverified callers are counted by address.
 */
export function rateLimitKeyOf(actor: Actor): string {
  if (actor.kind === 'api_key') return actor.subject;
  return `sub:${hash('sha256', `${actor.tenantId}\u0000${actor.subject}`, 'base64url')}`;
}

/** The deployment's default: requests per credential per minute. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1200;
const WINDOW_MS = 60_000;
/** How often a node adds its counts to the database's and reads the totals back. */
export const RATE_LIMIT_SYNC_MS = 250;

/** Where the counts live (see the module comment). */
export type RateLimitCounter = { kind: 'memory' } | { kind: 'redis'; url: string } | { kind: 'database'; db: Database };

/** The limiter of Peyvand's scope: a route-level onRequest hook, and what to close with it. */
export interface RateLimiter {
  hook: (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void;
  close(): Promise<void>;
}

// @fastify/rate-limit's own stores and duration wording, as the plugin resolves them.
const fromPlugin = createRequire(createRequire(import.meta.url).resolve('@fastify/rate-limit'));
type StoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, ...rest: unknown[]) => FastifyRateLimitStore;
const LocalStore = fromPlugin('./store/LocalStore') as StoreCtor;
const RedisStore = fromPlugin('./store/RedisStore') as StoreCtor;
const { format: formatDuration } = fromPlugin('@lukeed/ms') as { format(ms: number, long: boolean): string };

/**
 * The limiter for Peyvand's scope. It answers as @fastify/rate-limit did when it ran as a
 * plugin (same stores, keys, `x-ratelimit-*` headers, 429 with `Retry-After`), but as one
 * callback hook: when the store answers at once (memory; the database store within a
 * window) the request goes on in the same turn, without the plugin's chain of awaits and
 * promises per request (see docs/performance.md). Redis, and the database store's first
 * hit of a window, answer later; the hook then waits for them.
 */
export async function createRateLimiter(perMinute: number | undefined, counter: RateLimitCounter, logger?: Logger): Promise<RateLimiter> {
  const fallback = perMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  let store: FastifyRateLimitStore;
  let close = async (): Promise<void> => undefined;
  // A shared store that cannot be reached lets requests through uncounted (logged by the
  // store): an outage of Redis or of the counts table must not take the API down.
  let skipOnError = true;
  if (counter.kind === 'redis') {
    // Commands fail at once while Redis is away (no offline queue).
    const redis = new Redis(counter.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, connectTimeout: 5_000 });
    redis.on('error', (err: Error) => logger?.warn({ err }, 'rate-limit Redis unreachable; requests are not counted until it returns'));
    // Unreachable at boot is a configuration error, like the event transport's.
    await redis.connect().catch((err: unknown) => {
      redis.disconnect();
      throw new BootError('RATE_LIMIT_REDIS_UNREACHABLE', undefined, `the rate-limit Redis (${counter.url.replace(/\/\/[^@/]*@/, '//***@')}) cannot be reached: ${(err as Error).message}`);
    });
    store = new RedisStore(false, false, redis, 'peyvand-rl:');
    close = async () => void redis.disconnect();
  } else if (counter.kind === 'database') {
    const shared = new DatabaseRateLimitStore(counter.db, logger);
    store = shared;
    close = () => shared.close();
  } else {
    store = new LocalStore(false, false, 5_000);
    skipOnError = false;
  }
  const hook: RateLimiter['hook'] = (request, reply, done) => {
    const url = request.url;
    if (url === '/health' || url.endsWith('/health') || url.endsWith('/ready')) {
      done();
      return;
    }
    const key = request.rateLimitKey ?? `ip:${request.ip}`;
    const max = request.tenantRateLimit ?? fallback;
    store.incr(key, (err, result) => {
      if (err && !skipOnError) {
        done(err);
        return;
      }
      const current = result?.current ?? 0;
      const seconds = Math.ceil((result?.ttl ?? 0) / 1000);
      reply.header('x-ratelimit-limit', max).header('x-ratelimit-remaining', current > max ? 0 : max - current).header('x-ratelimit-reset', seconds);
      if (current <= max) {
        done();
        return;
      }
      reply.header('retry-after', seconds);
      done(coreError('RATE_LIMITED', { after: formatDuration(seconds * 1000, true) }, { headers: { 'retry-after': String(seconds) } }));
    }, WINDOW_MS, max);
  };
  return { hook, close };
}

interface Window {
  start: number;
  /** Hits every node reported, as last read back from the database. */
  total: number;
  /** This node's hits not yet added to the database. */
  pending: number;
  /** This node's hits being added by a sync now: in no total yet, no longer pending. */
  syncing: number;
  /** Set while the first hit of the window is being counted in the database. */
  first?: Promise<void>;
}

/**
 * Counts shared through the database without a write per request: a key's first hit in
 * a window on this node is added and read back at once (so a credential that used up its
 * minute on another node is refused here from its first request), later hits are counted
 * locally and added every {@link RATE_LIMIT_SYNC_MS}, reading the total back. Windows are
 * whole minutes. A node may therefore let through what one credential sends in one sync
 * interval beyond the limit — the documented bound.
 */
export class DatabaseRateLimitStore implements FastifyRateLimitStore {
  private readonly windows = new Map<string, Window>();
  private readonly timer: NodeJS.Timeout;
  private syncing: Promise<void> | undefined;
  private lastCleanup = 0;

  constructor(
    private readonly db: Database,
    private readonly logger?: Logger,
  ) {
    this.timer = setInterval(() => void this.sync(), RATE_LIMIT_SYNC_MS);
    this.timer.unref();
  }

  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
    const now = Date.now();
    const start = now - (now % timeWindow);
    const ttl = start + timeWindow - now;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      const fresh: Window = { start, total: 0, pending: 0, syncing: 0 };
      fresh.first = this.add(key, start, 1).then((total) => {
        fresh.total = total;
      }, (err: unknown) => {
        // Counted locally instead; the next sync adds it.
        fresh.pending++;
        this.logger?.warn({ err }, 'rate-limit count could not be written; counting locally');
      }).finally(() => {
        delete fresh.first;
      });
      this.windows.set(key, fresh);
      w = fresh;
    } else {
      w.pending++;
    }
    const window = w;
    const reply = () => callback(null, { current: window.total + window.syncing + window.pending, ttl });
    if (window.first) void window.first.then(reply);
    else reply();
  }

  child(): FastifyRateLimitStore {
    return this;
  }

  /** Adds this node's pending hits and reads every total back; drops finished windows. */
  async sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = (async () => {
      const now = Date.now();
      for (const [key, w] of this.windows) {
        if (w.start + WINDOW_MS <= now && w.pending === 0) {
          this.windows.delete(key);
          continue;
        }
        if (w.pending === 0 || w.first) continue;
        const pending = w.pending;
        w.pending = 0;
        // Counted while the write is under way: a hit arriving meanwhile must still see them.
        w.syncing = pending;
        try {
          w.total = await this.add(key, w.start, pending);
          w.syncing = 0;
        } catch (err) {
          w.syncing = 0;
          w.pending += pending;
          this.logger?.warn({ err }, 'rate-limit counts could not be shared; retrying');
          break;
        }
      }
      // Finished minutes are dropped once a minute per node, not on every sync.
      if (now - this.lastCleanup >= WINDOW_MS) {
        this.lastCleanup = now;
        await this.db.rows('rate_limit_counts').where('window_start', '<', now - 2 * WINDOW_MS).delete().catch(() => undefined);
      }
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** Adds `hits` to the key's window and returns the window's total. */
  private async add(key: string, start: number, hits: number): Promise<number> {
    const table = this.db.table('rate_limit_counts');
    const { knex } = this.db;
    await this.db
      .rows('rate_limit_counts')
      .insert({ limit_key: key, window_start: start, hits })
      .onConflict(['limit_key', 'window_start'])
      .merge({ hits: knex.raw('??.?? + ?', [table, 'hits', hits]) });
    const row = await this.db.rows('rate_limit_counts').where({ limit_key: key, window_start: start }).first('hits');
    return readInt(row?.hits ?? hits);
  }

  /** Stops syncing after a last one. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sync().catch(() => undefined);
  }
}
