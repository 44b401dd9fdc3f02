/**
 * memory: resident set size of the Peyvand server that loaded the dataset, after it has
 * served the read load (one warm-up and one measured run), vs the bare server after the
 * same load.
 */
import { fmt, measure } from '../http.js';
import type { Message, Worker } from '../proc.js';
import type { ResultRow, Scenario } from '../scenario.js';
import { readPaths, startBare } from './read.js';

const MB = 1024 * 1024;
/** A server's memory; `liveHeap`: what of its heap a full collection left (taken after the rest). */
type Usage = NodeJS.MemoryUsage & { liveHeap?: number };
const memoryOf = async (worker: Worker): Promise<Usage> => {
  worker.send({ type: 'rss' });
  return worker.next<Message & Usage>('rss');
};
/**
 * `RSS 253 MB (V8 heap 133 MB, 110 used, 31 alive; external 3 MB)`: where the RSS is. The
 * used part holds garbage V8 has not collected yet; what is alive is what the process keeps.
 */
const breakdown = (m: Usage): string => `RSS ${fmt(m.rss / MB)} MB (V8 heap ${fmt(m.heapTotal / MB)} MB, ${fmt(m.heapUsed / MB)} used${m.liveHeap === undefined ? '' : `, ${fmt(m.liveHeap / MB)} alive`}; external ${fmt(m.external / MB)} MB)`;

export const memory: Scenario = {
  name: 'memory',
  async run(ctx): Promise<ResultRow[]> {
    const { config } = ctx;
    const paths = await readPaths(ctx, 10_000);
    await measure(config, { url: paths.server.url, token: paths.server.meta.token, paths: paths.peyvand });
    const served = await memoryOf(paths.server.worker);
    const peyvand = served.rss / MB;
    const bare = await startBare(ctx);
    try {
      await measure(config, { url: bare.url, paths: paths.bare });
      const bareMemory = await memoryOf(bare.worker);
      const baseline = bareMemory.rss / MB;
      const { loadedMemory } = paths.server;
      const how = paths.server.loadedHere ? 'loaded the dataset itself, then served reads' : 'opened a kept dataset (--reuse), then served reads';
      const details = `the Peyvand server ${how}: ${breakdown(served)}${loadedMemory ? `; right after loading, ${breakdown(loadedMemory)}` : ''}; bare ${breakdown(bareMemory)}`;
      return [{ scenario: 'memory: server RSS', peyvand, baseline, unit: 'MB', ratio: peyvand / baseline, ratioLabel: 'Peyvand / bare', target: '≤ 250 MB', pass: peyvand <= 250, details }];
    } finally {
      await bare.worker.stop();
    }
  },
};
