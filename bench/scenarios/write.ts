/**
 * write: `POST /api/v1/customers` — validation, normalization, derived rows, search
 * index, audit entry and outbox event in one transaction — vs a bare fastify route
 * inserting the same customer row. Both write into their full dataset. Runs last: it adds
 * customers.
 */
import { compare, fmt, measure } from '../http.js';
import type { ResultRow, Scenario } from '../scenario.js';
import { startBare } from './read.js';

export const write: Scenario = {
  name: 'write',
  async run(ctx): Promise<ResultRow[]> {
    const { config } = ctx;
    const server = await ctx.datasets.peyvand();
    const bare = await startBare(ctx);
    // Customers past the dataset, a fresh range for every run.
    let start = config.customers + 1_000_000;
    const next = () => (start += 1_000_000);
    try {
      ctx.log(`${config.rounds} rounds × ${config.seconds} s, ${config.connections} connections`);
      const { a: base, b: pv } = await compare(
        config,
        () => measure(config, { url: bare.url, postCustomers: { path: '/customers', seed: config.seed, start: next() } }),
        () => measure(config, { url: server.url, token: server.meta.token, postCustomers: { path: '/api/v1/customers', seed: config.seed, start: next() } }),
      );
      const ratio = pv.rps / base.rps;
      return [
        {
          scenario: 'write POST /customers',
          peyvand: pv.rps,
          baseline: base.rps,
          unit: 'req/s',
          ratio,
          ratioLabel: 'Peyvand / bare',
          target: '≥ 0.50',
          pass: ratio >= 0.5,
          details: `p50/p99 ${fmt(pv.p50, 1)}/${fmt(pv.p99, 1)} ms vs ${fmt(base.p50, 1)}/${fmt(base.p99, 1)} ms`,
        },
      ];
    } finally {
      await bare.worker.stop();
    }
  },
};
