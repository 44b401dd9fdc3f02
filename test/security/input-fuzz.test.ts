/**
 * Input fuzzing of every operation of the OpenAPI document (API4/API8 of the OWASP API
 * Top 10): requests generated from the route schemas, valid and deliberately broken
 * (wrong types, huge strings, deep nesting, invalid UTF-8, `__proto__`/`constructor`
 * keys, Persian and RTL controls, SQL and template metacharacters, hostile path and query
 * values). Whatever arrives, the server answers within a deadline, never with a 5xx, a
 * 4xx changes nothing in the database (row counts and change markers of every table,
 * the outbox included), and no prototype is polluted.
 */
import t from 'tap';
import fc from 'fast-check';
import { bootWorld, describe, expect, roundRobin, runs } from './lib/world.js';
import { invalidRequest, pick, toInject, validRequest, type RequestSpec } from './lib/requests.js';
import { changedTables, summarize } from './lib/db-state.js';
import { hostileString, type Hooks } from './lib/arbitraries.js';
import { isIdName } from './lib/openapi.js';
import { schemasRefuse } from './lib/schema-oracle.js';
import { encodeCursor } from '../../core/plugin/cursor.js';
import { RecordPool, recordsWithNested, responseCollection } from './lib/pool.js';

// Two snapshots of every table per request, ~4,000 requests at scale 1: on MariaDB under a
// loaded CI machine that is more than tap's 180 s, so the file's deadline grows with the scale.
t.setTimeout(Math.max(180_000, runs(22) * 40_000));
const w = await bootWorld(t);
const db = w.p.peyvand.kernel.db;
const owner = w.actors.find((a) => a.label === 'acme/key:owner')!;
// Admin routes get a tenant of their own, so the fuzz cannot revoke the keys used here.
await w.p.tenant('fuzzco');

// Ids of records created along the way (by collection), so generated ids often hit real rows.
const pool = new RecordPool();
const listable = new Set(w.operations.filter((o) => o.method === 'GET').map((o) => o.path));
const roles = ['owner', 'admin', 'manager', 'agent', 'viewer'];
/** Pools the records of a 2xx answer to `path`, with what they nest (a pipeline's stages). */
// The portal customers are left out of the pool, so the fuzz cannot delete or merge away the
// customer the portal routes are called as (as admin routes get a tenant of their own).
const portalCustomers = new Set(w.customers.map((c) => c.customerId));
function poolRecordsOf(path: string, body: unknown): void {
  for (const { record, collection } of recordsWithNested(body, responseCollection(path, listable))) {
    if (!portalCustomers.has(record.id)) pool.add({ id: record.id, collection, tenantId: owner.tenantId });
  }
}
/** Creates one record as the owner and pools it. */
async function seed(url: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await w.send(owner.token, { method: 'POST', url, payload });
  if (res.statusCode !== 201) throw new Error(`seeding ${url}: ${describe(res)}`);
  poolRecordsOf(url, res.json());
  return res.json();
}
const customers: string[] = [];
for (const [i, kind] of ['organization', 'person', 'person', 'organization', 'person'].entries()) {
  customers.push(String((await seed('/api/v1/customers', { kind, name: `seed ${i}`, emails: [{ value: `seed${i % 2}@seed.example` }] })).id));
}
// One record of every kind a path names, so routes on `{id}` meet real rows and not only 404s.
const pipeline = await seed('/api/v1/sales/pipelines', { name: 'seed', currency: 'IRR', stages: [{ name: 'new', probability: 10 }, { name: 'won', probability: 100 }] });
await seed('/api/v1/sales/deals', { title: 'seed', customerId: customers[0], pipelineId: pipeline.id, amount: 1000 });
await seed('/api/v1/sales/leads', { name: 'seed lead', email: 'lead@seed.example' });
await seed('/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['customer.*'] });
const pluginNames = w.p.peyvand.kernel.plugins.map((x) => x.definition.name);
const hooks: Hooks = {
  stringFor: (property) => {
    if (property === 'slug') return fc.constant('fuzzco');
    if (property === 'plugin') return fc.constantFrom(...pluginNames);
    // A new tenant's plugins: an unknown name is the handler's VALIDATION_FAILED too (see timeZone).
    if (property === 'plugins') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pluginNames) }, { weight: 1, arbitrary: fc.string({ maxLength: 64 }) });
    if (property === 'role') return fc.constantFrom(...roles);
    // A time zone the schema allows is any short string; the handler refuses an unknown one
    // with the schema's own VALIDATION_FAILED, so mostly real zones, or an operation whose
    // few valid requests all drew random ones looks as if it never reached its handler.
    if (property === 'timeZone') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom('Asia/Tehran', 'UTC', 'Europe/Berlin', 'America/New_York') }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 64 }) });
    // Cursors of the right and of every wrong shape (another list's, huge numbers, negative).
    if (property === 'cursor' || property === 'after') {
      const scalar = fc.oneof(fc.uuid(), fc.nat(), fc.constantFrom(1e300, -1, 2 ** 63, 0.5), hostileString);
      // JSON that decodes to what no encoder writes: Infinity (`1e309`), nested arrays, objects.
      const raw = fc.constantFrom('[1e309,"x"]', '[-1e309]', '[[1],"x"]', '[{"a":1}]', '[]', '"x"', 'null').map((json) => Buffer.from(json).toString('base64url'));
      return fc.oneof(fc.array(scalar, { minLength: 1, maxLength: 3 }).map((key) => encodeCursor(key)), raw, fc.string());
    }
    if (isIdName(property) || property === 'from' || property === 'fromId') return fc.oneof({ weight: 4, arbitrary: fc.nat().map((n) => pick(property, n)) }, { weight: 1, arbitrary: fc.uuid() });
    return undefined;
  },
};
// Portal routes are walked as the customer principal of acme (staff get 403 there).
const tokenFor = (spec: RequestSpec) => w.tokenFor(spec.op, owner.token);

/** Sends one request and checks the invariants; returns the status and the problem code, if any. */
async function attack(spec: RequestSpec): Promise<{ status: number; code?: string }> {
  // After the background work of earlier requests (an ERP run they queued) has ended.
  const before = await w.snapshot();
  const options = toInject(spec, (name, n) => pool.pick(name, n, spec.op.path) ?? '01900000-0000-7000-8000-000000000000');
  const started = Date.now();
  const res = await w.send(tokenFor(spec), options);
  if (process.env.PEYVAND_FUZZ_DEBUG) console.error(`${Date.now() - started}ms ${res.statusCode} ${spec.op.label} ${spec.broken ?? ''}`);
  const what = () => `${spec.op.label} (${spec.broken ?? 'valid'}) ${options.url?.toString().slice(0, 200)} → ${describe(res)}`;
  // A 502 is the one 5xx a valid request may get: from an operation that reaches a server the
  // caller named (an email account's IMAP host) and declares it; it must still change nothing.
  const upstream = res.statusCode === 502 && spec.op.responses.includes('502');
  expect(res.statusCode < 500 || upstream, () => `5xx: ${what()}`);
  expect(({} as Record<string, unknown>).polluted === undefined, () => `prototype polluted by ${what()}`);
  // A page for people (text/html documented for that status, like the unsubscribe link's) may answer errors as a page.
  const page = res.statusCode >= 400 && spec.op.htmlErrors.includes(String(res.statusCode)) && /^text\/html/.test(String(res.headers['content-type']));
  if (res.statusCode >= 400) {
    expect(page || /^application\/problem\+json/.test(String(res.headers['content-type'])), () => `a 4xx that is not problem+json: ${what()}`);
    const changed = changedTables(before, await summarize(db));
    expect(changed.length === 0, () => `a ${res.statusCode} changed ${changed.join(', ')}: ${what()}`);
  }
  // A random custom-fields schema would make every later customer write fail: put back the open one.
  if (res.statusCode < 300 && spec.op.path === '/api/v1/settings/custom-fields') await w.send(owner.token, { method: 'PUT', url: spec.op.path, payload: { schema: { type: 'object' } } });
  if (res.statusCode < 300 && String(res.headers['content-type']).startsWith('application/json')) poolRecordsOf(spec.op.path, res.json());
  return { status: res.statusCode, code: res.statusCode >= 400 ? (page ? 'HTML_PAGE' : String(res.json().code)) : undefined };
}

// Operations a random request would switch off for everyone (the fuzz tenant only loses its own key).
const operations = w.operations.filter((op) => !op.path.includes('openapi'));

t.test('every operation: valid requests never get a 5xx', async (t) => {
  const outcomes = new Map<string, Array<{ status: number; code?: string }>>();
  const cases = await roundRobin(operations, (op) => validRequest(op, hooks), async (spec) => {
    outcomes.set(spec.op.label, [...(outcomes.get(spec.op.label) ?? []), await attack(spec)]);
  }, 10);
  t.equal(outcomes.size, operations.length, `${operations.length} operations, ${cases} valid requests`);
  // A generator whose requests the schemas refused would prove little: the handler must see them.
  // A 404, 422 or BAD_CURSOR from the handler counts (a random id or cursor, a stage of another
  // pipeline); a schema's VALIDATION_FAILED does not.
  const neverReached = [...outcomes]
    .filter(([, answers]) => answers.every((a) => a.status === 400 && a.code === 'VALIDATION_FAILED'))
    .map(([label, answers]) => `${label} ${[...new Set(answers.map((a) => `${a.status} ${a.code}`))].join('/')}`);
  const neverOk = [...outcomes].filter(([, answers]) => answers.every((a) => a.status >= 300)).map(([label]) => label);
  // How many got a 2xx depends on the seed (a random stage of another pipeline, a deal deleted
  // earlier in the round): reported, not asserted, so the suite does not flake on it.
  t.comment(`operations no valid request got a 2xx from (${neverOk.length}/${operations.length}): ${neverOk.join('; ') || 'none'}`);
  t.same(neverReached, [], `every operation's valid requests reached its handler (${operations.length - neverReached.length}/${operations.length})`);
});

t.test('every operation: broken requests get a 4xx that changes nothing', async (t) => {
  let refused = 0;
  const cases = await roundRobin(operations, (op) => invalidRequest(op, hooks), async (spec) => {
    const { status } = await attack(spec);
    // Broken by what the published schemas say (schema-oracle.ts): then never a 2xx.
    if (!spec.broken || !schemasRefuse(spec)) return;
    refused++;
    expect(status >= 400, () => `a request its schemas refuse got ${status}: ${spec.op.label} (${spec.broken})`);
  }, 12);
  t.ok(refused > cases / 2, `${operations.length} operations, ${cases} broken requests, ${refused} of them refused by the published schemas and answered with a 4xx`);
});

t.test('Persian, RTL and metacharacter text is stored and returned as sent', async (t) => {
  // ZWNJ, ZWJ, LRM, RLM and ALM are what Persian and mixed-direction text needs: allowed in a name.
  const tricky = ['می\u200Cدانم \u200Fعلی\u200E', 'علي\u061C 12', 'a\u200Db', `O'Brien"; --`, '/* % _ */', '__proto__', '{{#each this}}x{{/each}}'];
  for (const name of tricky) {
    const res = await w.send(owner.token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name, tags: [name.slice(0, 20)] } });
    t.equal(res.statusCode, 201, JSON.stringify(name));
    const back = await w.send(owner.token, { method: 'GET', url: `/api/v1/customers/${res.json().id}` });
    t.equal(back.json().name, name.trim(), `${JSON.stringify(name)} round-trips`);
  }
});

t.test('bidi embedding, override and isolate controls in a name are a 400 naming it that changes nothing', async (t) => {
  // Unicode hygiene (issue 16.5): in a single-line field they could make «txt.exe» show as «exe.txt».
  const refused = ['علي \u202Eكريمي\u202C', '\u2066{{name}}\u2069', 'invoice\u202Etxt.exe', '\u202Ax\u202C', '\u2068x\u2069'];
  for (const name of refused) {
    const before = await w.snapshot();
    const res = await w.send(owner.token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name } });
    t.equal(res.statusCode, 400, `${JSON.stringify(name)} refused`);
    t.equal(res.json().code, 'VALIDATION_FAILED', `${JSON.stringify(name)}: VALIDATION_FAILED`);
    t.same((res.json().errors as Array<{ path: string }>).map((e) => e.path), ['/name'], `${JSON.stringify(name)}: the error names /name`);
    t.same(changedTables(before, await summarize(db)), [], `${JSON.stringify(name)}: nothing changed`);
  }
});

t.test('every paginated list: a cursor no list could have written is a 400 BAD_CURSOR', async (t) => {
  const lists = operations.filter((op) => op.method === 'GET' && op.query.some((q) => q.name === 'cursor' || q.name === 'after'));
  t.ok(lists.length >= 8, `${lists.length} paginated lists`);
  const forged = ['[1e309,"x"]', '[-1e309]', '[[1],"x"]', '[{"a":1}]', '[]', '"x"', 'null', '[true]'].map((json) => Buffer.from(json).toString('base64url'));
  for (const op of lists) {
    const name = op.query.some((q) => q.name === 'cursor') ? 'cursor' : 'after';
    const params = Object.fromEntries(op.pathParams.map((p) => [p.name, pool.pick(p.name, 0, op.path) ?? '01900000-0000-7000-8000-000000000000']));
    for (const cursor of [...forged, '%%%', 'x'.repeat(64)]) {
      const res = await w.send(tokenFor({ op, params, query: {}, headers: {} }), toInject({ op, params, query: { [name]: cursor }, headers: {} }));
      const code = res.statusCode < 500 ? String(res.json().code) : '';
      t.ok((res.statusCode === 400 && /^(BAD_CURSOR|VALIDATION_FAILED)$/.test(code)) || (res.statusCode === 404 && op.pathParams.length > 0), `${op.label} ${name}=${cursor}: ${res.statusCode} ${code}`);
    }
    // Well-formed for a list keyed on text, out of range for one keyed on a bigint: never a 5xx.
    for (const json of ['[1e300,"x"]', '[9007199254740993,"x"]', '[-1e300]', '[1.5,"x"]', '["x",1e300]']) {
      const res = await w.send(tokenFor({ op, params, query: {}, headers: {} }), toInject({ op, params, query: { [name]: Buffer.from(json).toString('base64url') }, headers: {} }));
      t.ok(res.statusCode < 500, `${op.label} ${name}=${json}: ${res.statusCode}`);
    }
  }
});
