/**
 * Object-level authorization (OWASP API1), walked rather than sampled: for callers of
 * every record scope (own, team, all; API keys and host users in teams) and for the other
 * tenant, every read and list route of the OpenAPI document against every record the
 * suite created; every write route against records the caller may not see; and every list
 * and report while someone outside the caller's scope works. The checks after each call
 * are those of `lib/object-access.ts`.
 */
import t from 'tap';
import fc from 'fast-check';
import { validRequest, type RequestSpec } from './lib/requests.js';
import { objectAccess } from './lib/object-access.js';
import { changedTables, summarize } from './lib/db-state.js';
import { collectionOf, resourceOf, type Operation } from './lib/openapi.js';
import { runs, stableBody, type SecurityActor } from './lib/world.js';
import type { KnownRecord } from './lib/pool.js';

const a = await objectAccess(t);
const { w, pool, stats } = a;
const db = w.p.peyvand.kernel.db;
const actor = (label: string): SecurityActor => w.actors.find((x) => x.label === label)!;
// One caller per kind of scope: own (key, and a user in a team), team (a key without teams
// acts as own; a user with one), all (a viewer), and a caller of the other tenant.
const readers = ['acme/key:agent', 'acme/key:manager', 'acme/jwt:agent-north-1', 'acme/jwt:manager-north', 'acme/jwt:viewer-user', 'globex/key:owner'].map(actor);
const spec = (op: Operation, params: Record<string, string>, query: Record<string, unknown> = {}): RequestSpec => ({ op, params, query, headers: {} });
const onRecord = (op: Operation) => op.pathParams.length === 1 && op.pathParams[0]!.name === 'id';
const scoped = (op: Operation) => resourceOf(collectionOf(op.path, 'id')) in readers[0]!.scopes;
const recordsOf = (op: Operation) => [...pool.byId.values()].filter((r) => r.collection === collectionOf(op.path, 'id'));

t.test('every read and list: only records in the caller’s scope; a hidden record reads like a missing one', async (t) => {
  const reads = a.ops.filter((op) => op.method === 'GET' && onRecord(op));
  const lists = a.ops.filter((op) => op.method === 'GET' && op.pathParams.length === 0 && op.query.every((q) => !q.required));
  t.ok(reads.some(scoped) && lists.length >= 5, `${reads.length} reads of a record, ${lists.length} lists and reports`);
  const before = { ...stats };
  for (const reader of readers) {
    for (const op of lists) await a.step(reader, spec(op, {}, op.query.some((q) => q.name === 'limit') ? { limit: Number(op.query.find((q) => q.name === 'limit')!.schema.maximum ?? 50) } : {}));
    for (const op of reads) for (const record of recordsOf(op)) await a.step(reader, spec(op, { id: record.id }));
  }
  const scopeChecks = stats.scoped - before.scoped;
  const twins = stats.twins - before.twins;
  t.ok(scopeChecks >= 100, `${scopeChecks} returned records checked against the reader’s scope`);
  t.ok(twins >= 100, `${twins} reads of hidden records compared with reads of missing ones`);
});

t.test('every write on a record outside the caller’s scope answers like a missing record and changes nothing', async (t) => {
  const writes = a.ops.filter((op) => op.method !== 'GET' && onRecord(op) && scoped(op));
  t.ok(writes.length >= 8, `${writes.length} write routes on scoped records: ${writes.map((op) => op.label).join(', ')}`);
  let attempts = 0;
  for (const writer of readers.filter((r) => r.role !== 'viewer')) {
    for (const op of writes) {
      if (op.permission && !writer.permissions.has(op.permission)) continue;
      const hidden = [];
      for (const record of recordsOf(op)) if ((await a.visibility(writer, record)) === false) hidden.push(record);
      const [body] = fc.sample(validRequest(op, a.hooks), { numRuns: 1, seed: attempts });
      for (const record of hidden.slice(0, runs(3))) {
        const before = await w.snapshot();
        const { res } = await a.step(writer, { ...body!, params: { id: record.id } });
        attempts++;
        // Hidden must answer exactly as missing does for the same body: a 404, or — where the
        // body breaks a rule judged before the lookup (a disqualified lead without a reason) —
        // the same 400 a missing record gets, which tells the caller nothing either.
        const { res: missing } = await a.step(writer, { ...body!, params: { id: '0190a0b0-0000-7000-8000-00000000dead' } });
        const answer = (r: typeof res) => `${r.statusCode} ${r.json().code}`;
        t.equal(answer(res), answer(missing), `${writer.label} ${op.label} on a hidden ${resourceOf(record.collection)} answers like a missing one: ${answer(res)}`);
        t.ok(res.statusCode === 404 || res.statusCode === 400, `${writer.label} ${op.label}: 404, or the same 400 as a missing record (${answer(res)})`);
        t.same(changedTables(before, await summarize(db)), [], 'and nothing changed');
      }
    }
  }
  t.ok(attempts >= 40, `${attempts} writes on hidden records`);
});

t.test('lists and reports do not move while someone outside the caller’s scope works', async (t) => {
  const outsider = actor('acme/jwt:agent-south');
  const watchers = ['acme/key:agent', 'acme/jwt:agent-north-1', 'acme/jwt:manager-north'].map(actor);
  // Views filtered on the outsider too: asking by owner or team reveals nothing either.
  const probes = a.ops.filter((op) => op.method === 'GET' && op.pathParams.length === 0).flatMap((op) => op.query.flatMap((q) => {
    const value = /^(ownerId|assigneeId)$/.test(q.name) ? outsider.subject : q.name === 'teamId' ? outsider.teams[0] : undefined;
    return value === undefined ? [] : [{ label: `${op.label}?${q.name}=${value}`, url: `${op.path}?${q.name}=${encodeURIComponent(value)}` }];
  }));
  const seen = async (who: SecurityActor) => {
    const views = await a.viewsOf(who);
    for (const probe of probes) views.set(probe.label, stableBody((await w.send(who.token, { method: 'GET', url: probe.url })).body));
    return views;
  };
  const before = new Map<SecurityActor, Map<string, string>>();
  for (const who of watchers) before.set(who, await seen(who));

  // The outsider creates and edits records of every scoped collection as itself, on its team.
  // Portal routes belong to customers, not staff (function-level walks them with customer tokens).
  const creates = a.ops.filter((op) => op.method === 'POST' && op.pathParams.length === 0 && !op.portal && resourceOf(op.path) in outsider.scopes);
  const edits = a.ops.filter((op) => ['PATCH', 'POST'].includes(op.method) && onRecord(op) && scoped(op));
  const done = new Map<string, number>();
  // Ids the outsider can see: its tenant's unscoped records and the scoped ones it made.
  const its = (r: KnownRecord) => r.tenantId === outsider.tenantId && (!(resourceOf(r.collection) in outsider.scopes) || r.team === outsider.teams[0]);
  for (let i = 0; i < 30; i++) {
    for (const op of [...creates, ...edits]) {
      const [r] = fc.sample(validRequest(op, a.hooks), { numRuns: 1, seed: 1000 + i });
      const body = r!.body?.kind === 'json' && r!.body.value && typeof r!.body.value === 'object' ? { ...(r!.body.value as Record<string, unknown>) } : undefined;
      if (body) {
        for (const field of ['ownerId', 'assigneeId']) if (field in body) body[field] = outsider.subject;
        delete body.teamId;
      }
      const { res } = await a.step(outsider, { ...r!, ...(body && { body: { kind: 'json', value: body } }) }, its);
      if (res.statusCode < 300) done.set(op.label, (done.get(op.label) ?? 0) + 1);
    }
  }
  t.ok(creates.every((op) => (done.get(op.label) ?? 0) > 0) && done.size >= creates.length + 4, `the outsider wrote: ${[...done].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  for (const who of watchers) {
    const after = await seen(who);
    const moved = [...before.get(who)!].filter(([label, body]) => after.get(label) !== body).map(([label]) => label);
    t.same(moved, [], `${who.label}: ${before.get(who)!.size} lists and reports unchanged`);
  }

  // The control: the same views do move when a teammate of the manager works.
  const teammate = actor('acme/jwt:agent-north-2');
  const manager = actor('acme/jwt:manager-north');
  const managerBefore = await seen(manager);
  const created = await w.send(teammate.token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'teammate’s customer' } });
  t.equal(created.statusCode, 201);
  const managerAfter = await seen(manager);
  t.not(managerAfter.get('GET /api/v1/customers'), managerBefore.get('GET /api/v1/customers'), 'the manager’s customer list shows the teammate’s new customer');
  const agentViews = await seen(actor('acme/jwt:agent-north-1'));
  t.equal(agentViews.get('GET /api/v1/customers'), before.get(actor('acme/jwt:agent-north-1'))!.get('GET /api/v1/customers'), 'another agent of the team does not see it');
});
