/**
 * Object-level authorization (OWASP API1), as a property: random sequences of calls to
 * every tenant resource route of the OpenAPI document, by two tenants' API keys of all
 * five built-in roles and host-JWT users in teams, with bodies generated from the route
 * schemas and ids taken from records either tenant created. After every call:
 * - the other tenant's rows are untouched (a hash of every row carrying its tenant_id);
 * - the response carries no id of the other tenant's records (unless the caller sent it);
 * - a call naming a record the caller may not see (another tenant's, outside its own/team
 *   scope, or deleted) answers exactly like the same call naming an id that never
 *   existed: same status, code and body but for the id;
 * - what a read or list returns is within the caller's record scope.
 * And in sequences where only one tenant acts, every list and report of the other tenant
 * reads the same before and after.
 */
import t from 'tap';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { bootWorld, describe, expect, fcParams, runs, type SecurityActor } from './lib/world.js';
import { pick, toInject, validRequest, type RequestSpec } from './lib/requests.js';
import { isConfiguration, isIdName, resourceOf } from './lib/openapi.js';
import { RecordPool, recordsWithNested, responseCollection, type KnownRecord } from './lib/pool.js';
import { comparable, maySee, objectsWithIds } from './lib/scope-model.js';
import { tenantFingerprint } from './lib/db-state.js';
import type { Hooks } from './lib/arbitraries.js';
import { encodeCursor } from '../../core/http/cursor.js';

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
    if (property === 'ownerId' || property === 'assigneeId') return fc.constantFrom(...subjects);
    if (property === 'cursor') return fc.uuid().map((id) => encodeCursor([id]));
    if (isIdName(property) || property === 'from' || property === 'fromId') return fc.oneof({ weight: 6, arbitrary: fc.nat().map((n) => pick(property, n)) }, { weight: 1, arbitrary: fc.uuid() });
    return undefined;
  },
};
// Paramless reads (lists, reports) whose answer must not move while another tenant acts.
const views = w.operations.filter((op) => op.method === 'GET' && !op.admin && !op.public && op.pathParams.length === 0 && op.query.every((q) => !q.required));
const stats = { calls: 0, twins: 0, ok: 0, scoped: 0 };
// While seeding, the other tenant's rows are not hashed around each write (setup, not the property).
let seeding = true;

/** Whether `actor` may see a record it named: the tenant owner's read is the ground truth. */
async function visibility(actor: SecurityActor, record: KnownRecord): Promise<boolean | undefined> {
  if (record.tenantId !== actor.tenantId) return false;
  if (!readable.has(record.collection)) return maySee(actor, record, undefined, false);
  const res = await w.send(owners.get(record.tenantId)!.token, { method: 'GET', url: `${record.collection}/${record.id}` });
  if (res.statusCode === 404) return false; // deleted: invisible to everyone
  if (res.statusCode !== 200) return undefined;
  return maySee(actor, record, res.json() as Record<string, unknown>, true);
}

// Known and reported (see the todo test below): the replay cursor is the global outbox position.
const KNOWN_SIDE_CHANNELS: Record<string, RegExp> = { 'GET /api/v1/events': /"nextCursor":"[^"]*"/ };

async function viewsOf(tenantId: string): Promise<Map<string, string>> {
  const owner = owners.get(tenantId)!;
  const out = new Map<string, string>();
  for (const op of views) {
    const res = await w.send(owner.token, { method: 'GET', url: op.path });
    const masked = KNOWN_SIDE_CHANNELS[op.label];
    out.set(op.label, `${res.statusCode} ${res.body.replace(/"requestId":"[^"]*"/, '').replace(masked ?? /$^/, '"nextCursor":"<masked>"')}`);
  }
  return out;
}

/** One call and every check that follows it. */
async function step(actor: SecurityActor, spec: RequestSpec): Promise<void> {
  stats.calls++;
  const used: KnownRecord[] = [];
  const options = toInject(spec, (name, n) => {
    const id = pool.pick(name, n, spec.op.path) ?? randomUUID();
    const known = pool.byId.get(id);
    if (known) used.push(known);
    return id;
  });
  const other = w.tenants.find((x) => x.id !== actor.tenantId)!;
  // A read cannot change rows unless it is broken; hashing around writes only keeps the suite fast.
  const writes = spec.op.method !== 'GET' && !seeding;
  const before = writes ? await tenantFingerprint(db, other.id) : '';
  const hidden: string[] = [];
  for (const record of used) if ((await visibility(actor, record)) === false) hidden.push(record.id);
  const res = await w.send(actor.token, options);
  const what = () => `${actor.label} ${spec.op.label} ${options.url} ${String(options.payload ?? '').slice(0, 300)} → ${describe(res)}`;
  expect(res.statusCode < 500, () => `5xx: ${what()}`);
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
    const a = comparable(res.body, hidden);
    const b = comparable(twin.body, fresh);
    expect(res.statusCode === twin.statusCode && JSON.stringify(a) === JSON.stringify(b), () => `a hidden record answers unlike a missing one: ${what()}\n   missing id → ${describe(twin)}`);
  }
  if (res.statusCode >= 300 || !String(res.headers['content-type']).startsWith('application/json')) return;
  stats.ok++;
  const body = res.json() as unknown;
  for (const shown of objectsWithIds(body)) {
    const known = pool.byId.get(shown.id);
    if (!known) continue;
    expect(known.tenantId === actor.tenantId, () => `returned ${other.slug}'s record ${shown.id}: ${what()}`);
    // Reads only: a write may answer with the record it just moved out of the caller's scope.
    if (spec.op.method === 'GET') {
      const ok = maySee(actor, known, shown, isFullRecord(shown));
      if (ok !== undefined && resourceOf(known.collection) in actor.scopes) stats.scoped++;
      expect(ok !== false, () => `outside ${actor.label}'s ${actor.scopes[resourceOf(known.collection)]} scope: ${shown.id} ${JSON.stringify(shown).slice(0, 200)} in ${what()}`);
    }
  }
  const created = spec.op.method !== 'GET';
  for (const { record, collection } of recordsWithNested(body, responseCollection(spec.op.path, listable))) {
    pool.add({ id: record.id, collection, tenantId: actor.tenantId, ...(created && { team: actor.teams[0] ?? null }) });
  }
}

/** A record with `version` is a full record: an absent owner field there means "no owner". */
function isFullRecord(shown: Record<string, unknown>): boolean {
  return 'version' in shown && 'createdAt' in shown;
}

// Records of every creatable collection, by owners, managers and agents of both tenants in
// different teams, so sequences start with ids to aim at (twice: deals need pipelines first).
const creatable = ops.filter((op) => op.method === 'POST' && op.pathParams.length === 0 && listable.has(op.path));
const seeders = w.actors.filter((a) => /key:owner|jwt:(agent-north-1|agent-south|manager-north)$/.test(a.label));
const seed = process.env.PEYVAND_FUZZ_SEED ? Number(process.env.PEYVAND_FUZZ_SEED) : 42;
for (let pass = 0; pass < 2; pass++) {
  for (const [i, op] of creatable.entries()) {
    for (const [j, actor] of seeders.entries()) {
      for (const spec of fc.sample(validRequest(op, hooks), { numRuns: 2, seed: seed + pass * 1000 + i * 10 + j })) await step(actor, spec);
    }
  }
}
seeding = false;
t.comment(`seeded ${pool.size} records over ${creatable.length} collections`);

const command = fc.record({ actor: fc.nat(w.actors.length - 1), spec: fc.oneof(...ops.map((op) => validRequest(op, hooks))) });
const sequence = fc.record({ mode: fc.constantFrom('both', 'acme', 'globex'), commands: fc.array(command, { minLength: 4, maxLength: 14 }) });

t.test('random call sequences never cross a tenant or a record scope', async (t) => {
  await fc.assert(fc.asyncProperty(sequence, async ({ mode, commands }) => {
    const quiet = mode === 'both' ? undefined : w.tenants.find((x) => x.slug !== mode)!;
    const viewsBefore = quiet && (await viewsOf(quiet.id));
    for (const c of commands) {
      const candidates = quiet ? w.actors.filter((a) => a.tenantId !== quiet.id) : w.actors;
      await step(candidates[c.actor % candidates.length]!, c.spec);
    }
    if (quiet && viewsBefore) {
      const after = await viewsOf(quiet.id);
      for (const [label, body] of viewsBefore) {
        expect(after.get(label) === body, () => `${quiet.slug}'s ${label} changed while only ${mode} acted:\n   before ${body.slice(-300)}\n   after  ${after.get(label)?.slice(-300)}`);
      }
    }
  }), fcParams(30));
  t.comment(`${stats.calls} calls over ${ops.length} routes, ${stats.ok} succeeded, ${stats.twins} named a hidden record, ${stats.scoped} scope checks; ${pool.size} records`);
  t.ok(stats.twins > runs(30), 'hidden records were named often');
  t.ok(stats.scoped > runs(30), 'record scope was checked often');
});

t.test('the event replay cursor does not move with other tenants’ activity', async (t) => {
  const [acme, globex] = w.tenants;
  const read = async () => (await w.send(owners.get(acme!.id)!.token, { method: 'GET', url: '/api/v1/events?limit=200' })).json().nextCursor as string;
  const before = await read();
  await w.send(owners.get(globex!.id)!.token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'activity elsewhere' } });
  t.equal(await read(), before, 'acme’s cursor is the same after globex wrote');
});
