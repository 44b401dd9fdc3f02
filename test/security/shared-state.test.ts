/**
 * What tenants share without seeing it: one process, one event loop, one validator for
 * custom-field schemas. A tenant's schema cannot reach or collide with another's (`$id`,
 * `$ref`), and no tenant can stall the others with a regular expression that backtracks
 * for ever (ReDoS): dangerous patterns are refused when saved, and what a pattern runs on
 * is capped.
 */
import t from 'tap';
import { bootWorld } from './lib/world.js';

const w = await bootWorld(t);
const acme = w.actors.find((a) => a.label === 'acme/key:owner')!;
const globex = w.actors.find((a) => a.label === 'globex/key:owner')!;
const setSchema = (token: string, schema: Record<string, unknown>) => w.send(token, { method: 'PUT', url: '/api/v1/settings/custom-fields', payload: { schema } });
const createWith = (token: string, customFields: Record<string, unknown>) => w.send(token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'cf', customFields } });

t.test('one tenant’s custom-field schema is invisible to another', async (t) => {
  t.equal((await setSchema(acme.token, { $id: 'acme-payroll', type: 'object', properties: { salary: { type: 'integer', maximum: 123456 } } })).statusCode, 200);
  const probe = await setSchema(globex.token, { type: 'object', properties: { probe: { $ref: 'acme-payroll' } } });
  if (probe.statusCode === 200) {
    const leaked = await createWith(globex.token, { probe: { salary: 999_999_999 } });
    t.notMatch(leaked.body, /123456/, 'globex cannot learn acme’s limits through $ref');
  }
  t.equal(probe.statusCode, 400, 'a $ref to another tenant’s $id does not resolve');
  t.equal((await setSchema(globex.token, { $id: 'acme-payroll', type: 'object' })).statusCode, 200, 'the same $id in another tenant does not collide');
  t.equal((await createWith(acme.token, { salary: 999_999 })).statusCode, 422, 'acme’s own schema still applies to acme');
});

t.test('patterns that could stall every tenant are refused when saved', async (t) => {
  for (const pattern of ['^(a+)+$', '^(a|aa)*$', '(\\w+)\\1', '^(?=a)a*$', 'a*a*a*b', '.*.*=']) {
    const res = await setSchema(acme.token, { type: 'object', properties: { x: { type: 'string', pattern } } });
    t.equal(res.statusCode, 400, `${pattern} refused`);
  }
  t.equal((await setSchema(acme.token, { type: 'object', patternProperties: { '^(a+)+$': {} } })).statusCode, 400, 'patternProperties refused');
  const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, { type: 'string', pattern: '^[0-9]+$' }]));
  t.equal((await setSchema(acme.token, { type: 'object', properties: many })).statusCode, 400, 'at most 20 patterns');
});

t.test('allowed patterns work, and what they run on is capped', async (t) => {
  t.equal((await setSchema(acme.token, { type: 'object', properties: { nationalId: { type: 'string', pattern: '^[0-9]{10}$' }, code: { type: 'string', pattern: '^[A-Z][0-9]*$' } } })).statusCode, 200);
  t.equal((await createWith(acme.token, { nationalId: '0499370899', code: 'A1' })).statusCode, 201, 'a valid value passes');
  const huge = await createWith(acme.token, { code: `A${'1'.repeat(300_000)}` });
  t.equal(huge.statusCode, 422, 'a value the pattern matches but too long to run it on is refused');
  await setSchema(acme.token, { type: 'object' });
});
