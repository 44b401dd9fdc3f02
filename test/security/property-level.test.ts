/**
 * Property-level authorization (OWASP API3), over every body schema of the OpenAPI
 * document: an unknown field at any level, or a read-only one (`id`, `tenantId`,
 * `version`, `createdAt`, `updatedAt`) at the top, is a 400 that changes nothing; nobody
 * without the assign permission sets another owner; and no response to any read carries a
 * secret — by field name (hash, secret, password, token…) or by value (every API key,
 * key hash, embed secret, webhook secret and operator key this deployment knows).
 */
import t from 'tap';
import fc from 'fast-check';
import { bootWorld } from './lib/world.js';
import { objectSchemas, validValue } from './lib/arbitraries.js';
import { fillPath, placeholderUrl, type Operation, type Schema } from './lib/openapi.js';
import { changedTables, summarize } from './lib/db-state.js';
import { objectsWithIds } from './lib/scope-model.js';

const w = await bootWorld(t);
const db = w.p.peyvand.kernel.db;
const owner = w.actors.find((a) => a.label === 'acme/key:owner')!;
const READ_ONLY = ['id', 'tenantId', 'version', 'createdAt', 'updatedAt'];
const withBody = w.operations.filter((op) => op.body && !op.public);

t.test('every nested object of every body refuses unknown fields (or is a declared free-form map)', async (t) => {
  for (const op of withBody) {
    for (const { at, schema } of objectSchemas(op.body!)) {
      // An object with declared properties is a shape: it must say what happens to others.
      t.ok(schema.additionalProperties !== undefined, `${op.label} ${at || '/'} declares additionalProperties (${JSON.stringify(schema.additionalProperties)})`);
    }
  }
});

t.test('unknown and read-only fields are a 400 that changes nothing', async (t) => {
  for (const op of withBody) {
    const token = w.tokenFor(op, owner.token);
    const [valid] = fc.sample(validValue(op.body!), { numRuns: 1, seed: 7 }) as [Record<string, unknown>];
    // Read-only: the fields every record has, and whatever the answer shows that the body does not take.
    const writable = (op.body!.properties as object | undefined) ?? {};
    const shown = Object.keys((op.response?.properties as object | undefined) ?? {});
    const readOnly = [...new Set([...READ_ONLY, ...shown])].filter((f) => !(f in writable));
    const attempts: Array<[string, unknown]> = readOnly.map((f) => [`read-only ${f}`, { ...valid, [f]: f === 'version' ? 99 : '01900000-0000-7000-8000-000000000001' }]);
    for (const { at, schema } of objectSchemas(op.body!)) {
      if (schema.additionalProperties === false) attempts.push([`unknown field at ${at || '/'}`, withField(valid, at, 'isAdmin', true)]);
    }
    for (const [label, body] of attempts) {
      const before = await w.snapshot();
      const res = await w.send(token, { method: op.method, url: placeholderUrl(op), payload: body as Record<string, unknown> });
      t.equal(res.statusCode, 400, `${op.label}: ${label} → 400`);
      t.same(changedTables(before, await summarize(db)), [], `${op.label}: ${label} changed nothing`);
    }
  }
});

t.test('only roles with the assign permission set another owner', async (t) => {
  const agent = w.actors.find((a) => a.label === 'acme/jwt:agent-north-1')!;
  const ownerField = (op: Operation) => ['ownerId', 'assigneeId'].find((f) => (op.body?.properties as Record<string, Schema> | undefined)?.[f]);
  const creates = w.operations.filter((op) => op.method === 'POST' && !op.admin && op.pathParams.length === 0 && ownerField(op));
  t.ok(creates.length >= 4, `${creates.length} create routes take an owner or assignee`);
  // Records the agent may refer to: its own customer, and a pipeline (not owned) if sales is there.
  const mineCustomer = (await w.send(agent.token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'agent’s own' } })).json().id as string;
  const pipelineRes = await w.send(owner.token, { method: 'POST', url: '/api/v1/sales/pipelines', payload: { name: 'P', currency: 'IRR', stages: [{ name: 'new', probability: 10 }] } });
  const pipeline = pipelineRes.statusCode === 201 ? String(pipelineRes.json().id) : '01900000-0000-7000-8000-000000000000';
  for (const op of creates) {
    const assign = op.permission?.replace(/\.[a-z_]+$/, '.assign');
    if (!agent.permissions.has(op.permission!) || (assign && agent.permissions.has(assign))) continue;
    // A body this agent can create with (its own ownerId), then the same body for someone else.
    const field = ownerField(op)!;
    const refs: Record<string, string> = { [field]: agent.subject, customerId: mineCustomer, pipelineId: pipeline };
    const candidates = fc.sample(validValue(op.body!, { stringFor: (p) => (p in refs ? fc.constant(refs[p]!) : undefined) }), { numRuns: 30, seed: 3 }) as Array<Record<string, unknown>>;
    let tried = 0;
    let accepted: Record<string, unknown> | undefined;
    for (const body of candidates) {
      const mine = await w.send(agent.token, { method: 'POST', url: op.path, payload: body });
      if (mine.statusCode !== 201) continue;
      accepted = body;
      tried++;
      // Another owner; and, where records carry a team (team scope), a team the agent is not in.
      const handovers: Array<[string, Record<string, unknown>]> = [['another owner', { [field]: 'manager-north' }], ...(hasTeam(op) ? [['another team', { teamId: 'south' }] as [string, Record<string, unknown>]] : [])];
      for (const [what, fields] of handovers) {
        const before = await w.snapshot();
        const theirs = await w.send(agent.token, { method: 'POST', url: op.path, payload: { ...body, ...fields } });
        t.ok(theirs.statusCode >= 400 && theirs.statusCode < 500, `${op.label}: an agent cannot create for ${what} (${theirs.statusCode} ${theirs.json().code})`);
        t.same(changedTables(before, await summarize(db)), [], `${op.label}: the refused create wrote nothing`);
      }
      if (tried >= 2) break;
    }
    t.ok(tried > 0, `${op.label}: found a body the agent may create`);
    // …nor hands its own record to someone else, or to no one, afterwards.
    const patch = w.operations.find((o) => o.method === 'PATCH' && o.path === `${op.path}/{id}`);
    if (!patch || !accepted) continue;
    const created = await w.send(agent.token, { method: 'POST', url: op.path, payload: accepted });
    const changes: Array<Record<string, unknown>> = [{ [field]: 'manager-north' }, { [field]: null }, ...(hasTeam(patch) ? [{ teamId: 'south' }] : [])];
    for (const change of changes) {
      const before = await w.snapshot();
      const res = await w.send(agent.token, { method: 'PATCH', url: `${op.path}/${created.json().id}`, payload: change });
      t.ok(res.statusCode >= 400 && res.statusCode < 500, `${patch.label}: an agent cannot set ${JSON.stringify(change)} (${res.statusCode})`);
      t.same(changedTables(before, await summarize(db)), [], `${patch.label}: ${JSON.stringify(change)} refused without writing`);
    }
  }
});

t.test('no read answers with a secret, by name or by value', async (t) => {
  // Secrets this deployment knows: keys, their hashes, embed secrets, the operator's keys.
  const webhook = await w.send(owner.token, { method: 'POST', url: '/api/v1/webhooks', payload: { url: 'http://127.0.0.1:9/hook', events: ['customer.*'] } });
  const keyRows: Array<{ secret_hash: string }> = await db.knex(db.table('api_keys')).select('secret_hash');
  const secrets = [w.p.adminKey, ...w.actors.filter((a) => a.kind === 'api_key').map((a) => a.token), ...w.actors.filter((a) => a.kind === 'api_key').map((a) => a.token.slice(-43)), ...keyRows.map((r) => r.secret_hash), ...w.tenants.map((x) => x.hs256Secret), webhook.statusCode === 201 ? String(webhook.json().secret) : ''].filter((s) => s.length >= 16);
  t.ok(secrets.length > 20, `${secrets.length} secrets to look for`);
  const ids = [...new Set(objectsWithIds((await w.send(owner.token, { method: 'GET', url: '/api/v1/webhooks' })).json()).map((o) => o.id))];
  const SUSPICIOUS = /secret|password|passwd|hash|token|private|api_?key|credential/i;
  let reads = 0;
  for (const op of w.operations.filter((o) => o.method === 'GET')) {
    const token = w.tokenFor(op, owner.token);
    for (const id of op.pathParams.length ? ids : ['-']) {
      const res = await w.send(token, { method: 'GET', url: fillPath(op.path, { id, slug: 'acme' }) });
      reads++;
      t.same(secrets.filter((s) => res.body.includes(s)).map((s) => `${s.slice(0, 6)}…`), [], `${op.label} (${id}) contains no known secret`);
      // Containers (`apiKey: {id, name, role}`) are fine; a string or number under such a name is not.
      const named = fields(res.headers['content-type']?.toString().includes('json') ? res.json() : {}).filter(([path, value]) => SUSPICIOUS.test(path.split('.').pop() ?? '') && (typeof value === 'string' || typeof value === 'number'));
      t.same(named.map(([path]) => path), [], `${op.label} (${id}) has no field named like a secret`);
    }
  }
  t.ok(reads > 20, `${reads} reads walked`);
});

/** Whether a route's body sets a record's team. */
function hasTeam(op: Operation): boolean {
  return Boolean((op.body?.properties as Record<string, Schema> | undefined)?.teamId);
}

/**
 * A copy of `value` with `name` set in the object at JSON pointer `at` (arrays: their first
 * item). Whatever is not an object on the way — a nullable object sampled as `null`, an
 * array item sampled as a string — becomes one: the unknown field must be refused there.
 */
function withField(value: unknown, at: string, name: string, v: unknown): unknown {
  const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  const copy: Record<string, unknown> = isObject(value) ? structuredClone(value) : {};
  let node = copy;
  const parts = at.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (parts[i + 1] === '0') {
      const list = Array.isArray(node[part]) ? (node[part] as unknown[]) : [];
      const first = isObject(list[0]) ? list[0] : {};
      node[part] = [first, ...list.slice(1)];
      node = first;
      i++;
    } else {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
  }
  node[name] = v;
  return copy;
}

/** Every leaf of a JSON value with its dotted path. */
function fields(value: unknown, path = ''): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => fields(v, `${path}.${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[`${path}.${k}`, v] as [string, unknown], ...fields(v, `${path}.${k}`)]);
  return [];
}
