/**
 * list: `GET /api/v1/customers?limit=50` — page 1 vs the page reached by following
 * `nextCursor` to page 1,000 (50,000 customers in). The cursor is a keyset position, so
 * the deep page should cost what the first one does. No totals are counted.
 */
import { compare, fmt, measure } from '../http.js';
import type { ResultRow, Scenario } from '../scenario.js';

export const list: Scenario = {
  name: 'list',
  async run(ctx): Promise<ResultRow[]> {
    const { config } = ctx;
    const server = await ctx.datasets.peyvand();
    const first = `/api/v1/customers?limit=${config.pageSize}`;
    let path = first;
    // Follow the cursors the API hands out, as a client paging through would.
    for (let page = 1; page < config.listPage; page++) {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.meta.token}` } });
      const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
      if (res.status !== 200 || !body.nextCursor || body.items.length !== config.pageSize) throw new Error(`page ${page}: ${res.status}`);
      path = `${first}&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    ctx.log(`page 1 vs page ${config.listPage}`);
    const { a: page1, b: deep } = await compare(
      config,
      () => measure(config, { url: server.url, token: server.meta.token, paths: [first] }),
      () => measure(config, { url: server.url, token: server.meta.token, paths: [path] }),
    );
    const slower = page1.rps / deep.rps;
    return [
      {
        scenario: `list: page ${config.listPage} vs page 1 (50/page)`,
        peyvand: deep.rps,
        baseline: page1.rps,
        unit: 'req/s',
        ratio: slower,
        ratioLabel: 'deep time / page-1 time',
        target: '≤ 1.5',
        pass: slower <= 1.5,
        details: `p50 ${fmt(deep.p50, 1)} vs ${fmt(page1.p50, 1)} ms`,
      },
    ];
  },
};
