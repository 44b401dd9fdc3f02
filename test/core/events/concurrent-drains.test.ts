/**
 * Two drains of one node at once (a test harness, or a request draining beside the loop)
 * share the node's lease, so both may deliver the same event and both see it fail. The
 * failure is parked once and neither drain throws; the retry then delivers it.
 * Found by the loyalty suite's concurrent workload on PostgreSQL (`23505` on
 * `subscriber_failures`), run here on every database.
 */
import t from 'tap';
import { definePlugin, systemActor, type PeyvandEvent } from '../../../core/index.js';
import { bootPeyvand } from '../../helpers/peyvand.js';

let failuresLeft = 1;
const delivered: string[] = [];
// Slow enough that the second drain reads the same batch before the first commits its progress.
const slowFlaky = definePlugin({
  name: 'slowflaky',
  version: '1.0.0',
  core: '^0.1.0',
  subscribers: [{
    id: 'slowflaky.watch',
    events: ['customer.created'],
    async handle(e: PeyvandEvent) {
      await new Promise((resolve) => setImmediate(resolve));
      // Until the test says otherwise, every delivery fails: both concurrent drains see it fail.
      if (failuresLeft > 0) throw new Error('downstream timeout');
      delivered.push(e.id);
    },
  }],
});

const p = await bootPeyvand(t, { plugins: [slowFlaky], dispatcher: { gapGraceMs: 0, backoffBaseMs: 200, backoffMaxMs: 200 } });
const kernel = p.peyvand.kernel;

t.test('a failure seen by two concurrent drains is parked once, then retried', async (t) => {
  const tenant = await kernel.tenants.create({ slug: 'acme', name: 'Acme', plugins: ['slowflaky'] });
  const actor = systemActor(tenant, 'test', kernel.registry.list().map((x) => x.name));
  const customer = await kernel.customers.create(actor, { kind: 'person', name: 'مریم' });
  const results = await Promise.allSettled([kernel.dispatcher.drain(), kernel.dispatcher.drain()]);
  t.same(results.map((r) => r.status), ['fulfilled', 'fulfilled'], 'neither drain throws');
  const parked = await kernel.db.knex(kernel.db.table('subscriber_failures')).where({ subscriber_id: 'slowflaky.watch' });
  t.equal(parked.length, 1, 'one parked failure');
  failuresLeft = 0;
  // The retry is due after its backoff (about 200 ms): drain until it was delivered, or give up at a deadline.
  for (const deadline = Date.now() + 10_000; delivered.length === 0 && Date.now() < deadline; ) {
    await kernel.dispatcher.drain();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const created = (await p.events({ type: 'customer.created' })).filter((e) => JSON.stringify(e.data).includes(customer.id));
  t.equal(created.length, 1);
  t.same(delivered, [created[0]!.id], 'the retry delivered it, once');
});
