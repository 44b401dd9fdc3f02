/**
 * read: `GET /api/v1/customers/{id}` — API key auth, tenant scope, permission check,
 * record scope, response schema — vs a bare fastify route doing the same primary-key
 * SELECT, both over the full dataset, random ids, load from a separate process.
 */
import { compare, fmt, measure } from '../http.js';
import { startWorker, type Message } from '../proc.js';
import type { Context, ResultRow, Scenario } from '../scenario.js';

/** Starts the bare server on the raw dataset. */
export async function startBare(ctx: Context) {
  const raw = await ctx.datasets.rawDataset();
  const worker = startWorker('server', { kind: 'bare', databaseUrl: `sqlite:${raw.file}`, tenantId: raw.tenantId });
  const { url } = await worker.next<Message & { url: string }>('ready');
  return { worker, url, raw };
}

/** GET paths of `count` random customers of each dataset. */
export async function readPaths(ctx: Context, count: number) {
  const server = await ctx.datasets.peyvand();
  const raw = await ctx.datasets.rawDataset();
  return {
    peyvand: ctx.datasets.sampleIds(ctx.datasets.peyvandFile, count).map((id) => `/api/v1/customers/${id}`),
    bare: ctx.datasets.sampleIds(raw.file, count).map((id) => `/customers/${id}`),
    server,
  };
}

export const read: Scenario = {
  name: 'read',
  async run(ctx): Promise<ResultRow[]> {
    const { config } = ctx;
    const paths = await readPaths(ctx, 10_000);
    const bare = await startBare(ctx);
    try {
      ctx.log(`${config.rounds} rounds × ${config.seconds} s, ${config.connections} connections`);
      const { a: base, b: pv } = await compare(
        config,
        () => measure(config, { url: bare.url, paths: paths.bare }),
        () => measure(config, { url: paths.server.url, token: paths.server.meta.token, paths: paths.peyvand }),
      );
      const ratio = pv.rps / base.rps;
      return [
        {
          scenario: 'read GET /customers/{id}',
          peyvand: pv.rps,
          baseline: base.rps,
          unit: 'req/s',
          ratio,
          ratioLabel: 'Peyvand / bare',
          target: '≥ 0.80',
          pass: ratio >= 0.8,
          details: `p50/p99 ${fmt(pv.p50, 1)}/${fmt(pv.p99, 1)} ms vs ${fmt(base.p50, 1)}/${fmt(base.p99, 1)} ms; rounds ${pv.rounds.join(', ')} vs ${base.rounds.join(', ')} req/s`,
        },
      ];
    } finally {
      await bare.worker.stop();
    }
  },
};
