/**
 * What the fault tests share: `peyvand serve` as a child process (the crash suite's
 * `startServer`), a tenant with API keys, concurrent writers that record every answer,
 * and the check that every acknowledged create is in the database with its
 * `customer.created` event in the outbox and its audit row.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Test } from 'tap';
import { api, startServer, type ApiAnswer, type ServerProcess } from '../crash/server-process.js';

type Tap = Pick<Test, 'equal'>;

export { api, startServer, type ApiAnswer, type ServerProcess };

/** The platform admin key the fault servers start with. */
export const ADMIN_KEY = `fault_admin_${randomBytes(12).toString('hex')}`;

/** The environment of a fault server on `databaseUrl`. */
export function serverEnv(databaseUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    PEYVAND_SECRET: 'fault-tests-secret-0123456789abcdef',
    PEYVAND_ADMIN_KEY: ADMIN_KEY,
    // The writers are as fast as the server: the per-credential limit is not under test.
    PEYVAND_RATE_LIMIT_PER_MINUTE: '1000000',
    PEYVAND_DISPATCH_BACKOFF_MS: '50',
    ...extra,
  };
}

/** Creates a tenant and returns an admin-role API key of it. */
export async function tenantKey(server: ServerProcess, slug: string, plugins: string[] = []): Promise<string> {
  const tenant = await api(server.url, ADMIN_KEY, 'POST', '/api/v1/admin/tenants', { slug, name: slug, plugins });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const key = await api(server.url, ADMIN_KEY, 'POST', `/api/v1/admin/tenants/${slug}/api-keys`, { name: 'writer', role: 'admin' });
  if (key.status !== 201) throw new Error(`api key: ${key.status} ${JSON.stringify(key.body)}`);
  return String(key.body.key);
}

/** Every answer the writers got, by kind. */
export interface WriteLog {
  /** Customer ids of 201 answers. */
  created: string[];
  /** Non-2xx answers: status, content type and body as received. */
  refused: Array<{ status: number; contentType: string; body: Record<string, unknown>; retryAfter: string | null }>;
  /** Requests that got no answer at all. */
  noAnswer: number;
}

/** An empty log. */
export const newWriteLog = (): WriteLog => ({ created: [], refused: [], noAnswer: 0 });

/** POST /customers with its raw answer (status, headers, parsed body). */
export async function createCustomer(base: string, key: string, name: string, language = 'en'): Promise<{ status: number; contentType: string; retryAfter: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'accept-language': language },
    body: JSON.stringify({ kind: 'person', name }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { unparsed: text };
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), body };
}

/** `writers` concurrent loops of creates until `done()` says so; every answer goes to `log`. */
export async function writeConcurrently(base: string, key: string, writers: number, label: string, log: WriteLog, done: () => boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; !done(); i++) {
        try {
          // Every other writer reads in Persian: the fault's message must be localized too.
          const answer = await createCustomer(base, key, `${label}-w${w}-${i}`, w % 2 === 0 ? 'en' : 'fa');
          if (answer.status === 201) log.created.push(String(answer.body.id));
          else log.refused.push(answer);
        } catch {
          log.noAnswer++;
        }
      }
    }),
  );
}

/**
 * After the fault has passed: one create, then 60 from concurrent writers, must all be
 * acknowledged by the same server process. Returns the ids created.
 */
export async function checkWritesResume(t: Tap, server: ServerProcess, key: string, writers: number): Promise<string[]> {
  const first = await createCustomer(server.url, key, 'after-the-fault', 'fa');
  t.equal(first.status, 201, 'the first write after the fault is acknowledged');
  const after = newWriteLog();
  let count = 0;
  await writeConcurrently(server.url, key, writers, 'after', after, () => count++ >= 60);
  t.equal(after.refused.length + after.noAnswer, 0, 'and so are concurrent writes after it');
  t.equal(server.child.exitCode, null, 'on the same server process, without a restart');
  return [String(first.body.id), ...after.created];
}

/** Acknowledged creates missing from the database, without their `customer.created` event, or without their audit row. */
export async function acknowledgedButMissing(knex: Knex, created: readonly string[]): Promise<{ customers: number; events: number; audit: number }> {
  const missing = { customers: 0, events: 0, audit: 0 };
  // Chunks: SQLite and MariaDB cap the number of bound parameters of one statement.
  for (let i = 0; i < created.length; i += 500) {
    const ids = created.slice(i, i + 500);
    const customers = new Set((await knex('crm_customers').whereIn('id', ids).select('id')).map((r) => String(r.id)));
    const events = new Set((await knex('crm_outbox').where('type', 'customer.created').whereIn('aggregate_id', ids).select('aggregate_id')).map((r) => String(r.aggregate_id)));
    const audit = new Set((await knex('crm_audit_log').where('entity_type', 'customer').whereIn('entity_id', ids).select('entity_id')).map((r) => String(r.entity_id)));
    for (const id of ids) {
      if (!customers.has(id)) missing.customers++;
      if (!events.has(id)) missing.events++;
      if (!audit.has(id)) missing.audit++;
    }
  }
  return missing;
}

/** The errors the server logs (pino JSON lines on stdout) by request id, to explain an unexpected answer. */
export function loggedErrors(server: ServerProcess): Map<string, string> {
  const messages = new Map<string, string>();
  let partial = '';
  server.child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { requestId?: string; err?: { type?: string; code?: string; message?: string } };
      if (entry.requestId && entry.err) messages.set(entry.requestId, `${entry.err.type ?? ''} ${entry.err.code ?? ''}: ${String(entry.err.message).slice(0, 300)}`);
    }
  });
  return messages;
}

/** Polls `condition` every 50 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}
