/**
 * memory: resident set size of the Peyvand server that loaded the dataset, after it has
 * served the read load (one warm-up and one measured run), vs the bare server after the
 * same load.
 */
import { measure } from '../http.js';
import type { Message, Worker } from '../proc.js';
import type { ResultRow, Scenario } from '../scenario.js';
import { readPaths, startBare } from './read.js';

const rssOf = async (worker: Worker): Promise<number> => {
  worker.send({ type: 'rss' });
  return (await worker.next<Message & { rss: number }>('rss')).rss / (1024 * 1024);
};

export const memory: Scenario = {
  name: 'memory',
  async run(ctx): Promise<ResultRow[]> {
    const { config } = ctx;
    const paths = await readPaths(ctx, 10_000);
    await measure(config, { url: paths.server.url, token: paths.server.meta.token, paths: paths.peyvand });
    const peyvand = await rssOf(paths.server.worker);
    const bare = await startBare(ctx);
    try {
      await measure(config, { url: bare.url, paths: paths.bare });
      const baseline = await rssOf(bare.worker);
      const how = paths.server.loadedHere ? 'loaded the dataset itself, then served reads' : 'opened a kept dataset (--reuse), then served reads';
      return [{ scenario: 'memory: server RSS', peyvand, baseline, unit: 'MB', ratio: peyvand / baseline, ratioLabel: 'Peyvand / bare', target: '≤ 250 MB', pass: peyvand <= 250, details: `the Peyvand server ${how}` }];
    } finally {
      await bare.worker.stop();
    }
  },
};
