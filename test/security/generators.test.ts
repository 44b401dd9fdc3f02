/**
 * The fuzz generators themselves: what `validRequest` calls valid must pass the route's own
 * body and query schemas (with Peyvand's formats), for every operation. A generator that
 * ignores a keyword (an `exclusiveMinimum`, say) makes "valid" requests the server refuses,
 * and input-fuzz's "every handler reached" then fails only when chance makes all of one
 * operation's samples bad — this finds it every time, and names the keyword.
 */
import t from 'tap';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import { withFormats } from '../../core/http/validation.js';
import { validValue } from './lib/arbitraries.js';
import { bootWorld } from './lib/world.js';

const w = await bootWorld(t);
const ajv = withFormats(new Ajv({ allErrors: true, strict: false }));

t.test('every operation: generated bodies pass the body schema', async (t) => {
  for (const op of w.operations.filter((o) => o.body)) {
    const validate = ajv.compile(op.body!);
    const refused = new Set<string>();
    for (const body of fc.sample(validValue(op.body!), { numRuns: 40, seed: 7 })) {
      if (!validate(body)) for (const e of validate.errors ?? []) refused.add(`${e.instancePath.replace(/\/\d+/g, '/N')} ${e.message}`);
    }
    t.same([...refused], [], `${op.label}: generated bodies are valid`);
  }
});
