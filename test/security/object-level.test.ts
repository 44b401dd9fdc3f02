/**
 * Object-level authorization (OWASP API1), as a property: random sequences of calls to
 * every tenant resource route of the OpenAPI document (plugin routes included), by two
 * tenants' API keys of all five built-in roles and host-JWT users in teams, with bodies
 * generated from the route schemas and ids taken from records either tenant created.
 * After every call the checks of `lib/object-access.ts` hold (the other tenant's rows
 * untouched, none of its ids revealed, a hidden record answers like a missing one, reads
 * within the caller's record scope). And in sequences where only one tenant acts, every
 * list and report of the other tenant reads the same before and after.
 *
 * record-scope.test.ts walks the same checks deterministically over every actor, record,
 * read, write and report; this file looks for what nobody thought to walk.
 */
import t from 'tap';
import fc from 'fast-check';
import { expect, fcParams, runs } from './lib/world.js';
import { validRequest } from './lib/requests.js';
import { objectAccess } from './lib/object-access.js';

const a = await objectAccess(t);
const { w, pool, stats } = a;
const owners = new Map(w.tenants.map((x) => [x.id, a.ownerOf(x.id)]));
t.comment(`seeded ${pool.size} records`);

const command = fc.record({ actor: fc.nat(w.actors.length - 1), spec: fc.oneof(...a.ops.map((op) => validRequest(op, a.hooks))) });
const sequence = fc.record({ mode: fc.constantFrom('both', 'acme', 'globex'), commands: fc.array(command, { minLength: 4, maxLength: 14 }) });

t.test('random call sequences never cross a tenant or a record scope', async (t) => {
  await fc.assert(fc.asyncProperty(sequence, async ({ mode, commands }) => {
    const quiet = mode === 'both' ? undefined : w.tenants.find((x) => x.slug !== mode)!;
    const quietOwner = quiet && a.ownerOf(quiet.id);
    const viewsBefore = quietOwner && (await a.viewsOf(quietOwner));
    for (const c of commands) {
      const candidates = quiet ? w.actors.filter((x) => x.tenantId !== quiet.id) : w.actors;
      await a.step(candidates[c.actor % candidates.length]!, c.spec);
    }
    if (quietOwner && viewsBefore) {
      const after = await a.viewsOf(quietOwner);
      for (const [label, body] of viewsBefore) {
        expect(after.get(label) === body, () => `${quiet.slug}'s ${label} changed while only ${mode} acted:\n   before ${body.slice(-300)}\n   after  ${after.get(label)?.slice(-300)}`);
      }
    }
  }), fcParams(30));
  t.comment(`${stats.calls} calls over ${a.ops.length} routes, ${stats.ok} succeeded, ${stats.twins} named a hidden record, ${stats.scoped} scope checks; ${pool.size} records`);
  t.ok(stats.twins > runs(30), `hidden records were named often (${stats.twins})`);
});

t.test('the event replay cursor does not move with other tenants’ activity', async (t) => {
  const [acme, globex] = w.tenants;
  const read = async () => (await w.send(owners.get(acme!.id)!.token, { method: 'GET', url: '/api/v1/events?limit=200' })).json().nextCursor as string;
  const before = await read();
  await w.send(owners.get(globex!.id)!.token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'activity elsewhere' } });
  t.equal(await read(), before, 'acme’s cursor is the same after globex wrote');
});
