/**
 * Injection (OWASP API8 / CWE-89, CWE-1336), on whichever database PEYVAND_TEST_DB names
 * (CI runs it on all three): every string query parameter of every list in the OpenAPI
 * document, given SQL, LIKE and search-syntax metacharacters, answers normally — never a
 * 5xx, never more than the unfiltered list, never everything; text with metacharacters is
 * found by itself and only by itself. And stored templates cannot reach prototypes or
 * helpers they were not given, and only strings compile.
 */
import t from 'tap';
import fc from 'fast-check';
import { bootWorld } from './lib/world.js';
import { validValue } from './lib/arbitraries.js';
import { queryString, type Operation } from './lib/openapi.js';
import { recordsIn } from './lib/pool.js';
import Handlebars from 'handlebars';
import { createTemplateRenderer } from '../../core/plugin/template-renderer.js';

const w = await bootWorld(t);
const owner = w.actors.find((a) => a.label === 'acme/key:owner')!;
const META = [`' OR '1'='1`, `' OR 1=1 --`, `"; DROP TABLE crm_customers; --`, `1; SELECT pg_sleep(20)`, `'||(SELECT pg_sleep(20))||'`, `' AND SLEEP(20) --`, `") OR SLEEP(20) #`, `' UNION SELECT secret_hash FROM crm_api_keys --`, '%', '_', '%%', '\\', '\\%', '*', '" OR ""="', 'NEAR(a b)', 'a OR b', '-a', '^', '/* */', '\u0000', `ʼ OR 1=1`];
const lists = w.operations.filter((op) => op.method === 'GET' && !op.admin && !op.public && op.pathParams.length === 0 && op.query.some((q) => q.schema.type === 'string' && !q.schema.enum && !q.schema.format && q.name !== 'cursor' && q.name !== 'after'));
const texts = ['Alpha Rahimi', 'Beta Karimi', `O'Brien "Bob"; --`, '50% off_sale', 'علی کریمی'];

// Customers with known tags, then records in every collection that can be listed, named
// with plain and metacharacter text.
for (const text of texts) await w.send(owner.token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: text, tags: [text] } });
for (const op of lists) {
  const create = w.operations.find((o) => o.method === 'POST' && o.path === op.path);
  if (!create?.body) continue;
  for (const [i, text] of texts.entries()) {
    const named = (p: string) => (/^(name|title|summary|company)$/.test(p) ? fc.constant(text) : /email/i.test(p) ? fc.constant(`user${i}@example.com`) : /^(tag|tags)$/.test(p) ? fc.constant(text.slice(0, 20)) : undefined);
    for (const body of fc.sample(validValue(create.body, { stringFor: named }), { numRuns: 20, seed: i })) {
      if ((await w.send(owner.token, { method: 'POST', url: create.path, payload: body as Record<string, unknown> })).statusCode === 201) break;
    }
  }
}

const ids = async (op: Operation, query: Record<string, unknown>) => {
  const res = await w.send(owner.token, { method: 'GET', url: `${op.path}${queryString({ limit: 200, ...query })}` });
  return { status: res.statusCode, ids: res.statusCode === 200 ? recordsIn(res.json()).map((r) => r.id) : [] };
};

t.test('every string filter of every list treats metacharacters as data', async (t) => {
  t.ok(lists.length >= 2, `${lists.length} lists with string filters: ${lists.map((l) => l.path).join(', ')}`);
  for (const op of lists) {
    const all = await ids(op, {});
    // Reports that need parameters (a pipeline) still get every metacharacter: only 5xx is checked there.
    if (all.status !== 200) t.comment(`${op.label} needs parameters (${all.status}): checked for 5xx only`);
    for (const param of op.query.filter((q) => q.schema.type === 'string' && !q.schema.enum && q.name !== 'cursor' && q.name !== 'after')) {
      for (const value of META) {
        const started = Date.now();
        const got = await ids(op, { [param.name]: value });
        t.ok(got.status === 200 || got.status === 400, `${op.label}?${param.name}=${JSON.stringify(value)} → ${got.status}`);
        // The sleeps above take 20 s if they run: half of that is a verdict, not a timing.
        t.ok(Date.now() - started < 10_000, 'and no injected sleep ran');
        t.ok(got.ids.every((id) => all.ids.includes(id)), 'never more than the unfiltered list');
        // `types=*` is the documented wildcard of event types, not an injection.
        const wildcard = value === '*' && typeof param.schema.pattern === 'string' && new RegExp(param.schema.pattern).test(value);
        if (all.ids.length >= 3 && !wildcard) t.ok(got.ids.length < all.ids.length, `never everything (${got.ids.length}/${all.ids.length})`);
      }
    }
  }
});

t.test('customer search and filters find metacharacter text by itself, and only by itself', async (t) => {
  const search = async (query: Record<string, string>) => [...new Set((await w.send(owner.token, { method: 'GET', url: `/api/v1/customers${queryString(query)}` })).json().items.map((c: { name: string }) => c.name) as string[])].sort();
  t.same(await search({ q: `O'Brien` }), [`O'Brien "Bob"; --`], 'an apostrophe is a letter');
  t.same(await search({ q: '50%' }), ['50% off_sale'], '% is a character, not a wildcard');
  t.same(await search({ q: 'off_sale' }), ['50% off_sale'], '_ is a character, not a wildcard');
  t.same(await search({ q: 'علي' }), ['علی کریمی'], 'Persian-aware still');
  t.same(await search({ tag: '50%' }), [], 'a tag filter is equality: no prefix match through %');
  t.same(await search({ tag: '50% off_sale' }), ['50% off_sale'], 'the exact tag matches');
  t.same(await search({ tag: '_0% off_sale' }), [], '_ matches only _');
  t.same(await search({ ownerId: `' OR '1'='1` }), [], 'owner filter is data');
});

t.test('templates: no prototypes, no helpers they were not given, strings only', async (t) => {
  const plain = createTemplateRenderer();
  const withUpper = createTemplateRenderer({ upper: (s: unknown) => String(s).toUpperCase() });
  const data = { name: 'Ali', nested: { deep: 1 } };
  for (const template of ['{{constructor}}', '{{name.constructor}}', '{{nested.__proto__}}', '{{@root.constructor.name}}', '{{#with nested}}{{constructor.constructor}}{{/with}}', '{{#each nested}}{{@key}}{{/each}}', '{{lookup nested "__proto__"}}', '{{lookup (lookup this "constructor") "name"}}', '{{#with (lookup this "__proto__")}}{{toString}}{{/with}}']) {
    let out: string;
    try {
      out = plain.render(template, data);
    } catch {
      out = '<refused>';
    }
    t.notMatch(out, /function|Object|\[native code\]|Function/, `${template} → ${JSON.stringify(out)}`);
  }
  t.throws(() => plain.render('{{upper name}}', data), /upper|helper/i, 'a helper of another renderer is not reachable');
  t.equal(withUpper.render('{{upper name}}', data), 'ALI');
  t.throws(() => plain.render('{{> secrets}}', data), 'partials are not registered');
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = consoleMethods.map((m) => console[m]);
  const written: unknown[] = [];
  for (const m of consoleMethods) console[m] = (...args: unknown[]) => void written.push(args);
  let logged: string;
  try {
    logged = plain.render('{{log name level="error"}}x', { name: '{"level":50,"msg":"forged"}' });
  } finally {
    consoleMethods.forEach((m, i) => (console[m] = saved[i]!));
  }
  t.equal(logged, 'x', '{{log}} renders nothing…');
  t.same(written, [], '…and writes nothing to the server console');
  for (const notString of [42, { type: 'Program', body: [] }, Buffer.from('{{name}}'), ['{{name}}'], null]) {
    t.throws(() => plain.render(notString as unknown as string, data), TypeError, `${JSON.stringify(notString)} is refused`);
  }
  t.equal(plain.render('{{name}} {{{name}}}', { name: '<b>' }), '&lt;b&gt; <b>', 'escaped unless triple-stashed');
});

t.test('the renderer a plugin is given sees nothing registered on the global Handlebars', async (t) => {
  // A dependency (or another plugin) registering on the shared Handlebars object must not reach stored templates.
  Handlebars.registerHelper('leak', () => 'leaked');
  Handlebars.registerPartial('leak', 'leaked');
  t.teardown(() => {
    Handlebars.unregisterHelper('leak');
    Handlebars.unregisterPartial('leak');
  });
  const templates = w.p.peyvand.kernel.context('notes').templates;
  t.equal(Handlebars.compile('{{leak}}')({}), 'leaked', 'the global environment has them');
  t.equal(templates.render('{{leak}}', {}), '', 'a global helper is not called (a bare name is a missing property)');
  t.throws(() => templates.render('{{leak "x"}}', {}), /unknown helper leak/, 'and with an argument it does not compile');
  t.throws(() => templates.render('{{> leak}}', {}), 'nor a global partial');
  t.equal(templates.render('{{name}}', { name: 'علی' }), 'علی', 'the plugin’s renderer works');
});
