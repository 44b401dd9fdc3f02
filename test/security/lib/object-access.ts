/**
 * The machinery of the object-level suites (OWASP API1): a world with records of every
 * creatable collection made by owners, managers and agents of both tenants in different
 * teams, and `step`, one call by one actor followed by every check that holds for any
 * call:
 * - the other tenant's rows are untouched (a hash of every row carrying its tenant_id);
 * - the response carries no id of the other tenant's records (unless the caller sent it);
 * - a call naming a record the caller may not see (another tenant's, outside its own/team
 *   scope, or deleted) answers exactly like the same call naming an id that never
 *   existed: same status, code and body but for the id;
 * - what a read or list returns is within the caller's record scope.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { bootWorld, describe, expect, stableBody, type SecurityActor, type SecurityWorld } from './world.js';
import { pick, toInject, validRequest, type RequestSpec } from './requests.js';
import { isConfiguration, isIdName, PRINCIPAL_FIELDS, resourceOf, type Operation } from './openapi.js';
import { RecordPool, recordsWithNested, responseCollection, type KnownRecord } from './pool.js';
import { comparable, maySee, objectsWithIds } from './scope-model.js';
import { tenantFingerprint } from './db-state.js';
import type { Hooks } from './arbitraries.js';
import { encodeCursor } from '../../../core/plugin/cursor.js';

/** Counters of what the checks saw. */
export interface AccessStats {
  calls: number;
  /** Calls that named a record the caller may not see (each compared with its missing-id twin). */
  twins: number;
  ok: number;
  /** Records a read returned whose scope was checked. */
  scoped: number;
}

/** The seeded world and its checks. */
export interface ObjectAccess {
  w: SecurityWorld;
  pool: RecordPool;
  /** Tenant routes that act on records (admin, public and configuration routes left out). */
  ops: Operation[];
  hooks: Hooks;
  stats: AccessStats;
  /** The owner API key of a tenant (by id): the ground truth of what exists. */
  ownerOf(tenantId: string): SecurityActor;
  /** Whether `actor` may see a record: false, true, or undefined when the model cannot tell. */
  visibility(actor: SecurityActor, record: KnownRecord): Promise<boolean | undefined>;
  /**
   * One call with every check; resolves to the response (and the options actually sent).
   * Ids are drawn from the pool (narrowed by `among` when given).
   */
  step(actor: SecurityActor, spec: RequestSpec, among?: (r: KnownRecord) => boolean): Promise<{ res: LightMyRequestResponse; options: InjectOptions }>;
  /** The paramless reads (lists and reports) of the tenant routes, with one variant per value of each enum query parameter. */
  views: Array<{ label: string; url: string }>;
  /** What `actor` sees on every view (request ids masked). */
  viewsOf(actor: SecurityActor): Promise<Map<string, string>>;
}

/**
 * Boots the world and seeds records, always from the same seed: the seeding is setup, not
 * the property, so `PEYVAND_FUZZ_SEED` (the property's seed) replays a failed run exactly.
 */
export async function objectAccess(t: Parameters<typeof bootWorld>[0]): Promise<ObjectAccess> {
  const w = await bootWorld(t);
  const db = w.p.peyvand.kernel.db;
  const pool = new RecordPool();
  const listable = new Set(w.operations.filter((o) => o.method === 'GET').map((o) => o.path));
  const readable = new Set(w.operations.filter((o) => o.method === 'GET' && /\/\{id\}$/.test(o.path)).map((o) => o.path.replace(/\/\{id\}$/, '')));
  const ops = w.operations.filter((op) => !op.admin && !op.public && !isConfiguration(op));
  const owners = new Map(w.tenants.map((x) => [x.id, w.actors.find((a) => a.tenantId === x.id && a.label.endsWith('key:owner'))!]));
  const subjects = [...new Set(w.actors.map((a) => a.subject)), 'someone-else'];
  const hooks: Hooks = {
    stringFor: (property) => {
      if (PRINCIPAL_FIELDS.includes(property)) return fc.constantFrom(...subjects);
      if (property === 'cursor') return fc.uuid().map((id) => encodeCursor([id]));
      if (isIdName(property) || property === 'from' || property === 'fromId') return fc.oneof({ weight: 6, arbitrary: fc.nat().map((n) => pick(property, n)) }, { weight: 1, arbitrary: fc.uuid() });
      return undefined;
    },
  };
  const stats: AccessStats = { calls: 0, twins: 0, ok: 0, scoped: 0 };
  // While seeding, the other tenant's rows are not hashed around each write (setup, not the property).
  let seeding = true;

  const visibility: ObjectAccess['visibility'] = async (actor, record) => {
    if (record.tenantId !== actor.tenantId) return false;
    if (!readable.has(record.collection)) return maySee(actor, record, undefined, false);
    const res = await w.send(owners.get(record.tenantId)!.token, { method: 'GET', url: `${record.collection}/${record.id}` });
    if (res.statusCode === 404) return false; // deleted: invisible to everyone
    if (res.statusCode !== 200) return undefined;
    return maySee(actor, record, res.json() as Record<string, unknown>, true);
  };

  // Paramless reads whose answer must not move while someone the reader cannot see acts.
  const views = w.operations
    .filter((op) => op.method === 'GET' && !op.admin && !op.public && op.pathParams.length === 0 && op.query.every((q) => !q.required))
    .flatMap((op) => [
      { label: op.label, url: op.path },
      ...op.query.flatMap((q) => ((q.schema.enum as unknown[] | undefined) ?? []).map((v) => ({ label: `${op.label}?${q.name}=${String(v)}`, url: `${op.path}?${q.name}=${encodeURIComponent(String(v))}` }))),
    ]);
  const viewsOf: ObjectAccess['viewsOf'] = async (actor) => {
    const out = new Map<string, string>();
    for (const view of views) {
      const res = await w.send(actor.token, { method: 'GET', url: view.url });
      out.set(view.label, `${res.statusCode} ${stableBody(res.body)}`);
    }
    return out;
  };

  const step: ObjectAccess['step'] = async (actor, spec, among) => {
    stats.calls++;
    const chosen = new Set<string>();
    const options = toInject(spec, (name, n) => {
      const id = pool.pick(name, n, spec.op.path, { ...(among && { among }), parents: chosen }) ?? randomUUID();
      chosen.add(id);
      return id;
    });
    // Every known record the request names, drawn from the pool or written in by the caller.
    const sentText = `${String(options.url)} ${typeof options.payload === 'string' ? options.payload : ''}`;
    const used = [...pool.byId.values()].filter((r) => sentText.includes(r.id));
    const other = w.tenants.find((x) => x.id !== actor.tenantId)!;
    // A read cannot change rows unless it is broken; hashing around writes only keeps the suite fast.
    const writes = spec.op.method !== 'GET' && !seeding;
    const before = writes ? await tenantFingerprint(db, other.id) : '';
    const hidden: string[] = [];
    for (const record of used) if ((await visibility(actor, record)) === false) hidden.push(record.id);
    const sentAt = Date.now();
    const res = await w.send(actor.token, options);
    const what = () => `${actor.label} ${spec.op.label} ${options.url} ${String(options.payload ?? '').slice(0, 300)} → ${describe(res)}`;
    // As in input-fuzz: a declared 502 from an operation that reaches a server the caller
    // named (an email account's IMAP host) is the one 5xx allowed; the checks below still run.
    expect(res.statusCode < 500 || (res.statusCode === 502 && spec.op.responses.includes('502')), () => `5xx: ${what()}`);
    expect(!writes || (await tenantFingerprint(db, other.id)) === before, () => `changed ${other.slug}'s rows: ${what()}`);
    const sent = new Set(used.map((r) => r.id));
    for (const r of pool.byId.values()) {
      expect(r.tenantId === actor.tenantId || sent.has(r.id) || !res.body.includes(r.id), () => `revealed ${other.slug}'s record ${r.id}: ${what()}`);
    }
    if (hidden.length) {
      // The twin: the same call with never-existing ids in place of the hidden ones.
      stats.twins++;
      const fresh = hidden.map(() => randomUUID());
      let payload = typeof options.payload === 'string' ? options.payload : undefined;
      let url = String(options.url);
      hidden.forEach((id, i) => {
        url = url.split(id).join(fresh[i]!);
        payload = payload?.split(id).join(fresh[i]!);
      });
      const twin = await w.send(actor.token, { ...options, url, ...(payload !== undefined && { payload }) });
      const a = comparable(res.body, hidden, sentAt);
      const b = comparable(twin.body, fresh, sentAt);
      expect(res.statusCode === twin.statusCode && JSON.stringify(a) === JSON.stringify(b), () => `a hidden record answers unlike a missing one: ${what()}\n   missing id → ${describe(twin)}`);
    }
    if (res.statusCode >= 300 || !String(res.headers['content-type']).startsWith('application/json')) return { res, options };
    stats.ok++;
    const body = res.json() as unknown;
    // A PUT that creates or replaces by a client-chosen id (support calendars) makes the
    // caller's own record under an id another tenant may use too: ids are per tenant there,
    // and the fingerprint above proved the other tenant's record untouched.
    const ownUnderSentId = (id: string) => spec.op.method === 'PUT' && sent.has(id);
    for (const shown of objectsWithIds(body)) {
      const known = pool.byId.get(shown.id);
      if (!known || (known.tenantId !== actor.tenantId && ownUnderSentId(shown.id))) continue;
      expect(known.tenantId === actor.tenantId, () => `returned ${other.slug}'s record ${shown.id}: ${what()}`);
      // Reads only: a write may answer with the record it just moved out of the caller's scope.
      if (spec.op.method === 'GET') {
        const ok = maySee(actor, known, shown, isFullRecord(shown));
        if (ok !== undefined && resourceOf(known.collection) in actor.scopes) stats.scoped++;
        expect(ok !== false, () => `outside ${actor.label}'s ${actor.scopes[resourceOf(known.collection)]} scope: ${shown.id} ${JSON.stringify(shown).slice(0, 200)} in ${what()}`);
      }
    }
    const created = spec.op.method !== 'GET';
    for (const { record, collection, parent } of recordsWithNested(body, responseCollection(spec.op.path, listable))) {
      // The pool knows one tenant per id: the first owner of a per-tenant id keeps it.
      if ((pool.byId.get(record.id)?.tenantId ?? actor.tenantId) !== actor.tenantId) continue;
      pool.add({ id: record.id, collection, tenantId: actor.tenantId, ...(created && { team: actor.teams[0] ?? null }), ...(parent && { parent }) });
    }
    return { res, options };
  };

  // Records of every creatable collection, by owners, managers and agents of both tenants in
  // different teams, so sequences start with ids to aim at (twice: deals need pipelines first).
  const creatable = ops.filter((op) => op.method === 'POST' && op.pathParams.length === 0 && listable.has(op.path));
  const seeders = w.actors.filter((a) => /key:owner|jwt:(agent-north-1|agent-south|manager-north)$/.test(a.label));
  const seed = 42;
  for (let pass = 0; pass < 2; pass++) {
    for (const [i, op] of creatable.entries()) {
      for (const [j, actor] of seeders.entries()) {
        for (const spec of fc.sample(validRequest(op, hooks), { numRuns: 2, seed: seed + pass * 1000 + i * 10 + j })) await step(actor, spec);
      }
    }
  }
  seeding = false;
  return { w, pool, ops, hooks, stats, ownerOf: (tenantId) => owners.get(tenantId)!, visibility, step, views, viewsOf };
}

/** A record with `version` is a full record: an absent owner field there means "no owner". */
export function isFullRecord(shown: Record<string, unknown>): boolean {
  return 'version' in shown && 'createdAt' in shown;
}
