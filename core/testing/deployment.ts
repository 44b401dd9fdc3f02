/**
 * A booted in-process Peyvand on a fresh database, for tests of any framework: no test
 * runner is imported, the caller closes it with `close()`. Requests go through
 * `app.inject`, the whole HTTP stack (authentication, validation, problem+json), without
 * a socket.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createPeyvand, type Peyvand, type PeyvandOptions } from '../peyvand.js';
import type { Dialect } from '../db/connect.js';
import type { PeyvandEvent } from '../plugin/events.js';
import { createTestDatabase, testDialect } from './database.js';
import { offlineResolver } from './offline-resolver.js';
import { outboxEvents, type EventFilter } from './events.js';

/** Options of {@link bootTestDeployment}. */
export interface TestDeploymentOptions {
  /** What `createPeyvand` gets besides the database, secret, admin key and logger (plugins, options, tuning). */
  peyvand?: Partial<PeyvandOptions>;
  /** The database dialect; default `PEYVAND_TEST_DB` (`sqlite` when unset). */
  dialect?: Dialect;
}

/** A tenant of a test deployment. */
export interface TestTenant {
  id: string;
  slug: string;
  /** Creates an API key with the role (a built-in or a custom one) and returns its token. */
  key(role: string, name?: string): Promise<string>;
}

/** A booted test deployment. Close it when the test ends. */
export interface TestDeployment {
  peyvand: Peyvand;
  /** The platform admin key (`/api/v1/admin/*`). */
  adminKey: string;
  databaseUrl: string;
  dialect: Dialect;
  /** A request with a bearer token, or with none when `token` is undefined. */
  call(token: string | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** A request with the platform admin key. */
  admin(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Creates a tenant through the admin API (`body` adds `plugins`, `locale`, …). */
  createTenant(slug: string, body?: Record<string, unknown>): Promise<TestTenant>;
  /** The events in the outbox, oldest first (see {@link outboxEvents}). */
  events(filter?: EventFilter): Promise<PeyvandEvent[]>;
  /**
   * Runs the subscribers now: delivers every event the outbox holds that a subscriber has
   * not seen yet (plugin subscribers, webhooks, ERP write-back), round after round until
   * nothing is left, and resolves when it is done. The deployment's dispatcher does not
   * poll (`dispatch: false`), so this is when a test's subscribers run: deterministic, no
   * waiting. A handler that throws is recorded for retry with backoff, as in production;
   * its effect is then not there.
   */
  deliver(): Promise<void>;
  /**
   * Hands these events (from {@link events}) once more to the plugins' subscribers that
   * want them, as at-least-once delivery does after a crash between a handler's commit and
   * the dispatcher's progress write. A subscriber that is idempotent by `event.id` changes
   * nothing the second time; a test proves it by reading the effect before and after. A
   * handler's error is thrown.
   */
  redeliver(events: readonly PeyvandEvent[]): Promise<void>;
  /** Shuts Peyvand down and drops the database. Safe to call twice. */
  close(): Promise<void>;
}

/** Boots Peyvand on a new, empty database with no tenant. */
export async function bootTestDeployment(options: TestDeploymentOptions = {}): Promise<TestDeployment> {
  const db = await createTestDatabase(options.dialect ?? testDialect());
  const adminKey = `admin_${randomBytes(16).toString('hex')}`;
  const given = options.peyvand ?? {};
  let peyvand: Peyvand;
  try {
    peyvand = await createPeyvand({
      databaseUrl: db.url,
      secret: randomBytes(32).toString('base64url'),
      adminKey,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      // Tests drive delivery themselves unless they ask for the dispatcher.
      dispatch: false,
      ...given,
      webhooks: { resolve: offlineResolver, ...given.webhooks },
    });
  } catch (err) {
    await db.drop();
    throw err;
  }
  let closed: Promise<void> | undefined;
  const call = (token: string | undefined, o: InjectOptions) =>
    peyvand.app.inject({ ...o, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(o.headers ?? {}) } });
  const admin = (o: InjectOptions) => call(adminKey, o);
  return {
    peyvand,
    adminKey,
    databaseUrl: db.url,
    dialect: db.dialect,
    call,
    admin,
    async createTenant(slug, body = {}) {
      const res = await admin({ method: 'POST', url: '/api/v1/admin/tenants', payload: { slug, name: slug, ...body } });
      if (res.statusCode !== 201) throw new Error(`tenant ${slug}: ${res.statusCode} ${res.body}`);
      const id = res.json<{ id: string }>().id;
      return {
        id,
        slug,
        async key(role, name = role) {
          const k = await admin({ method: 'POST', url: `/api/v1/admin/tenants/${slug}/api-keys`, payload: { name, role } });
          if (k.statusCode !== 201) throw new Error(`key ${role}: ${k.statusCode} ${k.body}`);
          return k.json<{ key: string }>().key;
        },
      };
    },
    events: (filter) => outboxEvents(peyvand.kernel, filter),
    deliver: () => peyvand.kernel.dispatcher.drain(),
    redeliver: (events) => peyvand.kernel.dispatcher.redeliver(events),
    close() {
      closed ??= peyvand.close().finally(() => db.drop());
      return closed;
    },
  };
}
